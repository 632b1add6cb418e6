//! Putting a backup set back: files byte for byte with mode and owner (a file
//! that did not exist is removed), the replaced tables as `iptables-save`
//! printed them, the xt_recent lists. Shared by the guard's revert, a failed
//! apply and `rollback`. It tries every part and reports each failure, since
//! a half-restored host is worse than a loud one.

use std::path::{Path, PathBuf};

use super::atomic;
use super::backup::{BackedUpFile, BackupSet};
use super::{firewall, links};
use crate::exec::Runner;
use crate::plan::{AfterWrite, FileChange, Stage};
use crate::root::Root;
use crate::ruleset::Family;

#[derive(Debug, Clone, Default)]
pub struct Restored {
    pub files: usize,
    pub families: Vec<&'static str>,
    /// What the services that read the restored files said after a reload.
    pub reloaded: Vec<String>,
    pub errors: Vec<String>,
    /// Why nothing at all was restored (a snapshot that would not load).
    pub refused: Option<String>,
}

impl Restored {
    pub fn complete(&self) -> bool {
        self.errors.is_empty() && self.refused.is_none()
    }

    pub fn summary(&self) -> String {
        if let Some(why) = &self.refused {
            format!(
                "NOTHING WAS RESTORED: {why}\n    what to do: the host is as the failed change left it; check `iptables-save` and the files by hand, or `asterisk-harden rollback --backup ID` with another set (`asterisk-harden backups`)"
            )
        } else if self.errors.is_empty() {
            let mut s = format!(
                "everything was restored ({} file(s), {} firewall)",
                self.files,
                if self.families.is_empty() {
                    "no".to_string()
                } else {
                    self.families.join(" and ")
                }
            );
            for r in &self.reloaded {
                s.push_str(&format!("; {r}"));
            }
            s
        } else {
            format!("RESTORE INCOMPLETE: {}", self.errors.join("; "))
        }
    }
}

/// In a backup set: the SSH port the apply labelled for SELinux.
pub const SELINUX_PORT: &str = "selinux-port";
/// In a backup set: the ipset sets the apply created (one name per line).
pub const SETS_CREATED: &str = "sets-created";

/// What restoring `set` would do to each file, as a change from the file's
/// current text to the saved one (`after` empty and `before` set: the file
/// did not exist and is removed). Read-only: the "diff back" shown before a
/// rollback.
pub fn changes_back(root: &Root, set: &BackupSet) -> Vec<FileChange> {
    set.manifest
        .files
        .iter()
        .map(|f| {
            let saved = set
                .file_copy(f)
                .ok()
                .flatten()
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            FileChange {
                path: f.path.clone(),
                before: std::fs::read_to_string(root.path(&f.path)).ok(),
                after: saved.unwrap_or_default(),
                stage: Stage::Apply,
                why: if f.copy.is_some() {
                    "restored as saved".into()
                } else {
                    "removed: it did not exist before".into()
                },
                after_write: AfterWrite::Nothing,
            }
        })
        .collect()
}

/// Before anything is touched: every saved firewall snapshot must load.
fn check_snapshots(runner: &dyn Runner, set: &BackupSet, tables: &[&str]) -> Result<(), String> {
    for (family, name, saved) in [
        (Family::Ipv4, "IPv4", &set.manifest.ipv4_rules),
        (Family::Ipv6, "IPv6", &set.manifest.ipv6_rules),
    ] {
        if let Some(text) = set.rules(saved).map_err(|e| e.to_string())? {
            firewall::test_snapshot(runner, family, &text, tables).map_err(|e| {
                format!(
                    "the saved {name} firewall of backup {} does not pass the test load ({e}), so no table was flushed",
                    set.manifest.id
                )
            })?;
        }
    }
    Ok(())
}

/// Put one saved file back: its link first (when it was a symlink), then the
/// bytes at the file the link leads to. A file already as saved is left
/// alone (its mtime too).
fn restore_file(root: &Root, set: &BackupSet, f: &BackedUpFile) -> Result<bool, String> {
    if let Some(link) = &f.link {
        links::restore_link(root, &f.path, link).map_err(|e| format!("the symlink: {e}"))?;
    }
    let target = match &f.link {
        Some(_) => {
            links::resolve(root, &f.path)
                .map_err(|e| e.to_string())?
                .file
        }
        None => root.path(&f.path),
    };
    let saved = set.file_copy(f).map_err(|e| e.to_string())?;
    let as_saved = match (&saved, f.ownership) {
        (Some(data), Some(o)) => {
            std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_file())
                && std::fs::read(&target).is_ok_and(|now| &now == data)
                && atomic::Ownership::of(&target).is_ok_and(|now| now == o)
        }
        (None, _) => std::fs::symlink_metadata(&target).is_err(),
        _ => false,
    };
    if as_saved {
        if saved.is_none() {
            remove_empty_dirs(root, &f.absent_dirs);
        }
        return Ok(false);
    }
    // A file made immutable (chattr +i) must be released to be restored.
    if target.exists() && crate::fail2ban::is_immutable(root.runner(), &target) {
        let _ = crate::fail2ban::set_immutable(root.runner(), &target, false);
    }
    match saved {
        Some(data) => atomic::write(&target, &data, f.ownership, 0o600),
        None => atomic::remove(&target).map(|()| remove_empty_dirs(root, &f.absent_dirs)),
    }
    .map(|()| true)
    .map_err(|e| e.to_string())
}

