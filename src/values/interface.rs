//! A network interface name as iptables' `-i` takes it.

use std::fmt;

use super::{Refusal, describe_char, refuse};

/// A network interface name as iptables' `-i` takes it: a kernel name, or a
/// prefix followed by `+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface(String);

impl Interface {
    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let hint =
            "use the name `ip link` shows (e.g. \"ens3\"), or a prefix with '+' (e.g. \"ens+\")";
        if text.is_empty() {
            return refuse("the interface name is empty", hint);
        }
        if text == "." || text == ".." {
            return refuse("this is not an interface name", hint);
        }
        if let Some(bad) = text.chars().find(|c| {
            c.is_whitespace()
                || c.is_control()
                || !c.is_ascii()
                || matches!(c, '/' | ':' | '"' | '\'' | '\\' | '!')
        }) {
            return refuse(
                format!("{} is not allowed in an interface name", describe_char(bad)),
                hint,
            );
        }
        if text.len() > 15 {
            return refuse(
                format!("it is {} characters long; Linux allows 15", text.len()),
                hint,
            );
        }
        if text.starts_with('-') {
            return refuse(
                "it starts with '-', which iptables would read as an option",
                hint,
            );
        }
        if text.trim_end_matches('+').contains('+') || text.ends_with("++") {
            return refuse("'+' may only end the name, once", hint);
        }
        if Self(text.to_string()).matches("lo") {
            let reason = if text == "lo" {
                "this is the loopback interface, not the one facing the Internet".to_string()
            } else {
                format!(
                    "\"{text}\" also matches lo, the loopback interface: one spoofed scanner packet to 127.0.0.1 would ban localhost (and AMI on 127.0.0.1 with it)"
                )
            };
            return refuse(reason, hint);
        }
        Ok(Self(text.to_string()))
    }

    /// Whether this name or prefix matches the interface `name`, as `-i` does.
    pub fn matches(&self, name: &str) -> bool {
        match self.0.strip_suffix('+') {
            Some(prefix) => name.starts_with(prefix),
            None => self.0 == name,
        }
    }

    /// Why this name or prefix cannot be the Internet-facing interface of a
    /// host with `present` interfaces (`default` carries the default route).
    pub fn on_host(&self, present: &[String], default: Option<&str>) -> Option<Refusal> {
        if present.is_empty() || present.iter().any(|n| self.matches(n)) {
            return None;
        }
        let others: Vec<&str> = present
            .iter()
            .map(String::as_str)
            .filter(|n| *n != "lo")
            .collect();
        let route = match default {
            Some(d) => format!("the default route goes through {d}"),
            None => "no interface carries a default route".into(),
        };
        Some(Refusal {
            reason: format!(
                "no interface here matches it (this host has {}; {route}): the scanner rules would guard nothing",
                if others.is_empty() {
                    "only lo".to_string()
                } else {
                    others.join(", ")
                }
            ),
            hint: match default {
                Some(d) => {
                    format!("use interface = \"{d}\" (or leave it out to take the default route's)")
                }
                None => "use one of the names `ip link` shows".into(),
            },
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Interface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
