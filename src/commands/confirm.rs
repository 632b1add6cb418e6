use std::process::ExitCode;

use asterisk_harden::root::Root;
use asterisk_harden::transaction::confirm;

use super::{Outcome, tx_failure};

pub fn run(root: &Root, same_session: bool) -> Outcome {
    let id = confirm(root, same_session, &mut |step| println!("  {step}")).map_err(tx_failure)?;
    println!("Confirmed: the change is kept and will load at boot (backup {id}).");
    println!("Undo it any time with: asterisk-harden rollback --backup {id}");
    Ok(ExitCode::SUCCESS)
}
