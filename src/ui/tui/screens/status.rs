//! The live status view: drops per cause as numbers, a sparkline of drops
//! per refresh, the newest bans on top, the known phones, the trapped
//! sources. Refreshed every couple of seconds from the live kernel
//! (`crate::status`). One entry is selected; ban, unban, allow and release
//! act on it, each asked first (y/n naming the address and the action) and
//! carried out by the library's `operate::act`, as the CLI does.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode::{Char, Down, Enter, Esc, Up};
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Widget, Wrap};

use super::Reply;
use crate::operate::{self, Action as Op};
use crate::status::{Entry, Status, gather};
use crate::ui::actions::{self, Action, Confirm};
use crate::ui::host::HostView;
use crate::ui::tui::app::{Modal, Screen};
use crate::ui::tui::keys::{Binding, Key::Code, bind, lookup, more};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Select(isize),
    Act(Op),
    Trust,
    Back,
}

const BACK: Binding<Cmd> = bind(&[(Code(Esc), Cmd::Back)], "Esc", "back");
const ENTER_BACK: Binding<Cmd> = more(&[(Code(Enter), Cmd::Back)], "Enter", "back");

/// No entry to act on.
pub const KEYS: &[Binding<Cmd>] = &[BACK, ENTER_BACK];

/// An entry is selected.
pub const ENTRY_KEYS: &[Binding<Cmd>] = &[
    bind(
        &[(Code(Up), Cmd::Select(-1)), (Code(Down), Cmd::Select(1))],
        "↑↓",
        "select",
    ),
    bind(&[(Code(Char('b')), Cmd::Act(Op::Ban))], "b", "ban…"),
    bind(&[(Code(Char('u')), Cmd::Act(Op::Unban))], "u", "unban…"),
    bind(&[(Code(Char('a')), Cmd::Act(Op::Allow))], "a", "allow…"),
    bind(&[(Code(Char('r')), Cmd::Act(Op::Release))], "r", "release…"),
    BACK,
    more(
        &[(Code(Char('t')), Cmd::Trust)],
        "t",
        "trust… (through the review)",
    ),
    ENTER_BACK,
];

/// How often the view reads the kernel again.
pub const REFRESH: Duration = Duration::from_secs(2);
const HISTORY: usize = 60;

/// The lists shown, and how many of each (the newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Banned,
    Known,
    Trapped,
    Quieted,
}

const SHOWN: [(List, &str, usize); 4] = [
    (List::Banned, "Banned scanners, newest first", 5),
    (List::Known, "Known phones", 5),
    (List::Trapped, "Trapped port scanners", 3),
    // `u` lifts a quiet entry (unban takes the source off QUIET too).
    (
        List::Quieted,
        "Quieted strangers (SIP/RTP dropped), newest first",
        3,
    ),
];

fn list(status: &Status, which: List) -> &[Entry] {
    match which {
        List::Banned => &status.banned_scanners,
        List::Known => &status.known_phones,
        List::Trapped => &status.trapped_sources,
        List::Quieted => &status.quieted_strangers,
    }
}

/// The selected entry: by address, so it stays put as the lists refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub list: List,
    pub address: String,
}

/// How the view reads the kernel (tests put a slow stand-in here).
pub type Reader = fn() -> Result<Status, String>;

/// This machine's live kernel, with its own programs (the status screen
/// shows what is loaded here, whatever root the wizard plans for).
fn read_kernel() -> Result<Status, String> {
    gather(&crate::exec::System).map_err(|e| e.to_string())
}

