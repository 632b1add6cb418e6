//! The full-screen wizard's state: which screen, which modal, where the
//! focus is. Keys change the state; `impl Widget for &App` draws it. The
//! loop blocks on `event::read()` and redraws once per event; only the
//! confirmation window, which shows a countdown, wakes up on its own.

use std::time::Duration;

use ratatui::DefaultTerminal;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::keys::{Footer, Help, KeyHint};
use super::screens::apply::{ApplyView, Waiting};
use super::screens::asterisk::AsteriskView;
use super::screens::done::{DoneView, Summary};
use super::screens::hostname::HostnameView;
use super::screens::mode::ModeView;
use super::screens::revert::{Preview, RevertView};
use super::screens::review::ReviewView;
use super::screens::ssh::SshView;
use super::screens::status::{StatusState, StatusView};
use super::screens::welcome::WelcomeView;
use super::screens::{self, FORM_KEYS};
use super::text;
use super::theme::Theme;
use super::widgets::Popup;
use crate::transaction::{self, Applied, BackupSet, Outcome as TxOutcome};
use crate::ui::actions::{self, Action, Confirm, Confirmed, Review};
use crate::ui::host::{ApplyTarget, HostView};
use crate::ui::wizard::{Field, FieldKind, Step, Wizard};
use crate::ui::{Finished, Outcome};

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

#[derive(Debug, Default)]
struct RevertState {
    sets: Vec<BackupSet>,
    selected: usize,
    preview: Option<Preview>,
    scroll: u16,
    message: Option<String>,
}

pub struct App {
    host: HostView,
    wizard: Wizard,
    theme: Theme,
    screen: Screen,
    modal: Option<Modal>,
    focus: usize,
    welcome_choice: usize,
    review: Option<Result<Review, String>>,
    scroll: u16,
    /// The body's height at the last draw, for paging.
    page: std::cell::Cell<u16>,
    /// The body's width at the last draw, for wrapping the review.
    width: std::cell::Cell<u16>,
    progress: Vec<String>,
    waiting: Option<Waiting>,
    done: Option<(Summary, Outcome)>,
    revert: RevertState,
    status: StatusState,
    /// A confirmed change the loop runs after drawing "working".
    pending: Option<Confirmed>,
    finished: Option<Finished>,
}

impl App {
    pub fn new(host: HostView, theme: Theme) -> Self {
        Self {
            wizard: Wizard::new(&host),
            host,
            theme,
            screen: Screen::Wizard,
            modal: None,
            focus: 0,
            welcome_choice: 0,
            review: None,
            scroll: 0,
            page: std::cell::Cell::new(10),
            width: std::cell::Cell::new(78),
            progress: Vec::new(),
            waiting: None,
            done: None,
            revert: RevertState::default(),
            status: StatusState::default(),
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
            let ticking = (self.waiting.is_some() && self.done.is_none()) || status_live;
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
                        self.handle_key(k)
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

    /// The keys of what is on screen now.
    pub fn keys(&self) -> &'static [KeyHint] {
        match self.screen {
            Screen::Status => screens::status::KEYS,
            Screen::Revert if self.revert.preview.is_some() => screens::revert::PREVIEW_KEYS,
            Screen::Revert => screens::revert::LIST_KEYS,
            Screen::Wizard => match self.wizard.step {
                Step::Welcome => screens::welcome::KEYS,
                Step::Review => screens::review::KEYS,
                Step::Apply if self.waiting.is_some() => screens::apply::KEYS,
                Step::Apply => &[],
                Step::Done => screens::done::KEYS,
                _ => FORM_KEYS,
            },
        }
    }

    fn focused_field(&self) -> Option<Field> {
        self.wizard
            .fields(self.wizard.step)
            .get(self.focus)
            .copied()
    }

    fn typing(&self) -> bool {
        self.screen == Screen::Wizard
            && self
                .focused_field()
                .is_some_and(|f| f.kind() == FieldKind::Text)
    }

    /// One key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q'));
        if let Some(modal) = self.modal.take() {
            self.modal_key(modal, key, ctrl_c);
            return;
        }
        if ctrl_c || (key.code == KeyCode::Char('q') && !self.typing()) {
            return self.ask_quit();
        }
        if key.code == KeyCode::Char('?') || key.code == KeyCode::F(1) {
            self.modal = Some(Modal::Help);
            return;
        }
        match self.screen {
            Screen::Status => {
                if matches!(key.code, KeyCode::Esc | KeyCode::Enter) {
                    self.screen = Screen::Wizard;
                }
            }
            Screen::Revert => self.revert_key(key),
            Screen::Wizard => match self.wizard.step {
                Step::Welcome => self.welcome_key(key),
                Step::Review => self.review_key(key),
                Step::Apply => self.apply_key(key),
                Step::Done => {
                    if key.code == KeyCode::Enter {
                        self.finish_done();
                    }
                }
                _ => self.form_key(key),
            },
        }
    }

