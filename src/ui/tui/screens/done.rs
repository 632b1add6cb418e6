use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use ratatui::crossterm::event::KeyCode::Enter;
use ratatui::crossterm::event::KeyEvent;

use super::Reply;
use crate::ui::tui::keys::{Binding, Key::Code, bind, lookup};
use crate::ui::tui::theme::Theme;

pub const KEYS: &[Binding<()>] = &[bind(&[(Code(Enter), ())], "Enter", "finish")];

pub fn handle(key: &KeyEvent) -> Option<Reply> {
    lookup(KEYS, key).map(|()| Reply::Finish)
}

/// What the Done screen says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub headline: String,
    pub good: bool,
    pub lines: Vec<String>,
}

pub struct DoneView<'a> {
    pub summary: &'a Summary,
    pub theme: &'a Theme,
}

impl Widget for &DoneView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let style = if self.summary.good {
            self.theme.ok()
        } else {
            self.theme.error()
        };
        let mut lines = vec![
            Line::styled(self.summary.headline.clone(), style),
            Line::from(""),
        ];
        lines.extend(self.summary.lines.iter().map(|l| Line::from(l.clone())));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
