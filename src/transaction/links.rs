//! Symbolic and hard links among the files a plan edits. A symlinked
//! sshd_config (configuration kept in git, or shared between hosts) is
//! edited at its target and stays a link; an atomic rename over it would
//! turn it into a regular file and leave the real file untouched. A file
//! with several hard links cannot be replaced atomically without breaking
//! the other names, so it is refused before anything changes.

use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

use crate::root::Root;

/// How many symlinks are followed before giving up (as the kernel's ELOOP).
const MAX_HOPS: usize = 40;

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(
        "{path} has {links} hard links: replacing it would cut it off from the other name(s)\n    what to do: find them (`find / -samefile {path}`), keep one copy (or make the others symlinks), then apply again; nothing was changed"
    )]
    HardLinked { path: PathBuf, links: u64 },
    #[error(
        "{path}: too many levels of symbolic links (a loop?)\n    what to do: fix the link by hand (`ls -l {path}`), then apply again; nothing was changed"
    )]
    Loop { path: PathBuf },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A host path as it is on disk: the file to read and write (under the
/// root), and the link text when the path itself is a symlink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDisk {
    pub file: PathBuf,
    pub link: Option<PathBuf>,
}

/// Follow `host_path` (as on a real system) through its symlinks, keeping
/// absolute link targets inside the root: `/etc/x -> /srv/conf/x` is
/// `ROOT/srv/conf/x`, never the machine's own /srv when ROOT is a sandbox.
pub fn resolve(root: &Root, host_path: &Path) -> Result<OnDisk, LinkError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LinkError::Io { path, source }
    };
    let mut current = normalize(host_path);
    let mut first_link = None;
    for _ in 0..MAX_HOPS {
        let full = root.path(&current);
        match std::fs::symlink_metadata(&full) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&full).map_err(io(&full))?;
                if first_link.is_none() {
                    first_link = Some(target.clone());
                }
                let parent = current.parent().unwrap_or(Path::new("/"));
                current = normalize(&parent.join(&target));
            }
            Ok(m) => {
                if m.is_file() && m.nlink() > 1 {
                    return Err(LinkError::HardLinked {
                        path: host_path.to_path_buf(),
                        links: m.nlink(),
                    });
                }
                return Ok(OnDisk {
                    file: full,
                    link: first_link,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(OnDisk {
                    file: full,
                    link: first_link,
                });
            }
            Err(e) => return Err(io(&full)(e)),
        }
    }
    Err(LinkError::Loop {
        path: host_path.to_path_buf(),
    })
}

/// `a/./b/../c` → `a/c`, lexically (a link target is a host path).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

/// Put the symlink `host_path -> link` back if it is not there (a restore).
pub fn restore_link(root: &Root, host_path: &Path, link: &Path) -> std::io::Result<()> {
    let full = root.path(host_path);
    if std::fs::read_link(&full).is_ok_and(|l| l == link) {
        return Ok(());
    }
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir)?;
    }
    match std::fs::remove_file(&full) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::os::unix::fs::symlink(link, &full)?;
    full.parent().map_or(Ok(()), super::atomic::fsync_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_inside_the_root_and_hard_links_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        std::fs::create_dir_all(root.path("/etc/ssh")).unwrap();
        std::fs::create_dir_all(root.path("/srv/conf")).unwrap();
        std::fs::write(root.path("/srv/conf/sshd"), "Port 22\n").unwrap();
        std::os::unix::fs::symlink("/srv/conf/sshd", root.path("/etc/ssh/sshd_config")).unwrap();
        let d = resolve(&root, Path::new("/etc/ssh/sshd_config")).unwrap();
        assert_eq!(d.file, root.path("/srv/conf/sshd"));
        assert_eq!(d.link, Some(PathBuf::from("/srv/conf/sshd")));
        std::os::unix::fs::symlink("../../srv/conf/sshd", root.path("/etc/ssh/rel")).unwrap();
        assert_eq!(
            resolve(&root, Path::new("/etc/ssh/rel")).unwrap().file,
            root.path("/srv/conf/sshd")
        );
        std::os::unix::fs::symlink("loop", root.path("/etc/ssh/loop")).unwrap();
        assert!(matches!(
            resolve(&root, Path::new("/etc/ssh/loop")),
            Err(LinkError::Loop { .. })
        ));
        std::fs::hard_link(root.path("/srv/conf/sshd"), root.path("/srv/conf/twin")).unwrap();
        let e = resolve(&root, Path::new("/etc/ssh/sshd_config")).unwrap_err();
        assert!(e.to_string().contains("2 hard links"), "{e}");
        let plain = resolve(&root, Path::new("/etc/new.conf")).unwrap();
        assert_eq!((plain.file, plain.link), (root.path("/etc/new.conf"), None));
        restore_link(&root, Path::new("/etc/moved"), Path::new("ssh/rel")).unwrap();
        assert_eq!(
            std::fs::read_link(root.path("/etc/moved")).unwrap(),
            PathBuf::from("ssh/rel")
        );
    }
}
