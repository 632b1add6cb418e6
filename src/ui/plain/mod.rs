//! The line mode (`--plain`): the same steps, defaults and validation as the
//! full-screen wizard, asked one question at a time, for serial consoles,
//! screen readers and dumb terminals. The review is printed as diffs; the
//! apply is the same transaction.

pub mod prompter;
pub(crate) mod text;
pub mod waiting;

use std::io::Write;
use std::rc::Rc;

use crate::answers::{Hostname, Mode};
use crate::transaction::Applied;

use super::actions::{self, Action, Confirm, Review};
use super::host::HostView;
use super::wizard::{Field, MODES, Step, Wizard, trunk_problems};
use super::{Finished, Outcome};
use prompter::{Answer, Check, PromptEnd, Prompter};

/// Where a step sends the run.
enum Flow {
    Next,
    Stay,
    Back,
    End(Outcome, Vec<String>),
}

/// Run the wizard with `prompter`, printing to `out`.
pub fn run(host: &HostView, prompter: &mut dyn Prompter, out: &mut dyn Write) -> Finished {
    let mut wizard = Wizard::new(host);
    let _ = writeln!(out, "{}\n{}\n", text::TITLE, text::NOTHING_CHANGES);
    let mut review: Option<Review> = None;
    loop {
        let flow = match wizard.step {
            Step::Welcome => welcome(host, prompter, out),
            Step::Ssh => ssh(&mut wizard, prompter, out),
            Step::Hostname => hostname(&mut wizard, prompter, out),
            Step::Mode => mode(&mut wizard, prompter),
            Step::Asterisk => asterisk(&mut wizard, host, prompter, out),
            Step::Review => review_step(&mut wizard, host, &mut review, prompter, out),
            // Reached only from the review, which runs the apply itself.
            Step::Apply => Ok(Flow::Back),
            Step::Done => Ok(Flow::End(Outcome::Quit, Vec::new())),
        };
        match flow {
            Ok(Flow::Next) => {
                if let Err(errors) = wizard.advance() {
                    for e in errors {
                        let _ = writeln!(out, "  ✗ {}\n    what to do: {}", e.reason, e.hint);
                    }
                }
            }
            Ok(Flow::Stay) => {}
            Ok(Flow::Back) | Err(PromptEnd::Back) => {
                wizard.back();
            }
            Ok(Flow::End(outcome, farewell)) => return Finished { outcome, farewell },
            Err(PromptEnd::Quit) => {
                if !wizard.touched() || prompter.confirm(text::QUIT, false, "").unwrap_or(true) {
                    return Finished {
                        outcome: Outcome::Quit,
                        farewell: vec!["Nothing was changed.".into()],
                    };
                }
            }
            Err(PromptEnd::Failed(e)) => {
                return Finished {
                    outcome: Outcome::Quit,
                    farewell: vec![format!("The prompt failed ({e}); nothing was changed.")],
                };
            }
        }
    }
}

fn welcome(host: &HostView, p: &mut dyn Prompter, out: &mut dyn Write) -> Answer<Flow> {
    for (k, v) in &host.preflight.lines {
        let _ = writeln!(out, "  {k:<13} {v}");
    }
    for w in &host.preflight.warnings {
        let _ = writeln!(out, "  ! {w}");
    }
    let _ = writeln!(out);
    let choices: Vec<String> = text::WELCOME_CHOICES
        .iter()
        .map(|s| s.to_string())
        .collect();
    match p.select(text::WELCOME_PROMPT, &choices, 0, "") {
        Ok(0) => Ok(Flow::Next),
        Ok(1) => revert(host, p, out).map(|_| Flow::Stay),
        Ok(2) => {
            match crate::status::gather(host.root.runner()) {
                Ok(s) if s.mode.is_some() => {
                    let _ = writeln!(out, "{}", crate::status::report(&s));
                }
                Ok(_) => {
                    let _ = writeln!(out, "{}\n", text::STATUS_NOT_LOADED);
                }
                Err(e) => {
                    let _ = writeln!(out, "{e}\n");
                }
            }
            Ok(Flow::Stay)
        }
        Ok(_) | Err(PromptEnd::Back) => Err(PromptEnd::Quit),
        Err(e) => Err(e),
    }
}

