//! The strangers on the quiet list now: their UDP SIP and RTP are dropped
//! until the entry runs out. Only entries with time left: the permanent
//! ones on `ah-QUIET` are copies of bans (chain BANNED), listed as bans.

use std::time::SystemTime;

use super::counters::CountedRule;
use crate::exec::Runner;
use crate::recent::{self, Clock, Entry};
use crate::ruleset::QUIET_SOURCES;

/// From the ipset sets `ah-QUIET`/`ah-QUIET6`, newest first.
pub fn from_sets(runner: &dyn Runner, now: SystemTime) -> Vec<Entry> {
    let sets = crate::sets::of_list(runner, QUIET_SOURCES).unwrap_or_default();
    let mut all = super::newest_first(&sets, now);
    all.retain(|e| e.expires_in.is_some());
    all
}

/// How long the loaded rules keep a source quiet: the `--seconds` of the
/// xt_recent check of QUIET (`--rcheck --seconds 60 ... --name QUIET`).
pub fn seconds_in_rules(rules: &[CountedRule]) -> Option<u64> {
    rules
        .iter()
        .filter(|r| r.text.contains(&format!("--name {QUIET_SOURCES} ")))
        .find_map(|r| {
            let mut words = r.text.split_whitespace();
            words.find(|w| *w == "--seconds")?;
            words.next()?.parse().ok()
        })
}

/// From the xt_recent list QUIET: an entry is quiet while it is younger
/// than the rules' `--seconds` (xt_recent keeps it after that, unused).
/// Without the kernel's clock or the rules nothing can be told: none.
pub fn from_recent(entries: Vec<Entry>, clock: Option<Clock>, seconds: Option<u64>) -> Vec<Entry> {
    let (Some(c), Some(seconds)) = (clock, seconds) else {
        return Vec::new();
    };
    recent::dated(entries, Some(c))
        .into_iter()
        .filter_map(|mut e| {
            let ago = c.jiffies.wrapping_sub(e.last_seen_jiffies) / c.hz;
            (ago < seconds).then(|| {
                e.expires_in = Some(seconds - ago);
                e
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seconds_come_from_the_rules_check() {
        let rules = super::super::counters::parse(
            "*raw\n[0:0] -A SIPRAW -p udp -m udp --dport 5060:5082 -m recent --rcheck --seconds 45 --name QUIET --mask 255.255.255.255 --rsource -j DROP\nCOMMIT\n",
        );
        assert_eq!(seconds_in_rules(&rules), Some(45));
        assert_eq!(seconds_in_rules(&[]), None);
    }

    #[test]
    fn a_recent_entry_is_quiet_while_younger_than_the_seconds() {
        let clock = Clock {
            jiffies: 100_000,
            hz: 100,
            at: SystemTime::now(),
        };
        let entry = |address: &str, jiffies| Entry {
            address: address.into(),
            last_seen: None,
            expires_in: None,
            why: None,
            last_seen_jiffies: jiffies,
        };
        // 10 s ago and 90 s ago, with a 60 s quiet.
        let quiet = from_recent(
            vec![entry("10.0.0.1", 99_000), entry("10.0.0.2", 91_000)],
            Some(clock),
            Some(60),
        );
        assert_eq!(quiet.len(), 1);
        assert_eq!(quiet[0].address, "10.0.0.1");
        assert_eq!(quiet[0].expires_in, Some(50));
        assert!(from_recent(vec![entry("10.0.0.1", 99_000)], None, Some(60)).is_empty());
    }
}
