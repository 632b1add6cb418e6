//! Day two: the lists operated by hand. `ban`, `unban`, `allow` (a known
//! phone), `release` (out of the trap), each on one validated address, never
//! on what must stay reachable (the admin's own address, trusted sources,
//! trunks), each persisted (the saved lists the boot unit restores) and
//! recorded with what and why (`why`).

pub mod kernel;
pub mod protected;
pub mod why;

use std::net::IpAddr;

use ipnet::IpNet;

use crate::lists::{self, ListsError};
use crate::root::Root;
use crate::ruleset::{BANNED_SCANNERS, KNOWN_PHONES, QUIET_SOURCES, TRAPPED_SOURCES};
pub use kernel::KernelError;

#[derive(Debug, thiserror::Error)]
pub enum OperateError {
    #[error(
        "{text:?} is not a single address: {reason}\n    what to do: {hint}; nothing was changed"
    )]
    BadAddress {
        text: String,
        reason: String,
        hint: String,
    },
    #[error(
        "refused: {address} {why}, so it can never be {what}\n    what to do: nothing; if it really must go, take it out of {remedy} first; nothing was changed"
    )]
    Protected {
        address: IpAddr,
        what: &'static str,
        why: String,
        remedy: &'static str,
    },
    #[error(transparent)]
    Kernel(#[from] KernelError),
    #[error(
        "the change was made, but the saved lists could not be written: {0}\n    what to do: run `asterisk-harden lists save` once the cause is fixed, or the change is lost at the next reboot"
    )]
    Persist(#[from] ListsError),
    #[error(
        "the change was made, but it could not be recorded ({0})\n    what to do: check that /var/lib/asterisk-harden is writable"
    )]
    Record(#[from] std::io::Error),
}

impl OperateError {
    /// Refusals change nothing (exit 2).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::BadAddress { .. }
                | Self::Protected { .. }
                | Self::Kernel(KernelError::NotLoaded { .. })
        )
    }
}

/// One address a list can hold: not a network, not an address no packet
/// comes from.
pub fn parse_address(text: &str) -> Result<IpAddr, OperateError> {
    let bad = |reason: &str, hint: &str| OperateError::BadAddress {
        text: text.to_string(),
        reason: reason.to_string(),
        hint: hint.to_string(),
    };
    let t = text.trim();
    let a: IpAddr = match t.parse() {
        Ok(a) => a,
        Err(_) if t.parse::<IpNet>().is_ok() => {
            return Err(bad(
                "the lists hold single addresses, not networks",
                "give one address, e.g. 203.0.113.7 (a network you trust goes in with `trust`)",
            ));
        }
        Err(_) => {
            return Err(bad(
                "it does not parse as an IPv4 or IPv6 address",
                "write it as 203.0.113.7 or 2001:db8::7",
            ));
        }
    };
    let nowhere = a.is_unspecified()
        || a.is_loopback()
        || a.is_multicast()
        || matches!(a, IpAddr::V4(v4) if v4.is_broadcast());
    if nowhere {
        return Err(bad(
            "no packet from outside comes from it (unspecified, loopback, multicast or broadcast)",
            "give the address a phone or scanner really sends from",
        ));
    }
    Ok(a)
}

/// What must stay reachable: the admin's own address, the trusted sources
/// and the trunks of the answers applied.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    pub admin: Option<IpAddr>,
    pub trusted: Vec<IpNet>,
    /// Each trunk as the admin wrote it, with the networks it resolved to.
    pub trunks: Vec<(String, Vec<IpNet>)>,
}

impl Protected {
    /// Why `a` may never be banned or trapped, and where that comes from.
    pub fn reason(&self, a: IpAddr) -> Option<(String, &'static str)> {
        if self.admin == Some(a) {
            return Some((
                "is your own address (this SSH session comes from it)".to_string(),
                "nothing: it is how you are logged in",
            ));
        }
        if let Some(net) = self.trusted.iter().find(|n| n.contains(&a)) {
            return Some((
                format!("is trusted (network.trusted has {net})"),
                "network.trusted in the answers, then apply",
            ));
        }
        if let Some((name, _)) = self
            .trunks
            .iter()
            .find(|(_, nets)| nets.iter().any(|n| n.contains(&a)))
        {
            return Some((
                format!("is a SIP trunk (sip.trunks has {name})"),
                "sip.trunks in the answers, then apply",
            ));
        }
        None
    }

    pub fn refuse(&self, a: IpAddr, what: &'static str) -> Result<(), OperateError> {
        match self.reason(a) {
            Some((why, remedy)) => Err(OperateError::Protected {
                address: a,
                what,
                why,
                remedy,
            }),
            None => Ok(()),
        }
    }
}

