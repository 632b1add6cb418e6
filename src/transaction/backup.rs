//! Backup sets: one directory per apply under
//! /var/backups/asterisk-harden/<UTC timestamp>/ (mode 0700) holding a copy
//! of every file the plan touches (with mode and owner), the firewall as
//! `iptables-save` printed it, the xt_recent lists, and a manifest. Written
//! and fsynced before anything changes.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::atomic::{self, Ownership};
use crate::root::Root;

pub const BACKUP_DIR: &str = "/var/backups/asterisk-harden";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackedUpFile {
    /// Host path, as on a real system.
    pub path: PathBuf,
    /// Ownership when it existed; `None`: it did not exist (restore removes it).
    pub ownership: Option<Ownership>,
    /// Name of the copy inside the set's `files/` directory.
    pub copy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub id: String,
    pub created: String,
    pub tool_version: String,
    /// The mode being applied when this backup was taken.
    pub mode: String,
    /// The tables the apply replaced, restored from the saved firewall.
    pub tables: Vec<String>,
    pub files: Vec<BackedUpFile>,
    /// `iptables-save` output, if IPv4 is managed here.
    pub ipv4_rules: Option<String>,
    pub ipv6_rules: Option<String>,
    /// xt_recent lists saved (file names under `recent/`).
    pub recent_lists: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct BackupSet {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "cannot write the backup under {dir}: {source}\n    what to do: check free space and permissions there; nothing was changed"
    )]
    Write {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no backup set {id:?} under {dir}\n    what to do: `asterisk-harden backups` lists them"
    )]
    NotFound { id: String, dir: PathBuf },
    #[error("the backup set {dir} is damaged: {reason}")]
    Damaged { dir: PathBuf, reason: String },
}

/// What goes into a new set; the firewall text is read by the caller.
pub struct Contents<'a> {
    pub mode: &'a str,
    pub tables: &'a [&'a str],
    pub files: &'a [PathBuf],
    pub ipv4_rules: Option<&'a str>,
    pub ipv6_rules: Option<&'a str>,
    pub recent: &'a [(String, String)],
}

/// "2026-11-25T040512Z": sorts by time, no colons in a directory name.
fn timestamp_id(now: SystemTime) -> String {
    humantime::format_rfc3339_seconds(now)
        .to_string()
        .replace(':', "")
}

fn write_synced(path: &Path, data: &[u8], mode: u32) -> std::io::Result<()> {
    atomic::write(path, data, None, mode)
}

