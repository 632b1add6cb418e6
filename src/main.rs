use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use asterisk_harden::answers::{Answers, HostDefaults};
use asterisk_harden::plan::plan;
use asterisk_harden::resolve::resolve_trunks;
use asterisk_harden::ruleset::{Family, render};
use clap::Parser;

mod cli;

use cli::{Cli, Command, FamilyArg};

/// What went wrong, for the exit code: bad input changes nothing (2); a
/// failure was restored (1).
enum Failure {
    BadInput(anyhow::Error),
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Failed(e.into())
    }
}

fn bad_input(e: impl Into<anyhow::Error>) -> Failure {
    Failure::BadInput(e.into())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Render { answers, family } => {
            let answers = Answers::load(&answers, &HostDefaults::article()).map_err(bad_input)?;
            let trunks = resolve_trunks(&answers.sip.trunks).map_err(bad_input)?;
            for note in plan_notes(&trunks) {
                eprintln!("{note}");
            }
            let plan = plan(&answers, &trunks);
            let family = match family {
                FamilyArg::Ipv4 => Family::Ipv4,
                FamilyArg::Ipv6 => Family::Ipv6,
            };
            let text = render(plan.ruleset(family));
            std::io::stdout()
                .write_all(text.as_bytes())
                .context("writing the ruleset to stdout")?;
            Ok(())
        }
    }
}

/// How each trunk name was resolved, shown so the admin can check it.
fn plan_notes(trunks: &[asterisk_harden::plan::ResolvedTrunk]) -> Vec<String> {
    trunks
        .iter()
        .filter(|t| matches!(t.trunk, asterisk_harden::answers::Trunk::Name(_)))
        .map(|t| {
            let addrs: Vec<String> = t.nets.iter().map(|n| n.addr().to_string()).collect();
            format!("trunk {} resolved to {}", t.trunk, addrs.join(", "))
        })
        .collect()
}
