//! The raw table: everything decided before connection tracking (the
//! known-phone fast path, bans, the secret hostname, scanner signatures,
//! SIP rate limits).

use super::build::*;
use super::model::*;
use super::parts::*;
use super::spec::FirewallSpec;
use crate::answers::Mode;
use crate::assets::assets;

/// The same string match on TCP and on UDP SIP (UDP looks only at the first
/// `udp_match_to` bytes, as the article does).
fn on_sip_ports(
    spec: &FirewallSpec,
    text: &str,
    icase: bool,
    target: &str,
    why: &str,
) -> [Rule; 2] {
    let to = assets().defaults.udp_match_to;
    [(Proto::Tcp, None), (Proto::Udp, Some(to))].map(|(p, to)| {
        let rule = Rule::new(
            vec![
                proto(p),
                ports(spec.sip_ports),
                Match::String {
                    text: text.to_string(),
                    icase,
                    to,
                },
            ],
            jump(target),
        );
        if p == Proto::Tcp { rule.why(why) } else { rule }
    })
}

/// A source that once sent a scanner's signature is dropped on every port.
fn banned_drop(lists: Lists) -> Rule {
    Rule::new(vec![lists.listed(BANNED_SCANNERS)], Target::Drop)
        .why("a source that once sent a scanner's signature is dropped on every port")
}

pub(super) fn raw_table(spec: &FirewallSpec, family: Family) -> Table {
    let d = &assets().defaults;
    let strict = spec.mode == Mode::Strict;
    let lists = Lists::of(spec, family);
    let mut entry = Vec::new();
    for source in super::trusted::sources(spec, family) {
        entry.push(Rule::new(vec![source], Target::Accept).why("trusted source: never banned"));
    }
    for source in trunk_sources(spec, family) {
        entry.push(Rule::new(vec![source], Target::Accept).why("SIP trunk provider: never banned"));
    }
    let mut newsip = Vec::new();
    if strict {
        // The quiet list first: after the phones' lookup it is the second
        // and last lookup of a quieted stranger's SIP and RTP, and of a
        // banned source's once its ban is copied there (BANNED below). Without
        // the copy, the ban first or the quiet list first each cost the other
        // flood a third lookup (scripts/bench-firewall.sh, BENCHMARKS.md).
        entry.extend(quiet(spec, lists));
        entry.push(
            Rule::new(
                vec![proto(Proto::Tcp), lists.listed(KNOWN_PHONES)],
                Target::Accept,
            )
            .why(
                "a known phone's TCP (its UDP took the fast path in PREROUTING): never banned here",
            ),
        );
        // Banned before the hostname is looked at: a scanner that learns the
        // name after its first probe stays out.
        entry.push(match spec.lists {
            ListStore::Ipset => Rule::new(vec![lists.listed(BANNED_SCANNERS)], jump("BANNED")).why(
                "a banned source is dropped on every port; its SIP and RTP are from then on dropped\n\
                 by the QUIET lookup above (BANNED copies the ban there, for good): one lookup less",
            ),
            ListStore::XtRecent => banned_drop(lists),
        });
        entry.extend(super::blocklist::drop_rule(spec, family));
        if let Some(host) = &spec.hostname {
            entry.extend(on_sip_ports(
                spec,
                &format!("sip:{host}"),
                true,
                "NEWSIP",
                "the secret hostname: its first REGISTER puts a phone on MYSIP",
            ));
            entry.push(
                Rule::new(
                    vec![
                        proto(Proto::Tcp),
                        port(spec.tls_port),
                        Match::String { text: host.to_string(), icase: true, to: None },
                    ],
                    jump("NEWSIP"),
                )
                .why("SIP over TLS is encrypted: only the ClientHello's SNI carries the hostname in clear"),
            );
        }
        for agent in &spec.phone_agents {
            entry.extend(on_sip_ports(
                spec,
                agent,
                true,
                "NEWSIP",
                &format!(
                    "whitelisted user agent {agent:?} (forgeable: a convenience, not a secret)"
                ),
            ));
        }
        // A spoofed bogon source must not become a known phone: known
        // phones skip the filter table's bogon drop (the fast path).
        newsip.push(Rule::new(vec![], jump("RAWBOGONS")).why(
            "only a real source becomes a known phone: the fast path skips the filter's bogon drop",
        ));
        newsip.push(
            Rule::new(
                vec![lists.checked(TRAPPED_SOURCES, Some(d.ban_seconds))],
                Target::Drop,
            )
            .why(
                "nor a trapped one: trapping takes a source off MYSIP (RLMSET), so the fast path\n\
                 needs no trap lookup of its own",
            ),
        );
        newsip.extend(lists.remember(KNOWN_PHONES, Target::Accept));
    }
    if !strict {
        entry.push(banned_drop(lists));
        entry.extend(super::blocklist::drop_rule(spec, family));
    }
    entry.push(Rule::new(
        vec![proto(Proto::Tcp), ports(spec.sip_ports)],
        jump("TCPSIP"),
    ));
    entry.push(Rule::new(
        vec![proto(Proto::Udp), ports(spec.sip_ports)],
        jump("UDPSIP"),
    ));

    let mut tcpsip = Vec::new();
    let mut udpsip = Vec::new();
    for s in &assets().scanners {
        tcpsip.push(Rule::new(
            vec![Match::String {
                text: s.pattern.clone(),
                icase: s.icase,
                to: None,
            }],
            jump("BADSIP"),
        ));
        udpsip.push(Rule::new(
            vec![Match::String {
                text: s.pattern.clone(),
                icase: s.icase,
                to: Some(d.udp_match_to),
            }],
            jump("BADSIP"),
        ));
    }
    if spec.rate_limit {
        for (method, list, limit) in [
            ("REGISTER sip:", REGISTER_FLOOD, d.register_limit),
            ("INVITE sip:", INVITE_FLOOD, d.invite_limit),
        ] {
            for (rules, to) in [(&mut tcpsip, None), (&mut udpsip, Some(d.udp_match_to))] {
                let text = Match::String {
                    text: method.to_string(),
                    icase: false,
                    to,
                };
                rules.push(
                    Rule::new(
                        vec![text.clone(), recent(RecentOp::Set, list)],
                        Target::None,
                    )
                    .why(format!(
                        "at most {} {method}.. per {} s from one source",
                        limit.hits, limit.seconds
                    )),
                );
                rules.push(Rule::new(
                    vec![
                        text,
                        Match::Recent {
                            op: RecentOp::Update,
                            list,
                            negated: false,
                            seconds: Some(limit.seconds),
                            hitcount: Some(limit.hits),
                            rttl: true,
                        },
                    ],
                    Target::Drop,
                ));
            }
        }
    }

    let mut prerouting = Vec::new();
    if strict {
        prerouting.push(phone_fast_path(lists));
    }
    prerouting.push(Rule::new(vec![from_outside(spec)], jump("SIPRAW")).why(
        "The raw table runs before connection tracking: scanners are dropped at the lowest cost.",
    ));
    let mut chains = vec![
        builtin("PREROUTING", Verdict::Accept, prerouting),
        builtin("OUTPUT", Verdict::Accept, vec![]),
        chain("SIPRAW", entry),
    ];
    if strict {
        chains.push(chain("NEWSIP", newsip));
        chains.push(chain("PHONE", phone_chain()));
        chains.push(chain("RAWBOGONS", bogons(spec, family)));
    }
    if strict && spec.lists == ListStore::Ipset {
        chains.push(chain("BANNED", banned_chain(family)));
    }
    chains.push(chain(
        "BADSIP",
        lists.remember(BANNED_SCANNERS, Target::Drop),
    ));
    chains.push(chain("TCPSIP", tcpsip));
    chains.push(chain("UDPSIP", udpsip));
    Table {
        name: "raw",
        chains,
    }
}

