//! Writing a file so that a crash leaves either the old or the new text,
//! never half of one: a temp file in the same directory, fsynced, renamed
//! over the target, then the directory fsynced. Mode and owner are kept.

use std::fs::{self, File, Permissions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// Mode and owner of a file, as recorded in a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ownership {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
}

impl Ownership {
    pub fn of(path: &Path) -> std::io::Result<Self> {
        let m = fs::metadata(path)?;
        Ok(Self {
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
        })
    }
}

/// Replace a file atomically, keeping an existing file's mode and owner;
/// new files get 0600. For the tool's own state.
pub fn write_file_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write(path, contents, None, 0o600)
}

pub fn fsync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Replace `path` with `contents`. `ownership` is applied when given (a
/// restore); otherwise an existing file keeps its own, and a new file gets
/// `new_mode` and the current user.
pub fn write(
    path: &Path,
    contents: &[u8],
    ownership: Option<Ownership>,
    new_mode: u32,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other(format!("{} has no directory", path.display())))?;
    fs::create_dir_all(dir)?;
    let keep = match ownership {
        Some(o) => Some(o),
        None => Ownership::of(path).ok(),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".asterisk-harden.")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    let mode = keep.map_or(new_mode, |o| o.mode);
    tmp.as_file()
        .set_permissions(Permissions::from_mode(mode))?;
    if let Some(o) = keep {
        // Only root may give a file away; as another user the owner is already ours.
        if nix::unistd::geteuid().is_root() {
            nix::unistd::fchown(tmp.as_file(), Some(o.uid.into()), Some(o.gid.into()))
                .map_err(std::io::Error::from)?;
        }
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    fsync_dir(dir)
}

/// Remove `path` if present (a restore of a file that did not exist before).
pub fn remove(path: &Path) -> std::io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => path.parent().map_or(Ok(()), fsync_dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_mode_and_replaces_contents() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        write(&p, b"new", None, 0o644).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(Ownership::of(&p).unwrap().mode, 0o640);
        let q = dir.path().join("sub/new");
        write(&q, b"x", None, 0o600).unwrap();
        assert_eq!(Ownership::of(&q).unwrap().mode, 0o600);
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".asterisk-harden.")
            })
            .collect();
        assert!(leftovers.is_empty());
        remove(&q).unwrap();
        remove(&q).unwrap();
        assert!(!q.exists());
    }
}
