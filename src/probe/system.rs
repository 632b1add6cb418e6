//! The distro family and version (from files under the root) and whether
//! this is an OpenVZ/LXC container (from the running kernel).

use serde::Serialize;

use crate::root::Root;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distro {
    /// Debian, Ubuntu and derivatives: netfilter-persistent, /etc/iptables/rules.v4.
    Debian,
    /// RHEL, Rocky, Alma, CentOS, Fedora: iptables-services, /etc/sysconfig/iptables.
    Rhel,
    Unknown,
}

impl Distro {
    /// From the marker files under the root (a sandbox says what it imitates).
    pub fn detect(root: &Root) -> Self {
        if root.path("/etc/debian_version").exists() {
            Self::Debian
        } else if root.path("/etc/redhat-release").exists() {
            Self::Rhel
        } else {
            Self::Unknown
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemFacts {
    pub distro: Distro,
    /// e.g. "Debian GNU/Linux 12 (bookworm)".
    pub name: Option<String>,
    pub version: Option<String>,
    /// "openvz", "lxc", or absent: containers often lack the string/recent matches.
    pub container: Option<String>,
    pub source: String,
}

/// KEY=value pairs of /etc/os-release, quotes removed.
pub fn os_release(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_string(),
                v.trim().trim_matches(['"', '\'']).to_string(),
            )
        })
        .collect()
}

pub fn distro_of(pairs: &[(String, String)]) -> Distro {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default()
    };
    let words = format!("{} {}", get("ID"), get("ID_LIKE"));
    if words
        .split_whitespace()
        .any(|w| ["debian", "ubuntu"].contains(&w))
    {
        Distro::Debian
    } else if words
        .split_whitespace()
        .any(|w| ["rhel", "fedora", "centos", "rocky", "almalinux"].contains(&w))
    {
        Distro::Rhel
    } else {
        Distro::Unknown
    }
}

fn container() -> Option<String> {
    if std::path::Path::new("/proc/vz").exists() && !std::path::Path::new("/proc/bc").exists() {
        return Some("openvz".into());
    }
    let env = std::fs::read("/proc/1/environ").unwrap_or_default();
    if env.split(|b| *b == 0).any(|v| v == b"container=lxc") {
        return Some("lxc".into());
    }
    std::fs::read_to_string("/run/systemd/container")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub fn probe(root: &Root) -> SystemFacts {
    let text = crate::hostfile::read_lossy(&root.path("/etc/os-release")).unwrap_or_default();
    let pairs = os_release(&text);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let (distro, source) = if pairs.is_empty() {
        (
            Distro::detect(root),
            "/etc/debian_version, /etc/redhat-release".to_string(),
        )
    } else {
        (distro_of(&pairs), "/etc/os-release".to_string())
    };
    SystemFacts {
        distro,
        name: get("PRETTY_NAME"),
        version: get("VERSION_ID"),
        container: container(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        let debian = os_release(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
        );
        assert_eq!(distro_of(&debian), Distro::Debian);
        let ubuntu = os_release("ID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"24.04\"\n");
        assert_eq!(distro_of(&ubuntu), Distro::Debian);
        let rocky =
            os_release("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n");
        assert_eq!(distro_of(&rocky), Distro::Rhel);
        assert_eq!(distro_of(&os_release("ID=arch\n")), Distro::Unknown);
    }
}
