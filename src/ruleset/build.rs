//! The article's ruleset, built from a `FirewallSpec`, with its traps fixed.
//!
//! Chain names are the article's, so an admin who knows it finds their way:
//! raw: SIPRAW (our entry), NEWSIP, BADSIP, TCPSIP, UDPSIP (see `raw`);
//! filter: SIPTCPGATE, ICMPALL, IPSPF, BOGONS, ASIP, DPTS, RLMSET (see `filter`).

use super::filter::filter_table;
use super::model::*;
use super::raw::raw_table;
use super::spec::FirewallSpec;
use crate::answers::Mode;
use crate::assets::assets;

/// The article's list names. The first three are ipset sets where the host
/// has ipset (see `ListStore`); the rate-limit counters are always xt_recent.
pub const KNOWN_PHONES: &str = "MYSIP";
pub const BANNED_SCANNERS: &str = "BADSIP";
pub const TRAPPED_SOURCES: &str = "RLM";
/// Strangers that kept sending UDP SIP without naming the hostname: their
/// UDP SIP and RTP are dropped in the raw table for a short while (strict).
pub const QUIET_SOURCES: &str = "QUIET";
/// How a stranger earns the quiet list: more than `QUIET_BURST` UDP SIP
/// packets without the hostname, faster than `QUIET_PER_SECOND` a second
/// (xt_hashlimit, per source). A provider that is not listed as a trunk and
/// sends the odd OPTIONS stays well under it; a flood crosses it at once.
pub const QUIET_BURST: u32 = 10;
pub const QUIET_PER_SECOND: u32 = 1;
/// The set of the addresses trunk names resolve to (ipset only).
pub const NAMED_TRUNKS: &str = "TRUNKS";
pub const NEW_TCP: &str = "INSYN";
pub const REGISTER_FLOOD: &str = "SIP_R";
pub const INVITE_FLOOD: &str = "SIP_I";

/// The prefix of our LOG lines, so an admin can grep the kernel log.
pub const LOG_PREFIX: &str = "asterisk-harden drop: ";

pub fn build(spec: &FirewallSpec, family: Family) -> Ruleset {
    let mut tables = vec![raw_table(spec, family)];
    if spec.mode != Mode::RelaxedRaw {
        tables.push(filter_table(spec, family));
    }
    let sets = match spec.lists {
        ListStore::Ipset => sets_used(spec, &tables, family),
        ListStore::XtRecent => Vec::new(),
    };
    Ruleset {
        family,
        header: header(spec, family),
        sets,
        tables,
    }
}

/// The sets the rules name, in a fixed order (phones, bans, traps).
fn sets_used(spec: &FirewallSpec, tables: &[Table], family: Family) -> Vec<IpSet> {
    let d = &assets().defaults;
    let named = |name: &str| {
        tables
            .iter()
            .flat_map(|t| &t.chains)
            .flat_map(|c| &c.rules)
            .any(|r| {
                r.matches
                    .iter()
                    .any(|m| matches!(m, Match::InSet(n) if n == name))
                    || matches!(&r.target, Target::AddToSet(n) if n == name)
            })
    };
    [
        (KNOWN_PHONES, 0),
        (BANNED_SCANNERS, 0),
        (TRAPPED_SOURCES, d.ban_seconds),
        (QUIET_SOURCES, spec.quiet_seconds),
    ]
    .into_iter()
    .map(|(list, timeout)| IpSet {
        name: set_name(list, family),
        kind: SetKind::HashIp,
        family,
        timeout,
        maxelem: d.set_capacity,
        members: Vec::new(),
    })
    .chain(trunk_set(spec, family))
    .chain(super::trusted::set(spec, family))
    .chain([super::blocklist::set(family)])
    .filter(|s| named(&s.name))
    .collect()
}

/// The set of the addresses trunk names resolve to, if there are any.
fn trunk_set(spec: &FirewallSpec, family: Family) -> Option<IpSet> {
    (!spec.named_trunks.is_empty()).then(|| IpSet {
        name: set_name(NAMED_TRUNKS, family),
        kind: SetKind::HashIp,
        family,
        timeout: 0,
        maxelem: 65_536,
        members: spec
            .named_trunks
            .iter()
            .copied()
            .filter(|a| a.is_ipv4() == (family == Family::Ipv4))
            .collect(),
    })
}

fn header(spec: &FirewallSpec, family: Family) -> Vec<String> {
    let mut h = vec![
        format!(
            "asterisk-harden {}: {} ruleset, mode {}",
            env!("CARGO_PKG_VERSION"),
            family.as_str(),
            spec.mode.as_str()
        ),
        match &spec.interface {
            Some(i) => format!("Internet-facing interface: {i}"),
            None => {
                "Internet-facing interface unknown: every interface but lo is protected".to_string()
            }
        },
    ];
    if spec.mode == Mode::RelaxedRaw {
        h.push(
            "Raw table only: load with iptables-restore --noflush beside your own filter rules."
                .into(),
        );
    }
    match spec.lists {
        ListStore::Ipset => h.push(format!(
            "Known phones, banned scanners and trapped sources are ipset sets (up to {} each, never evicted);\n\
             the rate-limit counters stay in xt_recent.",
            assets().defaults.set_capacity
        )),
        ListStore::XtRecent => {
            h.push(format!(
                "ipset is not available here: xt_recent keeps at most ip_list_tot addresses per list (default {})\n\
                 and silently evicts the oldest; install ipset and apply again for a million without eviction.",
                assets().defaults.recent_list_capacity
            ));
        }
    }
    h.extend(spec.notes.iter().cloned());
    h
}