/// A check that runs the wizard's own validation for `field` on typed text.
fn field_check(wizard: &Wizard, field: Field) -> Check {
    let w = wizard.clone();
    Rc::new(move |typed: &str| {
        let mut w = w.clone();
        if let Some(slot) = w.text_mut(field) {
            *slot = typed.to_string();
        }
        match w.field_error(field) {
            Some(e) => Err(format!("{}: {}", e.reason, e.hint)),
            None => Ok(()),
        }
    })
}

fn ssh(w: &mut Wizard, p: &mut dyn Prompter, out: &mut dyn Write) -> Answer<Flow> {
    let _ = writeln!(
        out,
        "\n{} (SSH listens on {} now)",
        text::SSH_INTRO,
        w.current_ssh_port()
    );
    w.form.move_ssh = p.confirm(text::SSH_MOVE, w.form.move_ssh, text::SSH_MOVE_HELP)?;
    if w.form.move_ssh {
        let check = field_check(w, Field::SshPort);
        w.form.ssh_port = p.text(text::SSH_PORT, &w.form.ssh_port, text::SSH_PORT_HELP, check)?;
    }
    w.form.key_only = p.confirm(text::KEY_ONLY, w.form.key_only, text::KEY_ONLY_HELP)?;
    if let Some(addr) = w.admin_address() {
        w.form.trust_admin = p.confirm(
            &text::trust_admin(&addr.to_string()),
            w.form.trust_admin,
            "",
        )?;
    }
    Ok(Flow::Next)
}

fn hostname(w: &mut Wizard, p: &mut dyn Prompter, out: &mut dyn Write) -> Answer<Flow> {
    let _ = writeln!(out, "\n{}", text::HOSTNAME_INTRO);
    let check: Check = Rc::new(|s: &str| {
        if s.trim().is_empty() {
            return Ok(());
        }
        Hostname::parse(s.trim())
            .map(|_| ())
            .map_err(|r| format!("{}: {}", r.reason, r.hint))
    });
    w.form.hostname = p.text(text::HOSTNAME, &w.form.hostname, text::HOSTNAME_HELP, check)?;
    for (_, warning) in w.warnings(Step::Hostname) {
        let _ = writeln!(out, "  ! {warning}");
    }
    let check: Check = Rc::new(|s: &str| match trunk_problems(s).first() {
        Some(problem) => Err(problem.clone()),
        None => Ok(()),
    });
    w.form.trunks = p.text(text::TRUNKS, &w.form.trunks, text::TRUNKS_HELP, check)?;
    Ok(Flow::Next)
}

fn mode(w: &mut Wizard, p: &mut dyn Prompter) -> Answer<Flow> {
    let choices: Vec<String> = MODES.iter().map(|m| text::mode_choice(*m)).collect();
    let current = MODES.iter().position(|m| *m == w.form.mode).unwrap_or(0);
    w.form.mode = MODES[p.select(text::MODE_PROMPT, &choices, current, text::MODE_HELP)?];
    // Only strict mode admits by user agent: elsewhere the question does nothing.
    if w.form.mode == Mode::Strict {
        w.form.zoiper = p.confirm(text::ZOIPER, w.form.zoiper, text::ZOIPER_HELP)?;
    }
    w.form.rate_limit = p.confirm(text::RATE_LIMIT, w.form.rate_limit, text::RATE_LIMIT_HELP)?;
    Ok(Flow::Next)
}

