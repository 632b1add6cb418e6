//! The blocklist actions: add, remove, refresh (the timer's), restore (at
//! boot, from the last good sets), and what `list` and `status` show.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::SystemTime;

use ipnet::IpNet;

use super::entries::{self, Entries};
use super::exclude::{self, Item, Shield};
use super::store::{self, ListConfig, ListState};
use super::{BlocklistError, ListName, Source, fetch, kernel, units};
use crate::operate::Protected;
use crate::root::Root;

/// Held by add, remove, refresh and restore: the timer's refresh and an
/// admin's `add` must not write the lists' records over each other.
const LOCK: &str = "/var/lib/asterisk-harden/.blocklist.lock";

fn lock(root: &Root) -> Result<nix::fcntl::Flock<std::fs::File>, BlocklistError> {
    let path = root.path(LOCK);
    crate::filelock::hold(&path).map_err(|source| BlocklistError::Io { path, source })
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// What `ban` protects, and the local networks, as networks with a why.
pub fn shields(
    protected: &Protected,
    remembered: &[std::net::IpAddr],
    local_nets: &[IpNet],
) -> Vec<Shield> {
    let mut out = Vec::new();
    if let Some(a) = protected.admin {
        out.push(Shield {
            net: IpNet::from(a),
            why: "your own address: this SSH session comes from it".into(),
        });
    }
    for a in remembered.iter().filter(|a| protected.admin != Some(**a)) {
        out.push(Shield {
            net: IpNet::from(*a),
            why: "your address: an earlier `blocklist` ran from it".into(),
        });
    }
    for n in &protected.trusted {
        out.push(Shield {
            net: *n,
            why: format!("trusted: network.trusted has {n}"),
        });
    }
    for (name, nets) in &protected.trunks {
        for n in nets {
            out.push(Shield {
                net: *n,
                why: format!("a SIP trunk: sip.trunks has {name}"),
            });
        }
    }
    for n in local_nets {
        out.push(Shield {
            net: *n,
            why: format!("a local network: network.local_nets has {n}"),
        });
    }
    out
}

/// One list fetched, checked, cleared of what is protected, loaded and
/// kept for the next boot.
pub struct Imported {
    pub entries: Entries,
    pub items: Vec<Item>,
    /// One line per protected source the list touched.
    pub spared: Vec<String>,
}

fn import(
    root: &Root,
    name: &ListName,
    source: &Source,
    shields: &[Shield],
) -> Result<Imported, BlocklistError> {
    let text = fetch::fetch(source)?;
    let entries = entries::parse(&text).map_err(|bad| BlocklistError::Garbage {
        source_text: source.to_string(),
        lines: bad
            .iter()
            .map(|b| format!("    line {}: {:?}: {}", b.line, b.text, b.reason))
            .collect::<Vec<_>>()
            .join("\n"),
    })?;
    if entries.nets.len() > kernel::CAPACITY as usize {
        return Err(BlocklistError::Garbage {
            source_text: source.to_string(),
            lines: format!(
                "    it has {} entries, more than the {} a list's set holds",
                entries.nets.len(),
                kernel::CAPACITY
            ),
        });
    }
    let (items, spared) = exclude::exclude(&entries.nets, shields);
    kernel::load(root.runner(), name, &items)?;
    store::write_cache(root, name, &items)?;
    Ok(Imported {
        entries,
        items,
        spared,
    })
}

fn state_of(i: &Imported) -> ListState {
    ListState {
        v4: i.entries.v4(),
        v6: i.entries.v6(),
        exceptions: i.items.iter().filter(|i| i.nomatch).count(),
        loaded_at: Some(now()),
        failing_since: None,
        error: None,
    }
}

fn log(root: &Root, line: &str) {
    let _ = crate::operate::why::log(root, &now(), line);
}

/// `blocklist add`: nothing is written unless the list loaded.
pub fn add(
    root: &Root,
    name: &ListName,
    source: &Source,
    shields: &[Shield],
    bin: &Path,
) -> Result<(Imported, String), BlocklistError> {
    let _lock = lock(root)?;
    let mut config = store::read_config(root)?;
    if config.contains_key(name) {
        return Err(BlocklistError::Exists(name.to_string()));
    }
    if config.len() >= crate::ruleset::MAX_BLOCKLISTS as usize {
        return Err(BlocklistError::Full);
    }
    if root.is_system() && crate::transaction::is_cargo_build(bin) {
        return Err(BlocklistError::BuildBinary(bin.to_path_buf()));
    }
    kernel::ready(root.runner())?;
    let imported = import(root, name, source, shields)?;
    config.insert(
        name.clone(),
        ListConfig {
            source: source.clone(),
        },
    );
    store::write_config(root, &config)?;
    let mut state = store::read_state(root);
    state.insert(name.clone(), state_of(&imported));
    store::write_state(root, &state)?;
    let timer = units::install(root, bin)?;
    log(
        root,
        &format!(
            "blocklist add {name}: {} networks from {source}",
            imported.entries.nets.len()
        ),
    );
    Ok((imported, timer))
}

/// `blocklist remove`: the sets, the saved set, the record; the timer
/// with the last list. Returns how many networks it held.
pub fn remove(root: &Root, name: &ListName) -> Result<usize, BlocklistError> {
    let _lock = lock(root)?;
    let mut config = store::read_config(root)?;
    if !config.contains_key(name) {
        return Err(BlocklistError::Unknown(name.to_string()));
    }
    let held = store::read_cache(root, name)?
        .iter()
        .filter(|i| !i.nomatch)
        .count();
    kernel::remove(root.runner(), name)?;
    store::remove_cache(root, name)?;
    config.remove(name);
    store::write_config(root, &config)?;
    let mut state = store::read_state(root);
    state.remove(name);
    store::write_state(root, &state)?;
    if config.is_empty() {
        units::uninstall(root)?;
    }
    log(
        root,
        &format!("blocklist remove {name}: {held} networks unblocked"),
    );
    Ok(held)
}

/// How one list's refresh went, for people.
pub struct Refreshed {
    pub name: ListName,
    pub outcome: Result<String, String>,
}

/// Fetch every list (or one) again; a list that fails keeps what it had
/// and is flagged.
pub fn refresh(
    root: &Root,
    only: Option<&ListName>,
    shields: &[Shield],
) -> Result<Vec<Refreshed>, BlocklistError> {
    let _lock = lock(root)?;
    let config = store::read_config(root)?;
    if let Some(n) = only
        && !config.contains_key(n)
    {
        return Err(BlocklistError::Unknown(n.to_string()));
    }
    if config.is_empty() {
        return Ok(Vec::new());
    }
    kernel::ready(root.runner())?;
    let mut state = store::read_state(root);
    let mut out = Vec::new();
    for (name, c) in config.iter().filter(|(n, _)| only.is_none_or(|o| o == *n)) {
        let before: BTreeSet<Item> = store::read_cache(root, name)?.into_iter().collect();
        let outcome = match import(root, name, &c.source, shields) {
            Ok(i) => {
                let after: BTreeSet<Item> = i.items.iter().cloned().collect();
                let line = format!(
                    "{name}: {} networks (+{} -{})",
                    i.entries.nets.len(),
                    after.difference(&before).filter(|i| !i.nomatch).count(),
                    before.difference(&after).filter(|i| !i.nomatch).count()
                );
                state.insert(name.clone(), state_of(&i));
                log(root, &format!("blocklist refresh {line}"));
                Ok(line)
            }
            Err(e) => {
                let s = state.entry(name.clone()).or_default();
                s.failing_since.get_or_insert_with(now);
                let first = e.to_string().lines().next().unwrap_or_default().to_string();
                s.error = Some(first);
                Err(format!(
                    "{name}: {e}\n    its last good entries stay loaded"
                ))
            }
        };
        out.push(Refreshed {
            name: name.clone(),
            outcome,
        });
    }
    store::write_state(root, &state)?;
    Ok(out)
}

/// At boot, after the sets unit made ah-BLOCK: every list's last good set
/// loaded again. Returns (list, networks).
pub fn restore(root: &Root) -> Result<Vec<(ListName, usize)>, BlocklistError> {
    let _lock = lock(root)?;
    let config = store::read_config(root)?;
    if config.is_empty() {
        return Ok(Vec::new());
    }
    kernel::ready(root.runner())?;
    let mut out = Vec::new();
    for name in config.keys() {
        let items = store::read_cache(root, name)?;
        kernel::load(root.runner(), name, &items)?;
        out.push((name.clone(), items.iter().filter(|i| !i.nomatch).count()));
    }
    Ok(out)
}

/// Each list with its source and how it last went.
pub fn list(root: &Root) -> Result<Vec<(ListName, ListConfig, ListState)>, BlocklistError> {
    let state = store::read_state(root);
    Ok(store::read_config(root)?
        .into_iter()
        .map(|(n, c)| {
            let s = state.get(&n).cloned().unwrap_or_default();
            (n, c, s)
        })
        .collect())
}

/// `status` warnings: the lists whose refresh fails, and the lists that are
/// not in the kernel's set of lists (the rules were applied again after a
/// rollback, which made ah-BLOCK anew).
pub fn warnings(root: &Root) -> Vec<String> {
    let config: BTreeMap<ListName, ListConfig> = store::read_config(root).unwrap_or_default();
    let mut out = Vec::new();
    let block = crate::ruleset::set_name(crate::ruleset::BLOCKLISTS, crate::ruleset::Family::Ipv4);
    if let Some(live) = crate::sets::contents(root.runner(), &block) {
        for name in config.keys() {
            let set = kernel::list_set(name, crate::ruleset::Family::Ipv4);
            if !live.members.iter().any(|m| m.address == set) {
                out.push(format!(
                    "the blocklist {name} is not in the kernel's set of lists {block}: it blocks nothing now.\n    \
                     What to do: `asterisk-harden blocklist refresh` loads it again"
                ));
            }
        }
    }
    out.extend(store::read_state(root)
        .into_iter()
        .filter(|(n, _)| config.contains_key(n))
        .filter_map(|(name, s)| {
            let since = s.failing_since?;
            Some(format!(
                "the blocklist {name} has not refreshed since {since} ({}): the entries loaded {} stay.\n    \
                 What to do: check its source; `asterisk-harden blocklist refresh NAME` tries again now",
                s.error.unwrap_or_default(),
                s.loaded_at.unwrap_or_else(|| "never".into())
            ))
        }));
    out
}
