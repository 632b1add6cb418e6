//! The live ipset sets that hold known phones, banned scanners and trapped
//! sources where the host has ipset (see `ruleset::ListStore`): create them
//! before the rules that name them load, read their members, add addresses,
//! destroy the ones an apply created when it is undone. Every call is one
//! `ipset` run with arguments or stdin, never a shell line.

use std::net::IpAddr;

use crate::exec::{ExecError, Runner};
use crate::ruleset::{Family, set_name};

#[derive(Debug, thiserror::Error)]
pub enum SetsError {
    #[error(
        "ipset is not installed, but the rules keep their lists in ipset sets\n    what to do: apt-get install ipset (dnf install ipset), then run this again"
    )]
    Missing,
    #[error(
        "ipset refused: {0}\n    what to do: `ipset list -n` shows the sets; a set of ours with other settings (e.g. made by hand) must be destroyed first: ipset destroy NAME"
    )]
    Refused(String),
    #[error(transparent)]
    Exec(#[from] ExecError),
}

/// One address on a set, and how long it stays (None: until removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub address: String,
    pub expires_in: Option<u64>,
}

/// A set as `ipset save NAME` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetContents {
    pub name: String,
    pub maxelem: u64,
    /// An entry's lifetime when added (0: until removed).
    pub timeout: u64,
    pub members: Vec<Member>,
}

fn ipset(runner: &dyn Runner, args: &[&str], stdin: Option<&str>) -> Result<String, SetsError> {
    if runner.find("ipset").is_none() {
        return Err(SetsError::Missing);
    }
    let ran = runner.run("ipset", args, stdin.map(str::as_bytes))?;
    if ran.success {
        Ok(ran.stdout)
    } else {
        Err(SetsError::Refused(ran.stderr.trim().to_string()))
    }
}

/// The names of every set in this network namespace.
pub fn names(runner: &dyn Runner) -> Result<Vec<String>, SetsError> {
    Ok(ipset(runner, &["list", "-n"], None)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// Create every set in `create_lines` (`ipset restore` text); an identical
/// set that exists already is kept with its members.
pub fn create(runner: &dyn Runner, create_lines: &str) -> Result<(), SetsError> {
    if create_lines.trim().is_empty() {
        return Ok(());
    }
    ipset(runner, &["restore", "-exist"], Some(create_lines)).map(|_| ())
}

/// A set's members, or `None` when there is no such set.
pub fn contents(runner: &dyn Runner, name: &str) -> Option<SetContents> {
    runner.find("ipset")?;
    let ran = runner.run("ipset", &["save", name], None).ok()?;
    ran.success.then(|| parse_save(name, &ran.stdout))
}

/// Both families' sets of the logical list `list` (MYSIP, BADSIP, RLM), or
/// `None` when neither exists (the lists are xt_recent's, or not loaded).
pub fn of_list(runner: &dyn Runner, list: &str) -> Option<Vec<SetContents>> {
    let found: Vec<SetContents> = [Family::Ipv4, Family::Ipv6]
        .into_iter()
        .filter_map(|f| contents(runner, &set_name(list, f)))
        .collect();
    (!found.is_empty()).then_some(found)
}

/// `create NAME hash:ip ... maxelem N ...` then `add NAME ADDR [timeout S]`.
pub fn parse_save(name: &str, text: &str) -> SetContents {
    let mut maxelem = 0;
    let mut timeout = 0;
    let mut members = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let value_of = |key: &str| {
            words
                .iter()
                .position(|w| *w == key)
                .and_then(|i| words.get(i + 1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        match words.as_slice() {
            ["create", n, ..] if *n == name => {
                maxelem = value_of("maxelem").unwrap_or(0);
                timeout = value_of("timeout").unwrap_or(0);
            }
            ["add", n, address, ..] if *n == name => members.push(Member {
                address: address.to_string(),
                expires_in: value_of("timeout").filter(|t| *t > 0),
            }),
            _ => {}
        }
    }
    SetContents {
        name: name.to_string(),
        maxelem,
        timeout,
        members,
    }
}

/// Put addresses on the logical list `list` (MYSIP, BADSIP, RLM): each goes
/// to the set of its family, with the set's default timeout; a family whose
/// set does not exist here (IPv6 not managed) is skipped. One `ipset` run
/// for all of them. Returns how many were written.
pub fn add(runner: &dyn Runner, list: &str, addresses: &[IpAddr]) -> Result<usize, SetsError> {
    if addresses.is_empty() {
        return Ok(0);
    }
    let existing = names(runner)?;
    let mut text = String::new();
    let mut n = 0;
    for a in addresses {
        let family = if a.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        };
        let set = set_name(list, family);
        if existing.contains(&set) {
            text.push_str(&format!("add {set} {a}\n"));
            n += 1;
        }
    }
    if n > 0 {
        ipset(runner, &["restore", "-exist"], Some(&text))?;
    }
    Ok(n)
}

/// Remove a set (it must no longer be named by any rule).
pub fn destroy(runner: &dyn Runner, name: &str) -> Result<(), SetsError> {
    ipset(runner, &["destroy", name], None).map(|_| ())
}

/// Where the lists are ipset sets (the ban set exists) but the ruleset has
/// no known-phone set (the relaxed modes), create one, as the rules would:
/// `watch` keeps the phones it learns there, and `status` and the saved
/// lists see them.
pub fn ensure_known_phones(runner: &dyn Runner) -> Result<(), SetsError> {
    use crate::ruleset::{BANNED_SCANNERS, IpSet, KNOWN_PHONES};
    if runner.find("ipset").is_none() {
        return Ok(());
    }
    let names = names(runner)?;
    let mut lines = String::new();
    for f in [Family::Ipv4, Family::Ipv6] {
        let known = set_name(KNOWN_PHONES, f);
        if names.contains(&set_name(BANNED_SCANNERS, f)) && !names.contains(&known) {
            let set = IpSet {
                name: known,
                kind: Default::default(),
                family: f,
                timeout: 0,
                maxelem: crate::assets::assets().defaults.set_capacity,
                members: Vec::new(),
            };
            lines.push_str(&set.create_line());
            lines.push('\n');
        }
    }
    create(runner, &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ipset_save() {
        let text = "create ah-RLM hash:ip family inet hashsize 1024 maxelem 1048576 timeout 600 bucketsize 12 initval 0x1\n\
                    add ah-RLM 10.0.0.9 timeout 541\nadd ah-RLM 10.0.0.10 timeout 0\nadd other 10.0.0.11\n";
        let s = parse_save("ah-RLM", text);
        assert_eq!(s.maxelem, 1_048_576);
        assert_eq!(s.timeout, 600);
        assert_eq!(
            s.members,
            [
                Member {
                    address: "10.0.0.9".into(),
                    expires_in: Some(541)
                },
                Member {
                    address: "10.0.0.10".into(),
                    expires_in: None
                }
            ]
        );
    }
}
