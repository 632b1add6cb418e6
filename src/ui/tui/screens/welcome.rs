use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use ratatui::crossterm::event::KeyCode::{BackTab, Down, Enter, Tab, Up};
use ratatui::crossterm::event::KeyEvent;

use super::Reply;
use crate::ui::host::Preflight;
use crate::ui::tui::app::Screen;
use crate::ui::tui::keys::{Binding, Key::Code, bind, lookup, more};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;
use crate::ui::wizard::Wizard;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Choose(isize),
    Go,
}

pub const KEYS: &[Binding<Cmd>] = &[
    bind(
        &[(Code(Up), Cmd::Choose(-1)), (Code(Down), Cmd::Choose(1))],
        "↑↓",
        "choose",
    ),
    bind(&[(Code(Enter), Cmd::Go)], "Enter", "go"),
    more(
        &[
            (Code(Tab), Cmd::Choose(1)),
            (Code(BackTab), Cmd::Choose(-1)),
        ],
        "Tab Shift-Tab",
        "choose",
    ),
];

/// Which of the first screen's choices is highlighted.
#[derive(Debug, Default)]
pub struct WelcomeState {
    pub choice: usize,
}

impl WelcomeState {
    pub fn handle(&mut self, wizard: &mut Wizard, key: &KeyEvent) -> Option<Reply> {
        let n = text::WELCOME_CHOICES.len() as isize;
        Some(match lookup(KEYS, key)? {
            Cmd::Choose(d) => {
                self.choice = (self.choice as isize + d).rem_euclid(n) as usize;
                Reply::Stayed
            }
            Cmd::Go => match self.choice {
                0 => Reply::Stepped(wizard.advance().unwrap_or(wizard.step)),
                1 => Reply::Open(Screen::Revert),
                _ => Reply::Open(Screen::Status),
            },
        })
    }
}

pub struct WelcomeView<'a> {
    pub preflight: &'a Preflight,
    pub choice: usize,
    pub theme: &'a Theme,
}

impl Widget for &WelcomeView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let mut lines = vec![Line::from(text::WELCOME_INTRO), Line::from("")];
        lines.push(Line::styled(text::WELCOME_FOUND, t.heading()));
        for (what, found) in &self.preflight.lines {
            lines.push(Line::from(vec![
                Span::styled(format!("  {what:<13}"), t.dim()),
                Span::raw(found.clone()),
            ]));
        }
        if !self.preflight.warnings.is_empty() {
            lines.push(Line::styled(text::WELCOME_WARNINGS, t.heading()));
            for w in &self.preflight.warnings {
                lines.push(Line::styled(format!("  ! {w}"), t.warn()));
            }
        }
        lines.push(Line::from(""));
        for (i, c) in text::WELCOME_CHOICES.iter().enumerate() {
            lines.push(if i == self.choice {
                Line::from(vec![Span::raw("› "), Span::styled(*c, t.focus())])
            } else {
                Line::from(format!("  {c}"))
            });
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
