//! The full-screen wizard's frame: which screen is on, which modal is open,
//! the loop, and the drawing of the frame around the screen. Each screen
//! owns its state, its keys and their handling (`screens/`); what a change
//! does once confirmed is in `flow.rs`. The loop blocks on `event::read()`
//! and redraws once per event; only the confirmation window and the status
//! view, which show live readings, wake up on their own.

use std::cell::Cell;
use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::keys::{Footer, GLOBAL, GLOBAL_TYPING, Global, Help, Hint, Key, hints, lookup};
use super::screens::apply::{ApplyView, Phase, Waiting};
use super::screens::asterisk::AsteriskView;
use super::screens::done::DoneView;
use super::screens::form::FormState;
use super::screens::hostname::HostnameView;
use super::screens::mode::ModeView;
use super::screens::revert::{RevertState, RevertView};
use super::screens::review::{ReviewState, ReviewView};
use super::screens::ssh::SshView;
use super::screens::status::{StatusState, StatusView};
use super::screens::welcome::{WelcomeState, WelcomeView};
use super::screens::{self, Reply};
use super::text;
use super::theme::Theme;
use super::widgets::Popup;
use crate::ui::Finished;
use crate::ui::actions::{self, Action, Confirm, Confirmed};
use crate::ui::host::HostView;
use crate::ui::wizard::{Step, Wizard};

/// Besides the wizard's steps, the first screen leads to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Wizard,
    Revert,
    Status,
}

/// A popup over the screen; while one is open it gets every key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Help,
    ConfirmQuit,
    /// A change to the host, asked once; `y` turns it into `Confirmed`.
    Confirm(Confirm),
    Message(Vec<String>),
    /// The path to save the answers to, being typed.
    SaveAs(String),
}

pub struct App {
    pub(super) host: HostView,
    pub(super) wizard: Wizard,
    pub(super) theme: Theme,
    pub(super) screen: Screen,
    pub(super) modal: Option<Modal>,
    pub(super) welcome: WelcomeState,
    pub(super) form: FormState,
    pub(super) review: ReviewState,
    pub(super) phase: Phase,
    pub(super) revert: RevertState,
    pub(super) status: StatusState,
    /// The body's height at the last draw, for paging.
    page: Cell<u16>,
    /// The body's width at the last draw, for wrapping the review.
    width: Cell<u16>,
    /// A confirmed change the loop runs after drawing "working".
    pub(super) pending: Option<Confirmed>,
    pub(super) finished: Option<Finished>,
}

impl App {
    pub fn new(host: HostView, theme: Theme) -> Self {
        Self {
            wizard: Wizard::new(&host),
            host,
            theme,
            screen: Screen::Wizard,
            modal: None,
            welcome: WelcomeState::default(),
            form: FormState::default(),
            review: ReviewState::default(),
            phase: Phase::default(),
            revert: RevertState::default(),
            status: StatusState::default(),
            page: Cell::new(10),
            width: Cell::new(78),
            pending: None,
            finished: None,
        }
    }

