use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use ratatui::crossterm::event::KeyCode::Char;
use ratatui::crossterm::event::KeyEvent;

use super::Reply;
use super::done::Summary;
use crate::transaction::SecondSession;
use crate::ui::Outcome;
use crate::ui::actions::{self, Action, BannerProof, Confirm};
use crate::ui::tui::app::Modal;
use crate::ui::tui::keys::{Binding, Key::Code, bind, lookup};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    ConfirmHere,
    Probe,
    RollBack,
}

/// While the confirmation window is open.
pub const KEYS: &[Binding<Cmd>] = &[
    bind(&[(Code(Char('c')), Cmd::ConfirmHere)], "c", "confirm here"),
    bind(&[(Code(Char('p')), Cmd::Probe)], "p", "probe SSH again"),
    bind(&[(Code(Char('u')), Cmd::RollBack)], "u", "roll back now"),
];

/// Where the apply is: one value, so no combination of half-states.
#[derive(Debug, Clone, Default)]
pub enum Phase {
    /// Nothing applied yet (or being applied: the screen says "working").
    #[default]
    NotApplied,
    /// Applied; the guard waits for a confirmation.
    Waiting {
        progress: Vec<String>,
        window: Waiting,
    },
    /// Over: kept, reverted, rolled back or failed.
    Done { summary: Summary, outcome: Outcome },
}

impl Phase {
    pub fn window(&self) -> Option<&Waiting> {
        match self {
            Self::Waiting { window, .. } => Some(window),
            _ => None,
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, Self::Done { .. })
    }

    pub fn keys(&self) -> &'static [Binding<Cmd>] {
        match self {
            Self::Waiting { .. } => KEYS,
            _ => &[],
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Option<Reply> {
        let cmd = lookup(self.keys(), key)?;
        let Self::Waiting { window: w, .. } = self else {
            return None;
        };
        Some(match cmd {
            Cmd::ConfirmHere => Reply::Modal(match &w.banner {
                Ok(_) => Modal::Confirm(Confirm::ask(Action::ConfirmHere)),
                Err(why) => Modal::Message(vec![text::banner_failed(why)]),
            }),
            Cmd::Probe => {
                w.banner = actions::banner_probe(w.port);
                Reply::Stayed
            }
            Cmd::RollBack => Reply::Modal(Modal::Confirm(Confirm::ask(Action::Rollback {
                backup_id: w.backup_id.clone(),
            }))),
        })
    }
}

/// The confirmation window, as the guard sees it.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub backup_id: String,
    pub deadline: u64,
    pub left: u64,
    pub port: u16,
    pub session: SecondSession,
    pub banner: Result<BannerProof, String>,
}

pub struct ApplyView<'a> {
    pub progress: &'a [String],
    pub waiting: Option<&'a Waiting>,
    pub theme: &'a Theme,
}

impl ApplyView<'_> {
    /// The steps done so far, each with its check mark.
    fn progress_lines(&self) -> Vec<Line<'static>> {
        let t = self.theme;
        let mut lines = Vec::new();
        if self.progress.is_empty() {
            lines.push(Line::from(text::APPLYING));
        } else {
            lines.push(Line::styled(text::APPLY_STEPS, t.heading()));
        }
        for p in self.progress {
            lines.push(Line::from(vec![
                Span::styled("  ✓ ", t.ok()),
                Span::raw(p.clone()),
            ]));
        }
        lines
    }
}

impl Widget for &ApplyView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let Some(w) = self.waiting else {
            Paragraph::new(self.progress_lines())
                .wrap(Wrap { trim: false })
                .render(area, buf);
            return;
        };
        // While the window is open, what to do comes first: the commands
        // (one line each, never wrapped, so they copy whole), the countdown
        // and the banner; the steps already done follow in what room is left.
        let commands: Vec<Line> = w
            .session
            .commands()
            .into_iter()
            .map(|c| Line::styled(format!("  {c}"), t.key()))
            .collect();
        let [heading, command_area, rest] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(commands.len() as u16),
            Constraint::Min(0),
        ])
        .areas(area);
        Paragraph::new(Line::styled(
            if w.session.login.is_some() {
                text::SECOND_SESSION
            } else {
                text::SECOND_SESSION_HERE
            },
            t.heading(),
        ))
        .render(heading, buf);
        Paragraph::new(commands).render(command_area, buf);
        let mut lines = vec![
            Line::styled(text::countdown(w.left), t.warn()),
            Line::from(text::at_zero(&w.backup_id)),
            match &w.banner {
                Ok(proof) => Line::styled(text::banner_ok(w.port, &proof.banner), t.ok()),
                Err(why) => Line::styled(text::banner_failed(why), t.dim()),
            },
            Line::from(""),
        ];
        lines.extend(self.progress_lines());
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(rest, buf);
    }
}
