//! Turning trunk names into addresses: the one network look-up the tool makes,
//! done at the edge so `plan` stays pure.

use std::net::ToSocketAddrs;

use ipnet::IpNet;

use crate::answers::Trunk;
use crate::plan::ResolvedTrunk;

#[derive(Debug, thiserror::Error)]
#[error(
    "sip.trunks: the name {name:?} does not resolve ({reason})\n    what to do: check the spelling and DNS, or give the provider's addresses as CIDRs"
)]
pub struct ResolveError {
    pub name: String,
    pub reason: String,
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
                        name: name.to_string(),
                        reason: e.to_string(),
                    })?;
                let mut nets: Vec<IpNet> = addrs.map(|a| IpNet::from(a.ip())).collect();
                nets.sort();
                nets.dedup();
                if nets.is_empty() {
                    return Err(ResolveError {
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
