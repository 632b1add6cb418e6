//! The only code that changes the host, as one commit-confirmed transaction
//! (`Transaction`, in tx.rs): begun under the apply lock before the plan is
//! read → backup set written, fsynced and checksummed → the guard armed (a
//! process of its own holding the backup in memory) → sets created and
//! `iptables-restore --test` → files written atomically → rules loaded →
//! services reloaded → either kept at once (`--no-confirm`) or handed to the
//! guard, which reverts everything at the deadline unless `confirm` arrives
//! from a new session. Every other way out (an error, a panic, a kill of
//! apply, of the guard or of confirm) restores the backup set exactly once.
//!
//! The guard is a process of its own (new session, state on disk): killing
//! the wizard, a terminal hang-up or a dropped SSH session cannot stop it,
//! and apply supervises it in turn (a guard that dies is noticed at once).

use crate::atomic;
use crate::exec::Runner;
mod backup;
mod boot;
mod build_binary;
mod confirm;
mod deferred;
mod firewall;
mod guard;
mod history;
mod launch;
mod links;
mod loads;
mod pending;
mod restore;
mod services;
mod tx;
mod watch_unit;

use std::path::PathBuf;
use std::time::Duration;

pub use backup::{BACKUP_DIR, BackupError, BackupSet, Manifest};
pub use boot::boot_loader;
pub use build_binary::is_cargo_build;
pub use confirm::{confirm, newest, rollback};
pub use deferred::Deferred;
pub use firewall::FirewallError;
pub use guard::{PendingFate, guard, pending_fate};
pub use history::{Fate, FateKind, fates};
pub use launch::{HeldSignals, SecondSession, spawn_guard};
pub use links::LinkError;
pub use loads::preview_load;
pub use pending::alive as process_alive;
pub use pending::now;
pub use pending::{Pending, STATE_DIR, Session, State, StateDir};
pub use restore::{Restored, changes_back, restore_backup};
pub use services::preflight;
pub use tx::{Transaction, begin};

use crate::plan::Plan;
use crate::root::Root;
use crate::ruleset::Family;
use crate::ssh::SshError;

pub use crate::atomic::write_file_atomically;

#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error(
        "a change is still waiting for confirmation (backup {backup_id})\n    what to do: from a new session run `asterisk-harden confirm` to keep it, or `asterisk-harden rollback` to undo it"
    )]
    StillPending { backup_id: String },
    #[error(
        "an earlier apply (backup {backup_id}) was interrupted and its guard is gone: the host may be half-changed\n    what to do: `asterisk-harden rollback --backup {backup_id}` restores everything as it was before it"
    )]
    Interrupted { backup_id: String },
    #[error(
        "another apply is running ({who}): two at once would each undo the other's change\n    what to do: let it finish (or end it), then run this again; nothing was changed"
    )]
    Busy { who: String },
    #[error(
        "{path} changed since the plan was made (another apply, or an edit): applying this plan would undo that change\n    what to do: run the command again, so the plan is made from the file as it is now; nothing was changed"
    )]
    Stale { path: PathBuf },
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("the new {family} rules did not pass the test load: {source}")]
    Test {
        family: &'static str,
        #[source]
        source: FirewallError,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("loading the {family} rules failed: {source}")]
    Load {
        family: &'static str,
        #[source]
        source: FirewallError,
    },
    #[error("cannot read the live {family} rules: {source}")]
    Snapshot {
        family: &'static str,
        #[source]
        source: FirewallError,
    },
    #[error(
        "the guard (the process that reverts the change unless it is confirmed) did not start: {reason}\n    what to do: see {log}; nothing was changed"
    )]
    GuardFailed { reason: String, log: PathBuf },
    #[error("{source}\n    undone: {restored}")]
    Undone {
        #[source]
        source: Box<TxError>,
        restored: String,
    },
    #[error("the apply stopped before it finished (a panic)")]
    Abandoned,
    #[error(
        "nothing is waiting for confirmation\n    what to do: `asterisk-harden backups` shows what was applied and when"
    )]
    NothingPending,
    #[error(
        "too late: the change was being reverted (its deadline passed)\n    what to do: check `asterisk-harden backups`, then apply again"
    )]
    TooLate,
    #[error(
        "too late: the deadline passed and the guard that should have reverted the change was gone, so this confirm reverted it instead: {restored}\n    what to do: apply again, and confirm within the window"
    )]
    TooLateReverted { restored: String },
    #[error(
        "this is the same session that ran apply: confirming from here proves nothing about new logins\n    what to do: open a NEW connection (e.g. `ssh -p PORT user@host`) and run `asterisk-harden confirm` there"
    )]
    SameSession,
    #[error(transparent)]
    Ssh(#[from] SshError),
    #[error(
        "key-only login was asked for, but {user} has no authorized key here: you would be locked out\n    what to do: add your public key to ~{user}/.ssh/authorized_keys first (ssh-copy-id), or set ssh.key_only = false"
    )]
    KeyOnlyWithoutKeys { user: String },
    #[error(
        "this asterisk-harden runs from a cargo build directory ({}), and the boot units would call it there: `cargo clean` or a removed checkout would leave nothing for them to run at boot\n    what to do: install it (`cargo install --path .`, or the .deb) and run the installed one; nothing was changed",
        exe.display()
    )]
    BuildBinary { exe: PathBuf },
    #[error(transparent)]
    Fail2ban(#[from] crate::fail2ban::Rejected),
    #[error("Asterisk's manager (AMI): {0}")]
    Ami(String),
    #[error("confirming failed: {reason}\n    {restored}")]
    ConfirmFailed { reason: String, restored: String },
    #[error("the ipset sets for the phone and ban lists: {0}")]
    Sets(#[from] crate::sets::SetsError),
    #[error("the state directory {path}: {source}")]
    State {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl TxError {
    /// Bad timing or usage: nothing was changed by this call (exit code 2).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::StillPending { .. }
                | Self::Interrupted { .. }
                | Self::Busy { .. }
                | Self::Stale { .. }
                | Self::Link(_)
                | Self::NothingPending
                | Self::SameSession
                | Self::KeyOnlyWithoutKeys { .. }
                | Self::BuildBinary { .. }
                | Self::Fail2ban(_)
                | Self::Ssh(SshError::PortInUse { .. })
                | Self::Ssh(SshError::SocketPorts { .. })
                | Self::Ssh(SshError::Sshd(crate::ssh::SshdError::Rejected { .. }))
        )
    }

    /// The text for the journal and syslog: the quoted rule line that
    /// iptables-restore refused may name the secret SIP hostname, and the
    /// journal outlives the terminal.
    pub fn for_journal(&self) -> String {
        redact(&self.to_string())
    }
}

/// Drop the lines that quote rule text ("the line: ...").
pub(crate) fn redact(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("the line:"))
        .collect::<Vec<_>>()
        .join(" / ")
}

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// `None`: no confirmation window (`--no-confirm`).
    pub confirm_timeout: Option<Duration>,
    /// Starts the guard process (the caller knows its own executable).
    pub spawn_guard: fn(&Root) -> std::io::Result<u32>,
}

