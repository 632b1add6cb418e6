//! A blocklist's text, read strictly: one address or CIDR per line, `#` or
//! `;` starts a comment (Spamhaus DROP writes `1.2.3.0/24 ; SBL123`), blank
//! lines are skipped. Anything else (an HTML error page, a port, a name, a
//! network wider than /8) refuses the whole download, naming the line: a
//! list from the Internet is data, and half of a garbled one is not loaded.

use std::net::IpAddr;

use ipnet::IpNet;

/// IPv4 networks wider than this cut whole regions off: refused.
pub const WIDEST_V4: u8 = 8;
/// The same for IPv6.
pub const WIDEST_V6: u8 = 16;

/// A line that is not an address or a network we would load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub text: String,
    pub reason: String,
}

/// The entries of a list, each network once, host bits cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entries {
    pub nets: Vec<IpNet>,
}

impl Entries {
    pub fn v4(&self) -> usize {
        self.nets
            .iter()
            .filter(|n| matches!(n, IpNet::V4(_)))
            .count()
    }

    pub fn v6(&self) -> usize {
        self.nets.len() - self.v4()
    }
}

fn shown(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if t.len() < text.len() {
        format!("{t}...")
    } else {
        t
    }
}

fn entry(t: &str) -> Result<IpNet, String> {
    if t.split_whitespace().nth(1).is_some() {
        return Err("more than one word: one address or CIDR per line".into());
    }
    let net = match t.parse::<IpAddr>() {
        Ok(a) => IpNet::from(a),
        Err(_) => t
            .parse::<IpNet>()
            .map_err(|_| "not an IPv4/IPv6 address or CIDR".to_string())?,
    };
    let net = net.trunc();
    let widest = match net {
        IpNet::V4(_) => WIDEST_V4,
        IpNet::V6(_) => WIDEST_V6,
    };
    if net.prefix_len() < widest {
        return Err(format!(
            "wider than /{widest}: a list entry that cuts off that much of the Internet is a mistake"
        ));
    }
    let addr = net.addr();
    if addr.is_unspecified() || addr.is_loopback() || addr.is_multicast() {
        return Err(
            "unspecified, loopback or multicast: no packet from outside comes from it".into(),
        );
    }
    Ok(net)
}

/// Read a list; every bad line is named (the first 10), nothing is taken
/// from a list with one.
pub fn parse(text: &str) -> Result<Entries, Vec<BadLine>> {
    let mut nets = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let t = raw.split(['#', ';']).next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        match entry(t) {
            Ok(n) => nets.push(n),
            Err(reason) if bad.len() < 10 => bad.push(BadLine {
                line: i + 1,
                text: shown(raw.trim()),
                reason,
            }),
            Err(_) => {}
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    nets.sort();
    nets.dedup();
    Ok(Entries { nets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_forms() {
        let e = parse("# a list\n; another\n192.0.2.7\n198.51.100.0/24 ; SBL1\n\n2001:db8::/32\n198.51.100.9/24\n")
            .unwrap();
        assert_eq!(e.nets.len(), 3, "{e:?}");
        assert_eq!((e.v4(), e.v6()), (2, 1));
    }

    #[test]
    fn bad_lines_are_named() {
        let err = parse("192.0.2.7\n<html>\n0.0.0.0/0\n10.0.0.1:5060\n1.2.3.4 5\n127.0.0.1\n")
            .unwrap_err();
        let lines: Vec<usize> = err.iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6]);
        assert!(err[1].reason.contains("wider than /8"), "{err:?}");
    }
}
