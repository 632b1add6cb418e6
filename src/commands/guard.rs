use std::process::ExitCode;

use asterisk_harden::root::Root;
use asterisk_harden::transaction::guard;

use super::{Outcome, tx_failure};

/// Runs detached (new session, no terminal) until the pending change is
/// confirmed, rolled back, or reverted by it at the deadline.
pub fn run(root: &Root) -> Outcome {
    guard(root).map_err(tx_failure)?;
    Ok(ExitCode::SUCCESS)
}
