//! What happens between the screens: the review prepared on the way in,
//! a confirmed change carried out, the confirmation window's countdown, the
//! Done screen's summary, and the last words when the admin leaves.

use std::net::IpAddr;

use ipnet::IpNet;

use super::app::{App, Modal, Screen};
use super::screens::apply::{Phase, Waiting};
use super::screens::done::Summary;
use super::text;
use crate::transaction::{self, Applied, PendingFate};
use crate::ui::actions::{self, Action, Confirmed};
use crate::ui::wizard::{Step, Wizard};
use crate::ui::{Finished, Outcome};

impl App {
    pub(super) fn prepare_review(&mut self) {
        self.review.scroll = 0;
        self.review.review = Some(self.wizard.validate().map_err(|e| e.to_string()).and_then(
            |answers| actions::prepare_review(&self.host, answers).map_err(|e| e.to_string()),
        ));
    }

    pub(super) fn save_answers(&mut self, path: &str) {
        let lines = match self.wizard.validate() {
            Ok(a) => match std::fs::write(path, crate::ui::save::answers_toml(&a)) {
                Ok(()) => text::saved(path),
                Err(e) => vec![format!("Cannot write {path}: {e}")],
            },
            Err(e) => vec![e.to_string()],
        };
        self.modal = Some(Modal::Message(lines));
    }

    pub(super) fn ask_quit(&mut self) {
        if self.phase.is_done() {
            self.finish_done();
        } else if self.wizard.touched() || self.phase.window().is_some() {
            self.modal = Some(Modal::ConfirmQuit);
        } else {
            self.quit();
        }
    }

