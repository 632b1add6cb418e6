use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;
use crate::ui::tui::widgets::field_lines;
use crate::ui::wizard::{Field, Wizard};

pub struct AsteriskView<'a> {
    pub wizard: &'a Wizard,
    pub focus: Option<Field>,
    pub theme: &'a Theme,
    pub installed: bool,
    pub iax_in_use: bool,
}

impl Widget for &AsteriskView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let w = self.wizard;
        let mut lines = vec![Line::from(text::ASTERISK_INTRO)];
        if !self.installed {
            lines.push(Line::styled(text::NO_ASTERISK, self.theme.warn()));
        }
        lines.push(Line::from(""));
        for field in w.fields(w.step) {
            let label = match field {
                Field::ManageAsterisk => text::MANAGE_ASTERISK.to_string(),
                Field::Module(i) => {
                    let name = &w.form.modules[i].name;
                    let note = if self.iax_in_use && name == "chan_iax2.so" {
                        text::IAX_NOTE
                    } else {
                        ""
                    };
                    format!("{name} {note}").trim_end().to_string()
                }
                Field::ManagerLocalhost => text::AMI_LOCAL.to_string(),
                Field::DisableFop => text::FOP.to_string(),
                _ => continue,
            };
            if field == Field::Module(0) {
                lines.push(Line::from(format!("    {}", text::MODULES)));
            }
            lines.extend(field_lines(
                w,
                field,
                &label,
                self.focus == Some(field),
                self.theme,
                area.width,
            ));
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
