//! What both front ends say once a change is kept: the first thing to do
//! next, whether anything loads the rules at boot (checked, never assumed),
//! and how to undo or check it. Key lines first, so an 80x24 screen shows
//! them without scrolling.

use crate::plan::Plan;
use crate::transaction;

use super::host::HostView;

/// How a run that kept nothing ended, in the same words in both front ends.
pub const REVERTED: &str = "Not confirmed in time: everything was restored as it was.";
pub const FAILED: &str = "The apply failed; everything was restored.";
pub const REFUSED: &str = "The apply was refused; nothing was changed.";
pub const ROLLED_BACK: &str = "The backup was restored.";

/// The headline and the lines of an apply that did not go through: refused
/// (nothing changed) or failed (everything restored), with the reason.
pub fn not_applied(e: &crate::ui::actions::ActionError) -> (super::Outcome, Vec<String>) {
    if e.is_refusal() {
        (
            super::Outcome::Refused,
            vec![REFUSED.to_string(), e.to_string()],
        )
    } else {
        (
            super::Outcome::Failed,
            vec![FAILED.to_string(), e.to_string()],
        )
    }
}

pub struct Kept {
    pub headline: String,
    pub lines: Vec<String>,
}

pub fn kept(host: &HostView, plan: Option<&Plan>, backup_id: &str) -> Kept {
    let mut lines: Vec<String> = plan
        .and_then(crate::review::next_step)
        .into_iter()
        .collect();
    let boot = transaction::boot_loader(&host.root);
    let headline = match &boot {
        Ok(units) if !host.demo => format!("The change is kept; {units} loads it at boot."),
        _ => "The change is kept.".to_string(),
    };
    if host.demo {
        lines.push(
            "This was the demo: its sandbox box and namespace are deleted when you leave. On a real server:"
                .into(),
        );
    } else if let Err(why) = &boot {
        lines.push(format!("NOTHING loads it at boot yet: {why}."));
    }
    let backups = if host.demo {
        std::path::PathBuf::from(transaction::BACKUP_DIR)
    } else {
        host.root.path(transaction::BACKUP_DIR)
    };
    lines.extend([
        format!("Backup {backup_id}: {}/{backup_id}/", backups.display()),
        format!("Roll back: sudo asterisk-harden rollback --backup {backup_id}"),
        "Check it works: sudo asterisk-harden status (drops, bans, phones; --json for scripts)."
            .into(),
        "Prove the rules on this kernel: sudo asterisk-harden selftest (throwaway namespaces)."
            .into(),
    ]);
    Kept { headline, lines }
}
