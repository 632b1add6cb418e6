//! The plan as a person reads it: what will happen, every file change as a
//! unified diff, and the rules as loaded. One `Review` value, shown before
//! anything changes by `plan`, `apply`, the full-screen wizard and `--plain`.

use similar::TextDiff;

use crate::plan::responsive::masked;
use crate::plan::{FileChange, Plan, Stage};
use crate::root::Root;
use crate::ruleset::{Family, render};
use crate::transaction::{LoadReport, TxError};

/// One part of the review: a file's diff, or a ruleset as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub diff: String,
}

/// What the review knows of the host it would change.
#[derive(Debug, Clone)]
pub enum Seen {
    /// As root: the host checks apply makes first passed, and the live
    /// firewall was read (what the load does to other tools' rules).
    Checked(LoadReport),
    /// As root, but the live firewall could not be read: why.
    LiveUnreadable(String),
    /// Not root: neither the host checks nor the live firewall.
    NotRoot,
}

/// Everything shown before a change; nothing has changed yet.
#[derive(Debug, Clone)]
pub struct Review {
    pub plan: Plan,
    /// One line per step, in the order apply takes them.
    pub summary: Vec<String>,
    /// Trunk resolutions, rules of other tools, what was not checked.
    pub notes: Vec<String>,
    /// Every changed file's diff, then each family's rules as loaded now.
    pub sections: Vec<Section>,
}

impl Review {
    pub fn new(plan: Plan, seen: Seen) -> Self {
        // plan.notes are in the summary; the trunks' resolutions are not.
        let mut notes = plan.firewall.notes.clone();
        match seen {
            Seen::Checked(report) => notes.extend(load_report_notes(&report)),
            Seen::LiveUnreadable(e) => notes.push(format!(
                "the live firewall could not be read: {e}; run as root to see which rules of other tools are kept"
            )),
            Seen::NotRoot => notes.push(NOT_ROOT.to_string()),
        }
        let mut sections: Vec<Section> = plan
            .changed_files()
            .map(|f| Section {
                title: format!("{} ({})", f.path.display(), f.why),
                diff: file_diff(f),
            })
            .collect();
        for (family, name) in [(Family::Ipv4, "IPv4"), (Family::Ipv6, "IPv6")] {
            sections.push(Section {
                title: format!("{name} rules loaded now ({})", plan.tables().join(" and ")),
                diff: TextDiff::from_lines("", render(plan.first_load(family)).as_str())
                    .unified_diff()
                    .header(
                        &format!("{name} firewall now"),
                        &format!("{name} firewall after apply"),
                    )
                    .to_string(),
            });
        }
        Self {
            summary: summary(&plan),
            plan,
            notes,
            sections,
        }
    }

    /// The port SSH ends up on (what the banner probe knocks on).
    pub fn ssh_port(&self) -> u16 {
        self.plan.firewall.ssh_ports.last().copied().unwrap_or(22)
    }
}

/// The review of `plan` on `root`, as `plan` and the wizards show it: as
/// root, what apply would refuse (a busy port, a config sshd rejects,
/// key-only without a key, a jail fail2ban rejects) is refused first, then
/// the live firewall is read; without root, the review says what it could
/// not check.
pub fn reviewed(root: &Root, plan: Plan, as_root: bool) -> Result<Review, TxError> {
    if !as_root {
        return Ok(Review::new(plan, Seen::NotRoot));
    }
    crate::transaction::preflight(root, &plan)?;
    let seen = match crate::transaction::preview_load(root, &plan) {
        Ok(report) => Seen::Checked(report),
        Err(e) => Seen::LiveUnreadable(e.to_string()),
    };
    Ok(Review::new(plan, seen))
}

/// What a review made without root could not see.
pub const NOT_ROOT: &str = "not root: the host checks apply makes first (a free SSH port, sshd -t, fail2ban -t, an authorized key for key-only) were not run, and the live firewall was not read (rules of other tools are listed when run as root)";

