//! iptables-restore text from the typed model. Deterministic: the same model
//! always gives the same bytes, so golden tests and diffs are meaningful.

use std::fmt::Write;

use super::model::*;

pub fn render(ruleset: &Ruleset) -> String {
    let mut out = String::new();
    for line in &ruleset.header {
        push_comment(&mut out, line);
    }
    if !ruleset.sets.is_empty() {
        push_comment(
            &mut out,
            "These rules use ipset sets that must exist first: `ipset restore -exist` reads\n\
             the create lines below with their \"# \" removed (apply and the boot unit do it).",
        );
        for set in &ruleset.sets {
            push_comment(&mut out, &set.create_line());
            for m in &set.members {
                push_comment(&mut out, &format!("add {} {m}", set.name));
            }
        }
    }
    for table in &ruleset.tables {
        let _ = writeln!(out, "*{}", table.name);
        for chain in &table.chains {
            let policy = match chain.policy {
                Some(Verdict::Accept) => "ACCEPT",
                Some(Verdict::Drop) => "DROP",
                None => "-",
            };
            let _ = writeln!(out, ":{} {} [0:0]", chain.name, policy);
        }
        for chain in &table.chains {
            for rule in &chain.rules {
                if let Some(why) = &rule.why {
                    push_comment(&mut out, why);
                }
                out.push_str(&rule_line(&chain.name, rule, ruleset.family));
                out.push('\n');
            }
        }
        out.push_str("COMMIT\n");
    }
    out
}

fn push_comment(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {line}");
        }
    }
}

/// One `-A CHAIN ...` line.
pub fn rule_line(chain: &str, rule: &Rule, family: Family) -> String {
    let mut args: Vec<String> = vec!["-A".into(), chain.into()];
    for m in &rule.matches {
        match_args(m, family, &mut args);
    }
    target_args(&rule.target, &mut args);
    args.join(" ")
}

/// Strings are validated upstream (no quotes, backslashes or line breaks), so
/// wrapping them in double quotes is all iptables-restore needs.
fn quote(s: &str) -> String {
    debug_assert!(
        !s.contains(['"', '\\', '\n', '\r']),
        "unvalidated string {s:?}"
    );
    format!("\"{s}\"")
}

fn proto_name(p: Proto) -> &'static str {
    match p {
        Proto::Tcp => "tcp",
        Proto::Udp => "udp",
        Proto::Icmp => "icmp",
        Proto::Icmpv6 => "ipv6-icmp",
    }
}

fn match_args(m: &Match, family: Family, a: &mut Vec<String>) {
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| s.to_string()));
    match m {
        Match::InInterface { name, negated } => {
            if *negated {
                push(&["!"]);
            }
            push(&["-i", name]);
        }
        Match::Source(net) => push(&["-s", &net.to_string()]),
        Match::Destination(net) => push(&["-d", &net.to_string()]),
        Match::Protocol(p) => push(&["-p", proto_name(*p)]),
        Match::DestPort(r) => push(&["--dport", &r.to_string()]),
        Match::SourcePort(r) => push(&["--sport", &r.to_string()]),
        Match::Fragment => {
            debug_assert_eq!(family, Family::Ipv4, "-f is IPv4 only");
            push(&["-f"])
        }
        Match::IcmpType(t) => push(&["--icmp-type", &t.to_string()]),
        Match::Icmpv6Type(t) => push(&["--icmpv6-type", &t.to_string()]),
        Match::TcpFlags(mask, set) => push(&["--tcp-flags", mask, set]),
        Match::Syn { negated } => {
            if *negated {
                push(&["!"]);
            }
            push(&["--syn"]);
        }
        Match::Conntrack(states) => push(&["-m", "conntrack", "--ctstate", &ct_states(states)]),
        Match::Recent {
            op,
            list,
            negated,
            seconds,
            hitcount,
            rttl,
        } => {
            push(&["-m", "recent"]);
            if *negated {
                push(&["!"]);
            }
            push(&[match op {
                RecentOp::Set => "--set",
                RecentOp::Update => "--update",
                RecentOp::Rcheck => "--rcheck",
                RecentOp::Remove => "--remove",
            }]);
            if let Some(s) = seconds {
                push(&["--seconds", &s.to_string()]);
            }
            if let Some(h) = hitcount {
                push(&["--hitcount", &h.to_string()]);
            }
            if *rttl {
                push(&["--rttl"]);
            }
            push(&["--name", list]);
        }
        Match::String { text, icase, to } => {
            push(&["-m", "string", "--string", &quote(text), "--algo", "bm"]);
            if let Some(to) = to {
                push(&["--to", &to.to_string()]);
            }
            if *icase {
                push(&["--icase"]);
            }
        }
        Match::Limit { per_minute } => {
            push(&["-m", "limit", "--limit", &format!("{per_minute}/min")])
        }
        Match::Length(lo, hi) => push(&["-m", "length", "--length", &format!("{lo}:{hi}")]),
        Match::InSet(name) => push(&["-m", "set", "--match-set", name, "src"]),
        Match::HashLimitAbove {
            name,
            per_second,
            burst,
            expire_ms,
        } => push(&[
            "-m",
            "hashlimit",
            "--hashlimit-above",
            &format!("{per_second}/sec"),
            "--hashlimit-burst",
            &burst.to_string(),
            "--hashlimit-mode",
            "srcip",
            "--hashlimit-name",
            name,
            "--hashlimit-htable-expire",
            &expire_ms.to_string(),
        ]),
    }
}

fn ct_states(states: &[CtState]) -> String {
    let names: Vec<&str> = states
        .iter()
        .map(|s| match s {
            CtState::New => "NEW",
            CtState::Established => "ESTABLISHED",
            CtState::Related => "RELATED",
            CtState::Invalid => "INVALID",
            CtState::Untracked => "UNTRACKED",
        })
        .collect();
    names.join(",")
}

fn target_args(t: &Target, a: &mut Vec<String>) {
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| s.to_string()));
    match t {
        Target::Accept => push(&["-j", "ACCEPT"]),
        Target::Drop => push(&["-j", "DROP"]),
        Target::Return => push(&["-j", "RETURN"]),
        Target::Jump(chain) => push(&["-j", chain]),
        Target::RejectTcpReset => push(&["-j", "REJECT", "--reject-with", "tcp-reset"]),
        Target::Notrack => push(&["-j", "CT", "--notrack"]),
        Target::Log { prefix } => push(&["-j", "LOG", "--log-prefix", &quote(prefix)]),
        Target::AddToSet(name) => push(&["-j", "SET", "--add-set", name, "src", "--exist"]),
        Target::AddToSetForever(name) => push(&[
            "-j",
            "SET",
            "--add-set",
            name,
            "src",
            "--exist",
            "--timeout",
            "0",
        ]),
        Target::DelFromSet(name) => push(&["-j", "SET", "--del-set", name, "src"]),
        Target::None => {}
    }
}

/// The `ipset restore` text that creates `sets` (with `-exist`, an existing
/// identical set is kept with its members).
pub fn render_sets<'a>(sets: impl IntoIterator<Item = &'a IpSet>) -> String {
    let mut out = String::new();
    for set in sets {
        out.push_str(&set.create_line());
        out.push('\n');
        for m in &set.members {
            out.push_str(&format!("add {} {m}\n", set.name));
        }
    }
    out
}
