use std::process::ExitCode;

use asterisk_harden::root::Root;
use asterisk_harden::transaction::guard;

use super::{CommandResult, tx_failure};

/// Runs detached (new session, no terminal) until the pending change is
/// confirmed, rolled back, or reverted by it at the deadline.
pub fn run(root: &Root) -> CommandResult {
    guard(root).map_err(tx_failure)?;
    Ok(ExitCode::SUCCESS)
}