    pub(super) fn quit(&mut self) {
        // Quitting from the Done screen says what happened, as Enter does.
        let finished = match &self.phase {
            Phase::Done { .. } => return self.finish_done(),
            Phase::Waiting { window: w, .. } => Finished {
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
            Phase::NotApplied => Finished {
                outcome: Outcome::Quit,
                farewell: vec!["Nothing was changed.".into()],
            },
        };
        self.finished = Some(finished);
    }

    pub(super) fn finish_done(&mut self) {
        if let Phase::Done { summary, outcome } = &self.phase {
            let mut farewell = vec![summary.headline.clone()];
            farewell.extend(summary.lines.iter().cloned());
            self.finished = Some(Finished {
                outcome: outcome.clone(),
                farewell,
            });
        }
    }

    /// The countdown, and how the window ended.
    pub fn tick(&mut self) {
        let Phase::Waiting { window: w, .. } = &mut self.phase else {
            return;
        };
        w.left = w.deadline.saturating_sub(transaction::now());
        let id = w.backup_id.clone();
        match transaction::pending_fate(&self.host.root, &id) {
            PendingFate::StillWaiting => {}
            PendingFate::Confirmed => self.show_done(Outcome::Kept { backup_id: id }),
            PendingFate::Reverted(record) => self.show_done_with(Outcome::Reverted, record),
        }
    }

    /// The steps done so far of the apply under way.
    fn progress(&self) -> Vec<String> {
        match &self.phase {
            Phase::Waiting { progress, .. } => progress.clone(),
            _ => Vec::new(),
        }
    }

    fn show_done_with(&mut self, outcome: Outcome, last: String) {
        self.show_done(outcome);
        if let Phase::Done { summary, .. } = &mut self.phase {
            summary.lines.push(last);
        }
    }

    /// End on the Done screen (public for the screen snapshots).
    pub fn show_done(&mut self, outcome: Outcome) {
        self.show_done_after(outcome, self.progress());
    }

    /// End on the Done screen; `progress` is what the apply did, for a failure.
    fn show_done_after(&mut self, outcome: Outcome, progress: Vec<String>) {
        self.wizard.finish();
        self.modal = None;
        let summary = match &outcome {
            Outcome::Kept { backup_id } => {
                let plan = match &self.review.review {
                    Some(Ok(r)) => Some(&r.plan),
                    _ => None,
                };
                let kept = crate::ui::done::kept(&self.host, plan, backup_id);
                let mut lines = kept.lines;
                if let Some(net) = self.review.trust.take() {
                    lines.extend(crate::operate::lift_after_trust(&self.host.root, net));
                }
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
            Outcome::Refused => Summary {
                headline: text::DONE_REFUSED.into(),
                good: false,
                lines: progress,
            },
            Outcome::Failed | Outcome::Quit | Outcome::LeftWaiting { .. } => Summary {
                headline: text::DONE_FAILED.into(),
                good: false,
                lines: progress,
            },
        };
        self.phase = Phase::Done { summary, outcome };
    }

    /// What changed, after the key lines of the Done screen.
    fn changed_lines(&self) -> Vec<String> {
        let mut lines = vec![String::new(), text::DONE_CHANGED.to_string()];
        if let Some(Ok(r)) = &self.review.review {
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
            Action::Apply => self.apply(confirmed),
            Action::ConfirmHere => {
                let Some(Ok(proof)) = self.phase.window().map(|w| w.banner.clone()) else {
                    return;
                };
                let mut progress = Vec::new();
                match actions::confirm_here(&self.host, &proof, confirmed, &mut |s| {
                    progress.push(s.to_string())
                }) {
                    Ok(id) => self.show_done(Outcome::Kept { backup_id: id }),
                    Err(e) => self.modal = Some(Modal::Message(vec![e.to_string()])),
                }
            }
            Action::Rollback { backup_id } => match actions::rollback(&self.host, confirmed) {
                Ok((_, restored)) if self.wizard.step == Step::Apply => {
                    self.show_done_with(Outcome::RolledBack { backup_id }, restored.summary())
                }
                Ok((_, restored)) => {
                    self.revert.preview = None;
                    self.revert.message =
                        Some(format!("Restored {backup_id}: {}", restored.summary()));
                    self.revert.sets = actions::backups_newest_first(&self.host);
                }
                Err(e) => self.modal = Some(Modal::Message(vec![e.to_string()])),
            },
            Action::Trust { address } => self.trust(address),
            Action::Operate { .. } => match actions::operate(&self.host, confirmed) {
                Ok(done) => {
                    let mut said = done.changed;
                    said.extend(done.unchanged.iter().map(|l| format!("{l}: nothing to do")));
                    self.status.changed(said.join("; "));
                }
                Err(e) => {
                    self.modal = Some(Modal::Message(
                        e.to_string()
                            .lines()
                            .map(str::trim_start)
                            .map(String::from)
                            .collect(),
                    ))
                }
            },
        }
    }

    /// The answers applied, with `address` trusted, on to the review: from
    /// there it is applied like any change.
    fn trust(&mut self, address: IpAddr) {
        let note = |lines: Vec<String>| Some(Modal::Message(lines));
        let Some(mut previous) = self.host.previous.clone() else {
            self.modal = note(vec![text::TRUST_NO_ANSWERS.into()]);
            return;
        };
        let net = IpNet::from(address);
        let network = previous.network.get_or_insert_with(Default::default);
        let trusted = network.trusted.get_or_insert_with(Vec::new);
        let within = trusted.iter().find(|t| {
            let net = t.parse::<IpNet>();
            let net = net.or_else(|_| t.parse::<IpAddr>().map(IpNet::from));
            net.is_ok_and(|n| n.contains(&address))
        });
        if let Some(t) = within {
            self.modal = note(vec![format!(
                "{address} is already trusted (network.trusted has {t}): nothing to do."
            )]);
            return;
        }
        trusted.push(net.to_string());
        self.host.previous = Some(previous);
        self.wizard = Wizard::new(&self.host);
        self.wizard.step = Step::Review;
        self.screen = Screen::Wizard;
        self.prepare_review();
        self.review.trust = Some(net);
    }

    fn apply(&mut self, confirmed: Confirmed) {
        let Some(Ok(review)) = &self.review.review else {
            return;
        };
        let mut progress = Vec::new();
        let result = actions::apply(&self.host, review, confirmed, &mut |s| {
            progress.push(s.to_string())
        });
        match result {
            Ok(Applied::Waiting {
                backup_id,
                deadline,
            }) => {
                let port = review.ssh_port();
                let window = Waiting {
                    backup_id,
                    deadline,
                    left: deadline.saturating_sub(transaction::now()),
                    port,
                    session: actions::second_session(&self.host, review),
                    banner: actions::banner_probe(port),
                };
                self.phase = Phase::Waiting { progress, window };
            }
            Ok(Applied::Kept { backup_id }) => {
                self.show_done_after(Outcome::Kept { backup_id }, progress)
            }
            Err(e) => {
                let (outcome, _) = crate::ui::done::not_applied(&e);
                progress.push(e.to_string());
                self.show_done_after(outcome, progress);
            }
        }
    }
}
