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
    /// ipset sets the rules use: they must exist before the rules load.
    pub sets: Vec<IpSet>,
    pub tables: Vec<Table>,
}

/// Where the long-lived lists (known phones, banned scanners, trapped
/// sources) live: ipset `hash:ip` sets hold a million addresses and never
/// evict; xt_recent keeps `ip_list_tot` (100 by default) and silently forgets
/// the oldest. Chosen per host (`ListStore::detect`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListStore {
    Ipset,
    #[default]
    XtRecent,
}

impl ListStore {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Ipset => "ipset",
            Self::XtRecent => "xt_recent",
        }
    }
}

/// The kind of an ipset set the rules name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SetKind {
    /// Single addresses (phones, bans, traps, trunk names).
    #[default]
    HashIp,
    /// A set of sets (`list:set`): the blocklists, one `hash:net` set per
    /// list, so the rule naming it never changes when a list comes or goes.
    ListSet,
}

/// One set: `timeout` is the default lifetime of an entry in seconds (0:
/// until removed); for a `list:set`, `maxelem` is how many sets it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpSet {
    pub name: String,
    pub kind: SetKind,
    pub family: Family,
    pub timeout: u32,
    pub maxelem: u32,
    /// Entries the set starts with (the addresses trunk names resolve to).
    pub members: Vec<std::net::IpAddr>,
}

impl IpSet {
    /// The line `ipset restore` reads to create it.
    pub fn create_line(&self) -> String {
        if self.kind == SetKind::ListSet {
            return format!("create {} list:set size {}", self.name, self.maxelem);
        }
        format!(
            "create {} hash:ip family {} timeout {} maxelem {}",
            self.name,
            match self.family {
                Family::Ipv4 => "inet",
                Family::Ipv6 => "inet6",
            },
            self.timeout,
            self.maxelem
        )
    }
}

/// The set holding `list` (MYSIP, BADSIP, RLM) for `family`: one set per
/// family, since a `hash:ip` set holds one address family.
pub fn set_name(list: &str, family: Family) -> String {
    match family {
        Family::Ipv4 => format!("ah-{list}"),
        Family::Ipv6 => format!("ah-{list}6"),
    }
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
    /// Take the source off the list (always matches).
    Remove,
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
    /// The source is in an ipset set.
    InSet(String),
    /// xt_hashlimit per source address: matches once a source has sent more
    /// than `burst` packets faster than `per_second` a second.
    HashLimitAbove {
        name: &'static str,
        per_second: u32,
        burst: u32,
        /// Milliseconds an idle source's bucket is kept.
        expire_ms: u32,
    },
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
    /// `SET --add-set NAME src --exist`: add the source (or refresh its
    /// timeout), then go on with the next rule.
    AddToSet(String),
    /// `SET --add-set NAME src --exist --timeout 0`: add the source for good
    /// (in a set whose entries otherwise expire), then go on.
    AddToSetForever(String),
    /// `SET --del-set NAME src`: take the source off, then go on.
    DelFromSet(String),
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
