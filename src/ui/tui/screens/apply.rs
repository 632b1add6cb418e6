use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::transaction::SecondSession;
use crate::ui::actions::BannerProof;
use crate::ui::tui::keys::{KeyHint, key};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;

pub const KEYS: &[KeyHint] = &[
    key("c", "confirm here"),
    key("p", "probe SSH again"),
    key("u", "roll back now"),
];

/// The confirmation window, as the guard sees it.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub backup_id: String,
    pub deadline: u64,
    pub left: u64,
    pub port: u16,
    pub session: SecondSession,
    pub banner: Result<BannerProof, String>,
}

pub struct ApplyView<'a> {
    pub progress: &'a [String],
    pub waiting: Option<&'a Waiting>,
    pub theme: &'a Theme,
}

impl ApplyView<'_> {
    /// The steps done so far, each with its check mark.
    fn progress_lines(&self) -> Vec<Line<'static>> {
        let t = self.theme;
        let mut lines = Vec::new();
        if self.progress.is_empty() {
            lines.push(Line::from(text::APPLYING));
        } else {
            lines.push(Line::styled(text::APPLY_STEPS, t.heading()));
        }
        for p in self.progress {
            lines.push(Line::from(vec![
                Span::styled("  ✓ ", t.ok()),
                Span::raw(p.clone()),
            ]));
        }
        lines
    }
}

impl Widget for &ApplyView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let Some(w) = self.waiting else {
            Paragraph::new(self.progress_lines())
                .wrap(Wrap { trim: false })
                .render(area, buf);
            return;
        };
        // While the window is open, what to do comes first: the commands
        // (one line each, never wrapped, so they copy whole), the countdown
        // and the banner; the steps already done follow in what room is left.
        let commands: Vec<Line> = w
            .session
            .commands()
            .into_iter()
            .map(|c| Line::styled(format!("  {c}"), t.key()))
            .collect();
        let [heading, command_area, rest] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(commands.len() as u16),
            Constraint::Min(0),
        ])
        .areas(area);
        Paragraph::new(Line::styled(
            if w.session.login.is_some() {
                text::SECOND_SESSION
            } else {
                text::SECOND_SESSION_HERE
            },
            t.heading(),
        ))
        .render(heading, buf);
        Paragraph::new(commands).render(command_area, buf);
        let mut lines = vec![
            Line::styled(text::countdown(w.left), t.warn()),
            Line::from(text::at_zero(&w.backup_id)),
            match &w.banner {
                Ok(proof) => Line::styled(text::banner_ok(w.port, &proof.banner), t.ok()),
                Err(why) => Line::styled(text::banner_failed(why), t.dim()),
            },
            Line::from(""),
        ];
        lines.extend(self.progress_lines());
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(rest, buf);
    }
}
