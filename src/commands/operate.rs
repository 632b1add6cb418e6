//! ban, unban, allow, release, trust: the lists operated by hand.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use asterisk_harden::answers::{Answers, HostDefaults, Trunk, values};
use asterisk_harden::operate::{self, Action, OperateError, Protected};
use asterisk_harden::plan::ANSWERS_FILE;
use asterisk_harden::probe::{MatchTest, probe};
use asterisk_harden::resolve::resolve_trunks;
use asterisk_harden::root::Root;

use super::{Failure, Outcome, bad_input};
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
    let path = root.path(ANSWERS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let facts = probe(root, MatchTest::Skip);
    Answers::load(&path, &HostDefaults::from_facts(&facts))
        .map(Some)
        .map_err(bad_input)
}

/// What may never be banned: this session's address, and the trusted
/// sources and trunks of the answers last applied (trunk names resolved
/// now; one that does not resolve is said, and cannot be matched).
pub fn protected(root: &Root) -> Result<Protected, Failure> {
    let mut p = Protected {
        admin: asterisk_harden::ssh::session::admin_address(),
        ..Protected::default()
    };
    if let Some(mut answers) = applied_answers(root)? {
        p.trusted = answers.network.trusted.clone();
        // Trusted names: what they resolve to now, and what they last
        // resolved to (a name that stopped resolving stays accepted).
        if let Err(e) = asterisk_harden::resolve::resolve_trusted(&mut answers) {
            eprintln!("note: {e}");
        }
        let last = asterisk_harden::names::read(root);
        for t in &answers.network.trusted_names {
            let known = last.get(t.name.as_str()).map(|s| s.addresses.clone());
            for a in t.addresses.iter().chain(known.iter().flatten()) {
                p.trusted.push(ipnet::IpNet::from(*a));
            }
        }
        for t in &answers.sip.trunks {
            match resolve_trunks(std::slice::from_ref(t)) {
                Ok(r) => p
                    .trunks
                    .extend(r.into_iter().map(|r| (t.to_string(), r.nets))),
                Err(e) => eprintln!("note: {e}"),
            }
        }
    }
    Ok(p)
}

pub fn run(root: &Root, action: Action, args: &ListArgs) -> Outcome {
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
pub fn trust(root: &Root, text: &str, yes: bool, timeout: Option<Duration>) -> Outcome {
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
    if code == ExitCode::SUCCESS && net.prefix_len() == net.max_prefix_len() {
        // Kept: a trusted address is accepted before any list is looked
        // at, so a ban or trap it had is lifted rather than left to mislead.
        let why = format!("trusted ({net})");
        for action in [Action::Unban, Action::Release] {
            if let Ok(done) = operate::act(root, action, net.addr(), &why, &Protected::default()) {
                done.changed.iter().for_each(|l| println!("{l}"));
            }
        }
    }
    Ok(code)
}
