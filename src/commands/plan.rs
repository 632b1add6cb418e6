use std::path::Path;
use std::process::ExitCode;

use asterisk_harden::review::{review_text, reviewed};
use asterisk_harden::root::Root;

use super::{CommandResult, Use, load_plan, tx_failure};

pub fn run(root: &Root, answers: &Path) -> CommandResult {
    let plan = load_plan(root, answers, Use::Anywhere)?;
    // What apply would refuse (a busy port, a config sshd rejects, key-only
    // without a key, a jail fail2ban rejects) is refused here first, before
    // any diff. The checks read the host as apply does: as root.
    let as_root = nix::unistd::geteuid().is_root();
    let review = reviewed(root, plan, as_root).map_err(tx_failure)?;
    print!("{}", review_text(&review));
    Ok(ExitCode::SUCCESS)
}
