use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use ratatui::crossterm::event::KeyCode::{Char, Enter, Esc};
use ratatui::crossterm::event::KeyEvent;

use super::Reply;
use super::pager::{self, Scroll};
use crate::ui::actions::{Action, Confirm, Review};
use crate::ui::host::{ApplyTarget, HostView};
use crate::ui::tui::app::Modal;
use crate::ui::tui::keys::{Binding, Hint, Key::Code, bind, hints, lookup, more};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;
use crate::ui::tui::widgets::wrap;
use crate::ui::wizard::Wizard;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Apply,
    Save,
    Back,
}

/// After the pager's keys.
pub const KEYS: &[Binding<Cmd>] = &[
    bind(&[(Code(Enter), Cmd::Apply)], "Enter", "apply…"),
    bind(&[(Code(Char('s')), Cmd::Save)], "s", "save answers"),
    bind(&[(Code(Esc), Cmd::Back)], "Esc", "back"),
    more(&[(Code(Char('a')), Cmd::Apply)], "a", "apply…"),
];

/// The review of the answers (or why there is none), and how far it is
/// scrolled.
#[derive(Debug, Default)]
pub struct ReviewState {
    pub review: Option<Result<Review, String>>,
    pub scroll: u16,
    /// Opened to trust this (from the Status screen): once kept, a ban or
    /// trap it had is lifted, as `asterisk-harden trust` does.
    pub trust: Option<ipnet::IpNet>,
}

impl ReviewState {
    pub fn hints(&self) -> Vec<Hint> {
        let mut h = hints(pager::KEYS);
        h.extend(hints(KEYS));
        h
    }

    /// One key; `lines` is how many lines the review has at this width.
    pub fn handle(
        &mut self,
        wizard: &mut Wizard,
        host: &HostView,
        key: &KeyEvent,
        (page, lines): (u16, usize),
    ) -> Option<Reply> {
        if let Some(how) = lookup::<Scroll>(pager::KEYS, key) {
            pager::scroll(&mut self.scroll, how, page, lines);
            return Some(Reply::Stayed);
        }
        Some(match lookup(KEYS, key)? {
            Cmd::Back => Reply::Stepped(wizard.back()),
            Cmd::Apply => Reply::Modal(match (&host.target, &self.review) {
                (ApplyTarget::Unavailable(why), _) => Modal::Message(vec![why.clone()]),
                (_, Some(Ok(_))) => Modal::Confirm(Confirm::ask(Action::Apply)),
                (_, _) => Modal::Message(vec!["Esc goes back to fix the problem.".into()]),
            }),
            Cmd::Save => Reply::Modal(Modal::SaveAs(text::SAVE_DEFAULT.into())),
        })
    }
}

/// The review as lines for a body `width` wide: the summary and notes
/// wrapped, then every diff, coloured (diff lines are cut, never wrapped,
/// so a wrapped line is never mistaken for a change).
pub fn lines<'a>(review: &Review, theme: &Theme, width: u16) -> Vec<Line<'a>> {
    let mut lines = vec![Line::styled(text::REVIEW_SUMMARY, theme.heading())];
    for s in &review.summary {
        lines.extend(wrap(s, "  - ", width).into_iter().map(Line::from));
    }
    for n in &review.notes {
        lines.extend(
            wrap(n, "  · ", width)
                .into_iter()
                .map(|l| Line::styled(l, theme.dim())),
        );
    }
    for section in &review.sections {
        lines.push(Line::from(""));
        lines.push(Line::styled(section.title.clone(), theme.heading()));
        for l in section.diff.lines() {
            lines.push(Line::styled(l.to_string(), diff_style(l, theme)));
        }
    }
    lines
}

fn diff_style(line: &str, theme: &Theme) -> Style {
    if line.starts_with("+++") || line.starts_with("---") {
        Style::new().add_modifier(ratatui::style::Modifier::BOLD)
    } else if line.starts_with('+') {
        theme.added()
    } else if line.starts_with('-') {
        theme.removed()
    } else if line.starts_with("@@") {
        theme.hunk()
    } else {
        Style::new()
    }
}

pub struct ReviewView<'a> {
    pub review: Result<&'a Review, &'a str>,
    pub scroll: u16,
    pub theme: &'a Theme,
}

impl Widget for &ReviewView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        match self.review {
            Ok(review) => {
                let lines = lines(review, self.theme, area.width);
                let total = lines.len();
                let first = (self.scroll as usize).min(total.saturating_sub(1));
                let last = (first + area.height as usize).min(total);
                let [body, position] = ratatui::layout::Layout::vertical([
                    ratatui::layout::Constraint::Fill(1),
                    ratatui::layout::Constraint::Length(1),
                ])
                .areas(area);
                Paragraph::new(lines)
                    .scroll((self.scroll, 0))
                    .render(body, buf);
                Line::styled(
                    text::review_position(first + 1, last.min(first + body.height as usize), total),
                    self.theme.dim(),
                )
                .right_aligned()
                .render(position, buf);
            }
            Err(problem) => {
                Paragraph::new(vec![
                    Line::styled(problem.to_string(), self.theme.error()),
                    Line::from(""),
                    Line::from("Esc goes back to fix it."),
                ])
                .wrap(Wrap { trim: false })
                .render(area, buf);
            }
        }
    }
}
