//! The full-screen wizard (ratatui + crossterm). Works at 80x24 and larger,
//! redraws on resize, respects NO_COLOR, and always gives the terminal back:
//! on quit, on error, and on panic (`ratatui::try_init` installs a hook that
//! restores it first). Ctrl-C is a key here (raw mode), handled as quit.

mod app;
mod flow;
pub mod keys;
pub mod screens;
mod text;
mod theme;
mod widgets;

pub use app::{App, Modal, Screen};
pub use theme::Theme;

use super::Finished;
use super::host::HostView;

/// Run the wizard on this terminal; what it says at the end is returned,
/// to be printed once the terminal is restored.
pub fn run(host: HostView) -> std::io::Result<Finished> {
    let mut terminal = ratatui::try_init()?;
    let result = App::new(host, Theme::from_env()).run(&mut terminal);
    ratatui::restore();
    result
}