/// The actions on the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ban,
    Unban,
    Allow,
    Release,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Ban => "ban",
            Self::Unban => "unban",
            Self::Allow => "allow",
            Self::Release => "release",
        }
    }

    /// The list changes, in order: (list, on). A ban also takes the source
    /// off the known phones (in strict mode the fast path comes before the
    /// ban check); allowing takes it out of the ban and the trap (a trapped
    /// source is dropped on every port, known or not). Lifting a ban also
    /// takes the source off QUIET, where strict mode's rules copy every ban
    /// (and where a quieted stranger's SIP waits out its minute).
    fn steps(self) -> &'static [(&'static str, bool)] {
        match self {
            Self::Ban => &[(BANNED_SCANNERS, true), (KNOWN_PHONES, false)],
            Self::Unban => &[(BANNED_SCANNERS, false), (QUIET_SOURCES, false)],
            Self::Allow => &[
                (KNOWN_PHONES, true),
                (BANNED_SCANNERS, false),
                (TRAPPED_SOURCES, false),
                (QUIET_SOURCES, false),
            ],
            Self::Release => &[(TRAPPED_SOURCES, false)],
        }
    }

    /// The list the address ends up on, for the record.
    fn lands_on(self) -> Option<&'static str> {
        match self {
            Self::Ban => Some(BANNED_SCANNERS),
            Self::Allow => Some(KNOWN_PHONES),
            Self::Unban | Self::Release => None,
        }
    }
}

fn list_words(list: &str) -> &'static str {
    match list {
        BANNED_SCANNERS => "the ban list (BADSIP)",
        KNOWN_PHONES => "the known phones (MYSIP)",
        QUIET_SOURCES => "the quiet list (QUIET)",
        _ => "the trap (RLM)",
    }
}

/// What an action did, line by line, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub changed: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Carry out `action` on `a`: refused for protected addresses (ban), every
/// list checked to exist before anything changes, the saved lists rewritten
/// and the decision recorded with `reason`.
pub fn act(
    root: &Root,
    action: Action,
    a: IpAddr,
    reason: &str,
    protected: &Protected,
) -> Result<Done, OperateError> {
    if action == Action::Ban {
        protected.refuse(a, "banned")?;
    }
    // The first list is the one the action is about: it must be loaded.
    // The others are taken care of where they exist (a relaxed mode has no
    // known phones to take a banned source off).
    let steps = action.steps();
    let mut places = Vec::new();
    for (i, (list, on)) in steps.iter().enumerate() {
        match kernel::place(root.runner(), list, a) {
            Ok(p) => places.push((*list, *on, p)),
            Err(e) if i == 0 => return Err(e.into()),
            Err(_) => {}
        }
    }
    let mut done = Done {
        changed: Vec::new(),
        unchanged: Vec::new(),
    };
    for (list, on, place) in &places {
        let words = list_words(list);
        if kernel::set(root.runner(), place, a, *on)? {
            done.changed.push(if *on {
                format!("{a} put on {words}")
            } else {
                format!("{a} taken off {words}")
            });
        } else if *list != QUIET_SOURCES {
            // QUIET holds a copy of the bans made by the rules themselves:
            // its absence is nothing to tell.
            done.unchanged.push(if *on {
                format!("{a} was already on {words}")
            } else {
                format!("{a} was not on {words}")
            });
        }
    }
    if !done.changed.is_empty() {
        lists::save(root)?;
        let line = format!(
            "{} {a}: {} ({reason})",
            action.verb(),
            done.changed.join(", ")
        );
        why::record(root, a, action.lands_on(), &line, reason)?;
    }
    Ok(done)
}

/// Once a trust of one address is kept: a trusted address is accepted
/// before any list is looked at, so a ban or trap it had is lifted rather
/// than left to mislead. What changed, line by line (a network lifts
/// nothing: the lists hold single addresses).
pub fn lift_after_trust(root: &Root, net: IpNet) -> Vec<String> {
    if net.prefix_len() != net.max_prefix_len() {
        return Vec::new();
    }
    let why = format!("trusted ({net})");
    [Action::Unban, Action::Release]
        .into_iter()
        .filter_map(|action| act(root, action, net.addr(), &why, &Protected::default()).ok())
        .flat_map(|done| done.changed)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_single_and_real() {
        assert!(parse_address("203.0.113.7").is_ok());
        assert!(parse_address("2001:db8::7").is_ok());
        for bad in [
            "10.0.0.0/8",
            "10.0.0.300",
            "0.0.0.0",
            "127.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "a; rm -rf /",
            "",
        ] {
            let e = parse_address(bad).unwrap_err().to_string();
            assert!(
                e.contains(&format!("{bad:?}")) && e.contains("what to do"),
                "{e}"
            );
        }
    }

    #[test]
    fn protected_addresses_say_why() {
        let p = Protected {
            admin: Some("198.51.100.9".parse().unwrap()),
            trusted: vec!["203.0.113.0/24".parse().unwrap()],
            trunks: vec![(
                "sip.provider.example".into(),
                vec!["192.0.2.10/32".parse().unwrap()],
            )],
        };
        let why = |a: &str| p.reason(a.parse().unwrap()).map(|(w, _)| w);
        assert!(why("198.51.100.9").unwrap().contains("your own address"));
        assert!(why("203.0.113.77").unwrap().contains("203.0.113.0/24"));
        assert!(why("192.0.2.10").unwrap().contains("sip.provider.example"));
        assert_eq!(why("192.0.2.11"), None);
    }
}