impl BackupSet {
    pub fn create(root: &Root, contents: &Contents) -> Result<Self, BackupError> {
        let base = root.path(BACKUP_DIR);
        let wrap = |source| BackupError::Write {
            dir: base.clone(),
            source,
        };
        fs::create_dir_all(&base).map_err(wrap)?;
        let now = SystemTime::now();
        let stamp = timestamp_id(now);
        // Two applies in one second get distinct sets.
        let mut id = stamp.clone();
        let mut n = 1;
        while base.join(&id).exists() {
            id = format!("{stamp}-{n}");
            n += 1;
        }
        let dir = base.join(&id);
        let wrap = |source| BackupError::Write {
            dir: dir.clone(),
            source,
        };
        fs::create_dir(&dir).map_err(wrap)?;
        fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(wrap)?;
        fs::create_dir(dir.join("files")).map_err(wrap)?;

        let mut files = Vec::new();
        for (i, path) in contents.files.iter().enumerate() {
            let full = root.path(path);
            match fs::read(&full) {
                Ok(data) => {
                    let copy = format!(
                        "{i}-{}",
                        path.file_name()
                            .map(|f| f.to_string_lossy())
                            .unwrap_or_default()
                    );
                    write_synced(&dir.join("files").join(&copy), &data, 0o600).map_err(wrap)?;
                    let ownership = Some(Ownership::of(&full).map_err(wrap)?);
                    files.push(BackedUpFile {
                        path: path.clone(),
                        ownership,
                        copy: Some(copy),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    files.push(BackedUpFile {
                        path: path.clone(),
                        ownership: None,
                        copy: None,
                    });
                }
                Err(e) => return Err(wrap(e)),
            }
        }
        let save = |name: &str, text: Option<&str>| -> Result<Option<String>, BackupError> {
            match text {
                Some(t) => {
                    write_synced(&dir.join(name), t.as_bytes(), 0o600).map_err(wrap)?;
                    Ok(Some(name.to_string()))
                }
                None => Ok(None),
            }
        };
        let ipv4_rules = save("iptables.save", contents.ipv4_rules)?;
        let ipv6_rules = save("ip6tables.save", contents.ipv6_rules)?;
        let mut recent_lists = Vec::new();
        if !contents.recent.is_empty() {
            fs::create_dir(dir.join("recent")).map_err(wrap)?;
            for (name, text) in contents.recent {
                write_synced(&dir.join("recent").join(name), text.as_bytes(), 0o600)
                    .map_err(wrap)?;
                recent_lists.push(name.clone());
            }
        }
        let manifest = Manifest {
            id,
            created: humantime::format_rfc3339_seconds(now).to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            mode: contents.mode.to_string(),
            tables: contents.tables.iter().map(|t| t.to_string()).collect(),
            files,
            ipv4_rules,
            ipv6_rules,
            recent_lists,
        };
        let text = toml::to_string(&manifest).expect("manifest serializes");
        write_synced(&dir.join("manifest.toml"), text.as_bytes(), 0o600).map_err(wrap)?;
        atomic::fsync_dir(&dir).map_err(wrap)?;
        atomic::fsync_dir(&base).map_err(wrap)?;
        Ok(Self { dir, manifest })
    }

    pub fn open(root: &Root, id: &str) -> Result<Self, BackupError> {
        let base = root.path(BACKUP_DIR);
        // An id is a directory name, never a path.
        if id.is_empty() || id.contains('/') || id.starts_with('.') {
            return Err(BackupError::NotFound {
                id: id.to_string(),
                dir: base,
            });
        }
        let dir = base.join(id);
        let text =
            fs::read_to_string(dir.join("manifest.toml")).map_err(|_| BackupError::NotFound {
                id: id.to_string(),
                dir: base.clone(),
            })?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| BackupError::Damaged {
            dir: dir.clone(),
            reason: e.to_string(),
        })?;
        Ok(Self { dir, manifest })
    }

    /// Every set, oldest first. Damaged ones are skipped.
    pub fn list(root: &Root) -> Vec<Self> {
        let base = root.path(BACKUP_DIR);
        let mut ids: Vec<String> = fs::read_dir(&base)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids.iter()
            .filter_map(|id| Self::open(root, id).ok())
            .collect()
    }

    pub fn file_copy(&self, f: &BackedUpFile) -> Result<Option<Vec<u8>>, BackupError> {
        match &f.copy {
            Some(name) => fs::read(self.dir.join("files").join(name))
                .map(Some)
                .map_err(|e| BackupError::Damaged {
                    dir: self.dir.clone(),
                    reason: format!("{name}: {e}"),
                }),
            None => Ok(None),
        }
    }

    pub fn rules(&self, name: &Option<String>) -> Result<Option<String>, BackupError> {
        match name {
            Some(n) => {
                fs::read_to_string(self.dir.join(n))
                    .map(Some)
                    .map_err(|e| BackupError::Damaged {
                        dir: self.dir.clone(),
                        reason: format!("{n}: {e}"),
                    })
            }
            None => Ok(None),
        }
    }

    pub fn recent(&self, name: &str) -> Option<String> {
        fs::read_to_string(self.dir.join("recent").join(name)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        fs::create_dir_all(root.path("/etc")).unwrap();
        fs::write(root.path("/etc/a.conf"), "a=1\n").unwrap();
        let files = [PathBuf::from("/etc/a.conf"), PathBuf::from("/etc/new.conf")];
        let recent = [("BADSIP".to_string(), "src=10.0.0.9 ttl: 64\n".to_string())];
        let set = BackupSet::create(
            &root,
            &Contents {
                mode: "strict",
                tables: &["raw", "filter"],
                files: &files,
                ipv4_rules: Some("*filter\nCOMMIT\n"),
                ipv6_rules: None,
                recent: &recent,
            },
        )
        .unwrap();
        let mode = fs::metadata(&set.dir).unwrap().permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o700
        );
        let again = BackupSet::open(&root, &set.manifest.id).unwrap();
        assert_eq!(again.manifest, set.manifest);
        assert_eq!(
            again.file_copy(&again.manifest.files[0]).unwrap().unwrap(),
            b"a=1\n"
        );
        assert!(again.manifest.files[1].ownership.is_none());
        assert_eq!(
            again.rules(&again.manifest.ipv4_rules).unwrap().unwrap(),
            "*filter\nCOMMIT\n"
        );
        assert_eq!(again.recent("BADSIP").unwrap(), "src=10.0.0.9 ttl: 64\n");
        assert_eq!(BackupSet::list(&root).len(), 1);
        assert!(BackupSet::open(&root, "../x").is_err());
    }
}
