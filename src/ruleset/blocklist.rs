//! The blocklists' hook in the rules (ipset only): one drop in the raw
//! table on the `list:set` ah-BLOCK (ah-BLOCK6), whose members are one
//! `hash:net` set per blocklist (`crate::blocklist`). Adding, refreshing or
//! removing a list changes the sets, never this rule. It sits right after
//! the ban check: trusted sources and trunks are accepted before it, and a
//! known phone (strict mode's fast path) is not cut by a list.

use super::model::*;
use super::spec::FirewallSpec;

/// The logical name of the set of blocklists (`ah-BLOCK`, `ah-BLOCK6`).
pub const BLOCKLISTS: &str = "BLOCK";
/// How many blocklists the set of sets holds.
pub const MAX_BLOCKLISTS: u32 = 32;

/// The drop on every blocklist, where the lists are ipset sets.
pub(super) fn drop_rule(spec: &FirewallSpec, family: Family) -> Option<Rule> {
    (spec.lists == ListStore::Ipset).then(|| {
        Rule::new(
            vec![Match::InSet(set_name(BLOCKLISTS, family))],
            Target::Drop,
        )
        .why("a source on one of your blocklists (asterisk-harden blocklist list) is dropped on every port")
    })
}

/// The set of sets that rule names.
pub(super) fn set(family: Family) -> IpSet {
    IpSet {
        name: set_name(BLOCKLISTS, family),
        kind: SetKind::ListSet,
        family,
        timeout: 0,
        maxelem: MAX_BLOCKLISTS,
        members: Vec::new(),
    }
}
