//! Writing the host's files, and what confirm writes later: the final files,
//! the final rules (when the window's differ), the ports sshd must end on.
//! A file is written where its symlinks lead (it stays a link), and a file
//! that names the secret SIP hostname is never left readable by everyone.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::{self, Ownership};
use super::loads::{known_ours, merge, remember_ours, snapshot};
use super::pending::StateDir;
use super::services::fail2ban_after_load;
use super::{TxError, boot, family_name, firewall, links};
use crate::plan::{AfterWrite, Distro, persistence_paths};
use crate::root::Root;
use crate::ruleset::Family;
use crate::ssh;

/// The tool's own settings (answers.toml names the SIP hostname).
pub const ETC_DIR: &str = "/etc/asterisk-harden";

/// A file written on confirm, kept with the pending change until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferred {
    pub path: PathBuf,
    pub contents: String,
    pub after_write: AfterWrite,
}

/// What confirm does, decided at apply time.
#[derive(Serialize, Deserialize)]
pub(super) struct DeferredFile {
    pub file: Vec<Deferred>,
    pub final_rules: Vec<FinalRules>,
    pub final_ssh_ports: Vec<u16>,
    pub noflush: bool,
    pub tables: Vec<String>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct FinalRules {
    pub family: Family,
    pub text: String,
}

/// The widest mode a file may have: our settings are root's alone, the
/// saved rules (the SIP hostname in every whitelist rule) readable by
/// root's group at most, as netfilter-persistent makes them.
fn mode_limit(path: &Path) -> u32 {
    let rules = [Distro::Debian, Distro::Rhel].into_iter().any(|d| {
        let (v4, v6) = persistence_paths(d);
        path == v4 || path == v6
    });
    if path.starts_with(ETC_DIR) {
        0o600
    } else if rules {
        0o640
    } else {
        0o7777
    }
}

/// Write one host file: at the end of its symlinks; an immutable one (chattr
/// +i) released first, and made immutable again when `after_write` says so.
pub(super) fn write_host_file(
    root: &Root,
    path: &Path,
    text: &str,
    new_mode: u32,
    after_write: AfterWrite,
) -> Result<(), TxError> {
    let err = |source| TxError::Write {
        path: path.to_path_buf(),
        source,
    };
    let full = links::resolve(root, path)
        .map_err(|e| err(std::io::Error::other(e)))?
        .file;
    if full.exists() && crate::fail2ban::is_immutable(root.runner(), &full) {
        crate::fail2ban::set_immutable(root.runner(), &full, false)
            .map_err(|e| err(std::io::Error::other(e)))?;
    }
    let limit = mode_limit(path);
    let keep = Ownership::of(&full).ok().map(|o| Ownership {
        mode: o.mode & limit,
        ..o
    });
    atomic::write(&full, text.as_bytes(), keep, new_mode & limit).map_err(err)?;
    if path.starts_with(ETC_DIR) {
        super::pending::private_dir(&root.path(ETC_DIR)).map_err(err)?;
    }
    if after_write == AfterWrite::ReloadFail2banImmutable {
        crate::fail2ban::set_immutable(root.runner(), &full, true)
            .map_err(|e| err(std::io::Error::other(e)))?;
    }
    Ok(())
}

fn deferred_path(state: &StateDir, id: &str) -> PathBuf {
    state.path().join(format!("deferred-{id}.toml"))
}

pub(super) fn save(state: &StateDir, id: &str, deferred: &DeferredFile) -> Result<(), TxError> {
    let text = toml::to_string(deferred).expect("serializes");
    atomic::write(&deferred_path(state, id), text.as_bytes(), None, 0o600).map_err(|source| {
        TxError::State {
            path: state.path().into(),
            source,
        }
    })
}

pub(super) fn remove(state: &StateDir, id: &str) {
    let _ = atomic::remove(&deferred_path(state, id));
}

fn load(state: &StateDir, id: &str) -> Result<Option<DeferredFile>, TxError> {
    let path = deferred_path(state, id);
    match std::fs::read_to_string(&path) {
        Ok(t) => toml::from_str(&t).map(Some).map_err(|e| TxError::State {
            path,
            source: std::io::Error::other(e),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(TxError::State { path, source }),
    }
}

/// What keeping a change does: sshd's final files (and the proof it listens
/// where it should), the final rules (the old SSH port closed), then
/// persistence.
pub(super) fn persist(
    root: &Root,
    state: &StateDir,
    id: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(), TxError> {
    let Some(d) = load(state, id)? else {
        return Ok(());
    };
    let write = |f: &Deferred| write_host_file(root, &f.path, &f.contents, 0o640, f.after_write);
    let (sshd_files, other_files): (Vec<&Deferred>, Vec<&Deferred>) = d
        .file
        .iter()
        .partition(|f| f.after_write == AfterWrite::ReloadSshd);
    for f in &sshd_files {
        write(f)?;
        progress(&format!("wrote {}", f.path.display()));
    }
    if !sshd_files.is_empty() {
        let said = ssh::reload_and_verify(root, &d.final_ssh_ports)?;
        progress(&said);
    }
    let tables: Vec<&str> = d.tables.iter().map(String::as_str).collect();
    for r in &d.final_rules {
        let live = snapshot(root.runner(), r.family)?;
        let text = merge(
            &r.text,
            d.noflush,
            &tables,
            &live,
            &known_ours(state, r.family),
        )
        .text;
        firewall::load(root.runner(), r.family, &text, d.noflush).map_err(|source| {
            TxError::Load {
                family: family_name(r.family),
                source,
            }
        })?;
        remember_ours(root.runner(), state, r.family, &tables);
        progress(&format!(
            "{} rules loaded without the old SSH port",
            family_name(r.family)
        ));
    }
    if !d.final_rules.is_empty() {
        fail2ban_after_load(root, false, progress);
    }
    for (i, f) in other_files.iter().enumerate() {
        write(f)?;
        progress(&format!("wrote {}", f.path.display()));
        if i == 0 {
            crate::fault::point("persist-file");
        }
    }
    remove(state, id);
    progress(&boot::enable(root));
    for said in super::watch_unit::enable(root) {
        progress(&said);
    }
    Ok(())
}
