use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use ratatui::crossterm::event::KeyCode::{Char, Down, Enter, Esc, Up};
use ratatui::crossterm::event::KeyEvent;

use super::Reply;
use super::pager::{self, Scroll};
use crate::review::file_diff;
use crate::transaction::BackupSet;
use crate::ui::actions::{self, Action, Confirm};
use crate::ui::host::{ApplyTarget, HostView};
use crate::ui::tui::app::{Modal, Screen};
use crate::ui::tui::keys::{Binding, Hint, Key::Code, bind, hints, lookup};
use crate::ui::tui::text;
use crate::ui::tui::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Choose(isize),
    Show,
    Restore,
    Back,
}

pub const LIST_KEYS: &[Binding<Cmd>] = &[
    bind(
        &[(Code(Up), Cmd::Choose(-1)), (Code(Down), Cmd::Choose(1))],
        "↑↓",
        "choose",
    ),
    bind(&[(Code(Enter), Cmd::Show)], "Enter", "show"),
    bind(&[(Code(Esc), Cmd::Back)], "Esc", "back"),
];
/// After the pager's keys.
pub const PREVIEW_KEYS: &[Binding<Cmd>] = &[
    bind(&[(Code(Char('r')), Cmd::Restore)], "r", "restore…"),
    bind(&[(Code(Esc), Cmd::Back)], "Esc", "back"),
];

/// The backup sets, the one chosen, and its diff once shown.
#[derive(Debug, Default)]
pub struct RevertState {
    pub sets: Vec<BackupSet>,
    pub selected: usize,
    pub preview: Option<Preview>,
    pub scroll: u16,
    pub message: Option<String>,
}

impl RevertState {
    pub fn open(host: &HostView) -> Self {
        Self {
            sets: actions::backups_newest_first(host),
            ..Self::default()
        }
    }

    pub fn hints(&self) -> Vec<Hint> {
        if self.preview.is_none() {
            return hints(LIST_KEYS);
        }
        let mut h = hints(pager::KEYS);
        h.extend(hints(PREVIEW_KEYS));
        h
    }

    pub fn handle(&mut self, host: &HostView, key: &KeyEvent, page: u16) -> Option<Reply> {
        if let Some(p) = &self.preview {
            if let Some(how) = lookup::<Scroll>(pager::KEYS, key) {
                pager::scroll(&mut self.scroll, how, page, p.text.len());
                return Some(Reply::Stayed);
            }
            return Some(match lookup(PREVIEW_KEYS, key)? {
                Cmd::Restore => Reply::Modal(match &host.target {
                    ApplyTarget::Unavailable(why) => Modal::Message(vec![why.clone()]),
                    _ => Modal::Confirm(Confirm::ask(Action::Rollback {
                        backup_id: p.backup_id.clone(),
                    })),
                }),
                _ => {
                    self.preview = None;
                    Reply::Stayed
                }
            });
        }
        let n = self.sets.len().max(1) as isize;
        Some(match lookup(LIST_KEYS, key)? {
            Cmd::Choose(d) => {
                self.selected = (self.selected as isize + d).rem_euclid(n) as usize;
                Reply::Stayed
            }
            Cmd::Show => {
                if let Some(set) = self.sets.get(self.selected) {
                    let (changes, firewall) = actions::revert_preview(host, set);
                    self.preview = Some(Preview::new(set, &changes, &firewall));
                    self.scroll = 0;
                    self.message = None;
                }
                Reply::Stayed
            }
            _ => Reply::Open(Screen::Wizard),
        })
    }
}

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
                let label = s.manifest.label();
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
