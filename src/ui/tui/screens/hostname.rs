use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;
use crate::ui::tui::widgets::field_lines;
use crate::ui::wizard::{Field, Wizard};

pub struct HostnameView<'a> {
    pub wizard: &'a Wizard,
    pub focus: Option<Field>,
    pub theme: &'a Theme,
}

impl Widget for &HostnameView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let w = self.wizard;
        let mut lines = vec![Line::from(text::HOSTNAME_INTRO), Line::from("")];
        lines.extend(field_lines(
            w,
            Field::Hostname,
            text::HOSTNAME,
            self.focus == Some(Field::Hostname),
            self.theme,
            area.width,
        ));
        lines.push(Line::from(""));
        lines.extend(field_lines(
            w,
            Field::Trunks,
            text::TRUNKS,
            self.focus == Some(Field::Trunks),
            self.theme,
            area.width,
        ));
        lines.push(Line::styled(
            format!("    {}", text::TRUNKS_NOTE),
            self.theme.dim(),
        ));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
