//! xt_recent lists as the kernel shows them in /proc/net/xt_recent/NAME:
//! `src=ADDR ttl: N last_seen: JIFFIES oldest_pkt: K J1, J2, ...`. Jiffies
//! become wall-clock time with the kernel's tick rate.

use std::time::{Duration, SystemTime};

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub address: String,
    /// When the kernel last saw this source (RFC 3339, UTC), if the clock could be read.
    pub last_seen: Option<String>,
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
                last_seen_jiffies: jiffies,
            })
        })
        .collect()
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
}
