//! The plan's view of the host: the current text of every file it may touch
//! and the distro family. Read at the edge (`HostFiles::read`), so `plan`
//! itself stays pure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::asterisk::AsteriskFacts;
use crate::asterisk::hygiene::{Finding, findings};
use crate::fail2ban::Fail2banFacts;
use crate::root::Root;
use crate::ruleset::ListStore;
use crate::ssh::SshdFiles;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distro {
    /// Debian, Ubuntu and derivatives: netfilter-persistent, /etc/iptables/rules.v4.
    Debian,
    /// RHEL, Rocky, Alma, CentOS, Fedora: iptables-services, /etc/sysconfig/iptables.
    Rhel,
    Unknown,
}

impl Distro {
    /// From the marker files under the root (a sandbox says what it imitates).
    pub fn detect(root: &Root) -> Self {
        if root.path("/etc/debian_version").exists() {
            Self::Debian
        } else if root.path("/etc/redhat-release").exists() {
            Self::Rhel
        } else {
            Self::Unknown
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFiles {
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
    /// Host path (as on a real system) → its text, `None` when absent.
    pub files: BTreeMap<PathBuf, Option<String>>,
}

impl HostFiles {
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.files.get(path).and_then(|t| t.as_deref())
    }

    /// Read `paths` under `root`. A file that exists but cannot be read is an
    /// error: planning over it would silently overwrite it.
    pub fn read(root: &Root, paths: &[PathBuf]) -> std::io::Result<Self> {
        let mut files = BTreeMap::new();
        for p in paths {
            let full = root.path(p);
            let text = match std::fs::read_to_string(&full) {
                Ok(t) => Some(t),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(std::io::Error::new(
                        e.kind(),
                        format!("{}: {e}", full.display()),
                    ));
                }
            };
            files.insert(p.clone(), text);
        }
        Ok(Self {
            distro: Distro::detect(root),
            sshd: SshdFiles::read(root)?,
            openssh: crate::ssh::sshd::openssh_version(),
            exe: std::env::current_exe()
                .unwrap_or_else(|_| PathBuf::from("/usr/bin/asterisk-harden")),
            asterisk: AsteriskFacts::probe(root),
            hygiene: findings(root),
            fail2ban: Fail2banFacts::read(root),
            lists: crate::probe::firewall::list_store()
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
            files,
        })
    }
}
