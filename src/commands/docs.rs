//! The man page and shell completions, generated from the command line's own
//! definition so they never drift from it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;

use super::Outcome;
use crate::cli::Cli;

pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "asterisk-harden", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

pub fn manpage() -> Outcome {
    let cmd = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .section("8")
        .render(&mut out)
        .context("rendering the man page")?;
    std::io::stdout()
        .write_all(&out)
        .context("writing the man page")?;
    Ok(ExitCode::SUCCESS)
}
