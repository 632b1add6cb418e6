//! The host the tool works on: every filesystem path it reads or writes goes
//! through one root prefix (`--root DIR`, default `/`), so the whole tool can
//! run against a sandbox copy of `/etc` and never touch the real one; and
//! every program it runs goes through the root's `Runner`, so tests can give
//! it a scripted host instead of this machine's programs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::exec::{Runner, System};

#[derive(Debug, Clone)]
pub struct Root(PathBuf, Arc<dyn Runner>);

/// Two roots are the same place whatever runs their programs.
impl PartialEq for Root {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Root {}

impl Default for Root {
    fn default() -> Self {
        Self::new("/")
    }
}

impl Root {
    /// `dir`, whose programs are this machine's.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self(dir.into(), Arc::new(System))
    }

    /// The same files, with programs run by `runner` (a scripted host in tests).
    pub fn with_runner(self, runner: Arc<dyn Runner>) -> Self {
        Self(self.0, runner)
    }

    /// What runs this host's programs.
    pub fn runner(&self) -> &dyn Runner {
        self.1.as_ref()
    }

    /// The host path `abs` (written as on a real system, e.g. "/etc/ssh/sshd_config")
    /// under this root.
    pub fn path(&self, abs: impl AsRef<Path>) -> PathBuf {
        let abs = abs.as_ref();
        let relative = abs.strip_prefix("/").unwrap_or(abs);
        self.0.join(relative)
    }

    /// The root directory itself.
    pub fn dir(&self) -> &Path {
        &self.0
    }

    /// A systemd unit file is installed (in any of systemd's unit directories).
    pub fn has_unit(&self, unit: &str) -> bool {
        [
            "/lib/systemd/system",
            "/usr/lib/systemd/system",
            "/etc/systemd/system",
        ]
        .iter()
        .any(|d| self.path(d).join(unit).exists())
    }

    /// True when this is the real system (`/`), not a sandbox.
    pub fn is_system(&self) -> bool {
        self.0 == Path::new("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_prefixed() {
        let r = Root::new("/tmp/box");
        assert_eq!(
            r.path("/etc/ssh/sshd_config"),
            PathBuf::from("/tmp/box/etc/ssh/sshd_config")
        );
        assert_eq!(Root::default().path("/etc/x"), PathBuf::from("/etc/x"));
        assert!(Root::default().is_system() && !r.is_system());
    }
}
