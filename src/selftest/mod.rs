//! `selftest`: proves on this host's own kernel that the rules do what they
//! claim, without touching the host's firewall. The rendered ruleset goes
//! into a throwaway namespace; a phone, a stranger and scanners send real SIP
//! through a veth pair; the table says what was expected and what was seen.

mod lab;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::Duration;

use crate::answers::Mode;
use crate::assets::assets;
use crate::exec::ExecError;
use crate::root::Root;
use crate::ruleset::{Family, FirewallSpec, ListStore, build, render};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Delivered,
    Dropped,
    Banned,
    NotBanned,
    Quieted,
    NotQuieted,
}

impl Seen {
    fn word(&self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Dropped => "dropped",
            Self::Banned => "banned",
            Self::NotBanned => "not banned",
            Self::Quieted => "quieted",
            Self::NotQuieted => "not quieted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub check: String,
    pub expected: Seen,
    pub seen: Seen,
}

impl Row {
    pub fn passed(&self) -> bool {
        self.expected == self.seen
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub mode: Mode,
    pub rows: Vec<Row>,
}

impl Report {
    pub fn failed(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| !r.passed()).collect()
    }

    pub fn table(&self) -> String {
        let mut out = format!("{:<10} {:<10} {:<6}  check\n", "expected", "seen", "result");
        for r in &self.rows {
            out.push_str(&format!(
                "{:<10} {:<10} {:<6}  {}\n",
                r.expected.word(),
                r.seen.word(),
                if r.passed() { "ok" } else { "FAILED" },
                r.check
            ));
        }
        let failed = self.failed().len();
        out.push_str(&format!(
            "{} passed, {failed} failed\n",
            self.rows.len() - failed
        ));
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SelftestError {
    #[error(
        "the self-test needs root (it makes network namespaces)\n    what to do: sudo asterisk-harden selftest"
    )]
    NotRoot,
    #[error("could not build the test lab: {0}")]
    Lab(#[from] ExecError),
    #[error("could not open a socket in the lab: {0}")]
    Socket(#[from] std::io::Error),
}

/// The interface name the rules match, made concrete for the lab.
fn lab_interface(spec: &FirewallSpec) -> String {
    match &spec.interface {
        Some(i) => {
            let name = i.as_str();
            match name.strip_suffix('+') {
                Some(prefix) => format!("{}0", &prefix[..prefix.len().min(14)]),
                None => name.to_string(),
            }
        }
        None => "ens3".to_string(),
    }
}

/// The spec as the lab needs it: its own network is local (not a bogon),
/// and no trusted source or trunk can stand in for a scanner.
fn lab_spec(spec: &FirewallSpec) -> FirewallSpec {
    let mut s = spec.clone();
    s.local_nets = vec![lab::NET.parse().expect("valid")];
    s.trusted.clear();
    s.trunks.clear();
    s.named_trunks.clear();
    s.named_trusted.clear();
    s
}

fn request(method: &str, host: &str, from: Ipv4Addr, agent: &str, n: usize) -> String {
    format!(
        "{method} sip:{host} SIP/2.0\r\nVia: SIP/2.0/UDP {from}:5060;branch=z9hG4bK-selftest{n}\r\nMax-Forwards: 70\r\n\
         From: <sip:100@{host}>;tag=st{n}\r\nTo: <sip:100@{host}>\r\nCall-ID: selftest-{n}@{from}\r\nCSeq: 1 {method}\r\n\
         User-Agent: {agent}\r\nContent-Length: 0\r\n\r\n"
    )
}

/// Run the self-test. `rules`: a ruleset to test instead of the one the
/// spec renders (how a deliberately broken ruleset is shown to fail).
/// `progress` hears what is being done, as it starts: the test takes a few
/// seconds (a quarter of a second per check).
pub fn run(
    root: &Root,
    spec: &FirewallSpec,
    rules: Option<&str>,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, SelftestError> {
    if !nix::unistd::geteuid().is_root() {
        return Err(SelftestError::NotRoot);
    }
    progress("making the throwaway namespaces");
    let spec = lab_spec(spec);
    let scanners = &assets().scanners;
    let mut clients = vec![lab::client(10), lab::client(11)];
    clients.extend((0..scanners.len()).map(|i| lab::client(20 + i as u8)));
    let lab = lab::Lab::create(root, &lab_interface(&spec), &clients)?;
    let rules = rules
        .map(str::to_string)
        .unwrap_or_else(|| render(&build(&spec, Family::Ipv4)));
    progress("loading the rules there");
    lab.load("iptables-restore", &rules)?;

    let port = spec.sip_ports.lo();
    let pbx = lab::socket_in(&lab.pbx, SocketAddrV4::new(lab::PBX, port))?;
    let to = SocketAddrV4::new(lab::PBX, port);
    let window = Duration::from_millis(250);
    let send = |from: Ipv4Addr, text: &str| -> Result<Seen, SelftestError> {
        let sock = lab::socket_in(&lab.clients, SocketAddrV4::new(from, 0))?;
        sock.send_to(text.as_bytes(), to)?;
        Ok(if lab::arrivals(&pbx, window).contains(&from) {
            Seen::Delivered
        } else {
            Seen::Dropped
        })
    };
    let strict = spec.mode == Mode::Strict;
    let phone = lab::client(10);
    let (host_part, agent, how) = match (&spec.hostname, spec.phone_agents.first()) {
        (Some(h), _) => (
            h.to_string(),
            "Yealink SIP-T46S".to_string(),
            "naming the hostname".to_string(),
        ),
        (None, Some(a)) => (
            lab::PBX.to_string(),
            a.trim().to_string(),
            format!("with the user agent {a:?}"),
        ),
        (None, None) => (
            lab::PBX.to_string(),
            "Yealink SIP-T46S".to_string(),
            "(SIP open to all)".to_string(),
        ),
    };
    let mut rows = Vec::new();
    let mut check = |check: String, expected: Seen, seen: Seen| {
        progress(&format!("checked: {check}"));
        rows.push(Row {
            check,
            expected,
            seen,
        })
    };

    check(
        format!("a phone's REGISTER {how}"),
        Seen::Delivered,
        send(phone, &request("REGISTER", &host_part, phone, &agent, 0))?,
    );
    check(
        "the same phone's next request, without the hostname".into(),
        Seen::Delivered,
        send(
            phone,
            &request(
                "OPTIONS",
                &lab::PBX.to_string(),
                phone,
                "Yealink SIP-T46S",
                1,
            ),
        )?,
    );
    let stranger = lab::client(11);
    check(
        "a REGISTER without the hostname, from another address".into(),
        if strict {
            Seen::Dropped
        } else {
            Seen::Delivered
        },
        send(
            stranger,
            &request(
                "REGISTER",
                &lab::PBX.to_string(),
                stranger,
                "Yealink SIP-T46S",
                2,
            ),
        )?,
    );
    let quieted = |lab: &lab::Lab, a: Ipv4Addr| {
        if lab.recent("QUIET").contains(&a.to_string()) {
            Seen::Quieted
        } else {
            Seen::NotQuieted
        }
    };
    if strict {
        // A password guesser that keeps at it: 15 more, as fast as it can.
        let sock = lab::socket_in(&lab.clients, SocketAddrV4::new(stranger, 0))?;
        for n in 0..15 {
            let text = request(
                "REGISTER",
                &lab::PBX.to_string(),
                stranger,
                "Yealink SIP-T46S",
                200 + n,
            );
            sock.send_to(text.as_bytes(), to)?;
        }
        lab::arrivals(&pbx, window);
        check(
            "the same stranger after 15 more, as fast as it can: on the QUIET list".into(),
            Seen::Quieted,
            quieted(&lab, stranger),
        );
        check(
            format!("the quieted stranger's next REGISTER {how}"),
            Seen::Dropped,
            send(
                stranger,
                &request("REGISTER", &host_part, stranger, &agent, 3),
            )?,
        );
    }
    for (i, s) in scanners.iter().enumerate() {
        let from = lab::client(20 + i as u8);
        check(
            format!("a request carrying the scanner signature {:?}", s.pattern),
            Seen::Dropped,
            send(
                from,
                &request("OPTIONS", &lab::PBX.to_string(), from, &s.pattern, 10 + i),
            )?,
        );
    }
    let first_scanner = lab::client(20);
    let banned = lab.recent("BADSIP").contains(&first_scanner.to_string());
    check(
        "the first scanner's address is on the BADSIP list".into(),
        Seen::Banned,
        if banned {
            Seen::Banned
        } else {
            Seen::NotBanned
        },
    );
    check(
        "the banned scanner's next, ordinary-looking request".into(),
        Seen::Dropped,
        send(
            first_scanner,
            &request(
                "REGISTER",
                &host_part,
                first_scanner,
                "Yealink SIP-T46S",
                99,
            ),
        )?,
    );
    if strict && spec.lists == ListStore::Ipset {
        check(
            "the banned scanner's address, copied onto the QUIET list by that request".into(),
            Seen::Quieted,
            quieted(&lab, first_scanner),
        );
    }
    drop(lab);
    Ok(Report {
        mode: spec.mode,
        rows,
    })
}
