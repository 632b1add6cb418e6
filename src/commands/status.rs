use std::process::ExitCode;

use anyhow::Context;
use asterisk_harden::status::{gather, report};

use super::Outcome;

pub fn run(json: bool) -> Outcome {
    let status = gather()?;
    if json {
        let text = serde_json::to_string_pretty(&status).context("status as JSON")?;
        println!("{text}");
    } else if status.mode.is_some() {
        print!("{}", report(&status));
    }
    if status.mode.is_none() {
        eprintln!(
            "asterisk-harden's rules are not loaded here.\n    what to do: asterisk-harden apply --answers FILE (or the wizard)"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
