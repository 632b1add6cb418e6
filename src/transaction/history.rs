//! What became of each backup set, read from the journal the transaction
//! keeps (`journal.log` in the state directory). The sets themselves stay as
//! written (their checksums cover them); the journal already says, per
//! backup id, whether the apply that took it was confirmed, reverted, undone
//! or restored later.

use std::collections::BTreeMap;

/// The last thing the journal says about one set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fate {
    /// When (RFC 3339, UTC), as the journal stamped it.
    pub at: String,
    pub what: FateKind,
    /// The journal's reason, when it gives one ("not confirmed before ...").
    pub why: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FateKind {
    Waiting,
    AppliedUnconfirmed,
    Confirmed,
    Reverted,
    RevertFailed,
    Undone,
    Abandoned,
    RolledBackTo,
}

impl Fate {
    /// For `backups`: "REVERTED at 2026-12-02 09:50:11 UTC: not confirmed by the deadline".
    pub fn label(&self) -> String {
        let at = self.at.replace('T', " ").replace('Z', " UTC");
        let said = match self.what {
            FateKind::Waiting => format!("applied at {at}, waiting for confirmation"),
            FateKind::AppliedUnconfirmed => {
                format!("applied at {at} without a confirmation window")
            }
            FateKind::Confirmed => format!("applied and confirmed at {at}"),
            FateKind::Reverted => format!("REVERTED at {at}"),
            FateKind::RevertFailed => {
                format!("REVERT INCOMPLETE at {at} (the journal says what is missing)")
            }
            FateKind::Undone => format!("the apply failed at {at} and was undone"),
            FateKind::Abandoned => format!("the apply stopped at {at} before any change"),
            FateKind::RolledBackTo => format!("restored by rollback at {at}"),
        };
        match &self.why {
            Some(why) => format!("{said}: {why}"),
            None => said,
        }
    }
}

/// The fate of every set the journal names, by backup id.
pub fn fates(journal: &[String]) -> BTreeMap<String, Fate> {
    let mut out = BTreeMap::new();
    for line in journal {
        if let Some((id, fate)) = parse(line) {
            out.insert(id, fate);
        }
    }
    out
}

fn parse(line: &str) -> Option<(String, Fate)> {
    let (at, event) = line.split_once(' ')?;
    let kinds: [(&str, FateKind); 7] = [
        ("applied backup=", FateKind::Waiting),
        ("confirmed backup=", FateKind::Confirmed),
        ("reverted backup=", FateKind::Reverted),
        ("revert-failed backup=", FateKind::RevertFailed),
        ("failed backup=", FateKind::Undone),
        ("abandoned backup=", FateKind::Abandoned),
        ("rolled back to backup=", FateKind::RolledBackTo),
    ];
    let (rest, mut what) = kinds
        .iter()
        .find_map(|(prefix, kind)| event.strip_prefix(prefix).map(|rest| (rest, *kind)))?;
    let end = rest.find([':', ',', ';', ' ']).unwrap_or(rest.len());
    let id = rest[..end].to_string();
    if id.is_empty() {
        return None;
    }
    let tail = &rest[end..];
    if what == FateKind::Waiting && tail.contains("without a confirmation window") {
        what = FateKind::AppliedUnconfirmed;
    }
    // "reverted backup=ID: WHY; restored ..." keeps WHY only.
    let why = (what == FateKind::Reverted)
        .then(|| tail.strip_prefix(": "))
        .flatten()
        .map(|t| t.split(';').next().unwrap_or(t).trim().to_string())
        .filter(|w| !w.is_empty());
    Some((
        id,
        Fate {
            at: at.to_string(),
            what,
            why,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn the_last_event_of_each_set_wins() {
        let j = journal(&[
            "2026-12-02T09:00:00Z applied backup=2026-12-02T090000Z, waiting for confirmation until 2026-12-02T09:05:00Z",
            "2026-12-02T09:05:01Z reverted backup=2026-12-02T090000Z: not confirmed before its deadline; 9 file(s) restored",
            "2026-12-02T09:10:00Z applied backup=2026-12-02T091000Z, waiting for confirmation until 2026-12-02T09:15:00Z",
            "2026-12-02T09:11:00Z confirmed backup=2026-12-02T091000Z",
            "2026-12-02T09:20:00Z applied backup=2026-12-02T092000Z without a confirmation window (--no-confirm)",
            "2026-12-02T09:30:00Z rolled back to backup=2026-12-02T092000Z; 3 file(s) restored",
            "2026-12-02T09:40:00Z failed backup=2026-12-02T094000Z: sshd -t refused; undone",
            "2026-12-02T09:50:00Z something else entirely",
        ]);
        let f = fates(&j);
        assert_eq!(f.len(), 4);
        let reverted = &f["2026-12-02T090000Z"];
        assert_eq!(reverted.what, FateKind::Reverted);
        assert_eq!(
            reverted.why.as_deref(),
            Some("not confirmed before its deadline")
        );
        assert_eq!(
            reverted.label(),
            "REVERTED at 2026-12-02 09:05:01 UTC: not confirmed before its deadline"
        );
        assert_eq!(f["2026-12-02T091000Z"].what, FateKind::Confirmed);
        assert_eq!(f["2026-12-02T092000Z"].what, FateKind::RolledBackTo);
        assert_eq!(f["2026-12-02T094000Z"].what, FateKind::Undone);
    }

    #[test]
    fn a_set_applied_without_a_window_says_so() {
        let j = journal(&[
            "2026-12-02T06:06:05Z applied backup=2026-12-02T060605Z without a confirmation window (--no-confirm)",
        ]);
        assert_eq!(
            fates(&j)["2026-12-02T060605Z"].what,
            FateKind::AppliedUnconfirmed
        );
    }
}
