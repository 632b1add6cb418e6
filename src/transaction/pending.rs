//! The change in flight, on disk, so that the guard (a separate process), a
//! later `confirm` from a new session, and the next run after a crash all see
//! the same truth. Every state change happens under one file lock.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};

use super::atomic;
use crate::root::Root;

pub const STATE_DIR: &str = "/var/lib/asterisk-harden";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Backing up, writing, loading: a crash here leaves a half-changed host.
    Applying,
    /// Loaded; the guard reverts at the deadline unless confirmed.
    Waiting,
    /// A confirm is writing persistence: the guard must not revert.
    Confirming,
}

/// Who ran the apply, so `confirm` can tell a new session from the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub sid: i32,
    pub ssh_connection: Option<String>,
}

impl Session {
    pub fn current() -> Self {
        Self {
            sid: nix::unistd::getsid(None).map(|p| p.as_raw()).unwrap_or(-1),
            ssh_connection: std::env::var("SSH_CONNECTION")
                .ok()
                .filter(|s| !s.trim().is_empty()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    pub backup_id: String,
    pub state: State,
    /// Unix seconds.
    pub started: u64,
    /// Unix seconds; set once the rules are loaded.
    pub deadline: Option<u64>,
    pub apply_pid: u32,
    /// Written by the guard itself once it holds the backup set: armed.
    pub guard_pid: Option<u32>,
    pub session: Session,
    /// The `confirm` writing persistence (state `confirming`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_pid: Option<u32>,
}

impl Pending {
    /// A change this process starts applying now, from this session.
    pub fn started_here(backup_id: &str) -> Self {
        Self {
            backup_id: backup_id.to_string(),
            state: State::Applying,
            started: now(),
            deadline: None,
            apply_pid: std::process::id(),
            guard_pid: None,
            session: Session::current(),
            confirm_pid: None,
        }
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Whether process `pid` still runs. A zombie (ended, not yet reaped by its
/// parent) does not: `kill(pid, 0)` alone would count it alive.
pub fn alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    let exists = match nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None) {
        Ok(()) => true,
        Err(nix::errno::Errno::EPERM) => true,
        Err(_) => false,
    };
    exists && !zombie(pid)
}

/// /proc/PID/stat's state field is "Z": ended, waiting to be reaped.
fn zombie(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // "PID (comm) S ...": comm may hold spaces and parentheses.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            == Some("Z")
    })
}

/// Reap `pid` if it is an ended child of this process (the guard, for the
/// apply that started it); true if it has ended. Not a child: false.
pub fn reap(pid: u32) -> bool {
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    matches!(
        waitpid(nix::unistd::Pid::from_raw(raw), Some(WaitPidFlag::WNOHANG)),
        Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..))
    )
}

/// /var/lib/asterisk-harden under the root.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
    /// The host it belongs to (its `logger`, and whether it is the real one).
    root: Root,
}

/// Held while reading-then-writing the pending change.
pub struct Locked {
    _lock: Flock<File>,
}

/// Held by one apply from before its plan is read until its change is
/// handed to the guard (or kept, or undone): a second apply is refused.
pub struct ApplyLock {
    _lock: Flock<File>,
}

/// Create `dir` (and parents) and make it root's alone: the state holds the
/// pending change, the journal and the rules with the secret SIP hostname.
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::create_dir_all(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

/// Open a log for appending, 0600 (an older one is tightened too).
pub fn private_log(path: &std::path::Path) -> std::io::Result<File> {
    use std::os::unix::fs::PermissionsExt;
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    f.set_permissions(fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

impl StateDir {
    pub fn new(root: &Root) -> Self {
        Self {
            dir: root.path(STATE_DIR),
            root: root.clone(),
        }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.dir
    }

    fn pending_path(&self) -> PathBuf {
        self.dir.join("pending.toml")
    }

    /// The apply lock, without waiting: `Err(Some(pid))` names the apply
    /// holding it.
    pub fn try_apply_lock(&self) -> std::io::Result<Result<ApplyLock, Option<u32>>> {
        private_dir(&self.dir)?;
        let path = self.dir.join(".apply.lock");
        let file = OpenOptions::new()
            .mode(0o600)
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(mut lock) => {
                use std::io::Seek;
                lock.set_len(0)?;
                lock.seek(std::io::SeekFrom::Start(0))?;
                write!(lock, "{}", std::process::id())?;
                Ok(Ok(ApplyLock { _lock: lock }))
            }
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => Ok(Err(fs::read_to_string(&path)
                .ok()
                .and_then(|t| t.trim().parse().ok()))),
            Err((_, e)) => Err(e.into()),
        }
    }

    pub fn lock(&self) -> std::io::Result<Locked> {
        private_dir(&self.dir)?;
        let file = OpenOptions::new()
            .mode(0o600)
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(".lock"))?;
        let lock =
            Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| std::io::Error::from(e))?;
        Ok(Locked { _lock: lock })
    }

    pub fn read(&self, _: &Locked) -> std::io::Result<Option<Pending>> {
        match fs::read_to_string(self.pending_path()) {
            Ok(text) => toml::from_str(&text).map(Some).map_err(|e| {
                std::io::Error::other(format!("{}: {e}", self.pending_path().display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether a pending record is on disk (readable or not).
    pub fn has_pending(&self) -> bool {
        self.pending_path().exists()
    }

    /// Read without taking the lock (for display and polling only).
    pub fn peek(&self) -> Option<Pending> {
        fs::read_to_string(self.pending_path())
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
    }

    pub fn write(&self, _: &Locked, p: &Pending) -> std::io::Result<()> {
        let text = toml::to_string(p).expect("pending serializes");
        atomic::write(&self.pending_path(), text.as_bytes(), None, 0o600)
    }

    pub fn clear(&self, _: &Locked) -> std::io::Result<()> {
        atomic::remove(&self.pending_path())
    }

    /// Append one line to the journal: what happened to which backup, when.
    /// The last line is how `apply` learns what the guard did.
    pub fn record(&self, event: &str) -> std::io::Result<()> {
        // One line in syslog/journald too, so `journalctl -t asterisk-harden`
        // tells the story; only for the real host, never for a sandbox.
        let runner = self.root.runner();
        if self.root.is_system() && runner.find("logger").is_some() {
            let _ = runner.run("logger", &["-t", "asterisk-harden", "--", event], None);
        }
        private_dir(&self.dir)?;
        let mut f = private_log(&self.dir.join("journal.log"))?;
        let stamp = humantime::format_rfc3339_seconds(SystemTime::now());
        writeln!(f, "{stamp} {event}")?;
        f.sync_all()
    }

    pub fn journal(&self) -> Vec<String> {
        fs::read_to_string(self.dir.join("journal.log"))
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }
}
