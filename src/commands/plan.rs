use std::path::Path;
use std::process::ExitCode;

use asterisk_harden::review::{load_report_text, review_text};
use asterisk_harden::root::Root;
use asterisk_harden::transaction::{preflight, preview_load};

use super::{Outcome, Use, load_plan, tx_failure};

pub fn run(root: &Root, answers: &Path) -> Outcome {
    let plan = load_plan(root, answers, Use::Anywhere)?;
    // What apply would refuse (a busy port, a config sshd rejects, key-only
    // without a key, a jail fail2ban rejects) is refused here first, before
    // any diff. The checks read the host as apply does: as root.
    let as_root = nix::unistd::geteuid().is_root();
    if as_root {
        preflight(root, &plan).map_err(tx_failure)?;
    }
    let mut out = review_text(&plan);
    if !as_root {
        out.push_str(
            "\n(not root: the host checks apply makes first, a free SSH port, sshd -t, fail2ban -t and an authorized key for key-only, were not run)\n",
        );
    }
    match preview_load(root, &plan) {
        Ok(report) => out.push_str(&load_report_text(&report)),
        Err(e) => out.push_str(&format!(
            "\n(the live firewall could not be read: {e}; run as root to see which rules of other tools are kept)\n"
        )),
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
