//! The data the rules are built from, shipped in `assets/` and compiled in.
//!
//! Keeping scanner strings, bogons and trap ports as data lets an admin read
//! (and a reviewer audit) them without reading Rust; this module only parses.

use std::sync::OnceLock;

use ipnet::IpNet;
use serde::Deserialize;

use crate::values::PortRange;

/// A string that marks a packet as coming from a scanner.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScannerSignature {
    pub pattern: String,
    pub icase: bool,
    pub source: String,
}

/// A SIP client whose real User-Agent forms are known.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownClient {
    pub name: String,
    pub patterns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bogon {
    pub net: IpNet,
    pub why: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BogonList {
    pub sources: Vec<Bogon>,
    pub destinations: Vec<Bogon>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrapAction {
    /// Ban the source on every port for `ban_seconds`.
    Trap,
    /// Drop the packet only.
    Drop,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrapPort {
    pub port: u16,
    pub action: TrapAction,
    pub why: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HitLimit {
    pub hits: u32,
    pub seconds: u32,
}

/// The article's numbers: every default of the tool, in one place.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleDefaults {
    pub sip_ports: PortRange,
    pub rtp_ports: PortRange,
    pub tls_port: u16,
    pub ssh_port: u16,
    pub ban_seconds: u32,
    pub new_tcp_per_second: u32,
    pub register_limit: HitLimit,
    pub invite_limit: HitLimit,
    pub udp_match_to: u32,
    pub recent_list_capacity: u32,
    pub set_capacity: u32,
}

#[derive(Deserialize)]
struct ScannerFile {
    scanner: Vec<ScannerSignature>,
}

#[derive(Deserialize)]
struct ClientFile {
    client: Vec<KnownClient>,
}

#[derive(Deserialize)]
struct TrapFile {
    port: Vec<TrapPort>,
}

/// Everything in `assets/`, parsed once.
#[derive(Debug)]
pub struct Assets {
    pub scanners: Vec<ScannerSignature>,
    pub clients: Vec<KnownClient>,
    pub bogons_v4: BogonList,
    pub bogons_v6: BogonList,
    pub trap_ports: Vec<TrapPort>,
    pub defaults: ArticleDefaults,
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    // The assets are compiled in and covered by a unit test, so a parse error
    // here is a build defect, never a user's mistake.
    toml::from_str(text).unwrap_or_else(|e| panic!("built-in asset {name} is invalid: {e}"))
}

/// The built-in assets.
pub fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| Assets {
        scanners: parse::<ScannerFile>(
            "scanner-user-agents.toml",
            include_str!("../assets/scanner-user-agents.toml"),
        )
        .scanner,
        clients: parse::<ClientFile>(
            "known-clients.toml",
            include_str!("../assets/known-clients.toml"),
        )
        .client,
        bogons_v4: parse("bogons-v4.toml", include_str!("../assets/bogons-v4.toml")),
        bogons_v6: parse("bogons-v6.toml", include_str!("../assets/bogons-v6.toml")),
        trap_ports: parse::<TrapFile>("trap-ports.toml", include_str!("../assets/trap-ports.toml"))
            .port,
        defaults: parse(
            "article-defaults.toml",
            include_str!("../assets/article-defaults.toml"),
        ),
    })
}

impl Assets {
    /// The patterns a `sip.user_agents` entry stands for: every known form of a
    /// known client, else the entry itself.
    pub fn client_patterns(&self, agent: &str) -> Vec<String> {
        self.clients
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(agent))
            .map(|c| c.patterns.clone())
            .unwrap_or_else(|| vec![agent.to_string()])
    }

    pub fn is_trap_port(&self, port: u16) -> bool {
        self.trap_ports.iter().any(|t| t.port == port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_parses_and_is_sane() {
        let a = assets();
        assert!(a.scanners.len() >= 11, "the article's list is the floor");
        assert!(a.scanners.iter().all(|s| !s.source.is_empty()));
        assert!(a.bogons_v4.sources.iter().all(|b| b.net.addr().is_ipv4()));
        assert!(a.bogons_v6.sources.iter().all(|b| b.net.addr().is_ipv6()));
        assert_eq!(a.defaults.sip_ports, PortRange::new(5060, 5082).unwrap());
        assert!(
            a.defaults.register_limit.hits <= 255,
            "kernels before 6.11 refuse more"
        );
        assert!(a.defaults.invite_limit.hits <= 255);
    }

    #[test]
    fn zoiper_expands_to_every_form_it_sends() {
        let p = assets().client_patterns("zoiper");
        assert!(p.contains(&"Zoiper".to_string()));
        assert!(p.iter().any(|x| x.starts_with("User-Agent: Z ")));
        assert_eq!(assets().client_patterns("Linphone"), vec!["Linphone"]);
    }
}
