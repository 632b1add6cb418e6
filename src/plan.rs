//! `(answers, resolved trunks) -> Plan`: everything the tool would change,
//! decided without touching the host. Pure, so every front end and every test
//! sees the same value.

use ipnet::IpNet;

use crate::answers::{Answers, Trunk};
use crate::assets::assets;
use crate::ruleset::{Family, FirewallSpec, Ruleset, build};

/// A trunk with the addresses it stands for (a name resolved at the edge).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTrunk {
    pub trunk: Trunk,
    pub nets: Vec<IpNet>,
}

impl ResolvedTrunk {
    /// A trunk given as a network needs no resolving.
    pub fn literal(trunk: &Trunk) -> Option<Self> {
        match trunk {
            Trunk::Network(n) => Some(Self {
                trunk: trunk.clone(),
                nets: vec![*n],
            }),
            Trunk::Name(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub firewall: FirewallSpec,
    pub ipv4: Ruleset,
    pub ipv6: Ruleset,
}

impl Plan {
    pub fn ruleset(&self, family: Family) -> &Ruleset {
        match family {
            Family::Ipv4 => &self.ipv4,
            Family::Ipv6 => &self.ipv6,
        }
    }
}

pub fn firewall_spec(answers: &Answers, trunks: &[ResolvedTrunk]) -> FirewallSpec {
    let mut notes = Vec::new();
    for t in trunks {
        if let Trunk::Name(name) = &t.trunk {
            let addrs: Vec<String> = t.nets.iter().map(|n| n.addr().to_string()).collect();
            notes.push(format!("trunk {name} resolved to {}", addrs.join(", ")));
        }
    }
    let mut phone_agents: Vec<String> = Vec::new();
    for agent in &answers.sip.user_agents {
        for pattern in assets().client_patterns(agent.as_str()) {
            if !phone_agents.contains(&pattern) {
                phone_agents.push(pattern);
            }
        }
    }
    FirewallSpec {
        mode: answers.mode,
        interface: answers.network.interface.clone(),
        local_nets: answers.network.local_nets.clone(),
        trusted: answers.network.trusted.clone(),
        trunks: trunks.iter().flat_map(|t| t.nets.iter().copied()).collect(),
        ssh_ports: vec![answers.ssh.final_port()],
        sip_ports: answers.sip.ports,
        rtp_ports: answers.sip.rtp,
        tls_port: answers.sip.tls_port,
        hostname: answers.sip.hostname.clone(),
        phone_agents,
        rate_limit: answers.sip.rate_limit,
        notes,
    }
}

pub fn plan(answers: &Answers, trunks: &[ResolvedTrunk]) -> Plan {
    let firewall = firewall_spec(answers, trunks);
    Plan {
        ipv4: build(&firewall, Family::Ipv4),
        ipv6: build(&firewall, Family::Ipv6),
        firewall,
    }
}