/// A known phone's UDP, the first rule of PREROUTING: one set lookup, then
/// PHONE (`phone_chain`). On every interface: a known phone's UDP is
/// accepted whatever its port, so the interface test bought nothing but
/// two more comparisons on every packet, every flood's included (measured
/// by scripts/bench-firewall.sh: about 0.01-0.02x of no firewall).
fn phone_fast_path(lists: Lists) -> Rule {
    Rule::new(
        vec![proto(Proto::Udp), lists.listed(KNOWN_PHONES)],
        jump("PHONE"),
    )
    .why("The fast path: a phone that already named the hostname (or sent a whitelisted user agent).")
}

/// A known phone's UDP: untracked (connection tracking is most of the
/// per-packet cost of a one-way RTP stream), then accepted, with no match
/// at all (a state test to tell the fast path's packets apart afterwards
/// cost every other packet too: measured). TCP stays tracked: the TCP gate
/// needs it. No trap lookup here: a trapped source is taken off MYSIP
/// (RLMSET) and cannot get back on while trapped (NEWSIP).
fn phone_chain() -> Vec<Rule> {
    vec![
        Rule::new(vec![], Target::Notrack),
        Rule::new(vec![], Target::Accept),
    ]
}

/// A banned source's packet that got past the QUIET lookup: the ban is
/// copied onto QUIET with no timeout, so its later SIP and RTP are dropped
/// there, one lookup earlier. A copy made by the packet itself, not by the
/// code that bans: every ban gets one (a scanner's signature, `ban`, the
/// watcher, the bans restored at boot) without anything else keeping two
/// sets in step; `unban` and `allow` take the address off both.
fn banned_chain(family: Family) -> Vec<Rule> {
    vec![
        Rule::new(
            vec![],
            Target::AddToSetForever(set_name(QUIET_SOURCES, family)),
        ),
        Rule::new(vec![], Target::Drop),
    ]
}

/// What a quieted source loses: its UDP SIP and RTP, nothing else (SSH,
/// TCP SIP and every other port go on as for any stranger). The ports are
/// compared before the lookup, so other traffic pays nothing, and a flood
/// to the SIP ports one lookup.
fn quiet(spec: &FirewallSpec, lists: Lists) -> [Rule; 2] {
    let on = |p| {
        Rule::new(
            vec![
                proto(Proto::Udp),
                ports(p),
                lists.checked(QUIET_SOURCES, Some(spec.quiet_seconds)),
            ],
            Target::Drop,
        )
    };
    [
        on(spec.sip_ports).why(format!(
            "a stranger that kept sending SIP without the hostname (ASIP put it on QUIET): its UDP SIP\n\
             and RTP are dropped for {} s at the cost of one lookup, before any string match; a banned\n\
             source's copy (BANNED) stays for good",
            spec.quiet_seconds
        )),
        on(spec.rtp_ports),
    ]
}
