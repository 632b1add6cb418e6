//! The live firewall: snapshot, test, load, restore. iptables-restore is not
//! atomic across tables (each table commits at its COMMIT), so every load is
//! preceded by a snapshot and any failure restores it.

use std::path::Path;

use crate::exec::{ExecError, Runner};
use crate::ruleset::Family;
use crate::ruleset::restore_file::RestoreFile;

#[derive(Debug, thiserror::Error)]
pub enum FirewallError {
    #[error(
        "{tool} is not installed; install the iptables package (Debian: apt-get install iptables)"
    )]
    Missing { tool: &'static str },
    #[error("{tool} refused the rules: {message}")]
    Refused { tool: &'static str, message: String },
    #[error(transparent)]
    Exec(#[from] ExecError),
}

pub fn save_tool(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "iptables-save",
        Family::Ipv6 => "ip6tables-save",
    }
}

pub fn restore_tool(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "iptables-restore",
        Family::Ipv6 => "ip6tables-restore",
    }
}

/// Whether this family can be managed here at all (ip6tables may be absent).
pub fn available(runner: &dyn Runner, family: Family) -> bool {
    runner.find(restore_tool(family)).is_some() && runner.find(save_tool(family)).is_some()
}

/// The live rules of every table (`iptables-save`).
pub fn save(runner: &dyn Runner, family: Family) -> Result<String, FirewallError> {
    let tool = save_tool(family);
    if runner.find(tool).is_none() {
        return Err(FirewallError::Missing { tool });
    }
    Ok(runner.run_checked(tool, &[], None)?.stdout)
}

fn restore(
    runner: &dyn Runner,
    family: Family,
    args: &[&str],
    text: &str,
) -> Result<(), FirewallError> {
    let tool = restore_tool(family);
    if runner.find(tool).is_none() {
        return Err(FirewallError::Missing { tool });
    }
    let ran = runner.run(tool, args, Some(text.as_bytes()))?;
    if ran.success {
        Ok(())
    } else {
        Err(FirewallError::Refused {
            tool,
            message: explain(&ran.stderr, text),
        })
    }
}

/// iptables-restore says "line N failed": quote that line so the admin sees it.
fn explain(stderr: &str, text: &str) -> String {
    let message = stderr.trim().to_string();
    let line_no = message
        .split("line ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<usize>().ok());
    match line_no.and_then(|n| text.lines().nth(n.saturating_sub(1))) {
        Some(line) => format!("{message}\n    the line: {line}"),
        None => message,
    }
}

/// `iptables-restore --test`: parses and checks without loading.
pub fn test(
    runner: &dyn Runner,
    family: Family,
    text: &str,
    noflush: bool,
) -> Result<(), FirewallError> {
    let mut args = vec!["--test"];
    if noflush {
        args.push("--noflush");
    }
    restore(runner, family, &args, text)
}

pub fn load(
    runner: &dyn Runner,
    family: Family,
    text: &str,
    noflush: bool,
) -> Result<(), FirewallError> {
    let args: &[&str] = if noflush { &["--noflush"] } else { &[] };
    restore(runner, family, args, text)
}

/// A snapshot as `iptables-save` prints it: only table headers, chain
/// lines, rules and comments, and a COMMIT closing every table. An empty
/// snapshot is one (a firewall with no table loaded yet).
pub fn well_formed(snapshot: &str) -> Result<(), String> {
    let mut open: Option<&str> = None;
    for (n, line) in snapshot.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match (open, line) {
            (None, l) if l.starts_with('*') => open = Some(l),
            (Some(_), "COMMIT") => open = None,
            (Some(_), l) if l.starts_with(':') || l.starts_with("-A ") => {}
            _ => {
                return Err(format!(
                    "line {} is not part of an iptables-save snapshot",
                    n + 1
                ));
            }
        }
    }
    match open {
        Some(table) => Err(format!("table {table} is cut off before its COMMIT")),
        None => Ok(()),
    }
}

