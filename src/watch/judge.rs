//! The watcher's decisions, pure: a source that authenticated becomes a
//! known phone; N failed attempts within T seconds ban it. One REGISTER can
//! raise two or three failure events (one session): they count once.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use super::event::{SecurityEvent, Verdict};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Known { source: IpAddr, reason: String },
    Ban { source: IpAddr, reason: String },
}

struct Attempt {
    at: SystemTime,
    account: String,
    session: String,
}

pub struct Judge {
    max_failures: usize,
    window: Duration,
    failures: HashMap<IpAddr, VecDeque<Attempt>>,
}

fn clock(t: SystemTime) -> String {
    // "2026-12-02T12:03:41Z" → "12:03:41 UTC"
    let stamp = humantime::format_rfc3339_seconds(t).to_string();
    stamp
        .get(11..19)
        .map(|hms| format!("{hms} UTC"))
        .unwrap_or(stamp)
}

impl Judge {
    pub fn new(max_failures: u32, window_seconds: u32) -> Self {
        Self {
            max_failures: max_failures.max(1) as usize,
            window: Duration::from_secs(u64::from(window_seconds)),
            failures: HashMap::new(),
        }
    }

    /// What `e`, seen at `now`, decides, if anything.
    pub fn judge(&mut self, e: &SecurityEvent, now: SystemTime) -> Option<Decision> {
        match e.verdict {
            Verdict::Authenticated => Some(Decision::Known {
                source: e.source,
                reason: format!(
                    "authenticated as {} ({}) at {}",
                    e.account,
                    e.service,
                    clock(now)
                ),
            }),
            Verdict::Failed => {
                let window = self.window;
                let list = self.failures.entry(e.source).or_default();
                while list
                    .front()
                    .is_some_and(|a| now.duration_since(a.at).unwrap_or_default() > window)
                {
                    list.pop_front();
                }
                if list
                    .iter()
                    .any(|a| a.session == e.session && !e.session.is_empty())
                {
                    return None;
                }
                list.push_back(Attempt {
                    at: now,
                    account: e.account.clone(),
                    session: e.session.clone(),
                });
                if list.len() < self.max_failures {
                    return None;
                }
                let mut accounts: Vec<&str> = list.iter().map(|a| a.account.as_str()).collect();
                accounts.sort();
                accounts.dedup();
                let reason = format!(
                    "{} failed registrations as {} within {} s, last at {}",
                    list.len(),
                    accounts.join(", "),
                    window.as_secs(),
                    clock(now)
                );
                self.failures.remove(&e.source);
                Some(Decision::Ban {
                    source: e.source,
                    reason,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(session: &str, at: u64) -> (SecurityEvent, SystemTime) {
        (
            SecurityEvent {
                verdict: Verdict::Failed,
                name: "ChallengeResponseFailed".into(),
                service: "PJSIP".into(),
                account: "6002".into(),
                session: session.into(),
                source: "10.77.0.9".parse().unwrap(),
            },
            SystemTime::UNIX_EPOCH + Duration::from_secs(43_421 + at),
        )
    }

    #[test]
    fn five_failures_in_the_window_ban_and_one_register_counts_once() {
        let mut j = Judge::new(5, 60);
        for (i, s) in ["a", "a", "b", "c", "d"].iter().enumerate() {
            let (e, t) = failed(s, i as u64);
            assert_eq!(j.judge(&e, t), None, "attempt {i}");
        }
        let (e, t) = failed("e", 5);
        let Some(Decision::Ban { reason, .. }) = j.judge(&e, t) else {
            panic!("not banned");
        };
        assert_eq!(
            reason,
            "5 failed registrations as 6002 within 60 s, last at 12:03:46 UTC"
        );
    }

    #[test]
    fn failures_older_than_the_window_are_forgotten() {
        let mut j = Judge::new(3, 60);
        for (s, at) in [("a", 0), ("b", 30), ("c", 91), ("d", 120)] {
            let (e, t) = failed(s, at);
            assert_eq!(j.judge(&e, t), None, "{s}");
        }
    }
}
