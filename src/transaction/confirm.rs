//! `confirm` (keep the pending change, from a new session) and `rollback`
//! (restore a backup set, cancelling any pending change).

use super::backup::{BackupError, BackupSet};
use super::guard::revert;
use super::pending::{self, Session, State, StateDir};
use super::{BACKUP_DIR, TxError, deferred, restore, restore_backup, state_err};
use crate::fault;
use crate::root::Root;

/// `confirm`: from a new session, keep the pending change. The state lock is
/// held throughout, so the guard waits; a confirm killed half-way leaves
/// the record `confirming` with its pid gone, and the guard reverts.
pub fn confirm(
    root: &Root,
    allow_same_session: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<String, TxError> {
    let state = StateDir::new(root);
    let lock = state.lock().map_err(state_err(&state))?;
    let Some(mut p) = state.read(&lock).map_err(state_err(&state))? else {
        return Err(TxError::NothingPending);
    };
    let guard_alive = p.guard_pid.is_some_and(pending::alive);
    let late = p.deadline.is_some_and(|d| pending::now() >= d);
    if p.state != State::Waiting || late {
        if guard_alive {
            return Err(TxError::TooLate);
        }
        // Nobody is left to revert it: do it here rather than leave it.
        let set = BackupSet::open(root, &p.backup_id)?;
        let line = revert(
            root,
            &state,
            &lock,
            &set,
            "too late to confirm, and its guard was gone",
            false,
        );
        return Err(TxError::TooLateReverted { restored: line });
    }
    let here = Session::current();
    let same = here.sid == p.session.sid
        || (here.ssh_connection.is_some() && here.ssh_connection == p.session.ssh_connection);
    if same && !allow_same_session {
        return Err(TxError::SameSession);
    }
    p.state = State::Confirming;
    p.confirm_pid = Some(std::process::id());
    state.write(&lock, &p).map_err(state_err(&state))?;
    fault::point("confirming");
    if let Err(e) = deferred::persist(root, &state, &p.backup_id, progress) {
        let restored = match BackupSet::open(root, &p.backup_id) {
            Ok(set) => restore_backup(root, &set).summary(),
            Err(e) => format!("NOTHING WAS RESTORED: {e}"),
        };
        deferred::remove(&state, &p.backup_id);
        let _ = state.record(&format!(
            "failed backup={} at confirm: {}; {}",
            p.backup_id,
            e.for_journal(),
            super::redact(&restored)
        ));
        state.clear(&lock).map_err(state_err(&state))?;
        return Err(TxError::ConfirmFailed {
            reason: e.to_string(),
            restored,
        });
    }
    // The journal first: `outcome` reads it as soon as the pending file is gone.
    let _ = state.record(&format!("confirmed backup={}", p.backup_id));
    state.clear(&lock).map_err(state_err(&state))?;
    Ok(p.backup_id)
}

/// `rollback`: restore a backup set (default: the pending change's, else
/// the newest) and cancel any pending change. A damaged set is refused,
/// never skipped for an older one.
pub fn rollback(root: &Root, id: Option<&str>) -> Result<(BackupSet, restore::Restored), TxError> {
    let state = StateDir::new(root);
    let _apply = super::tx::apply_lock(&state)?;
    let lock = state.lock().map_err(state_err(&state))?;
    let pending = state.read(&lock).map_err(state_err(&state))?;
    let id = match (id, &pending) {
        (Some(id), _) => id.to_string(),
        (None, Some(p)) => p.backup_id.clone(),
        (None, None) => newest(root)?,
    };
    let set = BackupSet::open(root, &id)?;
    let outcome = restore_backup(root, &set);
    let _ = state.record(&format!(
        "rolled back to backup={}; {}",
        set.manifest.id,
        super::redact(&outcome.summary())
    ));
    if outcome.refused.is_none()
        && let Some(p) = pending
    {
        deferred::remove(&state, &p.backup_id);
        state.clear(&lock).map_err(state_err(&state))?;
    }
    Ok((set, outcome))
}

/// The newest set on disk, damaged or not (an older one is never taken
/// silently in its place).
pub fn newest(root: &Root) -> Result<String, BackupError> {
    BackupSet::ids(root)
        .pop()
        .ok_or_else(|| BackupError::NotFound {
            id: "(newest)".into(),
            dir: root.path(BACKUP_DIR),
        })
}
