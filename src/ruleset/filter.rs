//! The filter table: connection tracking's verdicts, the TCP SIP gate,
//! spoofed and malformed packets, the services, the trap ports.

use super::build::*;
use super::model::*;
use super::parts::*;
use super::spec::FirewallSpec;
use crate::answers::{Forward, Mode, PortRange};
use crate::assets::{TrapAction, assets};

pub(super) fn filter_table(spec: &FirewallSpec, family: Family) -> Table {
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
                vec![Match::Conntrack(vec![CtState::Untracked])],
                Target::Accept,
            )
            .why(
                "The fast path: a known phone's UDP (SIP and RTP) was checked in the raw table and not\n\
                 tracked; nothing else is untracked here (strict mode owns the raw table). First, so the\n\
                 hot path is one rule, as in the floor of any stateful ruleset.",
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
    for source in super::trusted::sources(spec, family) {
        input.push(Rule::new(vec![source], Target::Accept).why("trusted source"));
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
        for source in super::trusted::sources(spec, family) {
            gate.push(Rule::new(vec![source], Target::Return));
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
    if strict {
        chains.push(chain(
            "QUIETSET",
            lists.remember(QUIET_SOURCES, Target::Drop),
        ));
    }
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
            rules.push(
                Rule::new(
                    vec![
                        proto(Proto::Udp),
                        ports(spec.sip_ports),
                        Match::HashLimitAbove {
                            name: "ah-quiet",
                            per_second: QUIET_PER_SECOND,
                            burst: QUIET_BURST,
                            expire_ms: spec.quiet_seconds.saturating_mul(1000),
                        },
                    ],
                    jump("QUIETSET"),
                )
                .why(format!(
                    "a stranger (not trusted, not a trunk, not a known phone, no reply to us) that keeps sending\n\
                     UDP SIP without the hostname (over {QUIET_BURST} packets, faster than {QUIET_PER_SECOND}/s) is quieted for {} s:\n\
                     the raw table then drops its UDP SIP and RTP with one lookup (never SSH, never another port)",
                    spec.quiet_seconds
                )),
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
