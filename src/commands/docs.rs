//! Shell completions, generated from the command line's own definition so
//! they never drift from it. The man page is in `manpage`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::builder::Resettable;
use clap::{Arg, Command, CommandFactory, Id};
use clap_complete::Shell;

use super::CommandResult;
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
    out.args(
        cmd.get_arguments()
            .filter(|a| !a.is_hide_set())
            .map(|a| visible_arg(cmd, a)),
    )
    .subcommands(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(visible),
    )
}

/// `arg` without its ties to hidden arguments, which the copy lacks
/// (`requires` matters to no completion script).
fn visible_arg(cmd: &Command, arg: &Arg) -> Arg {
    let conflicts: Vec<Id> = cmd
        .get_arg_conflicts_with(arg)
        .into_iter()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_id().clone())
        .collect();
    arg.clone()
        .requires(Resettable::Reset)
        .conflicts_with(Resettable::Reset)
        .conflicts_with_all(conflicts)
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

pub fn completions(shell: Shell) -> CommandResult {
    std::io::stdout()
        .write_all(script(shell).as_bytes())
        .context("writing the completions")?;
    Ok(ExitCode::SUCCESS)
}
