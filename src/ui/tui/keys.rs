//! Keys: each screen lists its keys once, as `KeyHint`s; the footer and the
//! `?` help both render from that list, so they cannot disagree.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme::Theme;
use super::widgets::Popup;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHint {
    pub keys: &'static str,
    pub action: &'static str,
}

pub const fn key(keys: &'static str, action: &'static str) -> KeyHint {
    KeyHint { keys, action }
}

/// The keys every screen has, shown last.
pub const GLOBAL: &[KeyHint] = &[key("?", "help"), key("q", "quit")];

/// One line: "Enter next  Esc back  ...".
pub struct Footer<'a> {
    pub hints: &'a [KeyHint],
    pub theme: &'a Theme,
}

impl Widget for &Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut spans = Vec::new();
        for h in self.hints.iter().chain(GLOBAL) {
            spans.push(Span::styled(format!(" {}", h.keys), self.theme.key()));
            spans.push(Span::raw(format!(" {} ", h.action)));
        }
        Line::from(spans).render(area, buf);
    }
}

/// The `?` popup: what this screen is for, then its keys.
pub struct Help<'a> {
    pub about: &'a str,
    pub hints: &'a [KeyHint],
    pub theme: &'a Theme,
}

impl Widget for &Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut lines = vec![Line::from(self.about), Line::from("")];
        let width = self
            .hints
            .iter()
            .chain(GLOBAL)
            .map(|h| h.keys.chars().count())
            .max()
            .unwrap_or(0);
        for h in self.hints.iter().chain(GLOBAL) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<width$}  ", h.keys), self.theme.key()),
                Span::raw(h.action),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(super::text::HELP_FOOT));
        (&Popup {
            title: super::text::HELP_TITLE,
            lines,
        })
            .render(area, buf);
    }
}
