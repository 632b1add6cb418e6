//! Backup sets: one directory per apply under
//! /var/backups/asterisk-harden/<UTC timestamp>/ (mode 0700) holding a copy
//! of every file the plan touches (with mode, owner and, for a symlink, the
//! link), the firewall as `iptables-save` printed it, the xt_recent lists,
//! and a manifest with the SHA-256 of each of them (the manifest's own in
//! manifest.sha256). Written and fsynced before anything changes; read back
//! and checked in full before anything is restored from it, so a truncated
//! or damaged copy is refused instead of being put on the host.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::atomic::{self, Ownership};
use crate::root::Root;

pub const BACKUP_DIR: &str = "/var/backups/asterisk-harden";
const MANIFEST: &str = "manifest.toml";
const MANIFEST_SUM: &str = "manifest.sha256";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackedUpFile {
    /// Host path, as on a real system.
    pub path: PathBuf,
    /// Ownership when it existed; `None`: it did not exist (restore removes it).
    pub ownership: Option<Ownership>,
    /// Name of the copy inside the set's `files/` directory.
    pub copy: Option<String>,
    /// The link text when `path` was a symlink (the copy is its target's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<PathBuf>,
    /// For a file that did not exist: the directories above it that did not
    /// exist either (host paths, deepest first). Writing the file creates
    /// them; a restore removes those it finds empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent_dirs: Vec<PathBuf>,
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
    /// SHA-256 (hex) of every saved file, by its name inside the set.
    pub sha256: BTreeMap<String, String>,
}

impl Manifest {
    /// A set as the pickers list it (`rollback`, both wizards): when it was
    /// taken, what it undoes, what it holds.
    pub fn label(&self) -> String {
        format!(
            "{}  (before applying {}; {})",
            self.id,
            self.mode,
            self.files_label()
        )
    }

    /// What the set holds of files, said the same way by `backups` and the
    /// wizard: "9 file(s): 2 saved, 7 that did not exist (a restore removes them)".
    pub fn files_label(&self) -> String {
        let saved = self.files.iter().filter(|f| f.ownership.is_some()).count();
        let absent = self.files.len() - saved;
        match absent {
            0 => format!("{saved} file(s) saved"),
            _ => format!(
                "{} file(s): {saved} saved, {absent} that did not exist (a restore removes them)",
                self.files.len()
            ),
        }
    }
}

/// A set read back in full and checked against its checksums: restoring
/// works from this copy in memory, so the set on disk changing afterwards
/// (a disk error, a careless `rm`) cannot change what is restored.
#[derive(Debug, Clone)]
pub struct BackupSet {
    pub dir: PathBuf,
    pub manifest: Manifest,
    data: BTreeMap<String, Vec<u8>>,
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
    #[error(
        "the backup set {dir} is damaged: {reason}\n    nothing was restored from it (a damaged copy on the host would be worse than none)\n    what to do: `asterisk-harden backups` lists the other sets; `rollback --backup ID` with an older one also undoes every apply made after it, or copy the intact files back from {dir} by hand"
    )]
    Damaged { dir: PathBuf, reason: String },
}

/// What goes into a new set; the firewall text is read by the caller.
pub struct Contents<'a> {
    pub mode: &'a str,
    pub tables: &'a [&'a str],
    /// (host path, the file on disk and its link, as `links::resolve` found them)
    pub files: &'a [(PathBuf, super::links::OnDisk)],
    pub ipv4_rules: Option<&'a str>,
    pub ipv6_rules: Option<&'a str>,
    pub recent: &'a [(String, String)],
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// "2026-11-25T040512Z": sorts by time, no colons in a directory name.
fn timestamp_id(now: SystemTime) -> String {
    humantime::format_rfc3339_seconds(now)
        .to_string()
        .replace(':', "")
}

/// The backup directory, made private: copies of sshd_config, manager.conf
/// and the rules (with the secret SIP hostname) are for root only.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
}

/// The host paths of the directories above `path` that do not exist,
/// deepest first. `on_disk` is where `path` is under the root (the file a
/// link leads to, when it is one).
fn absent_dirs(on_disk: &Path, path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let (mut disk, mut host) = (on_disk.parent(), path.parent());
    while let (Some(d), Some(h)) = (disk, host) {
        if h.parent().is_none() || fs::symlink_metadata(d).is_ok() {
            break;
        }
        out.push(h.to_path_buf());
        (disk, host) = (d.parent(), h.parent());
    }
    out
}

impl BackupSet {
    pub fn create(root: &Root, contents: &Contents) -> Result<Self, BackupError> {
        let base = root.path(BACKUP_DIR);
        let wrap = |source| BackupError::Write {
            dir: base.clone(),
            source,
        };
        private_dir(&base).map_err(wrap)?;
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
        let made = Self::fill(dir.clone(), id, now, contents);
        if made.is_err() {
            // Half a set (a full disk) would pass for the newest one.
            let _ = fs::remove_dir_all(&dir);
        } else {
            atomic::fsync_dir(&base).map_err(wrap)?;
        }
        made
    }

