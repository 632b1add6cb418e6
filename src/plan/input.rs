//! The plan's view of the host: the probe's facts it needs, and the current
//! text of every file it may touch. Gathered at the edge (`PlanInput::read`,
//! from the one probe's `Facts` and files read through the root), so `plan`
//! itself stays pure and the host is probed once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::asterisk::AsteriskFacts;
use crate::asterisk::hygiene::{Finding, findings};
use crate::fail2ban::Fail2banFacts;
use crate::hostfile::{ReadError, read_text};
use crate::probe::Facts;
use crate::probe::system::Distro;
use crate::root::Root;
use crate::ruleset::ListStore;
use crate::ssh::SshdFiles;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    pub distro: Distro,
    /// sshd's main file and drop-ins, when sshd is configured here.
    pub sshd: Option<SshdFiles>,
    /// OpenSSH's (major, minor) version, for option names that changed.
    pub openssh: Option<(u32, u32)>,
    /// This binary, as the boot units must call it.
    pub exe: PathBuf,
    /// What /etc/asterisk says (installed, IAX peers, AMI, FreePBX).
    pub asterisk: AsteriskFacts,
    /// Asterisk's SIP hygiene (guests, open endpoints, weak secrets).
    pub hygiene: Vec<Finding>,
    pub fail2ban: Fail2banFacts,
    /// Where the phone, ban and trap lists live on this host.
    pub lists: ListStore,
    /// The distribution's boot loader of saved rules is installed.
    pub boot_loader_installed: bool,
    /// A fresh random secret (hex), for an AMI user that has none yet.
    pub watch_secret: String,
    /// Host path (as on a real system) → its text, `None` when absent.
    pub files: BTreeMap<PathBuf, Option<String>>,
    /// Files that exist but are not UTF-8 text: kept byte for byte unless the
    /// plan must edit one, which it then refuses (see `plan`).
    pub not_text: BTreeMap<PathBuf, ReadError>,
}

/// A host file the plan cannot work from: nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanInputError {
    #[error("{0}\n    what to do: {hint}; nothing was changed", hint = .0.hint())]
    File(ReadError),
    #[error(transparent)]
    Lists(#[from] crate::probe::firewall::ListStoreError),
    #[error("cannot read random bytes for the watcher's AMI secret: {0}")]
    Random(String),
}

impl PlanInput {
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.files.get(path).and_then(|t| t.as_deref())
    }

    /// Whether `path` exists (as text or not).
    pub fn exists(&self, path: &Path) -> bool {
        self.text(path).is_some() || self.not_text.contains_key(path)
    }

    /// The text of a file the plan is about to edit; one that is not UTF-8
    /// is refused rather than rewritten with its bytes changed.
    pub fn editable(&self, path: &Path) -> Result<Option<&str>, ReadError> {
        match self.not_text.get(path) {
            Some(e) => Err(e.clone()),
            None => Ok(self.text(path)),
        }
    }

    /// The probe's `facts`, and `paths` read under `root`. A file that
    /// exists but cannot be read (or is a FIFO, a device, larger than 1 MiB)
    /// is an error: planning over it would silently overwrite it. One that
    /// is not UTF-8 is noted.
    pub fn read(root: &Root, facts: &Facts, paths: &[PathBuf]) -> Result<Self, PlanInputError> {
        let mut files = BTreeMap::new();
        let mut not_text = BTreeMap::new();
        for p in paths {
            let text = match read_text(&root.path(p)) {
                Ok(t) => t,
                Err(e @ ReadError::NotUtf8 { .. }) => {
                    not_text.insert(p.clone(), e);
                    None
                }
                Err(e) => return Err(PlanInputError::File(e)),
            };
            files.insert(p.clone(), text);
        }
        let sshd = match SshdFiles::read(root) {
            Ok(s) => s,
            Err(e @ ReadError::NotUtf8 { .. }) => {
                let host = crate::ssh::config::host_path(root, &e.path().to_string_lossy());
                not_text.insert(host, e);
                None
            }
            Err(e) => return Err(PlanInputError::File(e)),
        };
        Ok(Self {
            distro: facts.system.distro,
            sshd,
            openssh: crate::ssh::sshd::openssh_version(root.runner()),
            exe: std::env::current_exe()
                .unwrap_or_else(|_| PathBuf::from("/usr/bin/asterisk-harden")),
            asterisk: facts.asterisk.clone(),
            hygiene: findings(root),
            fail2ban: Fail2banFacts::read(root),
            lists: facts.firewall.list_store()?,
            boot_loader_installed: super::distro_loader_units(facts.system.distro)
                .iter()
                .all(|u| root.has_unit(u)),
            files,
            not_text,
            watch_secret: random_hex(16).map_err(|e| PlanInputError::Random(e.to_string()))?,
        })
    }
}

/// `bytes` random bytes from the kernel, as hex.
fn random_hex(bytes: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
