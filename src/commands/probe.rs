use std::process::ExitCode;

use anyhow::Context;
use asterisk_harden::probe::{MatchTest, probe, report};
use asterisk_harden::root::Root;

use super::CommandResult;

pub fn run(root: &Root, json: bool) -> CommandResult {
    let facts = probe(root, MatchTest::Run);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&facts).context("probe as JSON")?
        );
    } else {
        print!("{}", report(&facts));
    }
    Ok(ExitCode::SUCCESS)
}
