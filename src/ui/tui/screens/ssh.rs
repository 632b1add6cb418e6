use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;
use crate::ui::tui::widgets::field_lines;
use crate::ui::wizard::{Field, Wizard};

pub struct SshView<'a> {
    pub wizard: &'a Wizard,
    pub focus: Option<Field>,
    pub theme: &'a Theme,
}

impl Widget for &SshView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let w = self.wizard;
        let mut lines = vec![
            Line::from(text::ssh_intro(w.current_ssh_port())),
            Line::from(""),
        ];
        let admin = w.admin_address().map(|a| a.to_string()).unwrap_or_default();
        for field in w.fields(w.step) {
            let label = match field {
                Field::SshMove => text::SSH_MOVE.to_string(),
                Field::SshPort => text::SSH_PORT.to_string(),
                Field::KeyOnly => text::KEY_ONLY.to_string(),
                Field::TrustAdmin => text::trust_admin(&admin),
                _ => continue,
            };
            let focused = self.focus == Some(field);
            lines.extend(field_lines(
                w, field, &label, focused, self.theme, area.width,
            ));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
