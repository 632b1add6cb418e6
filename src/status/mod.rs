//! What the firewall is doing, read from the live kernel: the mode in force
//! (from the loaded rules, not assumed), drops per cause, the banned
//! scanners, known phones, trapped port scanners and quieted strangers, and
//! how full their ipset sets (or xt_recent lists) are.

pub mod counters;
mod quiet;
pub use crate::recent;

use std::path::Path;

use serde::Serialize;

pub use counters::Drops;
pub use recent::Entry;

use crate::exec::Runner;
use crate::lists::LISTS;

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// "strict", "relaxed-open" or "relaxed-raw"; absent when none of ours is loaded.
    pub mode: Option<String>,
    /// Drops per cause, IPv4 and IPv6 added up.
    pub drops: Drops,
    pub banned_scanners: Vec<Entry>,
    pub known_phones: Vec<Entry>,
    pub trapped_sources: Vec<Entry>,
    /// Strangers on the quiet list now (strict mode), newest first: their
    /// UDP SIP and RTP are dropped until `expires_in` runs out.
    pub quieted_strangers: Vec<Entry>,
    /// "ipset" or "xt_recent"; "none" when nothing of ours is loaded.
    pub list_store: String,
    /// Addresses each list keeps: the sets' maxelem, or xt_recent's `ip_list_tot`.
    pub list_capacity: u64,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("cannot read the firewall: {0}\n    what to do: run as root")]
    Read(String),
}

const PROC: &str = "/proc/net/xt_recent";

