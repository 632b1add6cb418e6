//! Keeping the known-phone, banned-scanner and trapped-source lists across
//! reboots and rule reloads: xt_recent keeps them only in the kernel. Saved
//! one address per line under /var/lib/asterisk-harden/lists/, atomically;
//! restored with one `+addr` write each (the kernel's interface).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::root::Root;
use crate::transaction::write_file_atomically;

/// Our lists: known phones, banned scanners, trapped port scanners.
pub const LISTS: [&str; 3] = ["MYSIP", "BADSIP", "RLM"];
pub const LISTS_DIR: &str = "/var/lib/asterisk-harden/lists";
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
        "the rules that use the list {list} are not loaded, so the kernel has nowhere to put its addresses\n    what to do: load the rules first (netfilter-persistent start, or asterisk-harden apply)"
    )]
    NotLoaded { list: String },
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

fn live_addresses(name: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(Path::new(PROC).join(name)).ok()?;
    Some(
        crate::status::recent::parse(&text)
            .into_iter()
            .map(|e| e.address)
            .collect(),
    )
}

/// Save every list the kernel has now. Returns (list, addresses saved).
pub fn save(root: &Root) -> Result<Vec<(String, usize)>, ListsError> {
    let dir = root.path(LISTS_DIR);
    let mut saved = Vec::new();
    for name in LISTS {
        let Some(addresses) = live_addresses(name) else {
            continue;
        };
        let stamp = humantime::format_rfc3339_seconds(SystemTime::now());
        let mut text = format!("# asterisk-harden: xt_recent list {name}, saved {stamp}\n");
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
    let mut wanted = Vec::new();
    for name in LISTS {
        let path = dir.join(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(&path)(e)),
        };
        let addresses = parse_saved(&path, &text)?;
        if !addresses.is_empty() && live_addresses(name).is_none() {
            return Err(ListsError::NotLoaded {
                list: name.to_string(),
            });
        }
        wanted.push((name, addresses));
    }
    let mut done = Vec::new();
    for (name, addresses) in wanted {
        let present = live_addresses(name).unwrap_or_default();
        let proc_file = Path::new(PROC).join(name);
        let mut r = Restored {
            list: name.to_string(),
            added: 0,
            already_there: 0,
        };
        for a in addresses {
            if present.iter().any(|p| p.parse::<IpAddr>().ok() == Some(a)) {
                r.already_there += 1;
                continue;
            }
            // One address per write: that is what the kernel accepts.
            std::fs::write(&proc_file, format!("+{a}\n")).map_err(io(&proc_file))?;
            r.added += 1;
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
