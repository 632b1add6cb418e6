//! Shell completions, generated from the command line's own definition so
//! they never drift from it. The man page is in `manpage`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Command, CommandFactory};
use clap_complete::Shell;

use super::Outcome;
use crate::cli::{self, Cli};

const BIN: &str = "asterisk-harden";

/// The command line as people see it: clap_complete's generators offer
/// hidden commands and options too (the guard, `manpage`, the demo's
/// `--sandboxed`), so they are left out of this copy.
pub fn visible(cmd: &Command) -> Command {
    let mut out = Command::new(cmd.get_name().to_string());
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    if let Some(version) = cmd.get_version() {
        out = out.version(version.to_string());
    }
    out.args(cmd.get_arguments().filter(|a| !a.is_hide_set()).cloned())
        .subcommands(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set())
                .map(visible),
        )
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> String {
    cli::as_installed();
    let mut cmd = visible(&Cli::command());
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    match shell {
        // clap_complete names the state of a subcommand of a hyphenated
        // program two ways (`asterisk__harden__subcmd__render` where it
        // is set, `asterisk__subcmd__harden__subcmd__render` where it is
        // read: clap issues 6421, 6529), so nothing after the subcommand
        // completed. One spelling for both.
        Shell::Bash => text.replace("asterisk__subcmd__harden", "asterisk__harden"),
        _ => text,
    }
}

pub fn completions(shell: Shell) -> Outcome {
    std::io::stdout()
        .write_all(script(shell).as_bytes())
        .context("writing the completions")?;
    Ok(ExitCode::SUCCESS)
}
