use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::host::Preflight;
use crate::ui::tui::keys::{KeyHint, key};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;

pub const KEYS: &[KeyHint] = &[key("↑↓", "choose"), key("Enter", "go")];

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