/// `iptables-restore --test` of the part of `snapshot` a restore loads: a
/// snapshot that would not load is found before a single table is flushed.
pub fn test_snapshot(
    runner: &dyn Runner,
    family: Family,
    snapshot: &str,
    tables: &[&str],
) -> Result<(), FirewallError> {
    well_formed(snapshot).map_err(|message| FirewallError::Refused {
        tool: restore_tool(family),
        message,
    })?;
    restore(
        runner,
        family,
        &["--test"],
        &RestoreFile::parse(snapshot).only(tables).render(),
    )
}

/// Put `tables` back exactly as they are in `snapshot` (a table absent from
/// it is emptied). Other tables (nat, Docker's) are not named, so untouched.
pub fn restore_snapshot(
    runner: &dyn Runner,
    family: Family,
    snapshot: &str,
    tables: &[&str],
) -> Result<(), FirewallError> {
    let saved = RestoreFile::parse(snapshot);
    restore(runner, family, &[], &saved.only(tables).render())?;
    // Under iptables-nft an emptied table still exists (and still costs a
    // hook per packet); a table that did not exist before is removed, so the
    // firewall is exactly as it was.
    let absent: Vec<&str> = tables
        .iter()
        .copied()
        .filter(|t| saved.table(t).is_none())
        .collect();
    if !absent.is_empty() && nft_backend(runner) && runner.find("nft").is_some() {
        let nft_family = match family {
            Family::Ipv4 => "ip",
            Family::Ipv6 => "ip6",
        };
        for t in absent {
            runner.run_checked("nft", &["delete", "table", nft_family, t], None)?;
        }
    }
    Ok(())
}

/// iptables-nft (not legacy) is in use: `iptables -V` says "(nf_tables)".
fn nft_backend(runner: &dyn Runner) -> bool {
    runner
        .run("iptables", &["-V"], None)
        .is_ok_and(|r| r.stdout.contains("nf_tables"))
}

/// xt_recent lists in this network namespace: name → the file's text.
pub fn recent_lists(proc_dir: &Path) -> Vec<(String, String)> {
    let mut lists = Vec::new();
    if let Ok(entries) = std::fs::read_dir(proc_dir) {
        for e in entries.flatten() {
            if let Ok(text) = std::fs::read_to_string(e.path()) {
                lists.push((e.file_name().to_string_lossy().into_owned(), text));
            }
        }
    }
    lists.sort();
    lists
}

/// Write addresses back into a live list, one `+addr` per write (the
/// kernel's interface). A list whose rule is gone has no file: skipped.
pub fn refill_recent(proc_dir: &Path, name: &str, addresses: &[String]) -> std::io::Result<usize> {
    use std::io::Write;
    let path = proc_dir.join(name);
    if !path.exists() {
        return Ok(0);
    }
    let mut n = 0;
    for a in addresses {
        let mut f = std::fs::OpenOptions::new().write(true).open(&path)?;
        f.write_all(format!("+{a}\n").as_bytes())?;
        n += 1;
    }
    Ok(n)
}

pub const RECENT_PROC: &str = "/proc/net/xt_recent";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_line_is_quoted() {
        let text = "*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j NOPE\nCOMMIT\n";
        let m = explain("iptables-restore: line 3 failed", text);
        assert!(m.ends_with("the line: -A PREROUTING -j NOPE"), "{m}");
        assert_eq!(explain("something else", text), "something else");
    }

    #[test]
    fn only_whole_snapshots_are_well_formed() {
        assert!(well_formed("").is_ok());
        assert!(
            well_formed(
                "# Generated\n*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j ACCEPT\nCOMMIT\n"
            )
            .is_ok()
        );
        assert!(
            well_formed("*raw\n:PREROUTING ACCEPT [0:0]\n")
                .unwrap_err()
                .contains("cut off")
        );
        assert!(
            well_formed("\u{0}garbage\n")
                .unwrap_err()
                .contains("line 1")
        );
        assert!(
            well_formed("*filter\nrm -rf /\nCOMMIT\n")
                .unwrap_err()
                .contains("line 2")
        );
    }
}
