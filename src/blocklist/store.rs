//! What is kept on disk, under the root prefix: which lists the admin added
//! (/etc/asterisk-harden/blocklists.toml), how each last went
//! (/var/lib/asterisk-harden/blocklists.json) and the last good set of each
//! (/var/lib/asterisk-harden/blocklists/NAME, what boot loads again). Every
//! write is atomic; everything read back is validated again.

use std::collections::BTreeMap;
use std::path::Path;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::exclude::Item;
use super::{BlocklistError, ListName, Source};
use crate::root::Root;
use crate::transaction::write_file_atomically;

pub const CONFIG_FILE: &str = "/etc/asterisk-harden/blocklists.toml";
pub const STATE_FILE: &str = "/var/lib/asterisk-harden/blocklists.json";
pub const CACHE_DIR: &str = "/var/lib/asterisk-harden/blocklists";
/// The addresses the admin ran `blocklist` from: the timer's refreshes run
/// without a session, and must spare them too.
pub const ADMINS_FILE: &str = "/var/lib/asterisk-harden/blocklist-admins";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListConfig {
    pub source: Source,
}

/// How a list last went.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListState {
    /// Networks loaded (IPv4, IPv6), and protected exceptions inside them.
    pub v4: usize,
    pub v6: usize,
    pub exceptions: usize,
    /// When the loaded entries were fetched (RFC 3339, UTC).
    pub loaded_at: Option<String>,
    /// Since when refreshing fails, and why; absent while it works.
    pub failing_since: Option<String>,
    pub error: Option<String>,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BlocklistError + '_ {
    move |source| BlocklistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn write(path: &Path, text: &str) -> Result<(), BlocklistError> {
    write_file_atomically(path, text.as_bytes()).map_err(io(path))
}

pub fn read_config(root: &Root) -> Result<BTreeMap<ListName, ListConfig>, BlocklistError> {
    let path = root.path(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(io(&path)(e)),
    };
    toml::from_str(&text).map_err(|e| BlocklistError::BadConfig {
        path,
        reason: e.to_string(),
    })
}

pub fn write_config(
    root: &Root,
    lists: &BTreeMap<ListName, ListConfig>,
) -> Result<(), BlocklistError> {
    let body = toml::to_string(lists).expect("blocklists serialize");
    write(
        &root.path(CONFIG_FILE),
        &format!("# asterisk-harden's blocklists: written by blocklist add and remove\n{body}"),
    )
}

pub fn read_state(root: &Root) -> BTreeMap<ListName, ListState> {
    std::fs::read_to_string(root.path(STATE_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

pub fn write_state(
    root: &Root,
    state: &BTreeMap<ListName, ListState>,
) -> Result<(), BlocklistError> {
    let text = serde_json::to_string_pretty(state).expect("state serializes");
    write(&root.path(STATE_FILE), &text)
}

fn cache_path(root: &Root, name: &ListName) -> std::path::PathBuf {
    root.path(CACHE_DIR).join(name.as_str())
}

/// Keep what was loaded, for the next boot.
pub fn write_cache(root: &Root, name: &ListName, items: &[Item]) -> Result<(), BlocklistError> {
    let mut text = format!("# asterisk-harden: the set of blocklist {name} as last loaded\n");
    for i in items {
        text.push_str(&i.element());
        text.push('\n');
    }
    write(&cache_path(root, name), &text)
}

pub fn remove_cache(root: &Root, name: &ListName) -> Result<(), BlocklistError> {
    let path = cache_path(root, name);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path)(e)),
        _ => Ok(()),
    }
}

/// What was last loaded for `name` (none yet: empty).
pub fn read_cache(root: &Root, name: &ListName) -> Result<Vec<Item>, BlocklistError> {
    let path = cache_path(root, name);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&path)(e)),
    };
    let mut items = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = t.split_whitespace().collect();
        let item = match words.as_slice() {
            [net] => net.parse::<IpNet>().ok().map(|net| Item {
                net,
                nomatch: false,
            }),
            [net, "nomatch"] => net
                .parse::<IpNet>()
                .ok()
                .map(|net| Item { net, nomatch: true }),
            _ => None,
        };
        items.push(item.ok_or_else(|| BlocklistError::BadConfig {
            path: path.clone(),
            reason: format!("line {}: {t:?} is not a network", i + 1),
        })?);
    }
    Ok(items)
}

/// The admin addresses remembered so far.
pub fn admins(root: &Root) -> Vec<std::net::IpAddr> {
    std::fs::read_to_string(root.path(ADMINS_FILE))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Remember `a` as an address the admin works from.
pub fn remember_admin(root: &Root, a: std::net::IpAddr) -> Result<(), BlocklistError> {
    let mut all = admins(root);
    if all.contains(&a) {
        return Ok(());
    }
    all.push(a);
    let text: String = all.iter().map(|a| format!("{a}\n")).collect();
    write(
        &root.path(ADMINS_FILE),
        &format!(
            "# addresses blocklists never block: where blocklist add or refresh was run from\n{text}"
        ),
    )
}