fn xt_recent_list(name: &str) -> Vec<Entry> {
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

pub fn gather(runner: &dyn Runner) -> Result<Status, StatusError> {
    let mut rules = Vec::new();
    for tool in ["iptables-save", "ip6tables-save"] {
        if runner.find(tool).is_none() {
            continue;
        }
        let ran = runner
            .run_checked(tool, &["-c"], None)
            .map_err(|e| StatusError::Read(e.to_string()))?;
        rules.extend(counters::parse(&ran.stdout));
    }
    let mode = counters::mode(&rules).map(|m| m.as_str().to_string());
    let drops = counters::drops(&rules);
    let mut warnings = Vec::new();
    let in_sets = LISTS.map(|list| crate::sets::of_list(runner, list));
    let quieted_strangers;
    let (list_store, list_capacity, [known_phones, banned_scanners, trapped_sources]) = if in_sets
        .iter()
        .any(Option::is_some)
    {
        let now = std::time::SystemTime::now();
        let capacity = in_sets
            .iter()
            .flatten()
            .flatten()
            .map(|s| s.maxelem)
            .min()
            .unwrap_or(0);
        for set in in_sets.iter().flatten().flatten() {
            if set.members.len() as u64 * 10 >= set.maxelem * 9 {
                warnings.push(format!(
                        "the ipset set {} holds {} of at most {} addresses: once full, new addresses are not added\n    \
                         (new scanners go unbanned). What to do: `ipset flush {}` empties it; those sources are\n    \
                         listed again on their next probe",
                        set.name,
                        set.members.len(),
                        set.maxelem,
                        set.name
                    ));
            }
        }
        let entries = in_sets.map(|sets| newest_first(sets.as_deref().unwrap_or_default(), now));
        quieted_strangers = quiet::from_sets(runner, now);
        ("ipset", capacity, entries)
    } else {
        let clock = recent::Clock::read();
        quieted_strangers = quiet::from_recent(
            xt_recent_list(crate::ruleset::QUIET_SOURCES),
            clock,
            quiet::seconds_in_rules(&rules),
        );
        let capacity = capacity();
        let entries = LISTS.map(|name| recent::dated(xt_recent_list(name), clock));
        for (name, l) in LISTS.iter().zip(&entries) {
            if l.len() as u64 * 10 >= capacity * 9 {
                warnings.push(format!(
                        "{name} holds {} of at most {capacity} addresses: the kernel silently forgets the oldest.\n    \
                         What to do: install ipset and apply again (a million addresses per list, never evicted)",
                        l.len()
                    ));
            }
        }
        if clock.is_none() {
            warnings.push(
                "the kernel clock (/proc/timer_list) is not readable: times are not shown".into(),
            );
        }
        ("xt_recent", capacity, entries)
    };
    // With nothing of ours loaded and no set made, no list is in use: say
    // so rather than name a store and a capacity nothing uses.
    let (list_store, list_capacity) = if mode.is_none() && list_store == "xt_recent" {
        ("none", 0)
    } else {
        (list_store, list_capacity)
    };
    Ok(Status {
        mode,
        drops,
        banned_scanners,
        known_phones,
        trapped_sources,
        quieted_strangers,
        list_store: list_store.to_string(),
        list_capacity,
        warnings,
    })
}

/// The members of a list's sets (both families) as entries, newest first.
fn newest_first(sets: &[crate::sets::SetContents], now: std::time::SystemTime) -> Vec<Entry> {
    let mut all: Vec<Entry> = sets.iter().flat_map(|s| recent::from_set(s, now)).collect();
    all.sort_by(|a, b| b.last_seen.cmp(&a.last_seen));
    all
}

/// Say why each listed address is where it is, from the recorded
/// decisions (`operate::why`): only a decision that put it on that very list.
pub fn explain(
    s: &mut Status,
    decisions: &std::collections::BTreeMap<std::net::IpAddr, crate::operate::why::Why>,
) {
    for (list, entries) in [
        (LISTS[0], &mut s.known_phones),
        (LISTS[1], &mut s.banned_scanners),
        (LISTS[2], &mut s.trapped_sources),
    ] {
        for e in entries.iter_mut() {
            let Ok(a) = e.address.parse() else { continue };
            if let Some(w) = decisions
                .get(&a)
                .filter(|w| w.list.as_deref() == Some(list))
            {
                e.why = Some(format!("{} ({})", w.reason, w.at));
            }
        }
    }
}

fn section(out: &mut String, title: &str, entries: &[Entry]) {
    section_seen(out, title, "last seen", entries)
}

/// `seen`: what the entry's time is (when the source was last seen, or
/// when it was quieted).
fn section_seen(out: &mut String, title: &str, seen_word: &str, entries: &[Entry]) {
    out.push_str(&format!("\n{title} ({}):\n", entries.len()));
    if entries.is_empty() {
        out.push_str("  none\n");
    }
    for e in entries.iter().take(20) {
        let when = match (&e.last_seen, e.expires_in) {
            (Some(seen), Some(left)) => format!("{seen_word} {seen}, released in {left} s"),
            (Some(seen), None) => format!("{seen_word} {seen}"),
            (None, Some(left)) => format!("released in {left} s"),
            (None, None) => "listed until removed".to_string(),
        };
        out.push_str(&format!("  {:<40} {when}\n", e.address));
        if let Some(why) = &e.why {
            out.push_str(&format!("  {:<40} why: {why}\n", ""));
        }
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
        ("from sources on a blocklist", d.blocklist),
        (
            "SIP and RTP from quieted strangers and banned sources",
            d.quieted_or_banned,
        ),
    ] {
        out.push_str(&format!("  {n:>10}  {what}\n"));
    }
    // A set entry without a timeout carries no time: no order to claim.
    let banned = match s.list_store.as_str() {
        "ipset" => "Banned scanners",
        _ => "Banned scanners, newest first",
    };
    section(&mut out, banned, &s.banned_scanners);
    section(&mut out, "Known phones", &s.known_phones);
    section(&mut out, "Trapped port scanners", &s.trapped_sources);
    if s.mode.as_deref() == Some("strict") {
        section_seen(
            &mut out,
            "Quieted strangers, their UDP SIP and RTP dropped",
            "quieted",
            &s.quieted_strangers,
        );
    }
    out.push_str(&match s.list_store.as_str() {
        "ipset" => format!(
            "\nEach list is an ipset set of at most {} addresses, never evicted.\n",
            s.list_capacity
        ),
        _ => format!(
            "\nEach list keeps at most {} addresses (xt_recent ip_list_tot; the oldest is forgotten).\n",
            s.list_capacity
        ),
    });
    for w in &s.warnings {
        out.push_str(&format!("WARNING: {w}\n"));
    }
    out
}
