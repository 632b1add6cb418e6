use std::process::ExitCode;

use asterisk_harden::root::Root;
use asterisk_harden::transaction::{self, confirm};

use super::{CommandResult, tx_failure};

pub fn run(root: &Root, same_session: bool) -> CommandResult {
    let id = confirm(root, same_session, &mut |step| println!("  {step}")).map_err(tx_failure)?;
    // "Loads at boot" only when something really will load the rules.
    match transaction::boot_loader(root) {
        Ok(units) => {
            println!("Confirmed: the change is kept; {units} loads it at boot (backup {id}).")
        }
        Err(why) => println!(
            "Confirmed: the change is kept (backup {id}), but NOTHING loads it at boot yet: {why}."
        ),
    }
    println!("Undo it any time with: asterisk-harden rollback --backup {id}");
    Ok(ExitCode::SUCCESS)
}
