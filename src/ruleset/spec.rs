//! Everything the rule builder needs, already decided: the plan fills it from
//! the answers and the host, the builder only turns it into chains.

use ipnet::IpNet;

use super::model::ListStore;
use crate::answers::{Forward, Hostname, Interface, Mode, PortRange};

#[derive(Debug, Clone, PartialEq)]
pub struct FirewallSpec {
    pub mode: Mode,
    /// `None`: every interface but loopback.
    pub interface: Option<Interface>,
    /// Exempt from the bogon drop.
    pub local_nets: Vec<IpNet>,
    /// Accepted before any ban, never banned.
    pub trusted: Vec<IpNet>,
    /// The addresses trusted names resolve to now, where the lists are
    /// ipset sets: kept in the NAMED_TRUSTED set (`names refresh`).
    pub named_trusted: Vec<std::net::IpAddr>,
    /// FORWARD: not declared (kept as it is) or policy DROP.
    pub forward: Forward,
    /// SIP providers: accepted for SIP, never banned.
    pub trunks: Vec<IpNet>,
    /// The addresses trunk names resolve to now, where the lists are ipset
    /// sets: kept in the NAMED_TRUNKS set (re-resolved by `names refresh`
    /// without reloading a rule) instead of one rule per address.
    pub named_trunks: Vec<std::net::IpAddr>,
    /// The ports SSH is accepted on (two while a move is being tested).
    pub ssh_ports: Vec<u16>,
    pub sip_ports: PortRange,
    pub rtp_ports: PortRange,
    pub tls_port: u16,
    pub hostname: Option<Hostname>,
    /// Strings that admit a phone by its User-Agent (strict mode), already
    /// expanded from known client names.
    pub phone_agents: Vec<String>,
    pub rate_limit: bool,
    /// How long a stranger that floods SIP without the hostname stays on
    /// the quiet list (strict mode).
    pub quiet_seconds: u32,
    /// Where known phones, bans and traps are kept (ipset where the host has it).
    pub lists: ListStore,
    /// Shown as comments at the top of the rendered rules (e.g. how trunk
    /// names were resolved).
    pub notes: Vec<String>,
}
