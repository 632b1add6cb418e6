//! A typed iptables ruleset: tables of chains of rules. Built by `build`,
//! turned into iptables-restore text by `render`. Rules are values, so tests
//! and the status reader can look at them without parsing text.

use ipnet::IpNet;

use crate::answers::PortRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Ipv4 => "ipv4",
            Self::Ipv6 => "ipv6",
        }
    }

    pub fn holds(&self, net: &IpNet) -> bool {
        matches!(
            (self, net),
            (Self::Ipv4, IpNet::V4(_)) | (Self::Ipv6, IpNet::V6(_))
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruleset {
    pub family: Family,
    /// Lines printed at the top as `#` comments.
    pub header: Vec<String>,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub chains: Vec<Chain>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub name: String,
    /// Built-in chains have a policy; user chains have none.
    pub policy: Option<Verdict>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtState {
    New,
    Established,
    Related,
    Invalid,
    /// Marked `CT --notrack` in the raw table.
    Untracked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecentOp {
    Set,
    /// Match if listed, refresh the timestamp.
    Update,
    /// Match if listed, leave it alone.
    Rcheck,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    InInterface {
        name: String,
        negated: bool,
    },
    Source(IpNet),
    Destination(IpNet),
    Protocol(Proto),
    DestPort(PortRange),
    SourcePort(PortRange),
    Fragment,
    IcmpType(u8),
    Icmpv6Type(u8),
    /// TCP flags: (examined, set), e.g. ("ALL", "NONE").
    TcpFlags(&'static str, &'static str),
    Syn {
        negated: bool,
    },
    Conntrack(Vec<CtState>),
    Recent {
        op: RecentOp,
        list: &'static str,
        negated: bool,
        seconds: Option<u32>,
        hitcount: Option<u32>,
        /// Count only hits with the same TTL (the article's SIP flood limits).
        rttl: bool,
    },
    String {
        text: String,
        icase: bool,
        to: Option<u32>,
    },
    Limit {
        per_minute: u32,
    },
    Length(u32, u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Accept,
    Drop,
    Return,
    Jump(String),
    RejectTcpReset,
    /// `CT --notrack`: the packet skips connection tracking.
    Notrack,
    Log {
        prefix: String,
    },
    /// No target: the rule only has its matches' side effects (recent --set).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Printed above the rule as a `#` line: why it is there.
    pub why: Option<String>,
    pub matches: Vec<Match>,
    pub target: Target,
}

impl Rule {
    pub fn new(matches: Vec<Match>, target: Target) -> Self {
        Self {
            why: None,
            matches,
            target,
        }
    }

    pub fn why(mut self, text: impl Into<String>) -> Self {
        self.why = Some(text.into());
        self
    }
}

impl Ruleset {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

impl Table {
    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.chains.iter().find(|c| c.name == name)
    }
}
