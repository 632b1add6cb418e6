//! Why each address is on the list it is on: one record per address (the
//! last decision about it, by hand or by `watch`), kept in
//! /var/lib/asterisk-harden/why.json for `status`, and every decision
//! appended to /var/lib/asterisk-harden/actions.log (and to syslog on the
//! real host) so the story can be read back.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::atomic::write_file_atomically;
use crate::root::Root;

pub const WHY_FILE: &str = "/var/lib/asterisk-harden/why.json";
pub const ACTIONS_LOG: &str = "/var/lib/asterisk-harden/actions.log";
/// Held while why.json is read, changed and written.
const WHY_LOCK: &str = "/var/lib/asterisk-harden/.why.lock";

/// The last decision about one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Why {
    /// The list it was put on (MYSIP, BADSIP, RLM), or none when taken off.
    pub list: Option<String>,
    pub reason: String,
    /// RFC 3339, UTC.
    pub at: String,
}

pub fn read(root: &Root) -> BTreeMap<IpAddr, Why> {
    std::fs::read_to_string(root.path(WHY_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Record a decision: the address's entry in why.json, a line in the
/// actions log, a syslog line on the real host.
pub fn record(
    root: &Root,
    address: IpAddr,
    list: Option<&str>,
    line: &str,
    reason: &str,
) -> std::io::Result<()> {
    let at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    // `watch` and a ban by hand may record at once: without the lock, one
    // read-change-write would drop the other's entry.
    let _lock = crate::filelock::hold(&root.path(WHY_LOCK))?;
    let mut all = read(root);
    all.insert(
        address,
        Why {
            list: list.map(str::to_string),
            reason: reason.to_string(),
            at: at.clone(),
        },
    );
    let path = root.path(WHY_FILE);
    let text = serde_json::to_string_pretty(&all).expect("why serializes");
    write_file_atomically(&path, text.as_bytes())?;
    log(root, &at, line)
}

/// Append one decision to the actions log (and syslog on the real host).
pub fn log(root: &Root, at: &str, line: &str) -> std::io::Result<()> {
    let log: PathBuf = root.path(ACTIONS_LOG);
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)?;
    writeln!(f, "{at} {line}")?;
    f.sync_all()?;
    if root.is_system() && root.runner().find("logger").is_some() {
        let _ = root
            .runner()
            .run("logger", &["-t", "asterisk-harden", "--", line], None);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_made_at_once_are_all_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        let threads: Vec<_> = (0..8u8)
            .map(|t| {
                let root = root.clone();
                std::thread::spawn(move || {
                    for i in 0..15u8 {
                        let a = IpAddr::from([192, 0, 2, t * 16 + i]);
                        record(&root, a, Some("BADSIP"), "ban", "test").unwrap();
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(read(&root).len(), 8 * 15, "decisions were lost");
    }
}