    /// Run until the admin leaves; the caller restores the terminal.
    pub fn run(mut self, terminal: &mut DefaultTerminal) -> std::io::Result<Finished> {
        loop {
            terminal.draw(|frame| frame.render_widget(&self, frame.area()))?;
            if let Some(finished) = self.finished.take() {
                return Ok(finished);
            }
            if let Some(confirmed) = self.pending.take() {
                self.execute(confirmed);
                continue;
            }
            let status_live = self.screen == Screen::Status;
            let ticking = self.phase.window().is_some() || status_live;
            if !ticking || event::poll(Duration::from_millis(500))? {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        // Preparing the review resolves trunk names and reads
                        // the firewall: say so before the screen waits on it.
                        if self.leads_to_review(&k) {
                            self.modal = Some(Modal::Message(vec![text::PREPARING_REVIEW.into()]));
                            terminal.draw(|frame| frame.render_widget(&self, frame.area()))?;
                            self.modal = None;
                        }
                        self.handle_key(k);
                    }
                    // A resize (or anything else) just redraws at the new size.
                    _ => {}
                }
            }
            if status_live {
                self.status.refresh_if_due();
            } else if ticking {
                self.tick();
            }
        }
    }

    pub fn wizard(&self) -> &Wizard {
        &self.wizard
    }

    pub fn modal(&self) -> Option<&Modal> {
        self.modal.as_ref()
    }

    pub fn finished(&self) -> Option<&Finished> {
        self.finished.as_ref()
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The confirmation window, as after an apply (the screen tests open
    /// it without applying anything).
    pub fn show_window(&mut self, progress: Vec<String>, window: Waiting) {
        self.wizard.step = Step::Apply;
        self.phase = Phase::Waiting { progress, window };
    }

    /// The status view's readings (tests feed it directly).
    pub fn status_mut(&mut self) -> &mut StatusState {
        &mut self.status
    }

    /// Whether a text field has the focus (then `q` is a letter).
    fn typing(&self) -> bool {
        self.screen == Screen::Wizard && self.form.typing(&self.wizard)
    }

    /// The keys of what is on screen now, the screen's first, then the
    /// global ones: what the footer, the help and the dispatch all read.
    pub fn keys(&self) -> Vec<Hint> {
        let mut keys = match self.screen {
            Screen::Status => hints(self.status.keys()),
            Screen::Revert => self.revert.hints(),
            Screen::Wizard => match self.wizard.step {
                Step::Welcome => hints(screens::welcome::KEYS),
                Step::Review => self.review.hints(),
                Step::Apply => hints(self.phase.keys()),
                Step::Done => hints(screens::done::KEYS),
                _ => hints(self.form.keys(&self.wizard)),
            },
        };
        keys.extend(hints(self.globals()));
        keys
    }

    /// Every key the screen on show takes (for the test that they are the
    /// keys it handles, and no other).
    pub fn listed_keys(&self) -> Vec<Key> {
        self.keys().into_iter().flat_map(|h| h.keys).collect()
    }

    fn globals(&self) -> &'static [super::keys::Binding<Global>] {
        if self.typing() { GLOBAL_TYPING } else { GLOBAL }
    }

    /// One key press: the open modal's, else a global key, else the key
    /// of the screen on show. False when nothing on screen takes it.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        if let Some(modal) = self.modal.take() {
            self.modal_key(modal, key);
            return true;
        }
        if let Some(g) = lookup(self.globals(), &key) {
            match g {
                Global::Help => self.modal = Some(Modal::Help),
                Global::Quit => self.ask_quit(),
            }
            return true;
        }
        let page = self.page.get();
        let reply = match self.screen {
            Screen::Status => self.status.handle(&self.host, &key),
            Screen::Revert => self.revert.handle(&self.host, &key, page),
            Screen::Wizard => match self.wizard.step {
                Step::Welcome => self.welcome.handle(&mut self.wizard, &key),
                Step::Review => {
                    let lines = self.review_lines();
                    self.review
                        .handle(&mut self.wizard, &self.host, &key, (page, lines))
                }
                Step::Apply => self.phase.handle(&key),
                Step::Done => screens::done::handle(&key),
                _ => self.form.handle(&mut self.wizard, &key),
            },
        };
        let Some(reply) = reply else {
            return false;
        };
        match reply {
            Reply::Stayed => {}
            Reply::Modal(m) => self.modal = Some(m),
            Reply::Stepped(step) => {
                self.form.focus = 0;
                if step == Step::Review {
                    self.prepare_review();
                }
            }
            Reply::Open(Screen::Revert) => {
                self.screen = Screen::Revert;
                self.revert = RevertState::open(&self.host);
            }
            Reply::Open(Screen::Status) => {
                self.screen = Screen::Status;
                self.status.refresh_if_due();
            }
            Reply::Open(Screen::Wizard) => self.screen = Screen::Wizard,
            Reply::Finish => self.finish_done(),
        }
        true
    }

    fn modal_key(&mut self, modal: Modal, key: KeyEvent) {
        let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q'));
        let yes = matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y'));
        match modal {
            Modal::Help | Modal::Message(_) => {}
            Modal::ConfirmQuit if yes || ctrl_c => self.quit(),
            Modal::ConfirmQuit => {}
            Modal::Confirm(question) if yes => {
                let confirmed = question.accept();
                if confirmed.action() == &Action::Apply {
                    self.wizard.start_apply(&confirmed);
                }
                self.pending = Some(confirmed);
            }
            Modal::Confirm(_) => {}
            Modal::SaveAs(mut path) => match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => self.save_answers(path.trim()),
                KeyCode::Backspace => {
                    path.pop();
                    self.modal = Some(Modal::SaveAs(path));
                }
                KeyCode::Char(c) => {
                    path.push(c);
                    self.modal = Some(Modal::SaveAs(path));
                }
                _ => self.modal = Some(Modal::SaveAs(path)),
            },
        }
    }

    /// Whether `key` moves the wizard from its last form step to the review.
    fn leads_to_review(&self, key: &KeyEvent) -> bool {
        key.code == KeyCode::Enter
            && self.modal.is_none()
            && self.screen == Screen::Wizard
            && !self.phase.is_done()
            && self.wizard.step != Step::Review
            && self.wizard.step.next() == Step::Review
    }

    fn review_lines(&self) -> usize {
        match &self.review.review {
            Some(Ok(r)) => screens::review::lines(r, &self.theme, self.width.get()).len(),
            _ => 0,
        }
    }

    /// The screen on show, inside the frame.
    fn render_screen(&self, area: Rect, buf: &mut Buffer) {
        let t = &self.theme;
        let wizard = &self.wizard;
        let focus = self.form.focused(wizard);
        match (self.screen, wizard.step) {
            (Screen::Status, _) => (&StatusView {
                state: &self.status,
                theme: t,
            })
                .render(area, buf),
            (Screen::Revert, _) => (&RevertView {
                sets: &self.revert.sets,
                selected: self.revert.selected,
                preview: self.revert.preview.as_ref(),
                scroll: self.revert.scroll,
                message: self.revert.message.as_deref(),
                theme: t,
            })
                .render(area, buf),
            (_, Step::Welcome) => (&WelcomeView {
                preflight: &self.host.preflight,
                choice: self.welcome.choice,
                theme: t,
            })
                .render(area, buf),
            (_, Step::Ssh) => (&SshView {
                wizard,
                focus,
                theme: t,
            })
                .render(area, buf),
            (_, Step::Hostname) => (&HostnameView {
                wizard,
                focus,
                theme: t,
            })
                .render(area, buf),
            (_, Step::Mode) => (&ModeView {
                wizard,
                focus,
                theme: t,
            })
                .render(area, buf),
            (_, Step::Asterisk) => (&AsteriskView {
                wizard,
                focus,
                theme: t,
                installed: self.host.asterisk_installed,
                iax_in_use: self.host.iax_in_use,
            })
                .render(area, buf),
            (_, Step::Review) => (&ReviewView {
                review: match &self.review.review {
                    Some(Ok(r)) => Ok(r),
                    Some(Err(e)) => Err(e.as_str()),
                    None => Err("The review is not ready."),
                },
                scroll: self.review.scroll,
                theme: t,
            })
                .render(area, buf),
            (_, Step::Apply) => {
                let (progress, window) = match &self.phase {
                    Phase::Waiting { progress, window } => (progress.as_slice(), Some(window)),
                    _ => (&[][..], None),
                };
                (&ApplyView {
                    progress,
                    waiting: window,
                    theme: t,
                })
                    .render(area, buf)
            }
            (_, Step::Done) => {
                if let Phase::Done { summary, .. } = &self.phase {
                    (&DoneView { summary, theme: t }).render(area, buf)
                }
            }
        }
    }

    /// A modal's title and text (the help is drawn from the keys).
    fn modal_text(&self, modal: &Modal) -> (&'static str, Vec<String>) {
        let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        match modal {
            Modal::ConfirmQuit if self.phase.window().is_some() => {
                (text::QUIT_TITLE, lines(text::QUIT_WAITING))
            }
            Modal::ConfirmQuit => (text::QUIT_TITLE, lines(text::QUIT)),
            Modal::Confirm(q) => match q.action() {
                Action::Apply => (
                    text::APPLY_QUESTION_TITLE,
                    text::apply_question(actions::CONFIRM_WINDOW.as_secs()),
                ),
                Action::Rollback { backup_id } => {
                    (text::CONFIRM_TITLE, text::rollback_question(backup_id))
                }
                Action::ConfirmHere => (
                    text::CONFIRM_TITLE,
                    text::confirm_here_question(
                        self.phase
                            .window()
                            .and_then(|w| w.banner.as_ref().ok())
                            .map(|b| b.banner.as_str())
                            .unwrap_or_default(),
                    ),
                ),
                Action::Trust { address } => (text::CONFIRM_TITLE, text::trust_question(address)),
                Action::Operate { action, address } => (
                    text::CONFIRM_TITLE,
                    text::operate_question(*action, address),
                ),
            },
            Modal::Message(lines) => (text::NOTE_TITLE, lines.clone()),
            Modal::SaveAs(path) => (
                text::SAVE_TITLE,
                vec![text::SAVE_PROMPT.into(), String::new(), format!("{path}▏")],
            ),
            Modal::Help => (text::HELP_TITLE, Vec::new()),
        }
    }

    /// The help popup's text for what is on screen.
    fn about(&self) -> &'static str {
        match self.screen {
            Screen::Status => text::STATUS_ABOUT,
            Screen::Revert => text::REVERT_PICK,
            Screen::Wizard => text::step_about(self.wizard.step),
        }
    }

    fn title(&self) -> String {
        match self.screen {
            Screen::Status => format!(" {} ", text::STATUS_TITLE),
            Screen::Revert => format!(" {} ", text::REVERT_TITLE),
            Screen::Wizard => {
                let step = self.wizard.step;
                format!(
                    " Step {} of {}: {} ",
                    step.number(),
                    Step::ALL.len(),
                    text::step_title(step)
                )
            }
        }
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let t = &self.theme;
        let badge = if self.host.demo {
            text::DEMO
        } else if !self.host.is_root {
            text::NOT_ROOT
        } else {
            ""
        };
        Line::from(vec![
            Span::styled(format!(" {} ", text::APP), t.title()),
            Span::styled(badge, t.warn()),
        ])
        .render(header, buf);

        let block = Block::bordered().title(self.title());
        let inner = block.inner(body);
        block.render(body, buf);
        // The page size for PgUp/PgDn follows the terminal's size.
        self.page.set(inner.height.saturating_sub(1).max(1));
        self.width.set(inner.width);
        self.render_screen(inner, buf);
        let keys = self.keys();
        (&Footer {
            hints: &keys,
            theme: t,
        })
            .render(footer, buf);

        match &self.modal {
            None => {}
            Some(Modal::Help) => (&Help {
                about: self.about(),
                hints: &keys,
                theme: t,
            })
                .render(area, buf),
            Some(m) => {
                let (title, lines) = self.modal_text(m);
                (&Popup {
                    title,
                    lines: lines.into_iter().map(Line::from).collect(),
                })
                    .render(area, buf);
            }
        }
    }
}
