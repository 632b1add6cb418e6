//! The firewall side of an apply: the rules to load fitted to the live
//! firewall (other tools' chains kept, the admin's replaced rules named),
//! the ipset sets they use, and the phone and ban lists carried over.

use std::path::PathBuf;

use super::backup::BackupSet;
use super::pending::StateDir;
use super::{LoadReport, TxError, atomic, families, family_name, firewall, restore};
use crate::exec::Runner;
use crate::plan::Plan;
use crate::root::Root;
use crate::ruleset::restore_file::{
    builtin_rules, keep_foreign_chains, replace_hooks_for_noflush, replaced_rules,
};
use crate::ruleset::{Family, ListStore, render, render_sets};

/// What the rules to load look like against the live firewall.
pub fn preview_load(root: &Root, plan: &Plan) -> Result<LoadReport, TxError> {
    let state = StateDir::new(root);
    let mut report = LoadReport::default();
    for family in families(root.runner()) {
        let live = snapshot(root.runner(), family)?;
        let merged = merged_rules(plan, family, &live, &known_ours(&state, family));
        report.kept_chains.extend(
            merged
                .kept_chains
                .into_iter()
                .map(|c| format!("{} {c}", family_name(family))),
        );
        report.replaced_rules.extend(
            merged
                .replaced_rules
                .into_iter()
                .map(|r| format!("{}: {r}", family_name(family))),
        );
    }
    Ok(report)
}

/// The live rules of one family (`iptables-save`).
pub(super) fn snapshot(runner: &dyn Runner, family: Family) -> Result<String, TxError> {
    firewall::save(runner, family).map_err(|source| TxError::Snapshot {
        family: family_name(family),
        source,
    })
}

/// The rules to load, fitted to the live firewall, and what that does to
/// the rules that are not ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Merged {
    /// The restore text to load.
    pub text: String,
    /// Other tools' chains carried over ("filter/DOCKER").
    pub kept_chains: Vec<String>,
    /// The admin's own rules in the tables replaced (they are in the backup).
    pub replaced_rules: Vec<String>,
}

pub(super) fn merged_rules(
    plan: &Plan,
    family: Family,
    live: &str,
    ours_before: &[String],
) -> Merged {
    let ours = render(plan.first_load(family));
    merge(&ours, plan.noflush(), plan.tables(), live, ours_before)
}

/// The rules to load (our rendered `ours`), fitted to the live firewall.
pub(super) fn merge(
    ours: &str,
    noflush: bool,
    tables: &[&str],
    live: &str,
    ours_before: &[String],
) -> Merged {
    if noflush {
        return Merged {
            text: replace_hooks_for_noflush(ours, live, "SIPRAW"),
            kept_chains: Vec::new(),
            replaced_rules: Vec::new(),
        };
    }
    let (text, kept_chains) = keep_foreign_chains(ours, live);
    let replaced_rules = replaced_rules(live, tables, &text, ours_before);
    Merged {
        text,
        kept_chains,
        replaced_rules,
    }
}

fn ours_path(state: &StateDir, family: Family) -> PathBuf {
    state
        .path()
        .join(format!("loaded-{}.rules", family.as_str()))
}

/// Our built-in chain rules as the kernel printed them after our last load.
pub(super) fn known_ours(state: &StateDir, family: Family) -> Vec<String> {
    std::fs::read_to_string(ours_path(state, family))
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

pub(super) fn remember_ours(
    runner: &dyn Runner,
    state: &StateDir,
    family: Family,
    tables: &[&str],
) {
    if let Ok(live) = firewall::save(runner, family) {
        let lines = builtin_rules(&live, tables).join("\n");
        let _ = atomic::write(&ours_path(state, family), lines.as_bytes(), None, 0o600);
    }
}

/// Create the sets every ruleset of the plan names; remember in the backup
/// set which of them did not exist before, so an undo destroys them again.
pub(super) fn create_sets(
    runner: &dyn Runner,
    plan: &Plan,
    set: &BackupSet,
) -> Result<(), TxError> {
    let wanted: Vec<&crate::ruleset::IpSet> = [Family::Ipv4, Family::Ipv6]
        .into_iter()
        .flat_map(|f| plan.ruleset(f).sets.iter())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let before = crate::sets::names(runner)?;
    let created: Vec<String> = wanted
        .iter()
        .map(|s| s.name.clone())
        .filter(|n| !before.contains(n))
        .collect();
    // Noted before they exist: a kill between the two still has them undone.
    if !created.is_empty() {
        let path = set.dir.join(restore::SETS_CREATED);
        atomic::write(&path, (created.join("\n") + "\n").as_bytes(), None, 0o600)
            .map_err(|source| TxError::Write { path, source })?;
    }
    crate::sets::create(runner, &render_sets(wanted.iter().copied()))?;
    Ok(())
}

/// A load that replaced the rules using a list can empty it (legacy
/// iptables, or a table that was flushed): put the phones and bans back.
/// Where the lists are now ipset sets, the xt_recent entries (the article's
/// hand-made rules, or an earlier xt_recent install) move there, so known
/// phones stay known across the switch.
pub(super) fn carry_lists(
    runner: &dyn Runner,
    plan: &Plan,
    recent: &[(String, String)],
    progress: &mut dyn FnMut(&str),
) {
    let proc_dir = std::path::Path::new(firewall::RECENT_PROC);
    for (name, text) in recent {
        let addresses = crate::recent::addresses(text);
        if plan.firewall.lists == ListStore::Ipset && crate::lists::LISTS.contains(&name.as_str()) {
            let parsed: Vec<std::net::IpAddr> =
                addresses.iter().filter_map(|a| a.parse().ok()).collect();
            if let Ok(n) = crate::sets::add(runner, name, &parsed)
                && n > 0
            {
                progress(&format!(
                    "{n} address(es) of xt_recent list {name} moved to its ipset set"
                ));
            }
        } else {
            let _ = firewall::refill_recent(proc_dir, name, &addresses);
        }
    }
}
