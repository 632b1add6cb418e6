//! What the firewall is doing, read from the live kernel: the mode in force
//! (from the loaded rules, not assumed), drops per cause, the banned
//! scanners, known phones and trapped port scanners, and how full the
//! xt_recent lists are.

pub mod counters;
pub mod recent;

use std::path::Path;

use serde::Serialize;

pub use counters::Drops;
pub use recent::Entry;

use crate::exec;

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// "strict", "relaxed-open" or "relaxed-raw"; absent when none of ours is loaded.
    pub mode: Option<String>,
    /// Drops per cause, IPv4 and IPv6 added up.
    pub drops: Drops,
    pub banned_scanners: Vec<Entry>,
    pub known_phones: Vec<Entry>,
    pub trapped_sources: Vec<Entry>,
    /// Addresses xt_recent keeps per list (`ip_list_tot`).
    pub list_capacity: u64,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("cannot read the firewall: {0}\n    what to do: run as root")]
    Read(String),
}

const PROC: &str = "/proc/net/xt_recent";

fn list(name: &str) -> Vec<Entry> {
    std::fs::read_to_string(Path::new(PROC).join(name))
        .map(|t| recent::parse(&t))
        .unwrap_or_default()
}

fn capacity() -> u64 {
    std::fs::read_to_string("/sys/module/xt_recent/parameters/ip_list_tot")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(100)
}

pub fn gather() -> Result<Status, StatusError> {
    let mut rules = Vec::new();
    for tool in ["iptables-save", "ip6tables-save"] {
        if exec::find(tool).is_none() {
            continue;
        }
        let ran =
            exec::run_checked(tool, &["-c"], None).map_err(|e| StatusError::Read(e.to_string()))?;
        rules.extend(counters::parse(&ran.stdout));
    }
    let mode = counters::mode(&rules).map(|m| m.as_str().to_string());
    let drops = counters::drops(&rules);
    let clock = recent::Clock::read();
    let list_capacity = capacity();
    let banned_scanners = recent::dated(list("BADSIP"), clock);
    let known_phones = recent::dated(list("MYSIP"), clock);
    let trapped_sources = recent::dated(list("RLM"), clock);
    let mut warnings = Vec::new();
    for (name, l) in [
        ("BADSIP", &banned_scanners),
        ("MYSIP", &known_phones),
        ("RLM", &trapped_sources),
    ] {
        if l.len() as u64 * 10 >= list_capacity * 9 {
            warnings.push(format!(
                "{name} holds {} of at most {list_capacity} addresses: the kernel silently forgets the oldest.\n    \
                 Raise it: echo 'options xt_recent ip_list_tot=10000' > /etc/modprobe.d/xt_recent.conf, then reboot",
                l.len()
            ));
        }
    }
    if clock.is_none() {
        warnings.push(
            "the kernel clock (/proc/timer_list) is not readable: times are not shown".into(),
        );
    }
    Ok(Status {
        mode,
        drops,
        banned_scanners,
        known_phones,
        trapped_sources,
        list_capacity,
        warnings,
    })
}

fn section(out: &mut String, title: &str, entries: &[Entry]) {
    out.push_str(&format!("\n{title} ({}):\n", entries.len()));
    if entries.is_empty() {
        out.push_str("  none\n");
    }
    for e in entries.iter().take(20) {
        out.push_str(&format!(
            "  {:<40} last seen {}\n",
            e.address,
            e.last_seen.as_deref().unwrap_or("(time unknown)")
        ));
    }
    if entries.len() > 20 {
        out.push_str(&format!(
            "  ... and {} more (status --json lists all)\n",
            entries.len() - 20
        ));
    }
}

/// The summary for people.
pub fn report(s: &Status) -> String {
    let mut out = format!(
        "Mode in force: {}\n",
        s.mode
            .as_deref()
            .unwrap_or("none of asterisk-harden's rules are loaded")
    );
    let d = &s.drops;
    out.push_str(&format!("\nDropped packets: {}\n", d.total()));
    for (what, n) in [
        (
            "scanner user agent (first packet, then banned)",
            d.scanner_user_agent,
        ),
        ("from banned scanners", d.banned_source),
        ("port-scan trap knocks", d.port_scan_trap),
        ("from trapped port scanners", d.trapped_source),
        ("bogon sources or destinations", d.bogon),
        ("bad TCP flags, empty UDP", d.bad_tcp_flags),
        (
            "rate limits (new TCP, REGISTER/INVITE floods)",
            d.rate_limit,
        ),
        ("SIP without the secret hostname", d.sip_without_hostname),
    ] {
        out.push_str(&format!("  {n:>10}  {what}\n"));
    }
    section(
        &mut out,
        "Banned scanners, newest first",
        &s.banned_scanners,
    );
    section(&mut out, "Known phones", &s.known_phones);
    section(&mut out, "Trapped port scanners", &s.trapped_sources);
    out.push_str(&format!(
        "\nEach list keeps at most {} addresses (xt_recent ip_list_tot).\n",
        s.list_capacity
    ));
    for w in &s.warnings {
        out.push_str(&format!("WARNING: {w}\n"));
    }
    out
}
