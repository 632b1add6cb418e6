//! `Transaction`: one change to the host, in the rustup model. Begun under
//! the apply lock before the plan is read; it owns the backup set and the
//! pending record; it is armed (the guard running and holding the backup)
//! before the first change to the host; `--no-confirm` keeps it, the
//! confirmation window hands it to the guard, and every other way out (an
//! error, a panic, Drop) restores the backup set with exactly one undo.
//! A SIGKILL cannot run an undo: that is the guard's job (it reverts at once
//! when it finds apply gone before the change was handed over).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::backup::{self, BackupSet};
use super::deferred::{self, Deferred, DeferredFile, FinalRules};
use super::loads::{carry_lists, create_sets, known_ours, merged_rules, remember_ours, snapshot};
use super::pending::{self, ApplyLock, Pending, State, StateDir};
use super::services::{preflight, reload_after_load};
use super::{
    Applied, ApplyOptions, TxError, families, family_name, firewall, interrupted, links,
    restore_backup, state_err,
};
use crate::fault;
use crate::plan::{Plan, Stage};
use crate::root::Root;
use crate::ruleset::{Family, render};

/// How long the guard may take to read the backup set and say it is armed.
const ARMING: Duration = Duration::from_secs(15);

pub struct Transaction {
    root: Root,
    state: StateDir,
    _apply: ApplyLock,
    set: Option<BackupSet>,
    pending: Option<Pending>,
    /// The guard runs and holds the backup: from here on the host may change.
    armed: bool,
    /// Kept, handed to the guard, or undone: nothing left to do on Drop.
    finished: bool,
}

/// Begin a change: take the apply lock (a second apply is refused at once,
/// before it reads anything) and make sure no other change is pending.
pub fn begin(root: &Root) -> Result<Transaction, TxError> {
    let state = StateDir::new(root);
    let apply = apply_lock(&state)?;
    clear_abandoned(&state)?;
    if let Some(p) = state.peek() {
        return Err(match interrupted(root) {
            Some(_) => TxError::Interrupted {
                backup_id: p.backup_id,
            },
            None => TxError::StillPending {
                backup_id: p.backup_id,
            },
        });
    }
    Ok(Transaction {
        root: root.clone(),
        state,
        _apply: apply,
        set: None,
        pending: None,
        armed: false,
        finished: false,
    })
}

/// The apply lock, or `Busy` naming the apply that holds it.
pub(super) fn apply_lock(state: &StateDir) -> Result<ApplyLock, TxError> {
    match state.try_apply_lock().map_err(state_err(state))? {
        Ok(lock) => Ok(lock),
        Err(pid) => Err(TxError::Busy {
            who: pid.map_or("its pid is unknown".into(), |p| format!("pid {p}")),
        }),
    }
}

/// A pending record of an apply that died before its guard was armed: the
/// host was not changed yet, so there is nothing to undo; forget it.
pub(super) fn clear_abandoned(state: &StateDir) -> Result<(), TxError> {
    // Nothing pending: nothing to clear, and nothing created (a dry run
    // leaves no state directory behind).
    if !state.has_pending() {
        return Ok(());
    }
    let lock = state.lock().map_err(state_err(state))?;
    if let Some(p) = state.read(&lock).map_err(state_err(state))?
        && p.state == State::Applying
        && p.guard_pid.is_none()
        && !pending::alive(p.apply_pid)
    {
        state.clear(&lock).map_err(state_err(state))?;
        let _ = state.record(&format!(
            "abandoned backup={}: apply stopped before it changed anything",
            p.backup_id
        ));
    }
    Ok(())
}

