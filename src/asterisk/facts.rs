//! What the probe learns from /etc/asterisk (read-only).

use serde::Serialize;

use crate::root::Root;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportProtocol {
    Udp,
    Tcp,
    Tls,
    Ws,
    Wss,
}

/// A PJSIP `type=transport` section (or chan_sip's bind port).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SipTransport {
    pub name: String,
    pub protocol: TransportProtocol,
    pub port: u16,
    /// "file:line" where it was found.
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AsteriskFacts {
    /// /etc/asterisk exists.
    pub installed: bool,
    /// `asterisk -V`, e.g. "Asterisk 20.5.0".
    pub version: Option<String>,
    /// PJSIP transports, then chan_sip's bind port if chan_sip is configured.
    pub transports: Vec<SipTransport>,
    /// rtp.conf rtpstart/rtpend, with "file:line".
    pub rtp: Option<(u16, u16, String)>,
    /// iax.conf sections that define peers, users or trunks (then chan_iax2 stays).
    pub iax_peers: Vec<String>,
    /// manager.conf [general] bindaddr; None means AMI listens on all addresses.
    pub ami_bindaddr: Option<String>,
    /// FreePBX manages this box (its generated files carry its banner).
    pub freepbx: bool,
    /// FreePBX's Firewall module is installed (it manages iptables itself).
    pub freepbx_firewall: bool,
}

impl AsteriskFacts {
    /// Read what /etc/asterisk (under `root`) says.
    pub fn probe(root: &Root) -> Self {
        Self {
            installed: root.path("/etc/asterisk").is_dir(),
            ..Self::default()
        }
    }
}
