//! What both wizards do with the admin's choices, without any terminal code:
//! build the review from the Plan, and, only with a `Confirmed` in hand, apply,
//! confirm from here, or roll back. A `Confirmed` can only be made from the
//! `Confirm` question the admin answered: the typed round trip that keeps a
//! key press from reaching the transaction by accident.

use std::time::Duration;

use crate::answers::Answers;
use crate::plan::{FileChange, PlanError, PlanInput, PlanInputError, paths_to_read, plan};
use crate::resolve::{ResolveError, resolve_trunks};
use crate::review::reviewed;
pub use crate::review::{Review, Section, review_text};
use crate::transaction::{
    self, Applied, BackupSet, HeldSignals, Restored, SecondSession, TxError, changes_back,
};

use super::host::{ApplyTarget, HostView};

/// How long the guard waits for `confirm` before reverting.
pub const CONFIRM_WINDOW: Duration = Duration::from_secs(120);

/// Something that changes the host, waiting for the admin's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Apply,
    /// Keep the pending change from this session (after the banner probe).
    ConfirmHere,
    Rollback {
        backup_id: String,
    },
    /// Ban, unban, allow or release one address (the Status screen).
    Operate {
        action: crate::operate::Action,
        address: std::net::IpAddr,
    },
    /// Put one address into network.trusted: on to the review, then applied
    /// like any change (the Status screen).
    Trust {
        address: std::net::IpAddr,
    },
}

/// The question: shown to the admin, answered with `accept`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm(Action);

/// The answer: the only ticket to the transaction.
#[derive(Debug, PartialEq, Eq)]
pub struct Confirmed(Action);

impl Confirm {
    pub fn ask(action: Action) -> Self {
        Self(action)
    }

    pub fn action(&self) -> &Action {
        &self.0
    }

    pub fn accept(self) -> Confirmed {
        Confirmed(self.0)
    }
}

impl Confirmed {
    pub fn action(&self) -> &Action {
        &self.0
    }
}

