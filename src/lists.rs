//! Keeping the known-phone, banned-scanner and trapped-source lists across
//! reboots and rule reloads: ipset sets and xt_recent lists live only in the
//! kernel. Saved one address per line under /var/lib/asterisk-harden/lists/,
//! atomically. Restored into the ipset sets (created first from
//! /etc/asterisk-harden/ipsets, before the rules load at boot), or with one
//! `+addr` write each into xt_recent (the kernel's interface) where the host
//! has no ipset.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::atomic::write_file_atomically;
use crate::exec::Runner;
use crate::root::Root;
use crate::sets::{self, SetsError};

/// Our lists: known phones, banned scanners, trapped port scanners.
pub const LISTS: [&str; 3] = ["MYSIP", "BADSIP", "RLM"];
pub const LISTS_DIR: &str = "/var/lib/asterisk-harden/lists";
pub use crate::plan::SETS_FILE;
const PROC: &str = "/proc/net/xt_recent";

#[derive(Debug, thiserror::Error)]
pub enum ListsError {
    #[error(
        "{file}:{line}: {text:?} is not an IP address\n    what to do: fix or delete that line (one address per line, # for comments); nothing was restored"
    )]
    Garbage {
        file: PathBuf,
        line: usize,
        text: String,
    },
    #[error(
        "the rules that use the list {list} are not loaded, so the kernel has nowhere to put its addresses\n    what to do: load the rules first: `netfilter-persistent start`, or `asterisk-harden apply --answers FILE` (after an apply, FILE is /etc/asterisk-harden/answers.toml)"
    )]
    NotLoaded { list: String },
    #[error(transparent)]
    Sets(#[from] SetsError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ListsError + '_ {
    move |source| ListsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The members of both families' sets of `list`, if either set exists.
fn set_addresses(runner: &dyn Runner, list: &str) -> Option<Vec<String>> {
    sets::of_list(runner, list).map(|found| {
        found
            .into_iter()
            .flat_map(|s| s.members)
            .map(|m| m.address)
            .collect()
    })
}

/// The addresses on xt_recent's list `name`, if it exists.
fn xt_recent_addresses(name: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(Path::new(PROC).join(name)).ok()?;
    Some(crate::recent::addresses(&text))
}

/// What the kernel holds for `name`: its ipset sets, else its xt_recent list.
fn live_addresses(runner: &dyn Runner, name: &str) -> Option<Vec<String>> {
    set_addresses(runner, name).or_else(|| xt_recent_addresses(name))
}

/// Save every list the kernel has now. Returns (list, addresses saved).
pub fn save(root: &Root) -> Result<Vec<(String, usize)>, ListsError> {
    let dir = root.path(LISTS_DIR);
    let mut saved = Vec::new();
    for name in LISTS {
        let Some(addresses) = live_addresses(root.runner(), name) else {
            continue;
        };
        let stamp = humantime::format_rfc3339_seconds(SystemTime::now());
        let mut text = format!("# asterisk-harden: list {name}, saved {stamp}\n");
        for a in &addresses {
            text.push_str(a);
            text.push('\n');
        }
        let path = dir.join(name);
        write_file_atomically(&path, text.as_bytes()).map_err(io(&path))?;
        saved.push((name.to_string(), addresses.len()));
    }
    Ok(saved)
}

/// Parse a saved list: one address per line, `#` comments, blank lines.
pub fn parse_saved(path: &Path, text: &str) -> Result<Vec<IpAddr>, ListsError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match t.parse::<IpAddr>() {
            Ok(a) if !out.contains(&a) => out.push(a),
            Ok(_) => {}
            Err(_) => {
                return Err(ListsError::Garbage {
                    file: path.to_path_buf(),
                    line: i + 1,
                    text: t.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// What restoring one list did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub list: String,
    pub added: usize,
    pub already_there: usize,
}

/// Write the saved lists back into the kernel. Every file is checked before
/// anything is written; an address already listed is not written again.
pub fn restore(root: &Root) -> Result<Vec<Restored>, ListsError> {
    let dir = root.path(LISTS_DIR);
    // At boot this runs before the rules load: the sets they name must exist.
    let sets_file = root.path(SETS_FILE);
    match std::fs::read_to_string(&sets_file) {
        Ok(text) => sets::create(root.runner(), &text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(&sets_file)(e)),
    }
    let mut wanted = Vec::new();
    for name in LISTS {
        let path = dir.join(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path)(e)),
        };
        let addresses = parse_saved(&path, &text)?;
        if name == crate::ruleset::KNOWN_PHONES && !addresses.is_empty() {
            // The phones `watch` learned in a relaxed mode have a set of
            // their own that no rule names: made again here.
            sets::ensure_known_phones(root.runner())?;
        }
        if !addresses.is_empty() && live_addresses(root.runner(), name).is_none() {
            return Err(ListsError::NotLoaded {
                list: name.to_string(),
            });
        }
        wanted.push((name, addresses));
    }
    let mut done = Vec::new();
    for (name, addresses) in wanted {
        let in_sets = set_addresses(root.runner(), name);
        let present = in_sets
            .clone()
            .or_else(|| xt_recent_addresses(name))
            .unwrap_or_default();
        let (already, new): (Vec<IpAddr>, Vec<IpAddr>) = addresses
            .into_iter()
            .partition(|a| present.iter().any(|p| p.parse::<IpAddr>().ok() == Some(*a)));
        let mut r = Restored {
            list: name.to_string(),
            added: 0,
            already_there: already.len(),
        };
        if in_sets.is_some() {
            r.added = sets::add(root.runner(), name, &new)?;
        } else {
            let proc_file = Path::new(PROC).join(name);
            for a in new {
                // One address per write: that is what the kernel accepts.
                std::fs::write(&proc_file, format!("+{a}\n")).map_err(io(&proc_file))?;
                r.added += 1;
            }
        }
        done.push(r);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_files_are_checked_line_by_line() {
        let p = Path::new("/var/lib/asterisk-harden/lists/BADSIP");
        let ok = parse_saved(p, "# saved\n10.0.0.9\n\n2001:db8::1\n10.0.0.9\n").unwrap();
        assert_eq!(ok.len(), 2, "duplicates collapse");
        let err = parse_saved(p, "10.0.0.9\nrm -rf /\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/var/lib/asterisk-harden/lists/BADSIP:2:") && err.contains("rm -rf /"),
            "{err}"
        );
    }
}
