//! Small pieces the screens share: a form field as lines (with its error or
//! warning under it), a popup frame.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::theme::Theme;
use crate::ui::wizard::{Field, FieldKind, Wizard};

/// A field as the admin sees it: focus marker, value, then its problem.
pub fn field_lines<'a>(
    wizard: &Wizard,
    field: Field,
    label: &str,
    focused: bool,
    theme: &Theme,
    width: u16,
) -> Vec<Line<'a>> {
    let marker = if focused { "› " } else { "  " };
    let style = if focused {
        theme.focus()
    } else {
        Default::default()
    };
    let value = match field.kind() {
        FieldKind::Toggle => {
            let mark = if wizard.flag(field) { "[x]" } else { "[ ]" };
            format!("{mark} {label}")
        }
        FieldKind::Text => {
            let cursor = if focused { "▏" } else { "" };
            format!("{label}: {}{cursor}", wizard.text(field))
        }
        FieldKind::Choice => label.to_string(),
    };
    let mut lines = vec![Line::from(vec![
        Span::raw(marker.to_string()),
        Span::styled(value, style),
    ])];
    if let Some(e) = wizard.field_error(field) {
        lines.extend(error_lines(&e.reason, &e.hint, theme, width));
    }
    for (f, w) in wizard.warnings(wizard.step) {
        if f == field {
            lines.extend(
                wrap(&w, "    ! ", width)
                    .into_iter()
                    .map(|l| Line::styled(l, theme.warn())),
            );
        }
    }
    lines
}

/// A refusal under its field: the reason, then what to do.
pub fn error_lines<'a>(reason: &str, hint: &str, theme: &Theme, width: u16) -> Vec<Line<'a>> {
    wrap(reason, "    ✗ ", width)
        .into_iter()
        .chain(wrap(&format!("what to do: {hint}"), "      ", width))
        .map(|l| Line::styled(l, theme.error()))
        .collect()
}

/// A centered popup with a title and text lines.
pub struct Popup<'a> {
    pub title: &'a str,
    pub lines: Vec<Line<'a>>,
}

impl Widget for &Popup<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let width = area.width.min(76);
        // Wrapped lines need more rows than there are lines: estimate them.
        let inner = width.saturating_sub(2).max(1) as usize;
        let rows: usize = self
            .lines
            .iter()
            .map(|l| l.width().max(1).div_ceil(inner))
            .sum();
        let height = (rows as u16 + 2).min(area.height);
        let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
        Clear.render(popup, buf);
        Paragraph::new(self.lines.clone())
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(self.title))
            .render(popup, buf);
    }
}

/// Word-wrap `text` after `lead`, continuation lines indented to match.
pub fn wrap(text: &str, lead: &str, width: u16) -> Vec<String> {
    let width = (width as usize).max(lead.len() + 20);
    let indent = " ".repeat(lead.chars().count());
    let mut out = vec![lead.to_string()];
    for word in text.split(' ') {
        let last = out.last_mut().expect("never empty");
        let fresh = last.chars().count() == lead.chars().count();
        if !fresh && last.chars().count() + 1 + word.chars().count() > width {
            out.push(format!("{indent}{word}"));
        } else {
            if !fresh {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    out
}