/// The directories the apply created for a new file, deepest first: each
/// removed if empty. One that holds something now (another program's file)
/// is kept, and so is every directory above it.
fn remove_empty_dirs(root: &Root, dirs: &[PathBuf]) {
    for dir in dirs {
        if std::fs::remove_dir(root.path(dir)).is_err() {
            break;
        }
    }
}

/// Both families from the set, or neither: what is live is saved first and
/// put back should a snapshot fail to load after all (the test load does not
/// resolve every jump), so a restore never leaves less firewall than it
/// found, nor IPv4 restored and IPv6 not.
fn restore_firewall(
    runner: &dyn Runner,
    set: &BackupSet,
    tables: &[&str],
    r: &mut Restored,
) -> Result<(), String> {
    let mut saved = Vec::new();
    for (family, name, part) in [
        (Family::Ipv4, "IPv4", &set.manifest.ipv4_rules),
        (Family::Ipv6, "IPv6", &set.manifest.ipv6_rules),
    ] {
        if let Some(text) = set.rules(part).map_err(|e| e.to_string())? {
            let live =
                firewall::save(runner, family).map_err(|e| format!("{name} firewall: {e}"))?;
            saved.push((family, name, text, live));
        }
    }
    for (i, (family, name, text, _)) in saved.iter().enumerate() {
        if let Err(e) = firewall::restore_snapshot(runner, *family, text, tables) {
            let back = saved[..=i].iter().all(|(f, _, _, live)| {
                firewall::restore_snapshot(runner, *f, live, tables).is_ok()
            });
            return Err(format!(
                "{name} firewall: {e} ({})",
                if back {
                    "the firewall as it was before this restore was put back, IPv4 and IPv6"
                } else {
                    "AND the firewall as it was before could not be put back: check `iptables-save`"
                }
            ));
        }
    }
    r.families = saved.iter().map(|(_, name, _, _)| *name).collect();
    Ok(())
}

pub fn restore_backup(root: &Root, set: &BackupSet) -> Restored {
    let mut r = Restored::default();
    let tables: Vec<&str> = set.manifest.tables.iter().map(String::as_str).collect();
    if let Err(why) = check_snapshots(root.runner(), set, &tables) {
        r.refused = Some(why);
        return r;
    }
    if let Some(port) = std::fs::read_to_string(set.dir.join(SELINUX_PORT))
        .ok()
        .and_then(|p| p.trim().parse().ok())
    {
        match crate::ssh::selinux::unlabel(root.runner(), port) {
            Ok(()) => {
                let _ = std::fs::remove_file(set.dir.join(SELINUX_PORT));
            }
            Err(e) => r.errors.push(format!("SELinux label of port {port}: {e}")),
        }
    }
    for f in &set.manifest.files {
        match restore_file(root, set, f) {
            Ok(_) => r.files += 1,
            Err(e) => r.errors.push(format!("{}: {e}", f.path.display())),
        }
    }
    // sshd must read what was just restored (it listens where the restored
    // files say once it has).
    let touches_sshd = set
        .manifest
        .files
        .iter()
        .any(|f| f.path.starts_with("/etc/ssh"));
    if touches_sshd && let Err(e) = crate::ssh::reload_after_restore(root) {
        r.errors.push(format!("sshd reload: {e}"));
    }
    // manager.conf, or FreePBX's manager_custom.conf.
    let touches_ami = set.manifest.files.iter().any(|f| {
        f.path.parent() == Some(Path::new(crate::asterisk::CONFIG_DIR))
            && f.path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("manager"))
    });
    // AMI must listen where the restored manager.conf says (all addresses
    // again, typically): proven from `manager show settings`.
    if touches_ami {
        match crate::asterisk::live::reload_manager(root) {
            Ok(said) => r.reloaded.push(said),
            Err(e) => r.errors.push(format!("AMI reload: {e}")),
        }
    }
    if let Err(e) = restore_firewall(root.runner(), set, &tables, &mut r) {
        // The rules still name the sets: they stay.
        r.errors.push(e);
        return r;
    }
    // Only now that the rules naming them are gone can the sets go.
    let created = std::fs::read_to_string(set.dir.join(SETS_CREATED)).unwrap_or_default();
    let mut kept = Vec::new();
    // Noted before they were made: one a killed apply never made is not there.
    let existing = crate::sets::names(root.runner()).unwrap_or_default();
    for name in created
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| existing.iter().any(|e| e == l))
    {
        if let Err(e) = crate::sets::destroy(root.runner(), name) {
            r.errors.push(format!("ipset set {name}: {e}"));
            kept.push(name);
        }
    }
    if !created.is_empty() {
        let path = set.dir.join(SETS_CREATED);
        let _ = if kept.is_empty() {
            std::fs::remove_file(&path)
        } else {
            std::fs::write(&path, kept.join("\n") + "\n")
        };
    }
    if crate::fail2ban::running(root) {
        let jail_restored = set
            .manifest
            .files
            .iter()
            .any(|f| f.path.starts_with("/etc/fail2ban"));
        if jail_restored && let Err(e) = crate::fail2ban::reload(root) {
            r.errors.push(e);
        }
        let live = firewall::save(root.runner(), Family::Ipv4).unwrap_or_default();
        let _ = crate::fail2ban::after_load(root, &live);
    }
    let proc_dir = Path::new(firewall::RECENT_PROC);
    for list in &set.manifest.recent_lists {
        if let Some(text) = set.recent(list) {
            let addresses = crate::recent::addresses(&text);
            if let Err(e) = firewall::refill_recent(proc_dir, list, &addresses) {
                r.errors.push(format!("xt_recent list {list}: {e}"));
            }
        }
    }
    r
}
