//! The article's ruleset, built from a `FirewallSpec`, with its traps fixed.
//!
//! Chain names are the article's, so an admin who knows it finds their way:
//! raw: SIPRAW (our entry), NEWSIP, BADSIP, TCPSIP, UDPSIP;
//! filter: SIPTCPGATE, ICMPALL, IPSPF, BOGONS, ASIP, DPTS, RLMSET.

use ipnet::IpNet;

use super::model::*;
use super::spec::FirewallSpec;
use crate::answers::{Forward, Mode, PortRange};
use crate::assets::{TrapAction, assets};

/// The article's list names. The first three are ipset sets where the host
/// has ipset (see `ListStore`); the rate-limit counters are always xt_recent.
pub const KNOWN_PHONES: &str = "MYSIP";
pub const BANNED_SCANNERS: &str = "BADSIP";
pub const TRAPPED_SOURCES: &str = "RLM";
/// The set of the addresses trunk names resolve to (ipset only).
pub const NAMED_TRUNKS: &str = "TRUNKS";
pub const NEW_TCP: &str = "INSYN";
pub const REGISTER_FLOOD: &str = "SIP_R";
pub const INVITE_FLOOD: &str = "SIP_I";

/// The prefix of our LOG lines, so an admin can grep the kernel log.
pub const LOG_PREFIX: &str = "asterisk-harden drop: ";

fn jump(chain: &str) -> Target {
    Target::Jump(chain.to_string())
}

fn proto(p: Proto) -> Match {
    Match::Protocol(p)
}

fn ports(p: PortRange) -> Match {
    Match::DestPort(p)
}

fn port(p: u16) -> Match {
    Match::DestPort(PortRange::single(p).expect("validated port"))
}

fn recent(op: RecentOp, list: &'static str) -> Match {
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
struct Lists {
    store: ListStore,
    family: Family,
}

impl Lists {
    fn of(spec: &FirewallSpec, family: Family) -> Self {
        Self {
            store: spec.lists,
            family,
        }
    }

    /// The source is on `list`. xt_recent's `--update` (refresh the time
    /// stamp) only matters with `--seconds`, which these checks do not use.
    fn listed(&self, list: &'static str) -> Match {
        match self.store {
            ListStore::XtRecent => recent(RecentOp::Update, list),
            ListStore::Ipset => Match::InSet(set_name(list, self.family)),
        }
    }

    /// The source is on `list`, without touching it (xt_recent `--rcheck`,
    /// with the list's lifetime where it has one).
    fn checked(&self, list: &'static str, seconds: Option<u32>) -> Match {
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
    fn forget(&self, list: &'static str) -> Rule {
        match self.store {
            ListStore::XtRecent => Rule::new(vec![recent(RecentOp::Remove, list)], Target::None),
            ListStore::Ipset => Rule::new(vec![], Target::DelFromSet(set_name(list, self.family))),
        }
    }

    /// Put the source on `list`, then `then`.
    fn remember(&self, list: &'static str, then: Target) -> Vec<Rule> {
        match self.store {
            ListStore::XtRecent => vec![Rule::new(vec![recent(RecentOp::Set, list)], then)],
            ListStore::Ipset => vec![
                Rule::new(vec![], Target::AddToSet(set_name(list, self.family))),
                Rule::new(vec![], then),
            ],
        }
    }
}

fn chain(name: &str, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_string(),
        policy: None,
        rules,
    }
}

fn builtin(name: &str, policy: Verdict, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_string(),
        policy: Some(policy),
        rules,
    }
}

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
    ]
    .into_iter()
    .map(|(list, timeout)| IpSet {
        name: set_name(list, family),
        family,
        timeout,
        maxelem: d.set_capacity,
        members: Vec::new(),
    })
    .chain(trunk_set(spec, family))
    .filter(|s| named(&s.name))
    .collect()
}

