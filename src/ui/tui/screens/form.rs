//! The form steps (SSH, hostname, mode, Asterisk): which field has the
//! focus, and the keys of that field's kind. A text field takes letters
//! (so `q` is typed, not quit, and Space is a space); a toggle takes Space;
//! the mode takes ←→ and Space.

use ratatui::crossterm::event::KeyCode::{
    self, BackTab, Backspace, Char, Down, Enter, Esc, Left, Right, Tab, Up,
};
use ratatui::crossterm::event::KeyEvent;

use super::Reply;
use crate::ui::tui::keys::{Binding, Key::Code, Key::Typed, bind, lookup, more};
use crate::ui::wizard::{Field, FieldKind, Wizard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Next,
    Back,
    Focus(isize),
    Toggle,
    Change(isize),
    Type,
    Erase,
}

use Cmd::*;

const NEXT: Binding<Cmd> = bind(&[(Code(Enter), Next)], "Enter", "next");
const BACK: Binding<Cmd> = bind(&[(Code(Esc), Back)], "Esc", "back");
const MOVE: Binding<Cmd> = bind(
    &[
        (Code(Tab), Focus(1)),
        (Code(Down), Focus(1)),
        (Code(Up), Focus(-1)),
    ],
    "Tab/↑↓",
    "move",
);
const MOVE_BACK: Binding<Cmd> = more(&[(Code(BackTab), Focus(-1))], "Shift-Tab", "move back");

/// A text field has the focus.
pub const TEXT_KEYS: &[Binding<Cmd>] = &[
    NEXT,
    BACK,
    MOVE,
    bind(&[(Code(Backspace), Erase)], "Backspace", "erase"),
    MOVE_BACK,
    more(&[(Typed, Type)], "text", "type into the field"),
];

/// A yes/no field has the focus.
pub const TOGGLE_KEYS: &[Binding<Cmd>] = &[
    NEXT,
    BACK,
    MOVE,
    bind(&[(Code(Char(' ')), Toggle)], "Space", "toggle"),
    MOVE_BACK,
];

/// The mode (one of several) has the focus.
pub const CHOICE_KEYS: &[Binding<Cmd>] = &[
    NEXT,
    BACK,
    MOVE,
    bind(
        &[
            (Code(Left), Change(-1)),
            (Code(Right), Change(1)),
            (Code(Char(' ')), Change(1)),
        ],
        "←→/Space",
        "change",
    ),
    MOVE_BACK,
];

/// A step without fields.
pub const NO_FIELD_KEYS: &[Binding<Cmd>] = &[NEXT, BACK];

#[derive(Debug, Default)]
pub struct FormState {
    /// Index into the step's fields.
    pub focus: usize,
}

impl FormState {
    pub fn focused(&self, wizard: &Wizard) -> Option<Field> {
        wizard.fields(wizard.step).get(self.focus).copied()
    }

    pub fn typing(&self, wizard: &Wizard) -> bool {
        self.focused(wizard)
            .is_some_and(|f| f.kind() == FieldKind::Text)
    }

    pub fn keys(&self, wizard: &Wizard) -> &'static [Binding<Cmd>] {
        match self.focused(wizard).map(Field::kind) {
            None => NO_FIELD_KEYS,
            Some(FieldKind::Text) => TEXT_KEYS,
            Some(FieldKind::Toggle) => TOGGLE_KEYS,
            Some(FieldKind::Choice) => CHOICE_KEYS,
        }
    }

    /// One key; `None` when it is not one of the focused field's keys.
    pub fn handle(&mut self, wizard: &mut Wizard, key: &KeyEvent) -> Option<Reply> {
        let cmd = lookup(self.keys(wizard), key)?;
        let field = self.focused(wizard);
        let n = wizard.fields(wizard.step).len().max(1) as isize;
        let reply = match (cmd, field) {
            (Next, _) => match wizard.advance() {
                Ok(step) => Reply::Stepped(step),
                Err(errors) => {
                    let fields = wizard.fields(wizard.step);
                    if let Some(i) = errors
                        .iter()
                        .find_map(|e| e.field.and_then(|f| fields.iter().position(|x| *x == f)))
                    {
                        self.focus = i;
                    }
                    Reply::Stayed
                }
            },
            (Back, _) => Reply::Stepped(wizard.back()),
            (Focus(d), _) => {
                self.focus = (self.focus as isize + d).rem_euclid(n) as usize;
                Reply::Stayed
            }
            (Toggle, Some(f)) => {
                wizard.toggle(f);
                Reply::Stayed
            }
            (Change(d), _) => {
                wizard.cycle_mode(d);
                Reply::Stayed
            }
            (Type, Some(f)) => {
                if let (Some(t), KeyCode::Char(c)) = (wizard.text_mut(f), key.code) {
                    t.push(c);
                }
                Reply::Stayed
            }
            (Erase, Some(f)) => {
                if let Some(t) = wizard.text_mut(f) {
                    t.pop();
                }
                Reply::Stayed
            }
            (Toggle | Type | Erase, None) => Reply::Stayed,
        };
        // A toggle can hide fields (the port when SSH stays): keep focus inside.
        let n = wizard.fields(wizard.step).len().max(1);
        self.focus = self.focus.min(n - 1);
        Some(reply)
    }
}
