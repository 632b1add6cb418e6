//! Keys: each screen lists its keys once, as `Binding`s from a key to one of
//! the screen's own commands. The dispatch looks the pressed key up in that
//! list, and the footer and the `?` help render from the same list, so what
//! is offered, what is explained and what is handled cannot disagree.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::theme::Theme;
use super::widgets::Popup;

/// A key as a list names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// This key, alone (or with Shift, which capitals and Shift-Tab carry).
    Code(KeyCode),
    /// Ctrl and this letter.
    Ctrl(char),
    /// Any printable character: typing into a text field.
    Typed,
}

impl Key {
    pub fn matches(self, event: &KeyEvent) -> bool {
        let plain = (event.modifiers - KeyModifiers::SHIFT).is_empty();
        match self {
            Self::Code(code) => plain && event.code == code,
            Self::Ctrl(c) => {
                event.modifiers.contains(KeyModifiers::CONTROL) && event.code == KeyCode::Char(c)
            }
            Self::Typed => plain && matches!(event.code, KeyCode::Char(_)),
        }
    }

    /// How the help and the footer write this key.
    pub fn name(self) -> String {
        match self {
            Self::Code(code) => match code {
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Char(' ') => "Space".into(),
                other => other.to_string(),
            },
            Self::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Self::Typed => "text".into(),
        }
    }
}

/// Some keys under one label, each leading to one command `C` of a screen.
#[derive(Debug)]
pub struct Binding<C: 'static> {
    pub keys: &'static [(Key, C)],
    /// The keys as written, e.g. "↑↓ PgUp PgDn" (names every key above).
    pub label: &'static str,
    pub action: &'static str,
    /// Shown in the footer too (the help shows every binding).
    pub footer: bool,
}

/// A binding for the footer and the help: its keys and what they do.
pub const fn bind<C>(
    keys: &'static [(Key, C)],
    label: &'static str,
    action: &'static str,
) -> Binding<C> {
    Binding {
        keys,
        label,
        action,
        footer: true,
    }
}

/// A binding only the help lists (the footer has no room for it).
pub const fn more<C>(
    keys: &'static [(Key, C)],
    label: &'static str,
    action: &'static str,
) -> Binding<C> {
    Binding {
        footer: false,
        ..bind(keys, label, action)
    }
}

/// What the footer and the help show of a binding, and the keys it holds
/// (for the test that what is listed is what is handled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub label: &'static str,
    pub action: &'static str,
    pub footer: bool,
    pub keys: Vec<Key>,
}

impl<C> Binding<C> {
    pub fn hint(&self) -> Hint {
        Hint {
            label: self.label,
            action: self.action,
            footer: self.footer,
            keys: self.keys.iter().map(|(k, _)| *k).collect(),
        }
    }
}

/// The command `event` means in `list`, if any: the only way a key reaches
/// a screen.
pub fn lookup<C: Copy>(list: &[Binding<C>], event: &KeyEvent) -> Option<C> {
    list.iter()
        .flat_map(|b| b.keys)
        .find(|(k, _)| k.matches(event))
        .map(|(_, c)| *c)
}

/// The hints of a list, to chain with others into what a screen shows.
pub fn hints<C>(list: &[Binding<C>]) -> Vec<Hint> {
    list.iter().map(Binding::hint).collect()
}

/// What every screen has besides its own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Global {
    Help,
    Quit,
}

use Global::{Help as H, Quit as Q};
use Key::{Code, Ctrl};

/// The keys every screen has, shown last.
pub const GLOBAL: &[Binding<Global>] = &[
    bind(&[(Code(KeyCode::Char('?')), H)], "?", "help"),
    bind(&[(Code(KeyCode::Char('q')), Q)], "q", "quit"),
    more(&[(Code(KeyCode::F(1)), H)], "F1", "help"),
    more(&[(Ctrl('c'), Q), (Ctrl('q'), Q)], "Ctrl-C Ctrl-Q", "quit"),
];

/// While typing into a field, `q` is a letter: only these stay global.
pub const GLOBAL_TYPING: &[Binding<Global>] = &[
    bind(&[(Code(KeyCode::Char('?')), H)], "?", "help"),
    more(&[(Code(KeyCode::F(1)), H)], "F1", "help"),
    more(&[(Ctrl('c'), Q), (Ctrl('q'), Q)], "Ctrl-C Ctrl-Q", "quit"),
];

/// One line: "Enter next  Esc back  ...".
pub struct Footer<'a> {
    pub hints: &'a [Hint],
    pub theme: &'a Theme,
}

impl Widget for &Footer<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut spans = Vec::new();
        for h in self.hints.iter().filter(|h| h.footer) {
            spans.push(Span::styled(format!(" {}", h.label), self.theme.key()));
            spans.push(Span::raw(format!(" {} ", h.action)));
        }
        Line::from(spans).render(area, buf);
    }
}

/// The `?` popup: what this screen is for, then all its keys.
pub struct Help<'a> {
    pub about: &'a str,
    pub hints: &'a [Hint],
    pub theme: &'a Theme,
}

impl Widget for &Help<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut lines = vec![Line::from(self.about), Line::from("")];
        let width = self
            .hints
            .iter()
            .map(|h| h.label.chars().count())
            .max()
            .unwrap_or(0);
        // The footer's keys first, then the ones it has no room for.
        let (shown, more): (Vec<&Hint>, Vec<&Hint>) = self.hints.iter().partition(|h| h.footer);
        for h in shown.into_iter().chain(more) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<width$}  ", h.label), self.theme.key()),
                Span::raw(h.action),
            ]));
        }
        lines.push(Line::from(""));
        lines.push(Line::from(super::text::HELP_FOOT));
        (&Popup {
            title: super::text::HELP_TITLE,
            lines,
        })
            .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_and_ctrl_are_told_apart() {
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        let big_y = KeyEvent::new(KeyCode::Char('Y'), KeyModifiers::SHIFT);
        assert_eq!(lookup(GLOBAL, &q), Some(Global::Quit));
        assert!(!Code(KeyCode::Char('q')).matches(&ctrl_q));
        assert!(Ctrl('q').matches(&ctrl_q));
        assert!(Key::Typed.matches(&big_y));
        assert!(!Key::Typed.matches(&ctrl_q));
        assert_eq!(lookup(GLOBAL_TYPING, &q), None);
    }
}
