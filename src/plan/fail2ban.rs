//! The fail2ban part of the plan: our jail drop-in where fail2ban is
//! installed, with the SSH port the admin ends on and the trusted sources.

use std::path::Path;

use super::files::{AfterWrite, FileChange, Stage};
use super::input::PlanInput;
use crate::answers::Answers;
use crate::fail2ban::{DROPIN, dropin};

/// (file change, notes).
pub fn fail2ban_changes(answers: &Answers, host: &PlanInput) -> (Vec<FileChange>, Vec<String>) {
    let Some(f) = answers.fail2ban.as_ref().filter(|f| f.enabled) else {
        return (Vec::new(), Vec::new());
    };
    if !host.fail2ban.installed {
        return (
            Vec::new(),
            vec!["fail2ban is not installed: apt-get install fail2ban (dnf install fail2ban), then apply again".into()],
        );
    }
    let mut notes = Vec::new();
    let immutable = f.immutable && host.asterisk.freepbx;
    if f.immutable && !host.asterisk.freepbx {
        notes.push("fail2ban.immutable is for FreePBX boxes (whose sysadmin module rewrites fail2ban's files): not applied here".into());
    }
    if !host.fail2ban.asterisk_log {
        notes.push(
            "the asterisk jail stays off: Asterisk writes no /var/log/asterisk/messages (enable it in logger.conf)".into(),
        );
    }
    let text = dropin(
        &host.fail2ban,
        answers.ssh.final_port(),
        &answers.sip.ports.to_string(),
        &answers
            .network
            .trusted
            .iter()
            .map(ToString::to_string)
            .chain(
                answers
                    .network
                    .trusted_names
                    .iter()
                    .map(|t| t.name.to_string()),
            )
            .collect::<Vec<_>>(),
    );
    let path = Path::new(DROPIN);
    let change = FileChange {
        path: path.to_path_buf(),
        before: host.text(path).map(str::to_string),
        after: text,
        stage: Stage::Apply,
        why: format!(
            "fail2ban jails for sshd (port {}) and Asterisk, trusted sources never banned{}",
            answers.ssh.final_port(),
            if immutable {
                "; made immutable (chattr +i) against FreePBX's rewrites"
            } else {
                ""
            }
        ),
        after_write: if immutable {
            AfterWrite::ReloadFail2banImmutable
        } else {
            AfterWrite::ReloadFail2ban
        },
    };
    (vec![change], notes)
}
