//! Turning trunk names into addresses: the one network look-up the tool makes,
//! done at the edge so `plan` stays pure.

use std::net::ToSocketAddrs;

use ipnet::IpNet;

use crate::answers::Trunk;
use crate::plan::ResolvedTrunk;

#[derive(Debug, thiserror::Error)]
#[error(
    "{key}: the name {name:?} does not resolve ({reason})\n    what to do: check the spelling and DNS, or give the addresses as CIDRs"
)]
pub struct ResolveError {
    pub key: &'static str,
    pub name: String,
    pub reason: String,
}

/// Resolve the trusted sources given as names (the addresses go into
/// `answers.network.trusted_names`); a name that does not resolve is
/// refused like a trunk's.
pub fn resolve_trusted(answers: &mut crate::answers::Answers) -> Result<(), ResolveError> {
    for t in &mut answers.network.trusted_names {
        let mut addrs: Vec<std::net::IpAddr> = (t.name.as_str(), 5060)
            .to_socket_addrs()
            .map_err(|e| ResolveError {
                key: "network.trusted",
                name: t.name.to_string(),
                reason: e.to_string(),
            })?
            .map(|a| a.ip())
            .collect();
        addrs.sort();
        addrs.dedup();
        if addrs.is_empty() {
            return Err(ResolveError {
                key: "network.trusted",
                name: t.name.to_string(),
                reason: "no addresses".into(),
            });
        }
        t.addresses = addrs;
    }
    Ok(())
}

/// Resolve every trunk name with the system resolver; literal networks pass through.
pub fn resolve_trunks(trunks: &[Trunk]) -> Result<Vec<ResolvedTrunk>, ResolveError> {
    trunks
        .iter()
        .map(|t| match t {
            Trunk::Network(_) => Ok(ResolvedTrunk::literal(t).expect("network")),
            Trunk::Name(name) => {
                let addrs = (name.as_str(), 5060)
                    .to_socket_addrs()
                    .map_err(|e| ResolveError {
                        key: "sip.trunks",
                        name: name.to_string(),
                        reason: e.to_string(),
                    })?;
                let mut nets: Vec<IpNet> = addrs.map(|a| IpNet::from(a.ip())).collect();
                nets.sort();
                nets.dedup();
                if nets.is_empty() {
                    return Err(ResolveError {
                        key: "sip.trunks",
                        name: name.to_string(),
                        reason: "no addresses".into(),
                    });
                }
                Ok(ResolvedTrunk {
                    trunk: t.clone(),
                    nets,
                })
            }
        })
        .collect()
}
