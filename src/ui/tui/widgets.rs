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
        lines.push(Line::styled(format!("    ✗ {}", e.reason), theme.error()));
        lines.push(Line::styled(
            format!("      what to do: {}", e.hint),
            theme.error(),
        ));
    }
    for (f, w) in wizard.warnings(wizard.step) {
        if f == field {
            lines.push(Line::styled(format!("    ! {w}"), theme.warn()));
        }
    }
    lines
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
