//! The probe's findings as defaults: what a minimal answers file (just
//! `mode` and `sip.hostname`) and the wizard start from.

use super::Facts;
use crate::answers::{HostDefaults, Interface, PortRange};
use crate::asterisk::TransportProtocol;

impl HostDefaults {
    pub fn from_facts(facts: &Facts) -> Self {
        let mut d = HostDefaults::article();
        if let Some(i) = facts
            .network
            .interface
            .as_deref()
            .and_then(|i| Interface::parse(i).ok())
        {
            d.interface = Some(i);
        }
        d.local_nets = facts.network.private_networks.clone();
        d.interfaces = facts.network.interfaces.clone();
        if let Some(p) = facts.ssh.ports.first() {
            d.ssh_port = *p;
        }
        d.sshd_ports = facts.ssh.ports.clone();
        for p in &facts.ssh.listening {
            if !d.sshd_ports.contains(p) {
                d.sshd_ports.push(*p);
            }
        }
        // The plain SIP transports span the SIP range; TLS is matched on its SNI.
        let plain: Vec<u16> = facts
            .asterisk
            .transports
            .iter()
            .filter(|t| matches!(t.protocol, TransportProtocol::Udp | TransportProtocol::Tcp))
            .map(|t| t.port)
            .collect();
        if let (Some(lo), Some(hi)) = (plain.iter().min(), plain.iter().max())
            && let Ok(r) = PortRange::new(*lo, *hi)
        {
            d.sip_ports = r;
        }
        if let Some(t) = facts
            .asterisk
            .transports
            .iter()
            .find(|t| t.protocol == TransportProtocol::Tls)
            && t.port != 0
        {
            d.tls_port = t.port;
        }
        if let Some((lo, hi, _)) = &facts.asterisk.rtp
            && let Ok(r) = PortRange::new(*lo, *hi)
        {
            d.rtp_ports = r;
        }
        d
    }
}