fn asterisk(
    w: &mut Wizard,
    host: &HostView,
    p: &mut dyn Prompter,
    out: &mut dyn Write,
) -> Answer<Flow> {
    let _ = writeln!(out, "\n{}", text::ASTERISK_INTRO);
    if !host.asterisk_installed {
        let _ = writeln!(out, "{}", text::NO_ASTERISK);
    }
    w.form.manage_asterisk = p.confirm(text::MANAGE_ASTERISK, w.form.manage_asterisk, "")?;
    if w.form.manage_asterisk {
        let names: Vec<String> = w.form.modules.iter().map(|m| m.name.clone()).collect();
        let checked: Vec<bool> = w.form.modules.iter().map(|m| m.noload).collect();
        let chosen = p.multi_select(text::MODULES, &names, &checked, text::MODULES_HELP)?;
        for (m, noload) in w.form.modules.iter_mut().zip(chosen) {
            m.noload = noload;
        }
        w.form.manager_localhost = p.confirm(text::AMI_LOCAL, w.form.manager_localhost, "")?;
        w.form.disable_fop = p.confirm(text::FOP, w.form.disable_fop, "")?;
    }
    Ok(Flow::Next)
}

fn review_step(
    w: &mut Wizard,
    host: &HostView,
    review: &mut Option<Review>,
    p: &mut dyn Prompter,
    out: &mut dyn Write,
) -> Answer<Flow> {
    let answers = match w.validate() {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(out, "{e}");
            return Ok(Flow::Back);
        }
    };
    // Resolving trunk names can take seconds: say so first.
    let _ = writeln!(
        out,
        "  Preparing the review: resolving trunk names, reading the files and the live firewall…"
    );
    let _ = out.flush();
    let prepared = match actions::prepare_review(host, answers) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "  ✗ {e}");
            return Ok(Flow::Back);
        }
    };
    let _ = writeln!(out, "\n{}", actions::review_text(&prepared));
    let prepared = review.insert(prepared);
    let mut choices = Vec::new();
    if host.can_apply() {
        choices.push(text::REVIEW_APPLY);
    } else if let super::host::ApplyTarget::Unavailable(why) = &host.target {
        let _ = writeln!(out, "  ! {why}");
    }
    choices.extend([text::REVIEW_SAVE, text::REVIEW_BACK, text::REVIEW_QUIT]);
    let options: Vec<String> = choices.iter().map(|s| s.to_string()).collect();
    loop {
        let picked = choices[p.select(text::REVIEW_PROMPT, &options, 0, "")?];
        match picked {
            text::REVIEW_APPLY => {
                let question = Confirm::ask(Action::Apply);
                if p.confirm(
                    &text::apply_question(actions::CONFIRM_WINDOW.as_secs()),
                    false,
                    "",
                )? {
                    let confirmed = question.accept();
                    w.start_apply(&confirmed);
                    return apply(host, prepared, confirmed, p, out);
                }
            }
            text::REVIEW_SAVE => save_answers(w, p, out)?,
            text::REVIEW_BACK => return Ok(Flow::Back),
            _ => return Err(PromptEnd::Quit),
        }
    }
}

fn save_answers(w: &Wizard, p: &mut dyn Prompter, out: &mut dyn Write) -> Answer<()> {
    let Ok(answers) = w.validate() else {
        return Ok(());
    };
    let path = p.text(
        text::SAVE_PATH,
        text::SAVE_DEFAULT,
        "",
        Rc::new(|s: &str| {
            if s.trim().is_empty() {
                Err("type a file name".into())
            } else {
                Ok(())
            }
        }),
    )?;
    match std::fs::write(path.trim(), super::save::answers_toml(&answers)) {
        Ok(()) => {
            let _ = writeln!(out, "{}", text::saved(path.trim()));
        }
        Err(e) => {
            let _ = writeln!(out, "  ✗ cannot write {}: {e}", path.trim());
        }
    }
    Ok(())
}

