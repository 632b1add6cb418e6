use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::review::file_diff;
use crate::transaction::BackupSet;
use crate::ui::tui::keys::{KeyHint, key};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;

pub const LIST_KEYS: &[KeyHint] = &[
    key("↑↓", "choose"),
    key("Enter", "show"),
    key("Esc", "back"),
];
pub const PREVIEW_KEYS: &[KeyHint] = &[
    key("↑↓ PgUp PgDn", "scroll"),
    key("r", "restore…"),
    key("Esc", "back"),
];

/// The diff back to one backup set.
#[derive(Debug, Clone)]
pub struct Preview {
    pub backup_id: String,
    pub text: Vec<String>,
}

impl Preview {
    pub fn new(set: &BackupSet, changes: &[crate::plan::FileChange], firewall: &str) -> Self {
        let mut text = vec![text::revert_heading(&set.manifest.id)];
        if changes.is_empty() {
            text.push(text::REVERT_SAME.into());
        }
        for c in changes {
            text.extend(file_diff(c).lines().map(str::to_string));
        }
        text.push(String::new());
        text.push(format!("and {firewall}"));
        Self {
            backup_id: set.manifest.id.clone(),
            text,
        }
    }
}

pub struct RevertView<'a> {
    pub sets: &'a [BackupSet],
    pub selected: usize,
    pub preview: Option<&'a Preview>,
    pub scroll: u16,
    pub message: Option<&'a str>,
    pub theme: &'a Theme,
}

impl Widget for &RevertView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let mut lines = Vec::new();
        if let Some(m) = self.message {
            lines.push(Line::styled(m.to_string(), t.ok()));
            lines.push(Line::from(""));
        }
        if let Some(p) = self.preview {
            for l in &p.text {
                let style = if l.starts_with('+') && !l.starts_with("+++") {
                    t.added()
                } else if l.starts_with('-') && !l.starts_with("---") {
                    t.removed()
                } else if l.starts_with("@@") {
                    t.hunk()
                } else {
                    Default::default()
                };
                lines.push(Line::styled(l.clone(), style));
            }
            Paragraph::new(lines)
                .scroll((self.scroll, 0))
                .render(area, buf);
            return;
        }
        if self.sets.is_empty() {
            lines.push(Line::from(text::REVERT_NONE));
        } else {
            lines.push(Line::from(text::REVERT_PICK));
            lines.push(Line::from(""));
            for (i, s) in self.sets.iter().enumerate() {
                let label = format!(
                    "{}  before applying {}  ({})",
                    s.manifest.id,
                    s.manifest.mode,
                    s.manifest.files_label()
                );
                lines.push(if i == self.selected {
                    Line::from(vec![Span::raw("› "), Span::styled(label, t.focus())])
                } else {
                    Line::from(format!("  {label}"))
                });
            }
        }
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(area, buf);
    }
}
