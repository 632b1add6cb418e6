use std::path::Path;
use std::process::ExitCode;

use asterisk_harden::review::{load_report_text, review_text};
use asterisk_harden::root::Root;
use asterisk_harden::transaction::preview_load;

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
