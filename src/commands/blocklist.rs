//! blocklist add | remove | list | refresh: the lists fetched, checked,
//! cleared of what must stay reachable, and loaded; said as it happened.

use std::path::PathBuf;
use std::process::ExitCode;

use asterisk_harden::blocklist::exclude::Shield;
use asterisk_harden::blocklist::{BlocklistError, ListName, Source, ops};
use asterisk_harden::root::Root;

use super::operate::{applied_answers, protected};
use super::{CommandResult, Failure, bad_input};
use crate::cli::BlocklistAction;

fn failure(e: BlocklistError) -> Failure {
    if e.is_refusal() {
        bad_input(e)
    } else {
        Failure::Failed(e.into())
    }
}

/// What must never be blocked: what `ban` refuses, and the local networks
/// of the answers applied.
fn shields(root: &Root) -> Result<Vec<Shield>, Failure> {
    let local_nets = applied_answers(root)?
        .map(|a| a.network.local_nets)
        .unwrap_or_default();
    let protected = protected(root)?;
    if let Some(a) = protected.admin {
        asterisk_harden::blocklist::store::remember_admin(root, a).map_err(failure)?;
    }
    let remembered = asterisk_harden::blocklist::store::admins(root);
    Ok(ops::shields(&protected, &remembered, &local_nets))
}

fn summary(shields: &[Shield], spared: &[String]) {
    if spared.is_empty() {
        println!(
            "Never blocked: {} protected source(s) (your own address, trusted sources, trunks, local networks): none is on this list.",
            shields.len()
        );
        return;
    }
    println!("Never blocked (taken out at import):");
    for line in spared.iter().take(20) {
        println!("  {line}");
    }
    if spared.len() > 20 {
        println!("  ... and {} more", spared.len() - 20);
    }
}

pub fn run(root: &Root, action: BlocklistAction) -> CommandResult {
    match action {
        BlocklistAction::Add { name, source } => {
            let name = ListName::parse(&name).map_err(failure)?;
            let source = Source::parse(&source).map_err(failure)?;
            let shields = shields(root)?;
            let bin = std::env::current_exe()
                .unwrap_or_else(|_| PathBuf::from("/usr/sbin/asterisk-harden"));
            let (imported, timer) =
                ops::add(root, &name, &source, &shields, &bin).map_err(failure)?;
            let e = &imported.entries;
            let loaded = imported.items.iter().filter(|i| !i.nomatch).count();
            println!(
                "Blocklist {name}: {} networks ({} IPv4, {} IPv6) from {source}; {loaded} loaded, dropped on every port.",
                e.nets.len(),
                e.v4(),
                e.v6()
            );
            summary(&shields, &imported.spared);
            println!("{timer}");
        }
        BlocklistAction::Remove { name } => {
            let name = ListName::parse(&name).map_err(failure)?;
            let held = ops::remove(root, &name).map_err(failure)?;
            println!(
                "Blocklist {name} removed: its {held} networks are no longer blocked (other lists unchanged)."
            );
        }
        BlocklistAction::List => {
            let lists = ops::list(root).map_err(failure)?;
            if lists.is_empty() {
                println!(
                    "No blocklists. Add one: asterisk-harden blocklist add NAME URL (or FILE)"
                );
            }
            for (name, c, s) in lists {
                println!("{name}  {}", c.source);
                println!(
                    "    {} IPv4 and {} IPv6 networks, {} protected exception(s), loaded {}",
                    s.v4,
                    s.v6,
                    s.exceptions,
                    s.loaded_at.as_deref().unwrap_or("never")
                );
                if let (Some(since), Some(error)) = (&s.failing_since, &s.error) {
                    println!("    REFRESH FAILING since {since}: {error}");
                }
            }
        }
        BlocklistAction::Refresh { name } => {
            let name = name
                .as_deref()
                .map(ListName::parse)
                .transpose()
                .map_err(failure)?;
            let shields = shields(root)?;
            let done = ops::refresh(root, name.as_ref(), &shields).map_err(failure)?;
            if done.is_empty() {
                println!("No blocklists: nothing to refresh.");
            }
            let mut failed = false;
            for r in done {
                match r.outcome {
                    Ok(line) => println!("{line}"),
                    Err(line) => {
                        failed = true;
                        eprintln!("{line}");
                    }
                }
            }
            if failed {
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
