//! Cross-field checks that make an SSH lockout impossible: no SIP, TLS or
//! RTP port (nor a port-scan trap) may be an SSH port. The raw-table SIP
//! gate swallows every TCP packet to the SIP ports that does not name the
//! secret hostname: SSH sessions there connect but never get a banner, so
//! no second session could ever confirm.

use super::values::{PortRange, Refusal};
use super::{Checker, HostDefaults, quoted};
use crate::assets::assets;

const MOVE_HINT: &str =
    "pick a free high port, e.g. 2222 or anything in 20001-65535 outside the SIP and RTP ranges";

/// Why `port` cannot be the new SSH port (`ssh.port`), if it cannot.
pub(super) fn new_port_clash(
    port: u16,
    sip: Option<PortRange>,
    rtp: Option<PortRange>,
    tls: Option<u16>,
) -> Option<Refusal> {
    let refusal = |reason: String| {
        Some(Refusal {
            reason,
            hint: MOVE_HINT.into(),
        })
    };
    if let Some(s) = sip.filter(|s| s.contains(port)) {
        return refusal(format!(
            "it is inside the SIP ports {s} (sip.ports): the SIP gate would swallow SSH"
        ));
    }
    if let Some(r) = rtp.filter(|r| r.contains(port)) {
        return refusal(format!("it is inside the RTP range {r} (sip.rtp)"));
    }
    if tls == Some(port) {
        return refusal("it is the SIP over TLS port (sip.tls_port)".into());
    }
    // 22 is a trap port only once SSH has left it; keeping SSH there is allowed.
    if port != 22 && assets().is_trap_port(port) {
        return refusal(format!(
            "port {port} is a port-scan trap: anyone knocking on it is banned"
        ));
    }
    None
}

/// The SSH ports in force (every port sshd listens on now) must stay clear
/// of the SIP keys: refuse the SIP key, naming the SSH port.
pub(super) fn check_ports_in_force(
    c: &mut Checker,
    defaults: &HostDefaults,
    new_port: Option<u16>,
    sip: Option<PortRange>,
    rtp: Option<PortRange>,
    tls: Option<u16>,
) {
    let mut in_force = defaults.sshd_ports.clone();
    if in_force.is_empty() {
        in_force.push(defaults.ssh_port);
    }
    let what = |p: u16| match new_port {
        Some(n) => format!(
            "port {p}, where sshd listens now (SSH stays reachable there until ssh.port = {n} is confirmed)"
        ),
        None => format!("port {p}, where sshd listens now (no ssh.port moves it)"),
    };
    // True advice: moving SSH in the same answers keeps the old port in
    // force during the confirmation window, so it would be refused again.
    let hint = |key: &str, p: u16, example: &str| {
        format!(
            "choose {key} without port {p}, e.g. {example}; if it must include port {p}, first move SSH to a port outside it (ssh.port, in an apply of its own), then change {key}"
        )
    };
    for p in in_force {
        if Some(p) == new_port {
            continue;
        }
        if let Some(s) = sip.filter(|s| s.contains(p)) {
            c.refuse(
                "sip.ports",
                quoted(&s.to_string()),
                Refusal {
                    reason: format!(
                        "it covers {}: the SIP gate would swallow SSH's packets and lock you out",
                        what(p)
                    ),
                    hint: hint("sip.ports", p, "\"5060:5082\""),
                },
            );
        }
        if let Some(r) = rtp.filter(|r| r.contains(p)) {
            c.refuse(
                "sip.rtp",
                quoted(&r.to_string()),
                Refusal {
                    reason: format!("it covers {}", what(p)),
                    hint: hint("sip.rtp", p, "\"10000:20000\""),
                },
            );
        }
        if tls == Some(p) {
            c.refuse(
                "sip.tls_port",
                p,
                Refusal {
                    reason: format!(
                        "it is {}: the TLS gate would swallow SSH's packets and lock you out",
                        what(p)
                    ),
                    hint: hint("sip.tls_port", p, "5061 (your PJSIP TLS transport's port)"),
                },
            );
        }
    }
}