    fn modal_key(&mut self, modal: Modal, key: KeyEvent, ctrl_c: bool) {
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

    fn ask_quit(&mut self) {
        let waiting = self.waiting.is_some() && self.done.is_none();
        if self.done.is_some() {
            self.finish_done();
        } else if self.wizard.touched() || waiting {
            self.modal = Some(Modal::ConfirmQuit);
        } else {
            self.quit();
        }
    }

    fn quit(&mut self) {
        // Quitting from the Done screen says what happened, as Enter does.
        if self.done.is_some() {
            self.finish_done();
            return;
        }
        let finished = match &self.waiting {
            Some(w) if self.done.is_none() => Finished {
                outcome: Outcome::LeftWaiting {
                    backup_id: w.backup_id.clone(),
                },
                farewell: std::iter::once(
                    "The change waits for confirmation. In a new terminal run:".to_string(),
                )
                .chain(w.session.commands().into_iter().map(|c| format!("    {c}")))
                .chain(std::iter::once(text::at_zero(&w.backup_id)))
                .collect(),
            },
            _ => Finished {
                outcome: Outcome::Quit,
                farewell: vec!["Nothing was changed.".into()],
            },
        };
        self.finished = Some(finished);
    }

    fn finish_done(&mut self) {
        if let Some((summary, outcome)) = &self.done {
            let mut farewell = vec![summary.headline.clone()];
            farewell.extend(summary.lines.iter().cloned());
            self.finished = Some(Finished {
                outcome: outcome.clone(),
                farewell,
            });
        }
    }

    fn welcome_key(&mut self, key: KeyEvent) {
        let n = text::WELCOME_CHOICES.len();
        match key.code {
            KeyCode::Up | KeyCode::BackTab => {
                self.welcome_choice = (self.welcome_choice + n - 1) % n
            }
            KeyCode::Down | KeyCode::Tab => self.welcome_choice = (self.welcome_choice + 1) % n,
            KeyCode::Enter => match self.welcome_choice {
                0 => {
                    let _ = self.wizard.advance();
                    self.focus = 0;
                }
                1 => self.open_revert(),
                _ => self.open_status(),
            },
            _ => {}
        }
    }

    fn form_key(&mut self, key: KeyEvent) {
        let fields = self.wizard.fields(self.wizard.step);
        let field = fields.get(self.focus).copied();
        match key.code {
            KeyCode::Enter => match self.wizard.advance() {
                Ok(step) => {
                    self.focus = 0;
                    if step == Step::Review {
                        self.prepare_review();
                    }
                }
                Err(errors) => {
                    let fields = self.wizard.fields(self.wizard.step);
                    if let Some(i) = errors
                        .iter()
                        .find_map(|e| e.field.and_then(|f| fields.iter().position(|x| *x == f)))
                    {
                        self.focus = i;
                    }
                }
            },
            KeyCode::Esc => {
                self.wizard.back();
                self.focus = 0;
            }
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % fields.len().max(1),
            KeyCode::BackTab | KeyCode::Up => {
                self.focus = (self.focus + fields.len().max(1) - 1) % fields.len().max(1)
            }
            _ => match (field, key.code) {
                (Some(f), KeyCode::Left) if f.kind() == FieldKind::Choice => {
                    self.wizard.cycle_mode(-1)
                }
                (Some(f), KeyCode::Right) if f.kind() == FieldKind::Choice => {
                    self.wizard.cycle_mode(1)
                }
                (Some(f), KeyCode::Char(' ')) if f.kind() != FieldKind::Text => {
                    self.wizard.toggle(f)
                }
                (Some(f), KeyCode::Backspace) => {
                    if let Some(t) = self.wizard.text_mut(f) {
                        t.pop();
                    }
                }
                (Some(f), KeyCode::Char(c)) => {
                    if let Some(t) = self.wizard.text_mut(f) {
                        t.push(c);
                    }
                }
                _ => {}
            },
        }
        // A toggle can hide fields (the port when SSH stays): keep focus inside.
        let n = self.wizard.fields(self.wizard.step).len().max(1);
        self.focus = self.focus.min(n - 1);
    }

    /// Whether `key` moves the wizard from its last form step to the review.
    fn leads_to_review(&self, key: &KeyEvent) -> bool {
        key.code == KeyCode::Enter
            && self.modal.is_none()
            && self.screen == Screen::Wizard
            && self.done.is_none()
            && self.wizard.step != Step::Review
            && self.wizard.step.next() == Step::Review
    }

    fn prepare_review(&mut self) {
        self.scroll = 0;
        self.review = Some(
            self.wizard
                .validate()
                .map_err(|e| e.to_string())
                .and_then(|answers| actions::prepare_review(&self.host, answers)),
        );
    }

    fn review_lines(&self) -> usize {
        match &self.review {
            Some(Ok(r)) => screens::review::lines(r, &self.theme, self.width.get()).len(),
            _ => 0,
        }
    }

    fn scroll_key(scroll: &mut u16, key: KeyCode, page: u16, total: usize) -> bool {
        let max = (total as u16).saturating_sub(page);
        *scroll = match key {
            KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(page),
            KeyCode::PageUp => scroll.saturating_sub(page),
            KeyCode::Home => 0,
            KeyCode::End => max,
            _ => return false,
        }
        .min(max);
        true
    }

    fn review_key(&mut self, key: KeyEvent) {
        let total = self.review_lines();
        if Self::scroll_key(&mut self.scroll, key.code, self.page.get(), total) {
            return;
        }
        match key.code {
            KeyCode::Esc => {
                self.wizard.back();
                self.focus = 0;
            }
            KeyCode::Enter | KeyCode::Char('a') => {
                self.modal = Some(match (&self.host.target, &self.review) {
                    (ApplyTarget::Unavailable(why), _) => Modal::Message(vec![why.clone()]),
                    (_, Some(Ok(_))) => Modal::Confirm(Confirm::ask(Action::Apply)),
                    (_, _) => Modal::Message(vec!["Esc goes back to fix the problem.".into()]),
                })
            }
            KeyCode::Char('s') => {
                self.modal = Some(Modal::SaveAs(text::SAVE_DEFAULT.into()));
            }
            _ => {}
        }
    }

    fn save_answers(&mut self, path: &str) {
        let lines = match self.wizard.validate() {
            Ok(a) => match std::fs::write(path, crate::ui::save::answers_toml(&a)) {
                Ok(()) => text::saved(path),
                Err(e) => vec![format!("Cannot write {path}: {e}")],
            },
            Err(e) => vec![e.to_string()],
        };
        self.modal = Some(Modal::Message(lines));
    }

    fn apply_key(&mut self, key: KeyEvent) {
        let Some(w) = &self.waiting else {
            return;
        };
        match key.code {
            KeyCode::Char('c') => {
                self.modal = Some(match &w.banner {
                    Ok(_) => Modal::Confirm(Confirm::ask(Action::ConfirmHere)),
                    Err(why) => Modal::Message(vec![text::banner_failed(why)]),
                })
            }
            KeyCode::Char('p') => {
                let port = w.port;
                if let Some(w) = &mut self.waiting {
                    w.banner = actions::banner_probe(port);
                }
            }
            KeyCode::Char('u') => {
                self.modal = Some(Modal::Confirm(Confirm::ask(Action::Rollback {
                    backup_id: w.backup_id.clone(),
                })))
            }
            _ => {}
        }
    }

    /// The countdown, and how the window ended.
    pub fn tick(&mut self) {
        let Some(w) = &mut self.waiting else {
            return;
        };
        w.left = w.deadline.saturating_sub(transaction::now());
        let id = w.backup_id.clone();
        match transaction::outcome(&self.host.root, &id) {
            TxOutcome::StillWaiting => {}
            TxOutcome::Confirmed => self.show_done(Outcome::Kept { backup_id: id }),
            TxOutcome::Reverted(record) => {
                self.show_done(Outcome::Reverted);
                if let Some((s, _)) = &mut self.done {
                    s.lines.push(record);
                }
            }
        }
    }

    /// End on the Done screen (public for the screen snapshots).
    pub fn show_done(&mut self, outcome: Outcome) {
        self.wizard.finish();
        self.modal = None;
        let summary = match &outcome {
            Outcome::Kept { backup_id } => {
                let plan = match &self.review {
                    Some(Ok(r)) => Some(&r.plan),
                    _ => None,
                };
                let kept = crate::ui::done::kept(&self.host, plan, backup_id);
                let mut lines = kept.lines;
                lines.extend(self.changed_lines());
                Summary {
                    headline: kept.headline,
                    good: true,
                    lines,
                }
            }
            Outcome::Reverted => Summary {
                headline: text::DONE_REVERTED.into(),
                good: false,
                lines: Vec::new(),
            },
            Outcome::RolledBack { backup_id } => Summary {
                headline: text::DONE_ROLLED_BACK.into(),
                good: true,
                lines: vec![format!("Backup {backup_id} restored.")],
            },
            Outcome::Failed | Outcome::Quit | Outcome::LeftWaiting { .. } => Summary {
                headline: text::DONE_FAILED.into(),
                good: false,
                lines: self.progress.clone(),
            },
        };
        self.done = Some((summary, outcome));
    }

    /// What changed, after the key lines of the Done screen.
    fn changed_lines(&self) -> Vec<String> {
        let mut lines = vec![String::new(), text::DONE_CHANGED.to_string()];
        if let Some(Ok(r)) = &self.review {
            // The next step is already the Done screen's first line.
            let next = crate::review::next_step(&r.plan);
            lines.extend(
                r.summary
                    .iter()
                    .filter(|s| Some(*s) != next.as_ref())
                    .map(|s| format!("- {s}")),
            );
        }
        lines
    }

    /// Run a confirmed change; the screen already says it is working.
    pub fn execute(&mut self, confirmed: Confirmed) {
        match confirmed.action().clone() {
            Action::Apply => {
                let Some(Ok(review)) = &self.review else {
                    return;
                };
                let mut progress = Vec::new();
                let result = actions::apply(&self.host, review, confirmed, &mut |s| {
                    progress.push(s.to_string())
                });
                self.progress = progress;
                match result {
                    Ok(Applied::Waiting {
                        backup_id,
                        deadline,
                    }) => {
                        let port = review.ssh_port();
                        self.waiting = Some(Waiting {
                            backup_id,
                            deadline,
                            left: deadline.saturating_sub(transaction::now()),
                            port,
                            session: actions::second_session(&self.host, review),
                            banner: actions::banner_probe(port),
                        });
                    }
                    Ok(Applied::Kept { backup_id }) => self.show_done(Outcome::Kept { backup_id }),
                    Err(e) => {
                        self.progress.push(e);
                        self.show_done(Outcome::Failed);
                    }
                }
            }
            Action::ConfirmHere => {
                let Some(Ok(proof)) = self.waiting.as_ref().map(|w| w.banner.clone()) else {
                    return;
                };
                let mut progress = Vec::new();
                match actions::confirm_here(&self.host, &proof, confirmed, &mut |s| {
                    progress.push(s.to_string())
                }) {
                    Ok(id) => {
                        self.progress.extend(progress);
                        self.show_done(Outcome::Kept { backup_id: id });
                    }
                    Err(e) => self.modal = Some(Modal::Message(vec![e.to_string()])),
                }
            }
            Action::Rollback { backup_id } => match actions::rollback(&self.host, confirmed) {
                Ok((_, restored)) if self.wizard.step == Step::Apply => {
                    self.show_done(Outcome::RolledBack { backup_id });
                    if let Some((s, _)) = &mut self.done {
                        s.lines.push(restored.summary());
                    }
                }
                Ok((_, restored)) => {
                    self.revert.preview = None;
                    self.revert.message =
                        Some(format!("Restored {backup_id}: {}", restored.summary()));
                    self.revert.sets = actions::backups_newest_first(&self.host);
                }
                Err(e) => self.modal = Some(Modal::Message(vec![e])),
            },
        }
    }

    fn open_status(&mut self) {
        self.screen = Screen::Status;
        self.status.refresh_if_due();
    }

    /// The status view's readings (tests feed it directly).
    pub fn status_mut(&mut self) -> &mut StatusState {
        &mut self.status
    }

    fn open_revert(&mut self) {
        self.screen = Screen::Revert;
        self.revert = RevertState {
            sets: actions::backups_newest_first(&self.host),
            ..RevertState::default()
        };
    }

    fn revert_key(&mut self, key: KeyEvent) {
        let r = &mut self.revert;
        if let Some(p) = &r.preview {
            let total = p.text.len();
            if Self::scroll_key(&mut r.scroll, key.code, self.page.get(), total) {
                return;
            }
            match key.code {
                KeyCode::Esc => r.preview = None,
                KeyCode::Char('r') => {
                    let backup_id = p.backup_id.clone();
                    self.modal = Some(match &self.host.target {
                        ApplyTarget::Unavailable(why) => Modal::Message(vec![why.clone()]),
                        _ => Modal::Confirm(Confirm::ask(Action::Rollback { backup_id })),
                    });
                }
                _ => {}
            }
            return;
        }
        let n = r.sets.len().max(1);
        match key.code {
            KeyCode::Esc => self.screen = Screen::Wizard,
            KeyCode::Up => r.selected = (r.selected + n - 1) % n,
            KeyCode::Down => r.selected = (r.selected + 1) % n,
            KeyCode::Enter => {
                if let Some(set) = r.sets.get(r.selected) {
                    let (changes, firewall) = actions::revert_preview(&self.host, set);
                    r.preview = Some(Preview::new(set, &changes, &firewall));
                    r.scroll = 0;
                    r.message = None;
                }
            }
            _ => {}
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
        let focus = self.focused_field();
        match self.screen {
            Screen::Status => (&StatusView {
                state: &self.status,
            })
                .render(inner, buf),
            Screen::Revert => (&RevertView {
                sets: &self.revert.sets,
                selected: self.revert.selected,
                preview: self.revert.preview.as_ref(),
                scroll: self.revert.scroll,
                message: self.revert.message.as_deref(),
                theme: t,
            })
                .render(inner, buf),
            Screen::Wizard => match self.wizard.step {
                Step::Welcome => (&WelcomeView {
                    preflight: &self.host.preflight,
                    choice: self.welcome_choice,
                    theme: t,
                })
                    .render(inner, buf),
                Step::Ssh => (&SshView {
                    wizard: &self.wizard,
                    focus,
                    theme: t,
                })
                    .render(inner, buf),
                Step::Hostname => (&HostnameView {
                    wizard: &self.wizard,
                    focus,
                    theme: t,
                })
                    .render(inner, buf),
                Step::Mode => (&ModeView {
                    wizard: &self.wizard,
                    focus,
                    theme: t,
                })
                    .render(inner, buf),
                Step::Asterisk => (&AsteriskView {
                    wizard: &self.wizard,
                    focus,
                    theme: t,
                    installed: self.host.asterisk_installed,
                    iax_in_use: self.host.iax_in_use,
                })
                    .render(inner, buf),
                Step::Review => {
                    let review = match &self.review {
                        Some(Ok(r)) => Ok(r),
                        Some(Err(e)) => Err(e.as_str()),
                        None => Err("The review is not ready."),
                    };
                    (&ReviewView {
                        review,
                        scroll: self.scroll,
                        theme: t,
                    })
                        .render(inner, buf)
                }
                Step::Apply => (&ApplyView {
                    progress: &self.progress,
                    waiting: self.waiting.as_ref(),
                    theme: t,
                })
                    .render(inner, buf),
                Step::Done => {
                    if let Some((summary, _)) = &self.done {
                        (&DoneView { summary, theme: t }).render(inner, buf)
                    }
                }
            },
        }
        (&Footer {
            hints: self.keys(),
            theme: t,
        })
            .render(footer, buf);

        match &self.modal {
            None => {}
            Some(Modal::Help) => (&Help {
                about: self.about(),
                hints: self.keys(),
                theme: t,
            })
                .render(area, buf),
            Some(m) => {
                let (title, lines): (&str, Vec<String>) = match m {
                    Modal::ConfirmQuit if self.waiting.is_some() => (
                        text::QUIT_TITLE,
                        text::QUIT_WAITING.iter().map(|s| s.to_string()).collect(),
                    ),
                    Modal::ConfirmQuit => (
                        text::QUIT_TITLE,
                        text::QUIT.iter().map(|s| s.to_string()).collect(),
                    ),
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
                                self.waiting
                                    .as_ref()
                                    .and_then(|w| w.banner.as_ref().ok())
                                    .map(|b| b.banner.as_str())
                                    .unwrap_or_default(),
                            ),
                        ),
                    },
                    Modal::Message(lines) => (text::NOTE_TITLE, lines.clone()),
                    Modal::SaveAs(path) => (
                        text::SAVE_TITLE,
                        vec![text::SAVE_PROMPT.into(), String::new(), format!("{path}▏")],
                    ),
                    Modal::Help => unreachable!("drawn above"),
                };
                (&Popup {
                    title,
                    lines: lines.into_iter().map(Line::from).collect(),
                })
                    .render(area, buf);
            }
        }
    }
}
