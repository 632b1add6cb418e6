use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;
use crate::ui::tui::widgets::{error_lines, field_lines};
use crate::ui::wizard::{Field, MODES, Wizard};

pub struct ModeView<'a> {
    pub wizard: &'a Wizard,
    pub focus: Option<Field>,
    pub theme: &'a Theme,
}

impl Widget for &ModeView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let w = self.wizard;
        let t = self.theme;
        let focused = self.focus == Some(Field::Mode);
        let mut lines = vec![Line::from(format!(
            "{}{} (←→ or Space to change)",
            if focused { "› " } else { "  " },
            text::MODE
        ))];
        for mode in MODES {
            let (name, tradeoff) = text::mode_line(mode);
            let chosen = w.form.mode == mode;
            let mark = if chosen { "(•)" } else { "( )" };
            let style = if chosen && focused {
                t.focus()
            } else {
                Default::default()
            };
            lines.push(Line::from(vec![
                Span::raw("    "),
                Span::styled(format!("{mark} {name}"), style),
            ]));
            for part in tradeoff.lines() {
                lines.push(Line::styled(format!("        {part}"), t.dim()));
            }
        }
        if let Some(e) = w.field_error(Field::Mode) {
            lines.extend(error_lines(&e.reason, &e.hint, t, area.width));
        }
        lines.push(Line::from(""));
        for (field, label) in [
            (Field::Zoiper, text::ZOIPER),
            (Field::RateLimit, text::RATE_LIMIT),
        ] {
            lines.extend(field_lines(
                w,
                field,
                label,
                self.focus == Some(field),
                t,
                area.width,
            ));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
