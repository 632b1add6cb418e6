//! Addresses, networks and trunks.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

use super::{Hostname, Refusal, clip_quoted, refuse};

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
