use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::ui::tui::keys::{KeyHint, key};
use crate::ui::tui::text;

pub const KEYS: &[KeyHint] = &[key("Esc", "back")];

pub struct StatusView;

impl Widget for &StatusView {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines: Vec<Line> = text::STATUS.iter().map(|l| Line::from(*l)).collect();
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
