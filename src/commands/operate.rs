//! ban, unban, allow, release, trust: the lists operated by hand.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use asterisk_harden::answers::{Answers, Trunk, values};
use asterisk_harden::operate::{self, Action, OperateError, Protected};
use asterisk_harden::plan::ANSWERS_FILE;
use asterisk_harden::resolve::resolve_trunks;
use asterisk_harden::root::Root;

use super::{CommandResult, Failure, bad_input};
use crate::cli::ListArgs;

fn failure(e: OperateError) -> Failure {
    if e.is_refusal() {
        bad_input(e)
    } else {
        Failure::Failed(e.into())
    }
}

/// The answers last applied on this host, if any.
pub fn applied_answers(root: &Root) -> Result<Option<Answers>, Failure> {
    operate::protected::applied_answers(root).map_err(bad_input)
}

/// What may never be banned (a trunk name that does not resolve is said).
pub fn protected(root: &Root) -> Result<Protected, Failure> {
    operate::protected::read(root, &mut |note| eprintln!("note: {note}")).map_err(bad_input)
}

pub fn run(root: &Root, action: Action, args: &ListArgs) -> CommandResult {
    let address = operate::parse_address(&args.address).map_err(failure)?;
    let protected = protected(root)?;
    let done = operate::act(root, action, address, &args.reason, &protected).map_err(failure)?;
    for line in &done.changed {
        println!("{line}");
    }
    for line in &done.unchanged {
        println!("{line}: nothing to do");
    }
    if !done.changed.is_empty() {
        println!("Saved (kept across reboots) and recorded: {}", args.reason);
    }
    Ok(ExitCode::SUCCESS)
}

/// `trust NET`: the answers last applied, with NET added to
/// network.trusted, applied like any change (diff, backup, confirm).
pub fn trust(root: &Root, text: &str, yes: bool, timeout: Option<Duration>) -> CommandResult {
    let net = values::network(text).map_err(|r| {
        bad_input(anyhow::anyhow!(
            "{text:?} cannot be trusted: {}\n    what to do: {}; nothing was changed",
            r.reason,
            r.hint
        ))
    })?;
    let Some(mut answers) = applied_answers(root)? else {
        return Err(bad_input(anyhow::anyhow!(
            "there are no answers applied on this host yet ({} is missing)\n    what to do: run the wizard or `apply --answers FILE` first, with network.trusted in it; nothing was changed",
            root.path(ANSWERS_FILE).display()
        )));
    };
    if let Some(n) = answers.network.trusted.iter().find(|n| n.contains(&net)) {
        println!("{net} is already trusted (network.trusted has {n}): nothing to do.");
        return Ok(ExitCode::SUCCESS);
    }
    answers.network.trusted.push(net);
    let dir = root.path(asterisk_harden::transaction::STATE_DIR);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = tempfile::Builder::new()
        .prefix("trust-")
        .suffix(".toml")
        .tempfile_in(&dir)
        .context("a temporary answers file")?;
    std::fs::write(file.path(), answers.to_toml()).context("writing the new answers")?;
    let unresolved =
        answers.sip.trunks.iter().any(|t| {
            matches!(t, Trunk::Name(_)) && resolve_trunks(std::slice::from_ref(t)).is_err()
        });
    if unresolved {
        eprintln!("note: a trunk name does not resolve now; apply will say which");
    }
    println!("Trusting {net}: network.trusted becomes [{}]\n", {
        let all: Vec<String> = answers
            .network
            .trusted
            .iter()
            .map(|n| n.to_string())
            .collect();
        all.join(", ")
    });
    let code = super::apply::run(root, Path::new(file.path()), yes, timeout)?;
    if code == ExitCode::SUCCESS {
        operate::lift_after_trust(root, net)
            .iter()
            .for_each(|l| println!("{l}"));
    }
    Ok(code)
}
