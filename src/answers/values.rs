//! Validated values. Each type can only be built from input that is safe to
//! put into an iptables-restore file or a config file, so nothing downstream
//! re-checks (or could be tricked by) what the admin typed.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// Why a value was refused, and what to do instead. The key and the value are
/// added by the caller, which knows where the value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub hint: String,
}

/// Longest value shown back in a message, in characters.
const SHOWN: usize = 60;

/// `text` cut to a readable length, saying how long it really is.
pub fn clip(text: &str) -> String {
    let n = text.chars().count();
    if n <= SHOWN {
        return text.to_string();
    }
    let head: String = text.chars().take(SHOWN).collect();
    format!("{head}… ({n} characters in all)")
}

/// `text` quoted as TOML shows it (escapes visible), cut to a readable length.
pub fn clip_quoted(text: &str) -> String {
    let n = text.chars().count();
    if n <= SHOWN {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(SHOWN).collect();
    format!("{head:?}… ({n} characters in all)")
}

fn refuse<T>(reason: impl Into<String>, hint: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        reason: reason.into(),
        hint: hint.into(),
    })
}

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

/// The secret SIP hostname phones must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostname(String);

impl Hostname {
    /// The secret name: a DNS name that is not an IP address and has at least
    /// two labels.
    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let example = "use a hard-to-guess DNS name like \"pbx-7f3k.example.net\"";
        if text.parse::<IpAddr>().is_ok() {
            return refuse(
                "it is an IP address, which every scanner already knows",
                format!("the protection is a secret name; {example}"),
            );
        }
        let name = Self::dns_name(text, example)?;
        if !name.0.contains('.') {
            return refuse(
                "a single label matches far too much (\"sip:pbx\" is inside \"sip:pbx.anything\")",
                format!("use a full DNS name; {example}"),
            );
        }
        Ok(name)
    }

    /// Any DNS name (RFC 1123 labels, at most 253 characters).
    pub fn dns_name(text: &str, example: &str) -> Result<Self, Refusal> {
        if text.is_empty() {
            return refuse("the name is empty", example);
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '-' && *c != '.')
        {
            return refuse(
                format!("{} is not allowed in a hostname", describe_char(bad)),
                format!("only letters, digits, '-' and '.'; {example}"),
            );
        }
        if text.len() > 253 {
            return refuse(
                format!("it is {} characters long; DNS allows 253", text.len()),
                example,
            );
        }
        if text.ends_with('.') {
            return refuse(
                "it ends with a dot; phones send the name without it",
                format!("drop the final dot: \"{}\"", text.trim_end_matches('.')),
            );
        }
        for label in text.split('.') {
            if label.is_empty() {
                return refuse("it has an empty label (\"..\")", example);
            }
            if label.len() > 63 {
                return refuse(
                    format!(
                        "the label {} is longer than 63 characters",
                        clip_quoted(label)
                    ),
                    example,
                );
            }
            if label.starts_with('-') || label.ends_with('-') {
                return refuse(
                    format!("the label {} starts or ends with '-'", clip_quoted(label)),
                    example,
                );
            }
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\n' | '\r' => "a line break".into(),
        '\t' => "a tab".into(),
        '"' => "a double quote".into(),
        '\'' => "a single quote".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("'{c}'"),
    }
}

/// A User-Agent (or other string) that whitelists phones in strict mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgent(String);

