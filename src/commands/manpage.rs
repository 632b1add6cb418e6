//! The man page, asterisk-harden(8): one page that stands on its own. The
//! synopsis, options and every command come from the command line's own
//! definition (so they never drift from it); the answers file, the files,
//! the exit status, the environment and the examples are written for an
//! admin in assets/man/sections.roff. No page is named that the package
//! does not install (clap_mangen's default lists a page per subcommand).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Arg, Command, CommandFactory};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use super::CommandResult;
use crate::cli::{self, Cli};

const SECTIONS: &str = include_str!("../../assets/man/sections.roff");

/// `--answers FILE`, `--json`, `SHELL`.
fn arg_label(arg: &Arg) -> Vec<clap_mangen::roff::Inline> {
    let value = arg
        .get_value_names()
        .and_then(|v| v.first())
        .map(|v| v.to_string())
        .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
    match arg.get_long() {
        Some(long) if takes_value => vec![bold(format!("--{long}")), roman(" "), italic(value)],
        Some(long) => vec![bold(format!("--{long}"))],
        None => vec![italic(value)],
    }
}

fn arg_help(arg: &Arg) -> String {
    let mut help = arg.get_help().map(ToString::to_string).unwrap_or_default();
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !values.is_empty() {
        help.push_str(&format!(" (one of: {})", values.join(", ")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_num_args().is_some_and(|n| n.takes_values()) {
        help.push_str(&format!(" (default: {})", defaults.join(" ")));
    }
    help
}

/// A command's examples and notes: indented lines (commands to type) kept
/// as they are, the rest filled as text.
fn render_after_help(roff: &mut Roff, text: &str) {
    let mut verbatim = false;
    roff.control("PP", []);
    for line in text.lines() {
        let indented = line.starts_with("  ");
        if indented != verbatim {
            roff.control(if indented { "nf" } else { "fi" }, []);
            verbatim = indented;
        }
        if line.trim().is_empty() {
            roff.control("PP", []);
        } else {
            roff.text([roman(line)]);
        }
    }
    if verbatim {
        roff.control("fi", []);
    }
}

/// One command: its usage line, what it does, its own options, and its
/// examples; then its own subcommands the same way.
fn render_command(roff: &mut Roff, sub: &mut Command) {
    let usage = sub.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ").trim();
    roff.control("SS", [usage]);
    if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    let args: Vec<&Arg> = sub
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_global_set())
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .collect();
    if !args.is_empty() {
        roff.control("RS", []);
        for arg in args {
            roff.control("TP", []);
            roff.text(arg_label(arg));
            roff.text([roman(arg_help(arg))]);
        }
        roff.control("RE", []);
    }
    if let Some(after) = sub.get_after_help() {
        render_after_help(roff, &after.to_string());
    }
    for child in sub.get_subcommands_mut().filter(|c| !c.is_hide_set()) {
        render_command(roff, child);
    }
}

/// The whole page, roff.
pub fn page() -> anyhow::Result<String> {
    // The page ships in the package: it names the installed examples.
    cli::as_installed();
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone())
        .section("8")
        .manual("System Administration")
        .source(format!("asterisk-harden {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::default();
    roff.control("SH", ["COMMANDS"]);
    roff.text([roman(
        "Without a command, asterisk-harden starts the full-screen wizard.",
    )]);
    for sub in cmd.get_subcommands_mut() {
        render_command(&mut roff, sub);
    }
    roff.to_writer(&mut out)?;
    let mut text = String::from_utf8(out).context("the generated page is not UTF-8")?;
    text.push_str(SECTIONS);
    Ok(text)
}

pub fn manpage() -> CommandResult {
    let text = page().context("rendering the man page")?;
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing the man page")?;
    Ok(ExitCode::SUCCESS)
}