#[derive(Debug, Clone)]
pub enum Applied {
    /// Loaded and waiting: the guard reverts at `deadline` (unix seconds).
    Waiting { backup_id: String, deadline: u64 },
    /// Loaded and persisted (`--no-confirm`).
    Kept { backup_id: String },
}

/// What a load does beyond our own rules, for the admin to read.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Other tools' chains carried over ("filter/DOCKER").
    pub kept_chains: Vec<String>,
    /// The admin's own rules in the tables we replace (they are in the backup).
    pub replaced_rules: Vec<String>,
}

fn state_err(dir: &StateDir) -> impl Fn(std::io::Error) -> TxError + '_ {
    move |source| TxError::State {
        path: dir.path().to_path_buf(),
        source,
    }
}

fn families(runner: &dyn Runner) -> Vec<Family> {
    [Family::Ipv4, Family::Ipv6]
        .into_iter()
        .filter(|f| firewall::available(runner, *f))
        .collect()
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Ipv4 => "IPv4",
        Family::Ipv6 => "IPv6",
    }
}

/// A change left behind by a crash: a pending change whose process is gone.
pub fn interrupted(root: &Root) -> Option<Pending> {
    let p = StateDir::new(root).peek()?;
    let owner_alive = match p.state {
        State::Applying => pending::alive(p.apply_pid) || p.guard_pid.is_some_and(pending::alive),
        State::Waiting | State::Confirming => p.guard_pid.is_some_and(pending::alive),
    };
    (!owner_alive).then_some(p)
}

/// Refuse to start while another change is pending or was interrupted.
pub fn ensure_no_pending(root: &Root) -> Result<(), TxError> {
    tx::clear_abandoned(&StateDir::new(root))?;
    match StateDir::new(root).peek() {
        None => Ok(()),
        Some(p) if interrupted(root).is_some() => Err(TxError::Interrupted {
            backup_id: p.backup_id,
        }),
        Some(p) => Err(TxError::StillPending {
            backup_id: p.backup_id,
        }),
    }
}

/// How every front end applies: the guard (this binary's `guard`) armed for
/// `confirm_timeout` (`None`: kept at once), with Ctrl-C and hang-ups held
/// back until the change is loaded and handed to the guard.
pub fn apply_guarded(
    tx: Transaction,
    plan: &Plan,
    confirm_timeout: Option<Duration>,
    progress: &mut dyn FnMut(&str),
) -> Result<Applied, TxError> {
    let opts = ApplyOptions {
        confirm_timeout,
        spawn_guard,
    };
    let _held = HeldSignals::hold();
    tx.apply(plan, &opts, progress)
}
