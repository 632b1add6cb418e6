//! The live status view: drops per cause as numbers, a sparkline of drops
//! per refresh, the newest bans on top, the known phones. Refreshed every
//! couple of seconds from the live kernel (`crate::status`).

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Sparkline, Widget, Wrap};

use crate::status::{Status, gather};
use crate::ui::tui::keys::{KeyHint, key};
use crate::ui::tui::text;

pub const KEYS: &[KeyHint] = &[key("Esc", "back")];

/// How often the view reads the kernel again.
pub const REFRESH: Duration = Duration::from_secs(2);
const HISTORY: usize = 60;

/// How the view reads the kernel (tests put a slow stand-in here).
pub type Reader = fn() -> Result<Status, String>;

fn read_kernel() -> Result<Status, String> {
    gather().map_err(|e| e.to_string())
}

#[derive(Debug)]
pub struct StatusState {
    pub current: Option<Result<Status, String>>,
    /// Drops between consecutive refreshes, oldest first.
    pub history: VecDeque<u64>,
    last_total: Option<u64>,
    updated: Option<Instant>,
    reader: Reader,
    /// A reading under way on its own thread: with 100,000 addresses on
    /// each set it takes a second or more, and the keys must not wait.
    pending: Option<Receiver<Result<Status, String>>>,
}

impl Default for StatusState {
    fn default() -> Self {
        Self::with_reader(read_kernel)
    }
}

impl StatusState {
    pub fn with_reader(reader: Reader) -> Self {
        Self {
            current: None,
            history: VecDeque::new(),
            last_total: None,
            updated: None,
            reader,
            pending: None,
        }
    }

    /// Start a reading if the last one is older than `REFRESH`, off the UI
    /// thread; take it in once it is done. Never waits.
    pub fn refresh_if_due(&mut self) {
        if let Some(rx) = &self.pending {
            match rx.try_recv() {
                Ok(reading) => {
                    self.pending = None;
                    self.record(reading);
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.pending = None;
                    self.record(Err("the status reader stopped before it was done".into()));
                }
            }
            return;
        }
        if self.updated.is_some_and(|t| t.elapsed() < REFRESH) {
            return;
        }
        let (tx, rx) = channel();
        let reader = self.reader;
        std::thread::spawn(move || {
            // The view may be gone by now: nothing to tell then.
            let _ = tx.send(reader());
        });
        self.pending = Some(rx);
    }

    /// A reading is under way.
    pub fn reading(&self) -> bool {
        self.pending.is_some()
    }

    /// Take a reading (also how tests feed it).
    pub fn record(&mut self, reading: Result<Status, String>) {
        if let Ok(s) = &reading {
            let total = s.drops.total();
            if let Some(last) = self.last_total {
                self.history.push_back(total.saturating_sub(last));
                if self.history.len() > HISTORY {
                    self.history.pop_front();
                }
            }
            self.last_total = Some(total);
        }
        self.current = Some(reading);
        self.updated = Some(Instant::now());
    }
}

pub struct StatusView<'a> {
    pub state: &'a StatusState,
}

fn entries(title: &str, list: &[crate::status::Entry], max: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(format!("{title} ({})", list.len()))];
    for e in list.iter().take(max) {
        lines.push(Line::from(format!(
            "  {:<39} {}",
            e.address,
            e.last_seen.as_deref().unwrap_or("")
        )));
    }
    lines
}

impl Widget for &StatusView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let status = match &self.state.current {
            None => return Paragraph::new(text::STATUS_READING).render(area, buf),
            Some(Err(e)) => {
                return Paragraph::new(format!("{}\n{e}", text::STATUS_UNREADABLE))
                    .wrap(Wrap { trim: false })
                    .render(area, buf);
            }
            Some(Ok(s)) => s,
        };
        let Some(mode) = &status.mode else {
            return Paragraph::new(text::STATUS_NOT_LOADED)
                .wrap(Wrap { trim: false })
                .render(area, buf);
        };
        let [head, spark, body] = Layout::vertical([
            Constraint::Length(10),
            Constraint::Length(3),
            Constraint::Min(0),
        ])
        .areas(area);
        let d = &status.drops;
        let mut lines = vec![Line::from(format!(
            "Mode in force: {mode}    dropped: {}    refreshed every {} s",
            d.total(),
            REFRESH.as_secs()
        ))];
        for (n, what) in [
            (d.scanner_user_agent, "scanner user agent"),
            (d.banned_source, "from banned scanners"),
            (d.port_scan_trap, "port-scan trap knocks"),
            (d.trapped_source, "from trapped port scanners"),
            (d.bogon, "bogon sources or destinations"),
            (d.bad_tcp_flags, "bad TCP flags, empty UDP"),
            (d.rate_limit, "rate limits"),
            (d.sip_without_hostname, "SIP without the secret hostname"),
        ] {
            lines.push(Line::from(format!("  {n:>10}  {what}")));
        }
        Paragraph::new(lines).render(head, buf);
        let data: Vec<u64> = self.state.history.iter().copied().collect();
        let [label, chart] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(spark);
        Paragraph::new(text::STATUS_SPARK).render(label, buf);
        Sparkline::default().data(&data).render(chart, buf);
        let mut rest = entries("Banned scanners, newest first", &status.banned_scanners, 5);
        rest.extend(entries("Known phones", &status.known_phones, 5));
        rest.extend(entries("Trapped port scanners", &status.trapped_sources, 3));
        for w in &status.warnings {
            rest.push(Line::from(format!("! {w}")));
        }
        Paragraph::new(rest)
            .wrap(Wrap { trim: false })
            .render(body, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow() -> Result<Status, String> {
        std::thread::sleep(Duration::from_millis(1500));
        Err("slow stand-in".into())
    }

    #[test]
    fn a_slow_reading_never_holds_the_keys() {
        let mut s = StatusState::with_reader(slow);
        let t = Instant::now();
        s.refresh_if_due();
        s.refresh_if_due();
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "the view waited for the kernel"
        );
        assert!(s.reading() && s.current.is_none());
        while s.current.is_none() && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
            s.refresh_if_due();
        }
        assert!(matches!(&s.current, Some(Err(e)) if e == "slow stand-in"));
        assert!(!s.reading());
    }
}
