use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use asterisk_harden::plan::firewall_spec;
use asterisk_harden::root::Root;
use asterisk_harden::ruleset::{Family, build, render};

use super::{CommandResult, Use, load_answers};
use crate::cli::FamilyArg;

pub fn run(root: &Root, answers: &Path, family: FamilyArg) -> CommandResult {
    let loaded = load_answers(root, answers, Use::Anywhere)?;
    // The final rules only: render needs no host files.
    let spec = firewall_spec(
        &loaded.answers,
        &loaded.trunks,
        loaded
            .facts
            .firewall
            .list_store()
            .map_err(super::bad_input)?,
    );
    let family = match family {
        FamilyArg::Ipv4 => Family::Ipv4,
        FamilyArg::Ipv6 => Family::Ipv6,
    };
    let text = render(&build(&spec, family));
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing the ruleset to stdout")?;
    Ok(ExitCode::SUCCESS)
}
