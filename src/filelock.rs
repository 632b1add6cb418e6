//! An exclusive advisory lock on a file next to the state it guards, held
//! while the state is read, changed and written: `watch`, a ban by hand and
//! the timers may act at the same moment, and one must not undo another.

use std::fs::File;
use std::path::Path;

use nix::fcntl::{Flock, FlockArg};

/// Wait for the lock on `path` (created if missing); released on drop.
pub fn hold(path: &Path) -> std::io::Result<Flock<File>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| std::io::Error::from(e))
}