impl UserAgent {
    pub const MAX_LEN: usize = 64;
    pub const MIN_LEN: usize = 4;

    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let hint = "use the client's name as it appears in its User-Agent header, e.g. \"Zoiper\"";
        if let Some(bad) = text
            .chars()
            .find(|c| !(' '..='~').contains(c) || matches!(c, '"' | '\'' | '\\'))
        {
            return refuse(
                format!("{} cannot be matched safely", describe_char(bad)),
                format!("printable ASCII without quotes or backslashes; {hint}"),
            );
        }
        if text.trim() != text {
            return refuse("it starts or ends with a space", hint);
        }
        if text.len() > Self::MAX_LEN {
            return refuse(
                format!(
                    "it is {} characters long; at most {}",
                    text.len(),
                    Self::MAX_LEN
                ),
                hint,
            );
        }
        if text.len() < Self::MIN_LEN {
            return refuse(
                format!("\"{text}\" is so short it would match unrelated packets"),
                format!("at least {} characters; {hint}", Self::MIN_LEN),
            );
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

/// An address or network. A bare address means a single host; host bits of a
/// CIDR are cleared (admins often write "my subnet" as "10.1.2.3/24").
pub fn network(text: &str) -> Result<IpNet, Refusal> {
    let hint = "write an address (\"203.0.113.7\", \"2001:db8::7\") or a network (\"10.0.0.0/8\")";
    let net = if let Ok(addr) = text.parse::<IpAddr>() {
        IpNet::from(addr)
    } else {
        match text.parse::<IpNet>() {
            Ok(net) => net.trunc(),
            Err(_) => {
                return refuse(
                    format!("{} is not an address or network", clip_quoted(text)),
                    hint,
                );
            }
        }
    };
    if net.prefix_len() == 0 {
        return refuse(
            "this is the whole Internet",
            "name only the addresses or networks you mean",
        );
    }
    Ok(net)
}

/// The widest trusted or trunk network taken without `allow_wide = true`.
pub const WIDEST_V4: u8 = 8;
pub const WIDEST_V6: u8 = 16;

/// Why `net` is too wide to trust (or to take as a SIP trunk) unless the
/// admin says `allow_wide = true` in the same table.
pub fn too_wide(net: &IpNet, table: &str) -> Option<Refusal> {
    let (widest, family, bits) = match net {
        IpNet::V4(_) => (WIDEST_V4, "IPv4", 32u32),
        IpNet::V6(_) => (WIDEST_V6, "IPv6", 128),
    };
    let prefix = net.prefix_len();
    if prefix >= widest {
        return None;
    }
    let share = match prefix {
        1 => "half".to_string(),
        p => format!("1/{}", 1u64 << p),
    };
    let count = if bits == 32 {
        format!(" ({} addresses)", grouped(1u64 << (32 - u32::from(prefix))))
    } else {
        String::new()
    };
    Some(Refusal {
        reason: format!(
            "it covers {share} of the whole {family} Internet{count}; more than a /{widest} is refused"
        ),
        hint: format!(
            "name only the networks you mean; if you really mean this one, write allow_wide = true under [{table}]"
        ),
    })
}

/// 2147483648 → "2,147,483,648".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An Asterisk module for `noload`: a file name in Asterisk's module
/// directory, like `chan_iax2.so` (the `.so` is optional when written).
/// Only `[a-z0-9_]`, so it cannot carry a new line, a `#exec`, a section
/// or a path into modules.conf.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AsteriskModule(String);

impl AsteriskModule {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let hint =
            "write a module name as `module show` lists it, e.g. \"chan_iax2.so\" or \"chan_iax2\"";
        let name = text.strip_suffix(".so").unwrap_or(text);
        if name.is_empty() {
            return refuse("the module name is empty", hint);
        }
        if name.len() > Self::MAX_LEN {
            return refuse(
                format!(
                    "it is {} characters long; module names are at most {}",
                    name.len(),
                    Self::MAX_LEN
                ),
                hint,
            );
        }
        // A line break or a NUL says more than the '.' before it.
        if let Some(bad) = name
            .chars()
            .find(|c| c.is_control() || c.is_whitespace())
            .or_else(|| {
                name.chars()
                    .find(|c| !c.is_ascii_lowercase() && !c.is_ascii_digit() && *c != '_')
            })
        {
            let lower = text.to_ascii_lowercase();
            let lower = lower.strip_suffix(".so").unwrap_or(&lower);
            let hint = if bad.is_ascii_uppercase()
                && lower
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                format!("module names are lower case: \"{lower}.so\"")
            } else {
                format!("only a-z, 0-9 and '_'; {hint}")
            };
            return refuse(
                format!("{} is not allowed in a module name", describe_char(bad)),
                hint,
            );
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return refuse("a module name starts with a letter", hint);
        }
        Ok(Self(name.to_string()))
    }

    /// "chan_iax2".
    pub fn name(&self) -> &str {
        &self.0
    }

    /// "chan_iax2.so", as modules.conf and the module directory spell it.
    pub fn file_name(&self) -> String {
        format!("{}.so", self.0)
    }
}

impl fmt::Display for AsteriskModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.so", self.0)
    }
}

/// A SIP trunk provider: a network, or a name resolved when the rules are rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trunk {
    Network(IpNet),
    Name(Hostname),
}

impl Trunk {
    pub fn parse(text: &str) -> Result<Self, Refusal> {
        Self::parse_as(
            text,
            "write the provider's hostname (\"sip.provider.example\") or its address or network",
        )
    }

    /// A network, or a DNS name (`example` says what to write instead).
    pub fn parse_as(text: &str, example: &str) -> Result<Self, Refusal> {
        if let Ok(net) = network(text) {
            return Ok(Self::Network(net));
        }
        if text.contains('/') || text.parse::<IpAddr>().is_ok() {
            return network(text).map(Self::Network);
        }
        Hostname::dns_name(text, example).map(Self::Name)
    }
}

