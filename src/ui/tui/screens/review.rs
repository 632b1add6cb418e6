use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::actions::Review;
use crate::ui::tui::keys::{KeyHint, key};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;
use crate::ui::tui::widgets::wrap;

pub const KEYS: &[KeyHint] = &[
    key("↑↓ PgUp PgDn", "scroll"),
    key("Enter", "apply…"),
    key("s", "save answers"),
    key("Esc", "back"),
];

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