fn apply(
    host: &HostView,
    review: &Review,
    confirmed: actions::Confirmed,
    p: &mut dyn Prompter,
    out: &mut dyn Write,
) -> Answer<Flow> {
    let applied = actions::apply(host, review, confirmed, &mut |step| {
        let _ = writeln!(out, "  ✓ {step}");
    });
    let (backup_id, deadline) = match applied {
        Err(e) => {
            let (outcome, lines) = super::done::not_applied(&e);
            return Ok(Flow::End(outcome, lines));
        }
        Ok(Applied::Kept { backup_id }) => {
            return Ok(Flow::End(
                Outcome::Kept {
                    backup_id: backup_id.clone(),
                },
                done_kept(host, review, &backup_id),
            ));
        }
        Ok(Applied::Waiting {
            backup_id,
            deadline,
        }) => (backup_id, deadline),
    };
    let session = actions::second_session(host, review);
    let _ = write!(out, "{}", waiting::instructions(&session, deadline));
    if let Ok(proof) = actions::banner_probe(review.ssh_port()) {
        let _ = writeln!(out, "  The SSH port answers on this host: {}", proof.banner);
        if p.confirm(text::CONFIRM_HERE, false, "")? {
            let confirmed = Confirm::ask(Action::ConfirmHere).accept();
            let result = actions::confirm_here(host, &proof, confirmed, &mut |step| {
                let _ = writeln!(out, "  ✓ {step}");
            });
            return Ok(match result {
                Ok(id) => Flow::End(
                    Outcome::Kept {
                        backup_id: id.clone(),
                    },
                    done_kept(host, review, &id),
                ),
                Err(e) => Flow::End(
                    Outcome::LeftWaiting {
                        backup_id: backup_id.clone(),
                    },
                    vec![format!("Not confirmed: {e}")],
                ),
            });
        }
    }
    Ok(
        match waiting::wait_for_confirmation(&host.root, &backup_id, deadline, true, out) {
            waiting::WaitEnd::Confirmed => Flow::End(
                Outcome::Kept {
                    backup_id: backup_id.clone(),
                },
                done_kept(host, review, &backup_id),
            ),
            waiting::WaitEnd::Reverted(_) => Flow::End(Outcome::Reverted, Vec::new()),
            waiting::WaitEnd::GuardGone | waiting::WaitEnd::RevertFailed(_) => {
                Flow::End(Outcome::Failed, Vec::new())
            }
        },
    )
}

fn revert(host: &HostView, p: &mut dyn Prompter, out: &mut dyn Write) -> Answer<()> {
    let sets = actions::backups_newest_first(host);
    if sets.is_empty() {
        let _ = writeln!(out, "{}\n", text::REVERT_NONE);
        return Ok(());
    }
    let options: Vec<String> = sets.iter().map(|s| s.manifest.label()).collect();
    let set = &sets[p.select(text::REVERT_PROMPT, &options, 0, "")?];
    let (changes, firewall) = actions::revert_preview(host, set);
    for c in &changes {
        let _ = write!(out, "{}", crate::review::file_diff(c));
    }
    let _ = writeln!(out, "  and {firewall}");
    if p.confirm(text::REVERT_QUESTION, false, "")? {
        let backup_id = set.manifest.id.clone();
        let confirmed = Confirm::ask(Action::Rollback { backup_id }).accept();
        match actions::rollback(host, confirmed) {
            Ok((set, restored)) => {
                let _ = writeln!(
                    out,
                    "Rolled back to backup {}: {}",
                    set.manifest.id,
                    restored.summary()
                );
            }
            Err(e) => {
                let _ = writeln!(out, "  ✗ {e}");
            }
        }
    }
    Ok(())
}

/// The Done lines of a kept change, as the full-screen wizard says them.
fn done_kept(host: &HostView, review: &actions::Review, backup_id: &str) -> Vec<String> {
    let kept = crate::ui::done::kept(host, Some(&review.plan), backup_id);
    std::iter::once(format!("Done: {}", kept.headline))
        .chain(kept.lines)
        .collect()
}
