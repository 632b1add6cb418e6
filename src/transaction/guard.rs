//! The guard, and the apply that watches it. The guard reads the backup set
//! into memory before it says it is armed, so nothing that happens to the
//! set or the pending record on disk afterwards can stop it: it reverts at
//! the deadline unless confirmed, at once when apply dies before handing the
//! change over, and when a confirm dies half-way. Apply, in turn, reaps the
//! guard: a guard that dies leaves apply to revert by itself.

use std::time::Duration;

use super::backup::BackupSet;
use super::pending::{self, Locked, Pending, State, StateDir};
use super::{TxError, deferred, restore_backup, state_err};
use crate::fault;
use crate::root::Root;

/// What became of a pending change, as seen by the process that applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingFate {
    StillWaiting,
    Confirmed,
    /// The journal line of the revert: it says whether all was restored.
    Reverted(String),
}

/// Revert the change `set` under `lock`: restore, forget, journal. Returns
/// the journal line.
pub(super) fn revert(
    root: &Root,
    state: &StateDir,
    lock: &Locked,
    set: &BackupSet,
    why: &str,
    by_guard: bool,
) -> String {
    let id = &set.manifest.id;
    let restored = restore_backup(root, set);
    if by_guard {
        fault::point("guard-reverted");
    }
    deferred::remove(state, id);
    let line = format!(
        "{} backup={id}: {why}; {}",
        if restored.complete() {
            "reverted"
        } else {
            "revert-failed"
        },
        super::redact(&restored.summary())
    );
    let _ = state.record(&line);
    let _ = state.clear(lock);
    line
}

/// Why the change must be reverted now, if it must: `p` is the record as
/// read (`None`: unreadable), `last` the last one that could be read.
fn due(state: &StateDir, p: Option<&Pending>, last: &Pending) -> Option<&'static str> {
    let seen = p.unwrap_or(last);
    // Unreadable before the guard saw the window's record: the journal has
    // the deadline too ("applied backup=ID, waiting ... until D").
    let deadline = last.deadline.or_else(|| {
        p.is_none()
            .then(|| journal_deadline(state, &last.backup_id))
            .flatten()
    });
    let past_deadline = deadline.is_some_and(|d| pending::now() >= d);
    match seen.state {
        State::Applying if !pending::alive(seen.apply_pid) => {
            Some("apply stopped before it finished (killed?)")
        }
        State::Waiting if past_deadline => Some("not confirmed by the deadline"),
        State::Confirming if !seen.confirm_pid.is_some_and(pending::alive) => {
            Some("the confirm stopped before it finished (killed?)")
        }
        // Unreadable: the last deadline known still holds.
        _ if p.is_none() && past_deadline => {
            Some("not confirmed by the deadline (the pending record is damaged)")
        }
        _ => None,
    }
}

/// The deadline apply wrote to the journal when it opened the window.
fn journal_deadline(state: &StateDir, backup_id: &str) -> Option<u64> {
    let needle = format!("applied backup={backup_id}, waiting for confirmation until ");
    state
        .journal()
        .iter()
        .rev()
        .find_map(|l| l.split_once(&needle))
        .and_then(|(_, d)| d.trim().parse().ok())
}

/// The guard: arm (backup set in memory, own pid in the record), then watch
/// until the change is confirmed, rolled back or due for its revert.
pub fn guard(root: &Root) -> Result<(), TxError> {
    let state = StateDir::new(root);
    let first = {
        let lock = state.lock().map_err(state_err(&state))?;
        match state.read(&lock).map_err(state_err(&state))? {
            Some(p) => p,
            None => return Ok(()),
        }
    };
    let set = BackupSet::open(root, &first.backup_id)?;
    fault::point("guard-start");
    let mut last = {
        let lock = state.lock().map_err(state_err(&state))?;
        match state.read(&lock).map_err(state_err(&state))? {
            Some(mut p) if p.backup_id == first.backup_id => {
                p.guard_pid = Some(std::process::id());
                state.write(&lock, &p).map_err(state_err(&state))?;
                p
            }
            _ => return Ok(()),
        }
    };
    eprintln!(
        "guard {}: armed for backup {}",
        std::process::id(),
        set.manifest.id
    );
    loop {
        std::thread::sleep(Duration::from_millis(200));
        fault::point("guard-watching");
        let lock = state.lock().map_err(state_err(&state))?;
        let now = match state.read(&lock) {
            Ok(None) => return Ok(()),
            Ok(Some(p)) if p.backup_id != last.backup_id => return Ok(()),
            Ok(Some(p)) => Some(p),
            Err(e) => {
                eprintln!("guard: the pending record is unreadable ({e}); the last one read holds");
                None
            }
        };
        if let Some(why) = due(&state, now.as_ref(), &last) {
            let line = revert(root, &state, &lock, &set, why, true);
            eprintln!("guard: {line}");
            return Ok(());
        }
        if let Some(p) = now {
            last = p;
        }
    }
}

/// Poll the outcome of the change `backup_id` (the journal's last word on
/// it). The apply that started the guard reaps it here: a guard that died
/// before its deadline leaves this apply to revert the change at once.
pub fn pending_fate(root: &Root, backup_id: &str) -> PendingFate {
    let state = StateDir::new(root);
    if let Some(p) = state.peek().filter(|p| p.backup_id == backup_id) {
        let Some(g) = p.guard_pid else {
            return PendingFate::StillWaiting;
        };
        if !pending::reap(g) && pending::alive(g) {
            return PendingFate::StillWaiting;
        }
        if let Some(line) = revert_for_dead_guard(root, &state, backup_id, g) {
            return PendingFate::Reverted(line);
        }
    }
    let needle = format!("backup={backup_id}");
    let last = state
        .journal()
        .into_iter()
        .rev()
        .find(|l| l.contains(&needle));
    // A journal line is "<timestamp> <event word> ...".
    let event = |l: &str| {
        l.split_whitespace()
            .nth(1)
            .map(str::to_string)
            .unwrap_or_default()
    };
    match last {
        Some(l) if event(&l) == "confirmed" => PendingFate::Confirmed,
        Some(l) if event(&l) == "applied" => PendingFate::StillWaiting,
        Some(l) => PendingFate::Reverted(l),
        None => PendingFate::Reverted("no record of the change".into()),
    }
}

/// The guard `guard_pid` is gone and the change is still pending: revert it
/// from here (under the lock, so a confirm in progress finishes first).
fn revert_for_dead_guard(
    root: &Root,
    state: &StateDir,
    backup_id: &str,
    guard_pid: u32,
) -> Option<String> {
    let lock = state.lock().ok()?;
    let p = state.read(&lock).ok().flatten()?;
    if p.backup_id != backup_id || p.guard_pid != Some(guard_pid) {
        return None;
    }
    let why = format!("its guard (pid {guard_pid}) died before the change was confirmed");
    Some(match BackupSet::open(root, backup_id) {
        Ok(set) => revert(root, state, &lock, &set, &why, false),
        Err(e) => {
            let line = format!(
                "revert-failed backup={backup_id}: {why}; NOTHING WAS RESTORED: {}",
                super::redact(&e.to_string())
            );
            let _ = state.record(&line);
            let _ = state.clear(&lock);
            line
        }
    })
}
