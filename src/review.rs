//! The plan as a person reads it: what will happen, and every file change as
//! a unified diff. Shown before anything changes (`plan`, `apply` without
//! `--yes`, the wizard's review step).

use similar::TextDiff;

use crate::plan::responsive::masked;
use crate::plan::{FileChange, Plan, Stage};
use crate::transaction::LoadReport;

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

/// The whole review: summary, then each changed file's diff.
pub fn review_text(plan: &Plan) -> String {
    let mut out = String::from("What will happen (nothing has changed yet):\n");
    for line in summary(plan) {
        out.push_str("  - ");
        out.push_str(&line);
        out.push('\n');
    }
    for f in plan.changed_files() {
        out.push('\n');
        out.push_str(&file_diff(f));
    }
    out
}

/// What the load does to rules that are not ours.
pub fn load_report_text(r: &LoadReport) -> String {
    let mut out = String::new();
    if !r.kept_chains.is_empty() {
        out.push_str("\nOther tools' chains kept, with their jumps: ");
        out.push_str(&r.kept_chains.join(", "));
        out.push('\n');
    }
    if !r.replaced_rules.is_empty() {
        out.push_str("\nThese rules of yours in the replaced tables will no longer apply (they are in the backup;\nadd their sources to network.trusted, or use mode = \"relaxed-raw\" to keep your own rules):\n");
        for rule in &r.replaced_rules {
            out.push_str("  ");
            out.push_str(rule);
            out.push('\n');
        }
    }
    out
}