/// The set of the addresses trunk names resolve to, if there are any.
fn trunk_set(spec: &FirewallSpec, family: Family) -> Option<IpSet> {
    (!spec.named_trunks.is_empty()).then(|| IpSet {
        name: set_name(NAMED_TRUNKS, family),
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

/// The sources that are trunks: each network, and the set of the names'
/// addresses (refreshed without a reload).
fn trunk_sources(spec: &FirewallSpec, family: Family) -> Vec<Match> {
    let mut m: Vec<Match> = of_family(&spec.trunks, family)
        .map(|n| Match::Source(*n))
        .collect();
    if !spec.named_trunks.is_empty() {
        m.push(Match::InSet(set_name(NAMED_TRUNKS, family)));
    }
    m
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

fn of_family(nets: &[IpNet], family: Family) -> impl Iterator<Item = &IpNet> {
    nets.iter().filter(move |n| family.holds(n))
}

/// `-i IFACE`, or `! -i lo` when the interface is unknown.
fn from_outside(spec: &FirewallSpec) -> Match {
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

fn raw_table(spec: &FirewallSpec, family: Family) -> Table {
    let d = &assets().defaults;
    let strict = spec.mode == Mode::Strict;
    let lists = Lists::of(spec, family);
    let mut entry = Vec::new();
    for net in of_family(&spec.trusted, family) {
        entry.push(
            Rule::new(vec![Match::Source(*net)], Target::Accept)
                .why("trusted source: never banned"),
        );
    }
    for source in trunk_sources(spec, family) {
        entry.push(Rule::new(vec![source], Target::Accept).why("SIP trunk provider: never banned"));
    }
    let mut newsip = Vec::new();
    if strict {
        entry.push(
            Rule::new(vec![lists.listed(KNOWN_PHONES)], jump("PHONE"))
                .why("a phone that already named the hostname (or sent a whitelisted user agent): the fast path"),
        );
        // Banned before the hostname is looked at: a scanner that learns the
        // name after its first probe stays out.
        entry.push(banned_drop(lists));
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

    let mut chains = vec![
        builtin(
            "PREROUTING",
            Verdict::Accept,
            vec![Rule::new(vec![from_outside(spec)], jump("SIPRAW")).why(
                "The raw table runs before connection tracking: scanners are dropped at the lowest cost.",
            )],
        ),
        builtin("OUTPUT", Verdict::Accept, vec![]),
        chain("SIPRAW", entry),
    ];
    if strict {
        chains.push(chain("NEWSIP", newsip));
        chains.push(chain("PHONE", phone_fast_path()));
        chains.push(chain("RAWBOGONS", bogons(spec, family)));
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

fn filter_table(spec: &FirewallSpec, family: Family) -> Table {
    let strict = spec.mode == Mode::Strict;
    let d = &assets().defaults;
    let v4 = family == Family::Ipv4;
    let lists = Lists::of(spec, family);
    let established = || Match::Conntrack(vec![CtState::Related, CtState::Established]);
    let tls_outside_sip = !spec.sip_ports.contains(spec.tls_port);

    let mut input = Vec::new();
    if strict {
        input.push(
            Rule::new(
                vec![proto(Proto::Udp), Match::Conntrack(vec![CtState::Untracked])],
                Target::Accept,
            )
            .why(
                "The fast path: a known phone's UDP (SIP and RTP) was checked in the raw table and not\n\
                 tracked; nothing else is untracked here. First, so the hot path is one rule.",
            ),
        );
        input.push(
            Rule::new(vec![proto(Proto::Tcp), ports(spec.sip_ports), established()], jump("SIPTCPGATE")).why(
                "TCP SIP: the handshake is accepted so the first segment can be read, but the connection's\n\
                 data is dropped until its source named the hostname (the article's twist).",
            ),
        );
        if tls_outside_sip {
            input.push(Rule::new(
                vec![proto(Proto::Tcp), port(spec.tls_port), established()],
                jump("SIPTCPGATE"),
            ));
        }
    }
    if !v4 {
        input.push(Rule::new(
            vec![Match::InInterface {
                name: "lo".into(),
                negated: false,
            }],
            Target::Accept,
        ));
        input.push(
            Rule::new(vec![proto(Proto::Icmpv6)], jump("ICMP6"))
                .why("before the INVALID drop: neighbour discovery must always work"),
        );
    }
    input.push(Rule::new(
        vec![Match::Conntrack(vec![CtState::Invalid])],
        Target::Drop,
    ));
    input.push(Rule::new(vec![established()], Target::Accept));
    if v4 {
        input.push(Rule::new(
            vec![Match::InInterface {
                name: "lo".into(),
                negated: false,
            }],
            Target::Accept,
        ));
    }
    for net in of_family(&spec.trusted, family) {
        input.push(Rule::new(vec![Match::Source(*net)], Target::Accept).why("trusted source"));
    }
    for source in trunk_sources(spec, family) {
        for p in [Proto::Udp, Proto::Tcp] {
            input.push(
                Rule::new(
                    vec![source.clone(), proto(p), ports(spec.sip_ports)],
                    Target::Accept,
                )
                .why("SIP trunk: inbound calls never name the secret hostname"),
            );
        }
    }
    let trapped = match spec.lists {
        ListStore::XtRecent => Rule::new(
            vec![Match::Recent {
                op: RecentOp::Update,
                list: TRAPPED_SOURCES,
                negated: false,
                seconds: Some(d.ban_seconds),
                hitcount: Some(1),
                rttl: false,
            }],
            Target::Drop,
        ),
        // Re-adding with --exist renews the entry's timeout, as xt_recent's
        // --update renews the ban on every packet: RLMSET does both.
        ListStore::Ipset => Rule::new(vec![lists.listed(TRAPPED_SOURCES)], jump("RLMSET")),
    };
    input.push(trapped.why(format!(
        "a source that knocked on a trap port is dropped on every port for {} s",
        d.ban_seconds
    )));
    if v4 {
        input.push(Rule::new(vec![proto(Proto::Icmp)], jump("ICMPALL")));
        input.push(
            Rule::new(
                vec![
                    proto(Proto::Udp),
                    Match::SourcePort(PortRange::new(67, 68).expect("valid")),
                    Match::DestPort(PortRange::new(67, 68).expect("valid")),
                ],
                Target::Accept,
            )
            .why("DHCP"),
        );
    } else {
        input.push(
            Rule::new(
                vec![
                    proto(Proto::Udp),
                    Match::SourcePort(PortRange::single(547).expect("valid")),
                    Match::DestPort(PortRange::single(546).expect("valid")),
                ],
                Target::Accept,
            )
            .why("DHCPv6 replies"),
        );
    }
    for p in &spec.ssh_ports {
        input.push(
            Rule::new(vec![proto(Proto::Tcp), port(*p), Match::Syn { negated: true }], Target::Accept).why(
                "An SSH session opened before connection tracking ran (a fresh box with no firewall) is\n\
                 picked up mid-stream as NEW without SYN, which IPSPF drops: the admin's own session\n\
                 would freeze. Such packets cannot open a connection, so accepting them is safe.",
            ),
        );
    }
    input.push(Rule::new(
        match &spec.interface {
            Some(_) => vec![from_outside(spec)],
            None => vec![],
        },
        jump("IPSPF"),
    ));
    for p in &spec.ssh_ports {
        input.push(Rule::new(vec![proto(Proto::Tcp), port(*p)], Target::Accept).why("SSH"));
    }
    input.push(Rule::new(vec![], jump("ASIP")));
    input.push(Rule::new(vec![], jump("DPTS")));
    input.push(Rule::new(
        vec![Match::Limit { per_minute: 10 }],
        Target::Log {
            prefix: LOG_PREFIX.to_string(),
        },
    ));
    input.push(Rule::new(vec![], Target::Drop));

    let mut chains = vec![builtin("INPUT", Verdict::Accept, input)];
    // Left undeclared, FORWARD keeps its policy and rules (the load carries
    // them over from the live firewall): Docker, LXC and VPN hosts go on
    // forwarding. The article's DROP only when asked.
    if spec.forward == Forward::Drop {
        chains.push(builtin("FORWARD", Verdict::Drop, vec![]));
    }
    chains.push(builtin("OUTPUT", Verdict::Accept, vec![]));
    if strict {
        let mut gate = Vec::new();
        for net in of_family(&spec.trusted, family) {
            gate.push(Rule::new(vec![Match::Source(*net)], Target::Return));
        }
        for source in trunk_sources(spec, family) {
            gate.push(Rule::new(vec![source], Target::Return));
        }
        gate.push(Rule::new(
            vec![lists.checked(KNOWN_PHONES, None)],
            Target::Return,
        ));
        gate.push(Rule::new(vec![], Target::Drop));
        chains.push(chain("SIPTCPGATE", gate));
    }
    if v4 {
        chains.push(chain("ICMPALL", icmp_v4()));
    } else {
        chains.push(chain("ICMP6", icmp_v6()));
    }
    chains.push(chain("IPSPF", ipspf(family)));
    chains.push(chain("BOGONS", bogons(spec, family)));
    chains.push(chain("ASIP", asip(spec, lists)));
    chains.push(chain("DPTS", dpts(spec)));
    let mut rlmset = Vec::new();
    if strict {
        rlmset.push(
            lists
                .forget(KNOWN_PHONES)
                .why("a trapped source is no longer a known phone: it leaves the fast path"),
        );
    }
    rlmset.extend(lists.remember(TRAPPED_SOURCES, Target::Drop));
    chains.push(chain("RLMSET", rlmset));
    Table {
        name: "filter",
        chains,
    }
}

fn icmp_v4() -> Vec<Rule> {
    let mut rules = vec![Rule::new(
        vec![proto(Proto::Icmp), Match::Fragment],
        Target::Drop,
    )];
    // echo reply, unreachable, source quench, echo request, time exceeded
    for t in [0u8, 3, 4, 8, 11] {
        rules.push(Rule::new(
            vec![proto(Proto::Icmp), Match::IcmpType(t)],
            Target::Accept,
        ));
    }
    rules.push(Rule::new(vec![proto(Proto::Icmp)], Target::Drop));
    rules
}

fn icmp_v6() -> Vec<Rule> {
    // unreachable, packet too big (path MTU), time exceeded, parameter problem,
    // echo request/reply, MLD query/report/done, router/neighbour solicitation
    // and advertisement, MLDv2 report: what RFC 4890 says a host must accept.
    [
        1u8, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 143,
    ]
    .iter()
    .map(|t| {
        Rule::new(
            vec![proto(Proto::Icmpv6), Match::Icmpv6Type(*t)],
            Target::Accept,
        )
    })
    .chain(std::iter::once(Rule::new(
        vec![proto(Proto::Icmpv6)],
        Target::Drop,
    )))
    .collect()
}

fn ipspf(family: Family) -> Vec<Rule> {
    let d = &assets().defaults;
    let list = match family {
        Family::Ipv4 => &assets().bogons_v4,
        Family::Ipv6 => &assets().bogons_v6,
    };
    let mut rules =
        vec![Rule::new(vec![], jump("BOGONS")).why("sources that cannot be real (see BOGONS)")];
    for b in &list.destinations {
        rules.push(
            Rule::new(vec![Match::Destination(b.net)], Target::Drop).why(format!("to {}", b.why)),
        );
    }
    let flags: [(&str, &str); 7] = [
        ("ALL", "NONE"),
        ("ALL", "ALL"),
        ("ALL", "FIN,URG,PSH"),
        ("ALL", "SYN,RST,ACK,FIN,URG"),
        ("SYN,RST", "SYN,RST"),
        ("SYN,FIN", "SYN,FIN"),
        ("FIN,SYN,RST,PSH,ACK,URG", "FIN"),
    ];
    for (i, (mask, set)) in flags.iter().enumerate() {
        let r = Rule::new(
            vec![proto(Proto::Tcp), Match::TcpFlags(mask, set)],
            Target::Drop,
        );
        rules.push(if i == 0 {
            r.why("TCP flag combinations only attacks send")
        } else {
            r
        });
    }
    rules.push(
        Rule::new(
            vec![
                proto(Proto::Tcp),
                Match::TcpFlags("SYN,ACK", "SYN,ACK"),
                Match::Conntrack(vec![CtState::New]),
            ],
            Target::RejectTcpReset,
        )
        .why("a NEW SYN-ACK: someone may be spoofing this server's address"),
    );
    rules.push(Rule::new(
        vec![
            proto(Proto::Tcp),
            Match::Syn { negated: true },
            Match::Conntrack(vec![CtState::New]),
        ],
        Target::Drop,
    ));
    // An empty UDP datagram is just headers: 20 + 8 bytes in IPv4, 40 + 8 in IPv6.
    let empty_udp = match family {
        Family::Ipv4 => 28,
        Family::Ipv6 => 48,
    };
    rules.push(
        Rule::new(
            vec![proto(Proto::Udp), Match::Length(0, empty_udp)],
            Target::Drop,
        )
        .why("empty UDP"),
    );
    rules.push(
        Rule::new(
            vec![
                proto(Proto::Tcp),
                Match::Syn { negated: false },
                Match::Recent {
                    op: RecentOp::Update,
                    list: NEW_TCP,
                    negated: false,
                    seconds: Some(1),
                    hitcount: Some(d.new_tcp_per_second + 1),
                    rttl: false,
                },
            ],
            Target::Drop,
        )
        .why(format!(
            "at most {} new TCP connections per second from one source",
            d.new_tcp_per_second
        )),
    );
    rules.push(Rule::new(
        vec![
            proto(Proto::Tcp),
            Match::Syn { negated: false },
            recent(RecentOp::Set, NEW_TCP),
        ],
        Target::Return,
    ));
    rules.push(Rule::new(vec![], Target::Return));
    rules
}

/// Bogon sources, minus the host's own networks: a LAN server must not drop
/// its own 10/8 (the article's "delete this line if your server uses it").
/// A known phone: its UDP untracked (connection tracking is most of the
/// per-packet cost of a one-way RTP stream), then accepted. TCP stays
/// tracked: the TCP gate needs it. No trap lookup here: a trapped source is
/// taken off MYSIP (RLMSET) and cannot get back on while trapped (NEWSIP), so
/// every packet of every call saves one list lookup.
fn phone_fast_path() -> Vec<Rule> {
    vec![
        Rule::new(vec![proto(Proto::Udp)], Target::Notrack),
        Rule::new(vec![], Target::Accept),
    ]
}

fn bogons(spec: &FirewallSpec, family: Family) -> Vec<Rule> {
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

fn asip(spec: &FirewallSpec, lists: Lists) -> Vec<Rule> {
    let mut rules = vec![Rule::new(
        vec![proto(Proto::Tcp), ports(spec.sip_ports)],
        Target::Accept,
    )];
    if !spec.sip_ports.contains(spec.tls_port) {
        rules.push(
            Rule::new(vec![proto(Proto::Tcp), port(spec.tls_port)], Target::Accept)
                .why("SIP over TLS"),
        );
    }
    match spec.mode {
        Mode::Strict => {
            rules.push(
                Rule::new(
                    vec![
                        proto(Proto::Udp),
                        ports(spec.sip_ports),
                        lists.listed(KNOWN_PHONES),
                    ],
                    Target::Accept,
                )
                .why("UDP SIP only from known phones"),
            );
            rules.push(Rule::new(
                vec![proto(Proto::Udp), ports(spec.sip_ports)],
                Target::Drop,
            ));
        }
        _ => rules.push(
            Rule::new(
                vec![proto(Proto::Udp), ports(spec.sip_ports)],
                Target::Accept,
            )
            .why("relaxed: UDP SIP open to all (scanners are still banned in the raw table)"),
        ),
    }
    rules.push(
        Rule::new(
            vec![proto(Proto::Udp), ports(spec.rtp_ports)],
            Target::Accept,
        )
        .why("RTP media"),
    );
    rules.push(Rule::new(vec![], Target::Return));
    rules
}

fn dpts(spec: &FirewallSpec) -> Vec<Rule> {
    let mut rules = Vec::new();
    for t in &assets().trap_ports {
        if spec.ssh_ports.contains(&t.port) {
            continue;
        }
        let target = match t.action {
            TrapAction::Trap => jump("RLMSET"),
            TrapAction::Drop => Target::Drop,
        };
        rules.push(Rule::new(vec![proto(Proto::Tcp), port(t.port)], target).why(t.why.clone()));
    }
    rules.push(Rule::new(vec![], Target::Return));
    rules
}
