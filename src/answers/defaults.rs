//! Where every default comes from: the article's values, overridden by what the
//! probe sees on this host. Front ends and the answers file read defaults only
//! through `HostDefaults`, so there is exactly one place to change them.

use ipnet::IpNet;

use super::values::{Interface, PortRange};
use crate::assets::assets;

#[derive(Debug, Clone, PartialEq)]
pub struct HostDefaults {
    /// The internet-facing interface; `None` protects every interface but `lo`.
    pub interface: Option<Interface>,
    /// The host's own private networks, exempt from the bogon drop.
    pub local_nets: Vec<IpNet>,
    /// The port sshd listens on now (the one SSH stays on without `ssh.port`).
    pub ssh_port: u16,
    /// Every port sshd listens on now (none known: just `ssh_port`).
    pub sshd_ports: Vec<u16>,
    pub sip_ports: PortRange,
    pub rtp_ports: PortRange,
    pub tls_port: u16,
    /// The interfaces this host has (empty: unknown, nothing is checked).
    pub interfaces: Vec<String>,
    /// Refuse a `network.interface` that matches none of `interfaces`
    /// (apply); render and plan may run for another host, so they only warn.
    pub refuse_foreign_interface: bool,
}

impl HostDefaults {
    /// Why `interface` is not one of this host's, if it is not.
    pub fn foreign_interface(&self, interface: &Interface) -> Option<super::Refusal> {
        interface.on_host(
            &self.interfaces,
            self.interface.as_ref().map(Interface::as_str),
        )
    }

    /// The article's values, for a host nothing is known about.
    pub fn article() -> Self {
        let d = &assets().defaults;
        Self {
            interface: None,
            local_nets: Vec::new(),
            ssh_port: d.ssh_port,
            sshd_ports: Vec::new(),
            sip_ports: d.sip_ports,
            rtp_ports: d.rtp_ports,
            tls_port: d.tls_port,
            interfaces: Vec::new(),
            refuse_foreign_interface: false,
        }
    }
}
