//! `names refresh`: the trunk names of the answers applied, resolved again.

use std::process::ExitCode;

use asterisk_harden::answers::Trunk;
use asterisk_harden::names::{self, NamesError};
use asterisk_harden::root::Root;

use super::operate::applied_answers;
use super::{Failure, Outcome, bad_input};

pub fn refresh(root: &Root) -> Outcome {
    let names: Vec<String> = applied_answers(root)?
        .map(|a| a.sip.trunks)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| match t {
            Trunk::Name(n) => Some(n.to_string()),
            Trunk::Network(_) => None,
        })
        .collect();
    if names.is_empty() {
        println!("No trunk is given as a name: nothing to resolve.");
        return Ok(ExitCode::SUCCESS);
    }
    let said = names::refresh(root, &names, &names::resolve).map_err(|e| match e {
        NamesError::NotLoaded(_) => bad_input(e),
        other => Failure::Failed(other.into()),
    })?;
    if said.is_empty() {
        println!("Trunk names unchanged: {}", names.join(", "));
    }
    for line in said {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
