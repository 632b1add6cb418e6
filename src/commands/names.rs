//! `names refresh`: the trunk and trusted names of the answers applied,
//! resolved again.

use std::process::ExitCode;

use asterisk_harden::answers::Trunk;
use asterisk_harden::names::{self, Group, NamesError, Role};
use asterisk_harden::root::Root;

use super::operate::applied_answers;
use super::{CommandResult, Failure, bad_input};

pub fn refresh(root: &Root) -> CommandResult {
    let answers = applied_answers(root)?;
    let trunks: Vec<String> = answers
        .as_ref()
        .map(|a| a.sip.trunks.clone())
        .unwrap_or_default()
        .iter()
        .filter_map(|t| match t {
            Trunk::Name(n) => Some(n.to_string()),
            Trunk::Network(_) => None,
        })
        .collect();
    let trusted: Vec<String> = answers
        .as_ref()
        .map(|a| {
            a.network
                .trusted_names
                .iter()
                .map(|t| t.name.to_string())
                .collect()
        })
        .unwrap_or_default();
    if trunks.is_empty() && trusted.is_empty() {
        println!("No trunk or trusted source is given as a name: nothing to resolve.");
        return Ok(ExitCode::SUCCESS);
    }
    let all: Vec<String> = trunks.iter().chain(&trusted).cloned().collect();
    let groups = [
        Group {
            role: Role::Trunk,
            names: trunks,
        },
        Group {
            role: Role::Trusted,
            names: trusted,
        },
    ];
    let said = names::refresh(root, &groups, &names::resolve).map_err(|e| match e {
        NamesError::NotLoaded(_) => bad_input(e),
        other => Failure::Failed(other.into()),
    })?;
    if said.is_empty() {
        println!("Names unchanged: {}", all.join(", "));
    }
    for line in said {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
