use std::path::Path;
use std::process::ExitCode;

use asterisk_harden::review::review_text;
use asterisk_harden::root::Root;
use asterisk_harden::transaction::{LoadReport, preview_load};

use super::{Outcome, load_plan};

pub fn run(root: &Root, answers: &Path) -> Outcome {
    let plan = load_plan(root, answers)?;
    let mut out = review_text(&plan);
    match preview_load(root, &plan) {
        Ok(report) => out.push_str(&load_report_text(&report)),
        Err(e) => out.push_str(&format!(
            "\n(the live firewall could not be read: {e}; run as root to see which rules of other tools are kept)\n"
        )),
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
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
