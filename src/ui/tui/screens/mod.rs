//! One module per screen: its state, its key list and its key handling
//! (`keys::lookup` in that list is the only way a key reaches it), and the
//! widget that draws it. The footer and the `?` help render from the same
//! list, so they cannot drift from what the screen does.

pub mod apply;
pub mod asterisk;
pub mod done;
pub mod form;
pub mod hostname;
pub mod mode;
pub mod pager;
pub mod revert;
pub mod review;
pub mod ssh;
pub mod status;
pub mod welcome;

use super::app::{Modal, Screen};
use crate::ui::wizard::Step;

/// What a screen asks of the frame after one of its keys.
#[derive(Debug)]
pub enum Reply {
    /// Done inside the screen.
    Stayed,
    /// Open a popup (a question to confirm, a note, the save prompt).
    Modal(Modal),
    /// The wizard moved to this step.
    Stepped(Step),
    /// Go to another screen.
    Open(Screen),
    /// Leave the Done screen, saying what happened.
    Finish,
}
