//! Where the admin is connecting from: SSH_CONNECTION ("client_ip
//! client_port server_ip server_port"), or, when sudo stripped it, the
//! socket of the sshd process this session descends from.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The client address of `SSH_CONNECTION`.
pub fn from_env(value: &str) -> Option<IpAddr> {
    value.split_whitespace().next()?.parse().ok()
}

fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields resume after its ')'.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A /proc/net/tcp address ("0100007F:0016"): 32-bit words printed in the
/// kernel's byte order, so each word's native-endian bytes are the address.
fn hex_ip(hex: &str) -> Option<IpAddr> {
    let (addr, _) = hex.split_once(':')?;
    let mut bytes = Vec::new();
    for i in 0..addr.len() / 8 {
        let word = u32::from_str_radix(addr.get(i * 8..i * 8 + 8)?, 16).ok()?;
        bytes.extend_from_slice(&word.to_ne_bytes());
    }
    match bytes.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(
            bytes[0], bytes[1], bytes[2], bytes[3],
        ))),
        16 => {
            let v6 = Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?);
            Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4))
        }
        _ => None,
    }
}

/// The remote address of the sshd this process descends from.
fn from_parent_sshd() -> Option<IpAddr> {
    let mut pid = std::process::id();
    let sshd = loop {
        pid = parent(pid)?;
        if pid <= 1 {
            return None;
        }
        if comm(pid).starts_with("sshd") {
            break pid;
        }
    };
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{sshd}/fd"))
        .ok()?
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|t| {
            t.to_string_lossy()
                .strip_prefix("socket:[")
                .map(|r| r.trim_end_matches(']').to_string())
        })
        .collect();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).ok()?;
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // state 01 = ESTABLISHED: the admin's connection, not a listener.
            if cols.len() > 9 && cols[3] == "01" && inodes.iter().any(|i| i == cols[9]) {
                return hex_ip(cols[2]);
            }
        }
    }
    None
}

/// The admin's address, if this runs inside an SSH session.
pub fn admin_address() -> Option<IpAddr> {
    std::env::var("SSH_CONNECTION")
        .ok()
        .and_then(|v| from_env(&v))
        .or_else(from_parent_sshd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_sources() {
        assert_eq!(
            from_env("203.0.113.9 51234 198.51.100.2 22"),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(from_env(""), None);
        assert_eq!(hex_ip("0100007F:0016"), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(
            hex_ip("0000000000000000FFFF00000900710A:0016"),
            Some("10.113.0.9".parse().unwrap())
        );
        assert_eq!(
            hex_ip("B80D0120000000000000000001000000:0016"),
            Some("2001:db8::1".parse().unwrap())
        );
    }
}
