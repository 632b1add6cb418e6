//! Names that move: trunks and trusted sources given as host names live in
//! the ipset sets ah-TRUNKS/ah-TRUNKS6 and ah-TRUSTED/ah-TRUSTED6, which
//! `names refresh` (the timer's command, every 5 minutes) brings up to
//! date without reloading a rule. A name that stops
//! resolving keeps its last addresses and is flagged (`status` warns).

use std::collections::BTreeMap;
use std::net::{IpAddr, ToSocketAddrs};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::atomic::write_file_atomically;
use crate::root::Root;
use crate::ruleset::{Family, NAMED_TRUNKS, NAMED_TRUSTED, set_name};
use crate::sets::{self, SetsError};

pub const NAMES_FILE: &str = "/var/lib/asterisk-harden/names.json";

#[derive(Debug, thiserror::Error)]
pub enum NamesError {
    #[error(
        "the name set {0} is not in the kernel: the rules are not loaded, or they keep names as fixed addresses (xt_recent)
    what to do: load the rules (`asterisk-harden apply --answers /etc/asterisk-harden/answers.toml`); with xt_recent, apply again to re-resolve the names"
    )]
    NotLoaded(String),
    #[error(transparent)]
    Sets(#[from] SetsError),
    #[error("{0}: cannot record the names' addresses: {1}")]
    Io(String, std::io::Error),
}

/// What was last learned about one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameState {
    pub addresses: Vec<IpAddr>,
    /// When it last resolved (RFC 3339, UTC).
    pub resolved_at: Option<String>,
    /// Since when it has not resolved, and why; absent while it does.
    pub failing_since: Option<String>,
    pub error: Option<String>,
    /// Trunk or trusted (absent in files written before trusted names).
    #[serde(default)]
    pub role: Role,
}

pub fn read(root: &Root) -> BTreeMap<String, NameState> {
    std::fs::read_to_string(root.path(NAMES_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// The system resolver's addresses for `name`.
pub fn resolve(name: &str) -> Result<Vec<IpAddr>, String> {
    let mut addrs: Vec<IpAddr> = (name, 5060)
        .to_socket_addrs()
        .map_err(|e| e.to_string())?
        .map(|a| a.ip())
        .collect();
    addrs.sort();
    addrs.dedup();
    if addrs.is_empty() {
        return Err("no addresses".into());
    }
    Ok(addrs)
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Which names: trunks (ah-TRUNKS) or trusted sources (ah-TRUSTED).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Trunk,
    Trusted,
}

impl Role {
    fn list(self) -> &'static str {
        match self {
            Self::Trunk => NAMED_TRUNKS,
            Self::Trusted => NAMED_TRUSTED,
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::Trunk => "trunk",
            Self::Trusted => "trusted",
        }
    }
}

/// The names of one role, as the answers applied give them.
#[derive(Debug, Clone)]
pub struct Group {
    pub role: Role,
    pub names: Vec<String>,
}

/// Resolve every name again and make each role's sets hold exactly the
/// addresses its names have now (a failing name: its last ones). Returns
/// what happened, line by line.
pub fn refresh(
    root: &Root,
    groups: &[Group],
    resolver: &dyn Fn(&str) -> Result<Vec<IpAddr>, String>,
) -> Result<Vec<String>, NamesError> {
    let existing = sets::names(root.runner())?;
    for g in groups.iter().filter(|g| !g.names.is_empty()) {
        let set = set_name(g.role.list(), Family::Ipv4);
        if !existing.contains(&set) {
            return Err(NamesError::NotLoaded(set));
        }
    }
    let before = read(root);
    let mut state = BTreeMap::new();
    let mut said = Vec::new();
    let mut script = String::new();
    for g in groups {
        let mut wanted: Vec<IpAddr> = Vec::new();
        // A failing name nothing is known about: its addresses cannot be
        // told apart in the sets, so nothing is taken out this round.
        let mut may_remove = true;
        for name in &g.names {
            let old = before.get(name);
            let s = match resolver(name) {
                Ok(addresses) => {
                    if old.map(|o| &o.addresses) != Some(&addresses) {
                        said.push(format!("{name} resolves to {}", join(&addresses)));
                    }
                    NameState {
                        addresses,
                        resolved_at: Some(now()),
                        failing_since: None,
                        error: None,
                        role: g.role,
                    }
                }
                Err(error) => {
                    let Some(old) = old else {
                        may_remove = false;
                        said.push(format!(
                            "{name} does not resolve ({error}); its addresses stay"
                        ));
                        continue;
                    };
                    said.push(format!(
                        "{name} does not resolve ({error}): keeping {}",
                        join(&old.addresses)
                    ));
                    NameState {
                        failing_since: old.failing_since.clone().or_else(|| Some(now())),
                        error: Some(error),
                        role: g.role,
                        ..old.clone()
                    }
                }
            };
            wanted.extend(s.addresses.iter().copied());
            state.insert(name.clone(), s);
        }
        for family in [Family::Ipv4, Family::Ipv6] {
            let set = set_name(g.role.list(), family);
            if !existing.contains(&set) {
                continue;
            }
            let members: Vec<IpAddr> = sets::contents(root.runner(), &set)
                .map(|c| {
                    c.members
                        .iter()
                        .filter_map(|m| m.address.parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            let of_family = |a: &&IpAddr| a.is_ipv4() == (family == Family::Ipv4);
            for a in wanted
                .iter()
                .filter(of_family)
                .filter(|a| !members.contains(a))
            {
                script.push_str(&format!("add {set} {a}\n"));
            }
            if may_remove {
                for a in members.iter().filter(|a| !wanted.contains(a)) {
                    script.push_str(&format!("del {set} {a}\n"));
                    said.push(format!(
                        "{a} is no longer a {} name's address",
                        g.role.words()
                    ));
                }
            }
        }
    }
    if !script.is_empty() {
        sets::create(root.runner(), &script)?;
    }
    let text = serde_json::to_string_pretty(&state).expect("names serialize");
    let path = root.path(NAMES_FILE);
    write_file_atomically(&path, text.as_bytes())
        .map_err(|e| NamesError::Io(path.display().to_string(), e))?;
    Ok(said)
}

fn join(a: &[IpAddr]) -> String {
    a.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `status` warnings: the names that no longer resolve.
pub fn warnings(root: &Root) -> Vec<String> {
    read(root)
        .into_iter()
        .filter_map(|(name, s)| {
            let since = s.failing_since?;
            Some(format!(
                "the {} name {name} has not resolved since {since} ({}): its last addresses {} stay accepted.\n    \
                 What to do: check the name and DNS; `asterisk-harden names refresh` tries again now",
                s.role.words(),
                s.error.unwrap_or_default(),
                join(&s.addresses)
            ))
        })
        .collect()
}
