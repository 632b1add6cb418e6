//! xt_recent lists as the kernel shows them in /proc/net/xt_recent/NAME:
//! `src=ADDR ttl: N last_seen: JIFFIES oldest_pkt: K J1, J2, ...`. Jiffies
//! become wall-clock time with the kernel's tick rate.

use std::time::{Duration, SystemTime};

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub address: String,
    /// When the kernel last saw this source (RFC 3339, UTC), if the clock
    /// could be read (xt_recent) or the set's timeout tells (ipset).
    pub last_seen: Option<String>,
    /// Seconds until the kernel drops it from the list; absent: never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Why it is on the list, when a decision was recorded (by hand or by
    /// `watch`): "5 failed registrations as 6002, last at 12:03:41".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    #[serde(skip)]
    pub last_seen_jiffies: u64,
}

pub fn parse(text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|l| {
            let address = l
                .strip_prefix("src=")?
                .split_whitespace()
                .next()?
                .to_string();
            let jiffies = l
                .split("last_seen: ")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some(Entry {
                address,
                last_seen: None,
                expires_in: None,
                why: None,
                last_seen_jiffies: jiffies,
            })
        })
        .collect()
}

/// Just the addresses of a /proc/net/xt_recent file.
pub fn addresses(text: &str) -> Vec<String> {
    parse(text).into_iter().map(|e| e.address).collect()
}

/// The kernel's clock: jiffies now and ticks per second.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub jiffies: u64,
    pub hz: u64,
    pub at: SystemTime,
}

fn read_jiffies() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/timer_list").ok()?;
    text.lines().find_map(|l| {
        l.strip_prefix("jiffies: ")
            .and_then(|j| j.trim().parse().ok())
    })
}

impl Clock {
    /// Two readings of /proc/timer_list 200 ms apart give the tick rate,
    /// rounded to the rates kernels are built with.
    pub fn read() -> Option<Self> {
        let a = read_jiffies()?;
        let t0 = std::time::Instant::now();
        std::thread::sleep(Duration::from_millis(200));
        let b = read_jiffies()?;
        let measured = (b.wrapping_sub(a)) as f64 / t0.elapsed().as_secs_f64();
        let hz = [100u64, 250, 300, 1000]
            .into_iter()
            .min_by_key(|h| (*h as f64 - measured).abs() as u64)?;
        Some(Self {
            jiffies: b,
            hz,
            at: SystemTime::now(),
        })
    }

    pub fn wall(&self, jiffies: u64) -> SystemTime {
        let ago = Duration::from_millis(
            self.jiffies.wrapping_sub(jiffies).saturating_mul(1000) / self.hz,
        );
        self.at.checked_sub(ago).unwrap_or(self.at)
    }
}

/// Entries with wall-clock times, newest first.
pub fn dated(mut entries: Vec<Entry>, clock: Option<Clock>) -> Vec<Entry> {
    if let Some(c) = clock {
        for e in entries.iter_mut() {
            e.last_seen =
                Some(humantime::format_rfc3339_seconds(c.wall(e.last_seen_jiffies)).to_string());
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.last_seen_jiffies));
    entries
}

/// A set's members as entries. A member with a timeout was last refreshed
/// (seen) `timeout - remaining` seconds ago; sorted newest first. Permanent
/// members carry no time.
pub fn from_set(set: &crate::sets::SetContents, now: SystemTime) -> Vec<Entry> {
    let mut entries: Vec<(u64, Entry)> = set
        .members
        .iter()
        .map(|m| {
            let ago = m.expires_in.map(|left| set.timeout.saturating_sub(left));
            let entry = Entry {
                address: m.address.clone(),
                last_seen: ago
                    .and_then(|a| now.checked_sub(Duration::from_secs(a)))
                    .map(|t| humantime::format_rfc3339_seconds(t).to_string()),
                expires_in: m.expires_in,
                why: None,
                last_seen_jiffies: 0,
            };
            (ago.unwrap_or(u64::MAX), entry)
        })
        .collect();
    entries.sort_by_key(|(ago, _)| *ago);
    entries.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_dates_entries() {
        let e = parse(
            "src=10.0.0.9 ttl: 64 last_seen: 1000 oldest_pkt: 1 1000\nsrc=10.0.0.7 ttl: 64 last_seen: 2000 oldest_pkt: 1 2000\njunk\n",
        );
        assert_eq!(e.len(), 2);
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let clock = Clock {
            jiffies: 3000,
            hz: 100,
            at,
        };
        let d = dated(e, Some(clock));
        assert_eq!(d[0].address, "10.0.0.7", "newest first");
        assert_eq!(d[0].last_seen.as_deref(), Some("1970-01-12T13:46:30Z"));
        assert_eq!(clock.wall(1000), at - Duration::from_secs(20));
    }

    #[test]
    fn recent_file_addresses() {
        let t = "src=10.0.0.2 ttl: 64 last_seen: 4295 oldest_pkt: 1 4295\nsrc=2001:db8::1 ttl: 0 last_seen: 1 oldest_pkt: 1 1\n";
        assert_eq!(addresses(t), ["10.0.0.2", "2001:db8::1"]);
    }

    #[test]
    fn set_members_are_dated_from_their_timeout() {
        let set = crate::sets::parse_save(
            "ah-RLM",
            "create ah-RLM hash:ip family inet maxelem 9 timeout 600\nadd ah-RLM 10.0.0.9 timeout 500\nadd ah-RLM 10.0.0.8 timeout 590\n",
        );
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let e = from_set(&set, now);
        assert_eq!(e[0].address, "10.0.0.8", "newest first");
        assert_eq!(e[0].last_seen.as_deref(), Some("1970-01-12T13:46:30Z"));
        assert_eq!(e[1].expires_in, Some(500));
    }
}