#[derive(Debug)]
pub struct StatusState {
    pub current: Option<Result<Status, String>>,
    /// Drops between consecutive refreshes, oldest first.
    pub history: VecDeque<u64>,
    pub selected: Option<Selected>,
    /// What the last action did.
    pub message: Option<String>,
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
            selected: None,
            message: None,
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
        self.keep_selection();
    }

    /// The entries on screen, in order.
    pub fn shown(&self) -> Vec<(List, &Entry)> {
        let Some(Ok(s)) = &self.current else {
            return Vec::new();
        };
        SHOWN
            .iter()
            .flat_map(|(which, _, max)| list(s, *which).iter().take(*max).map(|e| (*which, e)))
            .collect()
    }

    /// The same address (on the same list if it still is), else the first.
    fn keep_selection(&mut self) {
        let shown = self.shown();
        let find = |same_list: bool| {
            self.selected.as_ref().and_then(|sel| {
                shown
                    .iter()
                    .find(|(l, e)| e.address == sel.address && (!same_list || *l == sel.list))
            })
        };
        let next = find(true)
            .or_else(|| find(false))
            .or(shown.first())
            .map(|(list, e)| Selected {
                list: *list,
                address: e.address.clone(),
            });
        self.selected = next;
    }

    pub fn keys(&self) -> &'static [Binding<Cmd>] {
        if self.selected.is_some() {
            ENTRY_KEYS
        } else {
            KEYS
        }
    }

    pub fn handle(&mut self, host: &HostView, key: &KeyEvent) -> Option<Reply> {
        let cmd = lookup(self.keys(), key)?;
        Some(match (cmd, &self.selected) {
            (Cmd::Back, _) => Reply::Open(Screen::Wizard),
            (Cmd::Select(d), Some(sel)) => {
                let shown = self.shown();
                let n = shown.len().max(1) as isize;
                let at = shown
                    .iter()
                    .position(|(l, e)| *l == sel.list && e.address == sel.address)
                    .unwrap_or(0) as isize;
                let (list, e) = shown[(at + d).rem_euclid(n) as usize];
                self.selected = Some(Selected {
                    list,
                    address: e.address.clone(),
                });
                Reply::Stayed
            }
            (Cmd::Act(op), Some(sel)) => Reply::Modal(ask(host, Some(op), &sel.address)),
            (Cmd::Trust, Some(sel)) => Reply::Modal(ask(host, None, &sel.address)),
            (Cmd::Select(_) | Cmd::Act(_) | Cmd::Trust, None) => Reply::Stayed,
        })
    }

    /// After a change: what it did, and a fresh reading.
    pub fn changed(&mut self, message: String) {
        self.message = Some(message);
        // A reading begun before the change would show the lists as they were.
        self.pending = None;
        self.updated = None;
        self.refresh_if_due();
    }
}

/// The question for `op` (`None`: trust) on `address`, or why it cannot be
/// done: not on this host, or (for a ban) an address that must stay
/// reachable.
fn ask(host: &HostView, op: Option<Op>, address: &str) -> Modal {
    let refuse =
        |e: String| Modal::Message(e.lines().map(str::trim_start).map(String::from).collect());
    if let Some(why) = actions::lists_unavailable(host) {
        return refuse(why);
    }
    let a: IpAddr = match operate::parse_address(address) {
        Ok(a) => a,
        Err(e) => return refuse(e.to_string()),
    };
    let Some(op) = op else {
        return Modal::Confirm(Confirm::ask(Action::Trust { address: a }));
    };
    if op == Op::Ban {
        match operate::protected::read(&host.root, &mut |_| {}) {
            Err(e) => return refuse(e.to_string()),
            Ok(p) => {
                if let Err(e) = p.refuse(a, "banned") {
                    return refuse(e.to_string());
                }
            }
        }
    }
    Modal::Confirm(Confirm::ask(Action::Operate {
        action: op,
        address: a,
    }))
}

pub struct StatusView<'a> {
    pub state: &'a StatusState,
    pub theme: &'a Theme,
}

impl StatusView<'_> {
    /// The lists, the selected entry marked; and the line it is on.
    fn entries(&self, status: &Status) -> (Vec<Line<'static>>, usize) {
        let mut lines = Vec::new();
        let mut at = 0;
        if let Some(m) = &self.state.message {
            lines.push(Line::styled(m.clone(), self.theme.ok()));
        }
        for (which, title, max) in SHOWN {
            let entries = list(status, which);
            lines.push(Line::from(format!("{title} ({})", entries.len())));
            for e in entries.iter().take(max) {
                let text = format!("{:<39} {}", e.address, e.last_seen.as_deref().unwrap_or(""));
                let selected = self
                    .state
                    .selected
                    .as_ref()
                    .is_some_and(|s| s.list == which && s.address == e.address);
                if selected {
                    at = lines.len();
                    lines.push(Line::from(vec![
                        Span::raw("› "),
                        Span::styled(text, self.theme.focus()),
                    ]));
                } else {
                    lines.push(Line::from(format!("  {text}")));
                }
            }
        }
        (lines, at)
    }
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
            (d.quieted_or_banned, "SIP/RTP of quieted or banned sources"),
        ] {
            lines.push(Line::from(format!("  {n:>10}  {what}")));
        }
        Paragraph::new(lines).render(head, buf);
        let data: Vec<u64> = self.state.history.iter().copied().collect();
        let [label, chart] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(2)]).areas(spark);
        Paragraph::new(text::STATUS_SPARK).render(label, buf);
        Sparkline::default().data(&data).render(chart, buf);
        let (mut rest, at) = self.entries(status);
        for w in &status.warnings {
            rest.push(Line::from(format!("! {w}")));
        }
        // A small terminal shows the part of the lists the selection is in.
        let scroll = (at + 1).saturating_sub(body.height as usize) as u16;
        Paragraph::new(rest)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
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
