//! One widget per screen. Each lists its keys once (`KEYS`): the footer and
//! the `?` help render from that list.

pub mod apply;
pub mod asterisk;
pub mod done;
pub mod hostname;
pub mod mode;
pub mod revert;
pub mod review;
pub mod ssh;
pub mod status;
pub mod welcome;

use super::keys::{KeyHint, key};

/// The keys of every form step (SSH, hostname, mode, Asterisk).
pub const FORM_KEYS: &[KeyHint] = &[
    key("Enter", "next"),
    key("Esc", "back"),
    key("Tab/↑↓", "move"),
    key("Space", "toggle"),
];
