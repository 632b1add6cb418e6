//! The small pieces both tables are built from: match and target
//! shorthands, the long-lived lists in either store, and the source
//! groups (families, trunks, bogons) the two tables share.

use ipnet::IpNet;

use super::build::NAMED_TRUNKS;
use super::model::*;
use super::spec::FirewallSpec;
use crate::answers::PortRange;
use crate::assets::assets;

pub(super) fn jump(chain: &str) -> Target {
    Target::Jump(chain.to_string())
}

pub(super) fn proto(p: Proto) -> Match {
    Match::Protocol(p)
}

pub(super) fn ports(p: PortRange) -> Match {
    Match::DestPort(p)
}

pub(super) fn port(p: u16) -> Match {
    Match::DestPort(PortRange::single(p).expect("validated port"))
}

pub(super) fn recent(op: RecentOp, list: &'static str) -> Match {
    Match::Recent {
        op,
        list,
        negated: false,
        seconds: None,
        hitcount: None,
        rttl: false,
    }
}

/// The long-lived lists (phones, bans, traps), in xt_recent or ipset form.
#[derive(Clone, Copy)]
pub(super) struct Lists {
    store: ListStore,
    family: Family,
}

impl Lists {
    pub(super) fn of(spec: &FirewallSpec, family: Family) -> Self {
        Self {
            store: spec.lists,
            family,
        }
    }

    /// The source is on `list`. xt_recent's `--update` (refresh the time
    /// stamp) only matters with `--seconds`, which these checks do not use.
    pub(super) fn listed(&self, list: &'static str) -> Match {
        match self.store {
            ListStore::XtRecent => recent(RecentOp::Update, list),
            ListStore::Ipset => Match::InSet(set_name(list, self.family)),
        }
    }

    /// The source is on `list`, without touching it (xt_recent `--rcheck`,
    /// with the list's lifetime where it has one).
    pub(super) fn checked(&self, list: &'static str, seconds: Option<u32>) -> Match {
        match self.store {
            ListStore::XtRecent => Match::Recent {
                op: RecentOp::Rcheck,
                list,
                negated: false,
                seconds,
                hitcount: None,
                rttl: false,
            },
            // The set's own timeout plays the part of --seconds.
            ListStore::Ipset => Match::InSet(set_name(list, self.family)),
        }
    }

    /// Take the source off `list` and go on.
    pub(super) fn forget(&self, list: &'static str) -> Rule {
        match self.store {
            ListStore::XtRecent => Rule::new(vec![recent(RecentOp::Remove, list)], Target::None),
            ListStore::Ipset => Rule::new(vec![], Target::DelFromSet(set_name(list, self.family))),
        }
    }

    /// Put the source on `list`, then `then`.
    pub(super) fn remember(&self, list: &'static str, then: Target) -> Vec<Rule> {
        match self.store {
            ListStore::XtRecent => vec![Rule::new(vec![recent(RecentOp::Set, list)], then)],
            ListStore::Ipset => vec![
                Rule::new(vec![], Target::AddToSet(set_name(list, self.family))),
                Rule::new(vec![], then),
            ],
        }
    }
}

pub(super) fn chain(name: &str, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_string(),
        policy: None,
        rules,
    }
}

pub(super) fn builtin(name: &str, policy: Verdict, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_string(),
        policy: Some(policy),
        rules,
    }
}

/// The sources that are trunks: each network, and the set of the names'
/// addresses (refreshed without a reload).
pub(super) fn trunk_sources(spec: &FirewallSpec, family: Family) -> Vec<Match> {
    let mut m: Vec<Match> = of_family(&spec.trunks, family)
        .map(|n| Match::Source(*n))
        .collect();
    if !spec.named_trunks.is_empty() {
        m.push(Match::InSet(set_name(NAMED_TRUNKS, family)));
    }
    m
}

pub(super) fn of_family(nets: &[IpNet], family: Family) -> impl Iterator<Item = &IpNet> {
    nets.iter().filter(move |n| family.holds(n))
}

/// `-i IFACE`, or `! -i lo` when the interface is unknown.
pub(super) fn from_outside(spec: &FirewallSpec) -> Match {
    match &spec.interface {
        Some(i) => Match::InInterface {
            name: i.to_string(),
            negated: false,
        },
        None => Match::InInterface {
            name: "lo".into(),
            negated: true,
        },
    }
}

/// Bogon sources, minus the host's own networks: a LAN server must not drop
/// its own 10/8 (the article's "delete this line if your server uses it").
pub(super) fn bogons(spec: &FirewallSpec, family: Family) -> Vec<Rule> {
    let list = match family {
        Family::Ipv4 => &assets().bogons_v4,
        Family::Ipv6 => &assets().bogons_v6,
    };
    let locals: Vec<&IpNet> = of_family(&spec.local_nets, family).collect();
    let mut rules = Vec::new();
    // A local network inside a bogon range returns early, so the rest of the
    // range is still dropped.
    for local in &locals {
        if list
            .sources
            .iter()
            .any(|b| b.net.contains(*local) && b.net != **local)
        {
            rules.push(
                Rule::new(vec![Match::Source(**local)], Target::Return)
                    .why(format!("local network {local}")),
            );
        }
    }
    let mut exempt = Vec::new();
    for b in &list.sources {
        if let Some(local) = locals.iter().find(|l| l.contains(&b.net)) {
            exempt.push(format!(
                "{} ({}) is not dropped: it is inside local network {local}",
                b.net, b.why
            ));
            continue;
        }
        rules.push(Rule::new(vec![Match::Source(b.net)], Target::Drop).why(b.why.clone()));
    }
    let done = Rule::new(vec![], Target::Return);
    rules.push(if exempt.is_empty() {
        done
    } else {
        done.why(exempt.join("\n"))
    });
    rules
}