impl fmt::Display for Trunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Network(n) => write!(f, "{n}"),
            Self::Name(h) => write!(f, "{h}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        assert!(Hostname::parse("pbx-7f3k.example.net").is_ok());
        for bad in [
            "",
            "pbx",
            "pbx .example.net",
            "pbx\".example.net",
            "a..b",
            "-a.b",
            "a-.b",
            "1.2.3.4",
            "pbx.example.net.",
            "pbx\n.example.net",
            "pbx;x.example",
        ] {
            assert!(Hostname::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Hostname::parse(&format!("{}.net", "a".repeat(64))).is_err());
        assert!(
            Hostname::parse(&(["abc"; 70].join("."))).is_err(),
            "> 253 chars"
        );
    }

    #[test]
    fn user_agents() {
        assert!(UserAgent::parse("Zoiper").is_ok());
        assert!(UserAgent::parse("Z 5.6.6 v2").is_ok());
        for bad in [
            "Zo\"iper",
            "Zoi\nper",
            "Z",
            " Zoiper",
            "Zoiperé",
            &"x".repeat(65),
        ] {
            assert!(UserAgent::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn interfaces() {
        for ok in ["ens3", "enp0s31f6", "ens+", "bond0.100", "br-lan"] {
            assert!(Interface::parse(ok).is_ok(), "{ok} refused");
        }
        for bad in [
            "",
            "eth 0",
            "a/b",
            "sixteen-chars-xx",
            "-i",
            "e+th",
            "lo",
            "eth0:1",
            "!eth0",
            "+",
            "l+",
            "lo+",
        ] {
            assert!(Interface::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn interfaces_against_the_host() {
        let host = ["lo".to_string(), "ens3".to_string(), "ens4".to_string()];
        let i = |s: &str| Interface::parse(s).unwrap();
        assert!(i("ens+").on_host(&host, Some("ens3")).is_none());
        assert!(i("ens4").on_host(&host, Some("ens3")).is_none());
        let r = i("eth+").on_host(&host, Some("ens3")).unwrap();
        assert!(
            r.reason.contains("ens3, ens4") && r.reason.contains("default route goes through ens3")
        );
        assert!(r.hint.contains("\"ens3\""));
        assert!(i("eth0").on_host(&host, None).is_some());
        assert!(
            i("eth0").on_host(&[], None).is_none(),
            "unknown host: no verdict"
        );
        assert!(i("e+").matches("eth0") && !i("eth0").matches("eth01"));
    }

    #[test]
    fn wide_networks() {
        let n = |s: &str| network(s).unwrap();
        let r = too_wide(&n("0.0.0.0/1"), "network").unwrap();
        assert!(
            r.reason.contains("half") && r.reason.contains("2,147,483,648"),
            "{}",
            r.reason
        );
        assert!(r.hint.contains("allow_wide = true under [network]"));
        assert!(
            too_wide(&n("2000::/3"), "sip")
                .unwrap()
                .reason
                .contains("1/8 of the whole IPv6")
        );
        assert!(too_wide(&n("10.0.0.0/8"), "network").is_none());
        assert!(too_wide(&n("2001:db8::/16"), "network").is_none());
        assert!(too_wide(&n("2001::/15"), "network").is_some());
    }

    #[test]
    fn asterisk_modules() {
        for ok in [
            "chan_iax2",
            "chan_iax2.so",
            "res_config_sqlite.so",
            "app_dial",
        ] {
            assert!(AsteriskModule::parse(ok).is_ok(), "{ok} refused");
        }
        assert_eq!(
            AsteriskModule::parse("chan_iax2").unwrap().to_string(),
            "chan_iax2.so"
        );
        for bad in [
            "",
            ".so",
            "chan_iax2.so\n#exec /bin/touch /tmp/x",
            "chan_iax2.so\n[general]\nload => evil.so",
            "../../../tmp/evil",
            "chan\0iax2",
            "chan iax2",
            "CHAN_IAX2.SO",
            "chan-iax2",
            "2chan",
            &"a".repeat(65),
        ] {
            assert!(AsteriskModule::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(
            AsteriskModule::parse("CHAN_IAX2")
                .unwrap_err()
                .hint
                .contains("\"chan_iax2.so\"")
        );
    }

    #[test]
    fn port_ranges() {
        assert_eq!(
            PortRange::parse("5060:5082").unwrap().to_string(),
            "5060:5082"
        );
        assert_eq!(PortRange::parse("5060").unwrap().to_string(), "5060");
        for bad in ["0", "5082:5060", "1:70000", "5060-5082", "x", ""] {
            assert!(PortRange::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(port(0).is_err() && port(65536).is_err() && port(-1).is_err());
        assert_eq!(port(2222).unwrap(), 2222);
    }

    #[test]
    fn networks() {
        assert_eq!(network("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(
            network("203.0.113.7").unwrap().to_string(),
            "203.0.113.7/32"
        );
        assert_eq!(
            network("2001:db8::7").unwrap().to_string(),
            "2001:db8::7/128"
        );
        assert!(network("0.0.0.0/0").is_err());
        assert!(network("10.0.0.0/33").is_err());
        assert!(matches!(
            Trunk::parse("sip.provider.example"),
            Ok(Trunk::Name(_))
        ));
        assert!(matches!(
            Trunk::parse("198.51.100.0/24"),
            Ok(Trunk::Network(_))
        ));
        assert!(Trunk::parse("sip provider").is_err());
    }
}