/// The review as plain text: summary, notes, every diff.
pub fn review_text(review: &Review) -> String {
    let mut out = String::from("What will happen (nothing has changed yet):\n");
    for line in review.summary.iter().chain(&review.notes) {
        out.push_str(&format!("  - {line}\n"));
    }
    for s in &review.sections {
        out.push_str(&format!("\n== {} ==\n{}", s.title, s.diff));
    }
    out
}

/// A unified diff of one file (`--- a/path` / `+++ b/path`), empty when the
/// file would not change.
pub fn file_diff(change: &FileChange) -> String {
    if !change.changes() {
        return String::new();
    }
    // The watcher's AMI secret never reaches a terminal.
    let before = masked(&change.path, change.before.as_deref().unwrap_or(""));
    let after = masked(&change.path, &change.after);
    let path = change.path.display();
    let old_header = if change.before.is_some() {
        format!("a{path}")
    } else {
        "/dev/null".to_string()
    };
    TextDiff::from_lines(before.as_str(), after.as_str())
        .unified_diff()
        .context_radius(3)
        .header(&old_header, &format!("b{path}"))
        .to_string()
}

/// In strict mode, the first thing to do once the change is kept: phones
/// that register by IP are cut off until they use the hostname.
pub fn next_step(plan: &Plan) -> Option<String> {
    let host = plan.firewall.hostname.as_ref()?;
    (plan.mode == crate::answers::Mode::Strict).then(|| {
        format!(
            "Next: point your phones at {host} (their SIP server or domain): until they use it, phones that register by IP are cut off."
        )
    })
}

/// One line per step, in the order apply takes them (after the next step
/// the admin must take, when there is one).
pub fn summary(plan: &Plan) -> Vec<String> {
    let mut lines: Vec<String> = next_step(plan).into_iter().collect();
    lines.push(format!(
        "Load the {} ruleset into the {} table{} (IPv4 and IPv6){}.",
        plan.mode.as_str(),
        plan.tables().join(" and "),
        if plan.tables().len() > 1 { "s" } else { "" },
        if plan.noflush() {
            ", beside your existing rules (--noflush)"
        } else {
            ""
        }
    ));
    if plan.mode != crate::answers::Mode::RelaxedRaw {
        lines.push(match plan.firewall.forward {
            crate::answers::Forward::Keep => "Forwarded traffic (containers, VPNs, routing): left as it is; FORWARD's policy and rules are not touched, now or at boot.".to_string(),
            crate::answers::Forward::Drop => "Forwarded traffic: all dropped (FORWARD policy DROP, as the article does; network.forward = \"drop\"): containers and VPN tunnels on this host stop.".to_string(),
        });
    }
    let ssh = &plan.firewall.ssh_ports;
    lines.push(format!(
        "SSH stays reachable on port {}.",
        crate::ssh::join_ports(ssh)
    ));
    for f in plan.changed_files() {
        let verb = if f.before.is_some() { "Edit" } else { "Create" };
        let when = match f.stage {
            Stage::Apply => "",
            Stage::Confirm => " on confirm",
        };
        lines.push(format!("{verb} {}{when}: {}.", f.path.display(), f.why));
    }
    lines.extend(plan.notes.iter().cloned());
    let unchanged = plan.files.iter().filter(|f| !f.changes()).count();
    if unchanged > 0 {
        lines.push(format!(
            "{unchanged} file(s) already as wanted: left alone."
        ));
    }
    lines
}

/// What the load does to rules that are not ours, one note each.
fn load_report_notes(r: &LoadReport) -> Vec<String> {
    let mut notes = Vec::new();
    if !r.kept_chains.is_empty() {
        notes.push(format!(
            "Other tools' chains kept, with their jumps: {}",
            r.kept_chains.join(", ")
        ));
    }
    if !r.replaced_rules.is_empty() {
        notes.push("These rules of yours in the replaced tables will no longer apply (they are in the backup; add their sources to network.trusted, or use mode = \"relaxed-raw\" to keep your own rules):".into());
        notes.extend(r.replaced_rules.iter().map(|rule| format!("  {rule}")));
    }
    notes
}
