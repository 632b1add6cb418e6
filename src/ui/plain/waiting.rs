//! The confirmation window in plain text: what to run in a new terminal,
//! a countdown, and how it ended. Shared by `apply` and the line-mode wizard.

use std::io::Write;
use std::time::Duration;

use crate::root::Root;
use crate::transaction::{self, PendingFate, SecondSession};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitEnd {
    Confirmed,
    Reverted(String),
    /// A revert was due, and it did not restore everything (the record says what).
    RevertFailed(String),
    /// The deadline passed and no guard is left to revert.
    GuardGone,
}

pub fn instructions(session: &SecondSession, deadline: u64) -> String {
    let left = deadline.saturating_sub(transaction::now());
    let mut out = String::from("\nNow prove you can still get in. In a NEW terminal, run:\n");
    for c in session.commands() {
        out.push_str(&format!("    {c}\n"));
    }
    out.push_str(&format!(
        "Unless confirmed within {left} s, everything is reverted by itself. The guard runs on its own:\n\
         closing this window or losing this connection does not stop it.\n"
    ));
    out
}

/// Poll until the change is confirmed or reverted, showing the seconds left
/// (in place on a terminal, every 10 s otherwise).
pub fn wait_for_confirmation(
    root: &Root,
    backup_id: &str,
    deadline: u64,
    live: bool,
    out: &mut dyn Write,
) -> WaitEnd {
    let mut last_shown = u64::MAX;
    loop {
        match transaction::pending_fate(root, backup_id) {
            PendingFate::Confirmed => {
                if live {
                    let _ = writeln!(out);
                }
                let _ = writeln!(
                    out,
                    "Confirmed from a new session: the change is kept. Backup: {backup_id}"
                );
                return WaitEnd::Confirmed;
            }
            PendingFate::Reverted(record) => {
                if live {
                    let _ = writeln!(out);
                }
                let why = if record.contains("not confirmed by the deadline") {
                    "Not confirmed in time"
                } else {
                    "The change did not stay in place"
                };
                if record.contains("everything was restored") {
                    let _ = writeln!(out, "{why}: everything was reverted.\n    {record}");
                    return WaitEnd::Reverted(record);
                }
                let _ = writeln!(
                    out,
                    "{why}, and THE REVERT DID NOT RESTORE EVERYTHING:\n    {record}\n    what to do: check `iptables-save` and the files it names; `asterisk-harden rollback --backup {backup_id}` tries again"
                );
                return WaitEnd::RevertFailed(record);
            }
            PendingFate::StillWaiting => {}
        }
        let left = deadline.saturating_sub(transaction::now());
        if left != last_shown && (live || left.is_multiple_of(10)) {
            if live {
                let _ = write!(
                    out,
                    "\r  waiting for `asterisk-harden confirm` from a new session: {left:>4} s left "
                );
                let _ = out.flush();
            } else {
                let _ = writeln!(out, "  waiting for confirmation: {left} s left");
            }
            last_shown = left;
        }
        if left == 0 && transaction::interrupted(root).is_some() {
            let _ = writeln!(
                out,
                "\nThe guard is gone before reverting. Run: asterisk-harden rollback --backup {backup_id}"
            );
            return WaitEnd::GuardGone;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
