//! Port numbers and ranges as iptables takes them.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Refusal, clip_quoted, describe_char, refuse};

/// An inclusive port range, `lo:hi` (a single port is `p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PortRange {
    lo: u16,
    hi: u16,
}

impl PortRange {
    pub fn new(lo: u16, hi: u16) -> Result<Self, Refusal> {
        if lo == 0 {
            return refuse("port 0 is not a port", "use ports 1 to 65535");
        }
        if lo > hi {
            return refuse(
                format!("the range starts at {lo} but ends at {hi}"),
                format!("write the lower port first, e.g. \"{hi}:{lo}\""),
            );
        }
        Ok(Self { lo, hi })
    }

    pub fn single(port: u16) -> Result<Self, Refusal> {
        Self::new(port, port)
    }

    pub fn lo(&self) -> u16 {
        self.lo
    }

    pub fn hi(&self) -> u16 {
        self.hi
    }

    pub fn contains(&self, port: u16) -> bool {
        (self.lo..=self.hi).contains(&port)
    }

    pub fn overlaps(&self, other: &PortRange) -> bool {
        self.lo <= other.hi && other.lo <= self.hi
    }

    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let hint = "write a port like \"5060\" or a range like \"5060:5082\" (ports 1 to 65535)";
        let port = |s: &str| -> Result<u16, Refusal> {
            let s = s.trim();
            match s.parse::<u32>() {
                Ok(p) if (1..=65535).contains(&p) => Ok(p as u16),
                Ok(p) => refuse(format!("{p} is outside 1-65535"), hint),
                Err(_) => refuse(format!("{} is not a port number", clip_quoted(s)), hint),
            }
        };
        if let Some(bad) = text
            .chars()
            .find(|c| !c.is_ascii_digit() && !matches!(c, ':' | '-' | ' '))
        {
            return refuse(
                format!("{} is not allowed in a port range", describe_char(bad)),
                hint,
            );
        }
        let (lo, hi) = match text.split_once(':') {
            Some((lo, hi)) => (port(lo)?, port(hi)?),
            None if text.contains('-') => {
                return refuse("ranges use a colon, as iptables does", hint);
            }
            None => {
                let p = port(text)?;
                (p, p)
            }
        };
        Self::new(lo, hi)
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}:{}", self.lo, self.hi)
        }
    }
}

impl TryFrom<String> for PortRange {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|r| format!("{}; {}", r.reason, r.hint))
    }
}

impl From<PortRange> for String {
    fn from(p: PortRange) -> String {
        p.to_string()
    }
}

/// A port number given as a TOML integer (kept wide so 70000 gets a clear
/// message instead of serde's "invalid value").
pub fn port(n: i64) -> Result<u16, Refusal> {
    match u16::try_from(n) {
        Ok(p) if p >= 1 => Ok(p),
        _ => refuse(
            format!("{n} is not a port"),
            "use a port between 1 and 65535",
        ),
    }
}

/// How long a flooding stranger stays quiet unless the answers say.
pub const QUIET_SECONDS: u32 = 60;

/// Seconds on the quiet list: long enough to matter, short enough that a
/// phone sharing the address is not kept out for long.
pub fn quiet_seconds(n: i64) -> Result<u32, Refusal> {
    match u32::try_from(n) {
        Ok(s) if (1..=3600).contains(&s) => Ok(s),
        _ => refuse(
            format!("{n} is not a quiet time"),
            "use a number of seconds between 1 and 3600 (60 if left out)",
        ),
    }
}