    fn fill(
        dir: PathBuf,
        id: String,
        now: SystemTime,
        contents: &Contents,
    ) -> Result<Self, BackupError> {
        let wrap = |source| BackupError::Write {
            dir: dir.clone(),
            source,
        };
        private_dir(&dir).map_err(wrap)?;
        private_dir(&dir.join("files")).map_err(wrap)?;

        let mut data = BTreeMap::new();
        let mut save = |name: String, bytes: &[u8]| -> Result<String, BackupError> {
            atomic::write(&dir.join(&name), bytes, None, 0o600).map_err(wrap)?;
            data.insert(name.clone(), bytes.to_vec());
            Ok(name)
        };
        let mut files = Vec::new();
        for (i, (path, on_disk)) in contents.files.iter().enumerate() {
            let link = on_disk.link.clone();
            match fs::read(&on_disk.file) {
                Ok(bytes) => {
                    let name = format!(
                        "files/{i}-{}",
                        path.file_name()
                            .map(|f| f.to_string_lossy())
                            .unwrap_or_default()
                    );
                    let name = save(name, &bytes)?;
                    let ownership = Some(Ownership::of(&on_disk.file).map_err(wrap)?);
                    files.push(BackedUpFile {
                        path: path.clone(),
                        ownership,
                        copy: Some(name.trim_start_matches("files/").to_string()),
                        link,
                        absent_dirs: Vec::new(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    files.push(BackedUpFile {
                        path: path.clone(),
                        ownership: None,
                        copy: None,
                        absent_dirs: absent_dirs(&on_disk.file, path),
                        link,
                    });
                }
                Err(e) => return Err(wrap(e)),
            }
        }
        let ipv4_rules = contents
            .ipv4_rules
            .map(|t| save("iptables.save".into(), t.as_bytes()))
            .transpose()?;
        let ipv6_rules = contents
            .ipv6_rules
            .map(|t| save("ip6tables.save".into(), t.as_bytes()))
            .transpose()?;
        let mut recent_lists = Vec::new();
        if !contents.recent.is_empty() {
            private_dir(&dir.join("recent")).map_err(wrap)?;
            for (name, text) in contents.recent {
                save(format!("recent/{name}"), text.as_bytes())?;
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
            sha256: data
                .iter()
                .map(|(name, bytes)| (name.clone(), sha256_hex(bytes)))
                .collect(),
        };
        let text = toml::to_string(&manifest).expect("manifest serializes");
        atomic::write(&dir.join(MANIFEST), text.as_bytes(), None, 0o600).map_err(wrap)?;
        let sum = format!("{}  {MANIFEST}\n", sha256_hex(text.as_bytes()));
        atomic::write(&dir.join(MANIFEST_SUM), sum.as_bytes(), None, 0o600).map_err(wrap)?;
        atomic::fsync_dir(&dir).map_err(wrap)?;
        Ok(Self {
            dir,
            manifest,
            data,
        })
    }

    /// Read a set back and check every part of it: the manifest against
    /// manifest.sha256, each saved file against the manifest, each firewall
    /// snapshot for a COMMIT closing every table. Any mismatch: `Damaged`.
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
        if !dir.is_dir() {
            return Err(BackupError::NotFound {
                id: id.to_string(),
                dir: base,
            });
        }
        let damaged = |reason: String| BackupError::Damaged {
            dir: dir.clone(),
            reason,
        };
        let text = fs::read(dir.join(MANIFEST)).map_err(|e| damaged(format!("{MANIFEST}: {e}")))?;
        let sum = fs::read_to_string(dir.join(MANIFEST_SUM))
            .map_err(|e| damaged(format!("{MANIFEST_SUM}: {e}")))?;
        if sum.split_whitespace().next() != Some(sha256_hex(&text).as_str()) {
            return Err(damaged(format!(
                "{MANIFEST} does not match its checksum in {MANIFEST_SUM}"
            )));
        }
        let text = String::from_utf8(text).map_err(|e| damaged(format!("{MANIFEST}: {e}")))?;
        let manifest: Manifest =
            toml::from_str(&text).map_err(|e| damaged(format!("{MANIFEST}: {e}")))?;
        let mut names: Vec<String> = manifest
            .files
            .iter()
            .filter_map(|f| f.copy.as_ref().map(|c| format!("files/{c}")))
            .collect();
        names.extend(manifest.ipv4_rules.iter().cloned());
        names.extend(manifest.ipv6_rules.iter().cloned());
        names.extend(manifest.recent_lists.iter().map(|l| format!("recent/{l}")));
        let mut data = BTreeMap::new();
        for name in names {
            if name.split('/').any(|part| part == ".." || part.is_empty()) {
                return Err(damaged(format!("{name}: not a name inside the set")));
            }
            let Some(want) = manifest.sha256.get(&name) else {
                return Err(damaged(format!("{name}: no checksum in the manifest")));
            };
            let bytes = fs::read(dir.join(&name)).map_err(|e| damaged(format!("{name}: {e}")))?;
            if &sha256_hex(&bytes) != want {
                return Err(damaged(format!(
                    "{name} does not match its checksum ({} bytes now: truncated or changed since it was saved)",
                    bytes.len()
                )));
            }
            data.insert(name, bytes);
        }
        for name in manifest.ipv4_rules.iter().chain(&manifest.ipv6_rules) {
            let text = String::from_utf8_lossy(&data[name]);
            if let Err(why) = super::firewall::well_formed(&text) {
                return Err(damaged(format!("{name}: {why}")));
            }
        }
        Ok(Self {
            dir,
            manifest,
            data,
        })
    }

    /// The ids of every set on disk, oldest first, damaged ones included.
    pub fn ids(root: &Root) -> Vec<String> {
        let mut ids: Vec<String> = fs::read_dir(root.path(BACKUP_DIR))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|id| !id.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    /// Every set that reads back intact, oldest first (for pickers; a
    /// damaged set is named by `ids`, and refused by `open`).
    pub fn list(root: &Root) -> Vec<Self> {
        Self::ids(root)
            .iter()
            .filter_map(|id| Self::open(root, id).ok())
            .collect()
    }

    pub fn file_copy(&self, f: &BackedUpFile) -> Result<Option<Vec<u8>>, BackupError> {
        match &f.copy {
            Some(name) => self
                .data
                .get(&format!("files/{name}"))
                .cloned()
                .map(Some)
                .ok_or_else(|| BackupError::Damaged {
                    dir: self.dir.clone(),
                    reason: format!("{name}: not in the set"),
                }),
            None => Ok(None),
        }
    }

    pub fn rules(&self, name: &Option<String>) -> Result<Option<String>, BackupError> {
        match name {
            Some(n) => self
                .data
                .get(n)
                .map(|b| Some(String::from_utf8_lossy(b).into_owned()))
                .ok_or_else(|| BackupError::Damaged {
                    dir: self.dir.clone(),
                    reason: format!("{n}: not in the set"),
                }),
            None => Ok(None),
        }
    }

    pub fn recent(&self, name: &str) -> Option<String> {
        self.data
            .get(&format!("recent/{name}"))
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::super::links::{OnDisk, resolve};
    use super::*;

    #[test]
    fn the_directories_a_new_file_needs_are_recorded_deepest_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path());
        fs::create_dir_all(root.path("/etc")).unwrap();
        let path = Path::new("/etc/a/b/c.conf");
        assert_eq!(
            absent_dirs(&root.path(path), path),
            [PathBuf::from("/etc/a/b"), PathBuf::from("/etc/a")]
        );
        fs::create_dir_all(root.path("/etc/a")).unwrap();
        assert_eq!(
            absent_dirs(&root.path(path), path),
            [PathBuf::from("/etc/a/b")]
        );
    }

    fn a_set(root: &Root) -> BackupSet {
        fs::create_dir_all(root.path("/etc")).unwrap();
        fs::write(root.path("/etc/a.conf"), "a=1\n").unwrap();
        let files: Vec<(PathBuf, OnDisk)> = ["/etc/a.conf", "/etc/new.conf"]
            .iter()
            .map(|p| (PathBuf::from(p), resolve(root, Path::new(p)).unwrap()))
            .collect();
        let recent = [("BADSIP".to_string(), "src=10.0.0.9 ttl: 64\n".to_string())];
        BackupSet::create(
            root,
            &Contents {
                mode: "strict",
                tables: &["raw", "filter"],
                files: &files,
                ipv4_rules: Some("*filter\nCOMMIT\n"),
                ipv6_rules: None,
                recent: &recent,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_set_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        let set = a_set(&root);
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

    #[test]
    fn any_damage_is_refused_with_its_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        let set = a_set(&root);
        let id = set.manifest.id.clone();
        let damage = |name: &str, text: &str| {
            let p = set.dir.join(name);
            let saved = fs::read(&p).unwrap();
            fs::write(&p, text).unwrap();
            let e = BackupSet::open(&root, &id).unwrap_err().to_string();
            fs::write(&p, saved).unwrap();
            e
        };
        assert!(damage("files/0-a.conf", "a=").contains("files/0-a.conf does not match"));
        assert!(damage("iptables.save", "").contains("iptables.save does not match"));
        assert!(damage("recent/BADSIP", "x").contains("recent/BADSIP"));
        let e = damage("manifest.toml", "id = \"x\"\n");
        assert!(
            e.contains("manifest.toml does not match") && e.contains("what to do"),
            "{e}"
        );
        assert!(damage("manifest.sha256", "").contains("does not match"));
        BackupSet::open(&root, &id).unwrap();
        assert_eq!(BackupSet::ids(&root), [id]);
    }
}