/// Why an action of the wizard did not happen. A refusal changed nothing
/// (exit 2, as the CLI); a failure was restored (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// Nothing can be applied or restored from here (not root, a dry run).
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error("reading the files the plan changes: {0}")]
    Read(#[from] PlanInputError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Tx(#[from] TxError),
    /// The trusted names or protected addresses could not be read.
    #[error(transparent)]
    Answers(#[from] crate::answers::AnswersError),
    #[error(transparent)]
    Operate(#[from] crate::operate::OperateError),
}

impl ActionError {
    /// Refused before anything changed (the CLI's exit 2), as opposed to a
    /// failure that was rolled back.
    pub fn is_refusal(&self) -> bool {
        match self {
            Self::Tx(e) => e.is_refusal(),
            Self::Unavailable(_)
            | Self::Resolve(_)
            | Self::Read(_)
            | Self::Plan(_)
            | Self::Answers(_)
            | Self::Operate(_) => true,
        }
    }
}

/// Resolve trunk names, read the files, and plan: the review, as `plan`
/// builds it (as root, what apply would refuse is refused here first).
pub fn prepare_review(host: &HostView, mut answers: Answers) -> Result<Review, ActionError> {
    let trunks = resolve_trunks(&answers.sip.trunks)?;
    crate::resolve::resolve_trusted(&mut answers)?;
    let files = PlanInput::read(&host.root, &host.facts, &paths_to_read(&answers))?;
    let plan = plan(&answers, &trunks, &files)?;
    Ok(reviewed(&host.root, plan, host.can_apply())?)
}

/// Apply the reviewed plan with a guard armed. Only a confirmed `Apply`.
pub fn apply(
    host: &HostView,
    review: &Review,
    confirmed: Confirmed,
    progress: &mut dyn FnMut(&str),
) -> Result<Applied, ActionError> {
    debug_assert_eq!(confirmed.action(), &Action::Apply);
    if let ApplyTarget::Unavailable(why) = &host.target {
        return Err(ActionError::Unavailable(why.clone()));
    }
    transaction::ensure_no_pending(&host.root)?;
    // Begun now, the plan is checked against the files as they are now.
    let tx = transaction::begin(&host.root)?;
    let applied = transaction::apply_guarded(tx, &review.plan, Some(CONFIRM_WINDOW), progress)?;
    // The sandbox box's sshd answers on its new port once sshd would have
    // been reloaded: started before, it would hold the port the
    // transaction's free-port check must find free.
    if let ApplyTarget::DemoNamespace(_) = &host.target {
        crate::ssh::listening::stand_in_sshd(review.ssh_port());
    }
    Ok(applied)
}

/// How the admin proves a new login works.
pub fn second_session(host: &HostView, review: &Review) -> SecondSession {
    let mut s = SecondSession::from_env(review.ssh_port());
    if let ApplyTarget::DemoNamespace(_) = host.target {
        s.login = None;
    }
    s.confirm = host.confirm_command.clone();
    s
}

/// Proof that something answering like sshd listens on the new port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BannerProof {
    pub banner: String,
}

/// Connect to 127.0.0.1:`port` and read an SSH banner ("SSH-2.0-...").
pub fn banner_probe(port: u16) -> Result<BannerProof, String> {
    crate::ssh::listening::ssh_banner(port).map(|banner| BannerProof { banner })
}

/// Keep the pending change from this session: needs the banner proof and
/// a confirmed `ConfirmHere`.
pub fn confirm_here(
    host: &HostView,
    _proof: &BannerProof,
    confirmed: Confirmed,
    progress: &mut dyn FnMut(&str),
) -> Result<String, TxError> {
    debug_assert_eq!(confirmed.action(), &Action::ConfirmHere);
    transaction::confirm(&host.root, true, progress)
}

/// Every backup set, newest first.
pub fn backups_newest_first(host: &HostView) -> Vec<BackupSet> {
    let mut sets = BackupSet::list(&host.root);
    sets.reverse();
    sets
}

/// The diff back to a backup set: each file from now to as saved, then the
/// firewall tables it restores.
pub fn revert_preview(host: &HostView, set: &BackupSet) -> (Vec<FileChange>, String) {
    let changes = changes_back(&host.root, set)
        .into_iter()
        .filter(FileChange::changes)
        .collect();
    let tables = format!(
        "the firewall's {} table(s) as they were at {}",
        set.manifest.tables.join(" and "),
        set.manifest.created
    );
    (changes, tables)
}

/// Restore a backup set. Only a confirmed `Rollback`.
pub fn rollback(
    host: &HostView,
    confirmed: Confirmed,
) -> Result<(BackupSet, Restored), ActionError> {
    let Action::Rollback { backup_id } = confirmed.action() else {
        unreachable!("a Confirmed Rollback is the only way here");
    };
    if let ApplyTarget::Unavailable(why) = &host.target {
        return Err(ActionError::Unavailable(why.clone()));
    }
    let _held = HeldSignals::hold();
    Ok(transaction::rollback(&host.root, Some(backup_id))?)
}

/// Why a list cannot be changed from this front end (only the live host's).
pub fn lists_unavailable(host: &HostView) -> Option<String> {
    match &host.target {
        ApplyTarget::Host => None,
        ApplyTarget::DemoNamespace(_) => {
            Some("The demo changes no list: its firewall is a throwaway.".into())
        }
        ApplyTarget::Unavailable(why) => Some(why.clone()),
    }
}

/// Carry out a confirmed `Operate` with the library's `operate::act`, the
/// same as `asterisk-harden ban` and the rest (refusals included).
pub fn operate(host: &HostView, confirmed: Confirmed) -> Result<crate::operate::Done, ActionError> {
    let Action::Operate { action, address } = confirmed.action() else {
        unreachable!("a Confirmed Operate is the only way here");
    };
    if let Some(why) = lists_unavailable(host) {
        return Err(ActionError::Unavailable(why));
    }
    let protected = crate::operate::protected::read(&host.root, &mut |_| {})?;
    Ok(crate::operate::act(
        &host.root,
        *action,
        *address,
        OPERATE_REASON,
        &protected,
    )?)
}

/// What the record says of a change made in the Status screen.
pub const OPERATE_REASON: &str = "by hand, in the Status screen";

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn only_the_asked_action_is_confirmed() {
        let q = Confirm::ask(Action::Rollback {
            backup_id: "2026-01-01T000000Z".into(),
        });
        assert!(matches!(q.action(), Action::Rollback { .. }));
        let yes = q.accept();
        assert_ne!(yes.action(), &Action::Apply);
    }

    #[test]
    fn banner_probe_wants_ssh() {
        let ssh = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = ssh.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = ssh.accept().unwrap();
            s.write_all(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n").unwrap();
        });
        assert_eq!(
            banner_probe(port).unwrap().banner,
            "SSH-2.0-OpenSSH_9.2p1 Debian-2"
        );
        let http = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = http.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = http.accept().unwrap();
            s.write_all(b"HTTP/1.1 400 Bad Request\r\n").unwrap();
        });
        assert!(banner_probe(port).unwrap_err().contains("not as SSH"));
        drop(TcpListener::bind("127.0.0.1:0"));
    }
}
