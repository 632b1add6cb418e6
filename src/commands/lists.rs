use std::process::ExitCode;

use asterisk_harden::lists::{self, ListsError};
use asterisk_harden::root::Root;

use super::{CommandResult, Failure, bad_input};
use crate::cli::ListsAction;

fn failure(e: ListsError) -> Failure {
    match e {
        ListsError::Garbage { .. } | ListsError::NotLoaded { .. } => bad_input(e),
        other => Failure::Failed(other.into()),
    }
}

pub fn run(root: &Root, action: ListsAction) -> CommandResult {
    match action {
        ListsAction::Save => {
            let saved = lists::save(root).map_err(failure)?;
            if saved.is_empty() {
                println!("No lists in the kernel: the rules are not loaded.");
            }
            for (name, n) in saved {
                println!("saved {name}: {n} address(es)");
            }
        }
        ListsAction::Restore => {
            for r in lists::restore(root).map_err(failure)? {
                println!(
                    "restored {}: {} added, {} already there",
                    r.list, r.added, r.already_there
                );
            }
            // The blocklists' last good sets, into the ah-BLOCK the sets
            // unit made before the rules load.
            match asterisk_harden::blocklist::ops::restore(root) {
                Ok(done) => {
                    for (name, n) in done {
                        println!("restored blocklist {name}: {n} networks");
                    }
                }
                Err(e) => {
                    eprintln!("the blocklists were not restored: {e}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
