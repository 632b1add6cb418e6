//! The plain commands: each reads its input, calls the domain, and prints for
//! people. Exit codes: 0 done, 1 failed (and restored), 2 bad input (nothing
//! changed), 3 not confirmed in time (reverted).

pub mod apply;
pub mod backups;
pub mod blocklist;
mod busy;
pub mod confirm;
pub mod demo;
pub mod docs;
pub mod guard;
pub mod lists;
pub mod manpage;
pub mod names;
pub mod operate;
pub mod plan;
pub mod probe;
pub mod render;
pub mod rollback;
pub mod selftest;
pub mod status;
pub mod watch;
pub mod wizard;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use asterisk_harden::answers::{Answers, HostDefaults};
use asterisk_harden::plan::{Plan, PlanInput, ResolvedTrunk, paths_to_read, plan};
use asterisk_harden::probe::{Facts, MatchTest, probe};
use asterisk_harden::resolve::resolve_trunks;
use asterisk_harden::root::Root;
use asterisk_harden::transaction::TxError;

/// Bad input changes nothing (exit 2); a failure was restored (exit 1).
pub enum Failure {
    BadInput(anyhow::Error),
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Failed(e.into())
    }
}

pub fn bad_input(e: impl Into<anyhow::Error>) -> Failure {
    Failure::BadInput(e.into())
}

/// A transaction error with the exit code it deserves.
pub fn tx_failure(e: TxError) -> Failure {
    if e.is_refusal() {
        Failure::BadInput(e.into())
    } else {
        Failure::Failed(e.into())
    }
}

/// What every command returns: its exit code, or why it failed.
pub type CommandResult = Result<ExitCode, Failure>;

/// Where the answers are used: `apply` changes this host, so an interface
/// it does not have is refused; `render` and `plan` may prepare another
/// host, so they only warn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Here,
    Anywhere,
}

/// Answers validated against this host's defaults, with trunk names
/// resolved, and the probe's facts they were checked against.
pub struct Loaded {
    pub answers: Answers,
    pub trunks: Vec<ResolvedTrunk>,
    pub facts: Facts,
}

/// Answers validated against this host's defaults (what the probe sees),
/// with trunk names resolved. The host is probed here, once.
pub fn load_answers(root: &Root, answers: &Path, usage: Use) -> Result<Loaded, Failure> {
    let facts = probe(root, MatchTest::Skip);
    let mut defaults = HostDefaults::from_facts(&facts);
    defaults.refuse_foreign_interface = usage == Use::Here;
    let mut answers = Answers::load(answers, &defaults).map_err(bad_input)?;
    if let Some(i) = &answers.network.interface
        && let Some(r) = defaults.foreign_interface(i)
    {
        eprintln!(
            "warning: network.interface = \"{i}\": {}\n    what to do: {} (apply refuses it on this host)",
            r.reason, r.hint
        );
    }
    let trunks = resolve_trunks(&answers.sip.trunks).map_err(bad_input)?;
    asterisk_harden::resolve::resolve_trusted(&mut answers).map_err(bad_input)?;
    for t in &answers.network.trusted_names {
        let addrs: Vec<String> = t.addresses.iter().map(ToString::to_string).collect();
        eprintln!("trusted {} resolved to {}", t.name, addrs.join(", "));
    }
    for t in trunks
        .iter()
        .filter(|t| matches!(t.trunk, asterisk_harden::answers::Trunk::Name(_)))
    {
        let addrs: Vec<String> = t.nets.iter().map(|n| n.addr().to_string()).collect();
        eprintln!("trunk {} resolved to {}", t.trunk, addrs.join(", "));
    }
    Ok(Loaded {
        answers,
        trunks,
        facts,
    })
}

/// The plan for `answers` on this host: from the one probe's facts and the
/// files it changes.
pub fn load_plan(root: &Root, answers: &Path, usage: Use) -> Result<Plan, Failure> {
    let Loaded {
        answers,
        trunks,
        facts,
    } = load_answers(root, answers, usage)?;
    let host = PlanInput::read(root, &facts, &paths_to_read(&answers)).map_err(bad_input)?;
    plan(&answers, &trunks, &host).map_err(bad_input)
}

/// Ask a yes/no question on the terminal; without one, refuse and say how
/// to run unattended.
pub fn ask(question: &str, flag: &str) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(bad_input(anyhow::anyhow!(
            "not a terminal, so nobody can answer \"{question}\"\n    what to do: add {flag} to run unattended"
        )));
    }
    Ok(dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()?)
}