impl Transaction {
    /// Apply `plan`: on success the change is kept or waiting for confirm;
    /// on any error it is undone, and the error says how the undo went.
    pub fn apply(
        mut self,
        plan: &Plan,
        opts: &ApplyOptions,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Applied, TxError> {
        match self.run(plan, opts, progress) {
            Ok(applied) => Ok(applied),
            Err(e) => Err(self.undo(e)),
        }
    }

    fn run(
        &mut self,
        plan: &Plan,
        opts: &ApplyOptions,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Applied, TxError> {
        let root = self.root.clone();
        // Refusals first: each leaves the host exactly as it was.
        let on_disk = check_files(&root, plan)?;
        preflight(&root, plan)?;

        // 1. The backup, read back and checked before anything changes.
        let fams = families(root.runner());
        let mut live = Vec::new();
        for f in &fams {
            live.push((*f, snapshot(root.runner(), *f)?));
        }
        let live_of = |f: Family| live.iter().find(|(g, _)| *g == f).map(|(_, t)| t.as_str());
        let recent = firewall::recent_lists(std::path::Path::new(firewall::RECENT_PROC));
        let set = BackupSet::create(
            &root,
            &backup::Contents {
                mode: plan.mode.as_str(),
                tables: plan.tables(),
                files: &on_disk,
                ipv4_rules: live_of(Family::Ipv4),
                ipv6_rules: live_of(Family::Ipv6),
                recent: &recent,
            },
        )?;
        let id = set.manifest.id.clone();
        let set = BackupSet::open(&root, &id)?;
        progress(&format!(
            "backup written and checked: {}",
            set.dir.display()
        ));
        self.set = Some(set);
        fault::point("backup");

        // 2. Armed: the pending record, then the guard holding the backup.
        self.write_pending(Pending::started_here(&id))?;
        fault::point("pending");
        self.arm(opts)?;
        progress("guard armed: any failure from here on is undone");
        fault::point("armed");

        // 3. The sets the rules name must exist before they can be tested.
        let set = self.set.as_ref().expect("backed up");
        create_sets(root.runner(), plan, set)?;
        fault::point("sets");
        let mut texts = Vec::new();
        for (f, live_text) in &live {
            let text = merged_rules(plan, *f, live_text, &known_ours(&self.state, *f)).text;
            firewall::test(root.runner(), *f, &text, plan.noflush()).map_err(|source| {
                TxError::Test {
                    family: family_name(*f),
                    source,
                }
            })?;
            texts.push((*f, text));
        }
        progress("rules tested (iptables-restore --test)");

        // 4. Files, then rules, then the services that read them.
        for f in plan
            .files
            .iter()
            .filter(|f| f.stage == Stage::Apply && f.changes())
        {
            // A new secret file (the watcher's AMI secret) is born 0600.
            let mode = if crate::plan::responsive::is_secret(&f.path) {
                0o600
            } else {
                0o644
            };
            deferred::write_host_file(&root, &f.path, &f.after, mode, f.after_write)?;
            progress(&format!("wrote {}", f.path.display()));
            fault::point("file");
        }
        for (f, text) in &texts {
            firewall::load(root.runner(), *f, text, plan.noflush()).map_err(|source| {
                TxError::Load {
                    family: family_name(*f),
                    source,
                }
            })?;
            progress(&format!("{} rules loaded", family_name(*f)));
            remember_ours(root.runner(), &self.state, *f, plan.tables());
            fault::point(&format!("{}-loaded", f.as_str()));
        }
        carry_lists(root.runner(), plan, &recent, progress);
        reload_after_load(&root, plan, set, progress)?;
        fault::point("services");
        deferred::save(&self.state, &id, &deferred_of(plan, &fams))?;
        fault::point("deferred");

        // 5. Kept now (--no-confirm), or handed to the guard.
        match opts.confirm_timeout {
            None => {
                deferred::persist(&root, &self.state, &id, progress)?;
                fault::point("persisted");
                self.finish(&format!(
                    "applied backup={id} without a confirmation window (--no-confirm)"
                ))?;
                Ok(Applied::Kept { backup_id: id })
            }
            Some(timeout) => {
                let deadline = pending::now() + timeout.as_secs().max(1);
                let mut p = self.pending.clone().expect("pending");
                p.state = State::Waiting;
                p.deadline = Some(deadline);
                // The journal first: `outcome` reads it once the window is open.
                let _ = self.state.record(&format!(
                    "applied backup={id}, waiting for confirmation until {deadline}"
                ));
                self.write_pending(p)?;
                self.finished = true;
                fault::point("waiting");
                Ok(Applied::Waiting {
                    backup_id: id,
                    deadline,
                })
            }
        }
    }

    fn write_pending(&mut self, p: Pending) -> Result<(), TxError> {
        let lock = self.state.lock().map_err(state_err(&self.state))?;
        self.state
            .write(&lock, &p)
            .map_err(state_err(&self.state))?;
        self.pending = Some(p);
        Ok(())
    }

    /// Start the guard and wait until it says (in the pending record) that
    /// it holds the backup set.
    fn arm(&mut self, opts: &ApplyOptions) -> Result<(), TxError> {
        let log = self.state.path().join("guard.log");
        let failed = |reason: String| TxError::GuardFailed {
            reason,
            log: log.clone(),
        };
        let pid = (opts.spawn_guard)(&self.root).map_err(|e| failed(e.to_string()))?;
        let end = Instant::now() + ARMING;
        loop {
            if let Some(p) = self.state.peek()
                && p.guard_pid == Some(pid)
            {
                self.pending = Some(p);
                self.armed = true;
                return Ok(());
            }
            if pending::reap(pid) || !pending::alive(pid) {
                return Err(failed(format!("it ended at once (pid {pid})")));
            }
            if Instant::now() > end {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid as i32),
                    nix::sys::signal::Signal::SIGTERM,
                );
                return Err(failed(format!("it did not arm within {ARMING:?}")));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The change is kept: forget the pending record (the guard, seeing it
    /// gone, ends).
    fn finish(&mut self, event: &str) -> Result<(), TxError> {
        let lock = self.state.lock().map_err(state_err(&self.state))?;
        let _ = self.state.record(event);
        self.state.clear(&lock).map_err(state_err(&self.state))?;
        self.finished = true;
        if let Some(g) = self.pending.as_ref().and_then(|p| p.guard_pid) {
            // Reap the guard as it ends, so no zombie is left behind.
            let end = Instant::now() + Duration::from_secs(2);
            while !pending::reap(g) && pending::alive(g) && Instant::now() < end {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    /// The one undo: restore the backup set (when the host may have
    /// changed), forget the pending record, and say how it went.
    fn undo(&mut self, e: TxError) -> TxError {
        self.finished = true;
        let Some(set) = self.set.take() else {
            return e;
        };
        let id = set.manifest.id.clone();
        let Ok(lock) = self.state.lock() else {
            return e;
        };
        if !self.armed {
            if self.pending.is_some() {
                let _ = self.state.clear(&lock);
            }
            let _ = self.state.record(&format!(
                "abandoned backup={id} before any change: {}",
                e.for_journal()
            ));
            return e;
        }
        let restored = restore_backup(&self.root, &set);
        deferred::remove(&self.state, &id);
        let _ = self.state.record(&format!(
            "failed backup={id}: {}; {}",
            e.for_journal(),
            super::redact(&restored.summary())
        ));
        let _ = self.state.clear(&lock);
        TxError::Undone {
            source: Box::new(e),
            restored: restored.summary(),
        }
    }
}

impl Drop for Transaction {
    /// A way out that is neither kept, handed over nor undone yet (a panic
    /// unwinding through apply): undo it now.
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.undo(TxError::Abandoned);
        }
    }
}

/// Each file as it is on disk now must be as the plan read it (else another
/// apply or an edit came in between, and this plan would undo it), and be
/// writable in place: symlinks are followed, hard links refused.
fn check_files(root: &Root, plan: &Plan) -> Result<Vec<(PathBuf, links::OnDisk)>, TxError> {
    let mut out = Vec::new();
    for f in &plan.files {
        let on_disk = links::resolve(root, &f.path)?;
        // A file written in the window and again on confirm (sshd's drop-in):
        // the confirm's `before` is the window's text, not the disk's.
        let written_earlier = f.stage == Stage::Confirm
            && plan
                .files
                .iter()
                .any(|g| g.stage == Stage::Apply && g.path == f.path);
        let now = std::fs::read_to_string(&on_disk.file).ok();
        if !written_earlier && now != f.before {
            return Err(TxError::Stale {
                path: f.path.clone(),
            });
        }
        out.push((f.path.clone(), on_disk));
    }
    Ok(out)
}

/// What confirm will do, decided now.
fn deferred_of(plan: &Plan, fams: &[Family]) -> DeferredFile {
    DeferredFile {
        file: plan
            .files
            .iter()
            .filter(|f| f.stage == Stage::Confirm && f.changes())
            .map(|f| Deferred {
                path: f.path.clone(),
                contents: f.after.clone(),
                after_write: f.after_write,
            })
            .collect(),
        final_rules: match &plan.window {
            Some(_) => [Family::Ipv4, Family::Ipv6]
                .into_iter()
                .filter(|f| fams.contains(f))
                .map(|f| FinalRules {
                    family: f,
                    text: render(plan.ruleset(f)),
                })
                .collect(),
            None => Vec::new(),
        },
        final_ssh_ports: plan
            .ssh
            .as_ref()
            .map(|s| s.final_ports.clone())
            .unwrap_or_default(),
        noflush: plan.noflush(),
        tables: plan.tables().iter().map(|t| t.to_string()).collect(),
    }
}
