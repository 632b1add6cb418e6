//! Scrolling a long text (the review, a backup's diff): the keys and what
//! they do, shared by the screens that page.

use ratatui::crossterm::event::KeyCode::{Char, Down, End, Home, PageDown, PageUp, Up};

use crate::ui::tui::keys::{Binding, Key::Code, bind, more};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scroll {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    End,
}

use Scroll as S;

pub const KEYS: &[Binding<Scroll>] = &[
    bind(
        &[
            (Code(Up), S::Up),
            (Code(Down), S::Down),
            (Code(PageUp), S::PageUp),
            (Code(PageDown), S::PageDown),
        ],
        "↑↓ PgUp PgDn",
        "scroll",
    ),
    more(
        &[(Code(Char('k')), S::Up), (Code(Char('j')), S::Down)],
        "k j",
        "scroll up, down",
    ),
    more(&[(Code(Char(' ')), S::PageDown)], "Space", "page down"),
    more(
        &[(Code(Home), S::Top), (Code(End), S::End)],
        "Home End",
        "top, end",
    ),
];

/// Move `scroll` through `total` lines shown `page` at a time.
pub fn scroll(at: &mut u16, how: Scroll, page: u16, total: usize) {
    let max = (total as u16).saturating_sub(page);
    *at = match how {
        S::Down => at.saturating_add(1),
        S::Up => at.saturating_sub(1),
        S::PageDown => at.saturating_add(page),
        S::PageUp => at.saturating_sub(page),
        S::Top => 0,
        S::End => max,
    }
    .min(max);
}
