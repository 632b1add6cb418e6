//! Trusted sources in the rules: each network, and (ipset only) the set
//! ah-TRUSTED (ah-TRUSTED6) of the addresses trusted host names resolve to,
//! which `names refresh` keeps current without reloading a rule.

use super::model::*;
use super::spec::FirewallSpec;

/// The set of the addresses trusted names resolve to.
pub const NAMED_TRUSTED: &str = "TRUSTED";

/// Every match that makes a source trusted.
pub(super) fn sources(spec: &FirewallSpec, family: Family) -> Vec<Match> {
    let mut m: Vec<Match> = spec
        .trusted
        .iter()
        .filter(|n| family.holds(n))
        .map(|n| Match::Source(*n))
        .collect();
    if !spec.named_trusted.is_empty() {
        m.push(Match::InSet(set_name(NAMED_TRUSTED, family)));
    }
    m
}

/// The set itself, with the addresses the names have now.
pub(super) fn set(spec: &FirewallSpec, family: Family) -> Option<IpSet> {
    (!spec.named_trusted.is_empty()).then(|| IpSet {
        name: set_name(NAMED_TRUSTED, family),
        kind: SetKind::HashIp,
        family,
        timeout: 0,
        maxelem: 65_536,
        members: spec
            .named_trusted
            .iter()
            .copied()
            .filter(|a| a.is_ipv4() == (family == Family::Ipv4))
            .collect(),
    })
}
