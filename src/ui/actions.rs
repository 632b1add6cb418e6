//! What both wizards do with the admin's choices, without any terminal code:
//! build the review from the Plan, and, only with a `Confirmed` in hand, apply,
//! confirm from here, or roll back. A `Confirmed` can only be made from the
//! `Confirm` question the admin answered: the typed round trip that keeps a
//! key press from reaching the transaction by accident.

use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

use similar::TextDiff;

use crate::answers::Answers;
use crate::plan::{FileChange, HostFiles, Plan, paths_to_read, plan};
use crate::resolve::resolve_trunks;
use crate::review::{file_diff, load_report_text, summary};
use crate::ruleset::{Family, render};
use crate::transaction::{
    self, Applied, ApplyOptions, BackupSet, HeldSignals, Restored, SecondSession, TxError,
    changes_back, preview_load, spawn_guard,
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

/// One part of the review: a file's diff, or a ruleset as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub diff: String,
}

/// Everything the review step shows; nothing has changed yet.
#[derive(Debug, Clone)]
pub struct Review {
    pub answers: Answers,
    pub plan: Plan,
    pub summary: Vec<String>,
    /// Trunk resolutions, rules of other tools, what needs root.
    pub notes: Vec<String>,
    pub sections: Vec<Section>,
}

impl Review {
    /// The port SSH ends up on (what the banner probe knocks on).
    pub fn ssh_port(&self) -> u16 {
        self.answers.ssh.final_port()
    }
}

/// Resolve trunk names, read the files, and plan: the review's content.
pub fn prepare_review(host: &HostView, mut answers: Answers) -> Result<Review, String> {
    let trunks = resolve_trunks(&answers.sip.trunks).map_err(|e| e.to_string())?;
    crate::resolve::resolve_trusted(&mut answers).map_err(|e| e.to_string())?;
    let files = HostFiles::read(&host.root, &paths_to_read(&answers))
        .map_err(|e| format!("reading the files the plan changes: {e}"))?;
    let plan = plan(&answers, &trunks, &files).map_err(|e| e.to_string())?;
    // What apply would refuse is refused here, before the review (the same
    // checks as `plan` and apply).
    if host.can_apply() {
        transaction::preflight(&host.root, &plan).map_err(|e| e.to_string())?;
    }
    // plan.notes are already in the summary.
    let mut notes = plan.firewall.notes.clone();
    if host.can_apply() {
        match preview_load(&host.root, &plan) {
            Ok(report) => notes.extend(
                load_report_text(&report)
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string),
            ),
            Err(e) => notes.push(format!("the live firewall could not be read: {e}")),
        }
    } else {
        notes.push(
            "The live firewall was not read (that needs root): rules of other tools are listed when run as root."
                .into(),
        );
    }
    let mut sections: Vec<Section> = plan
        .changed_files()
        .map(|f| Section {
            title: format!("{} ({})", f.path.display(), f.why),
            diff: file_diff(f),
        })
        .collect();
    for (family, name) in [(Family::Ipv4, "IPv4"), (Family::Ipv6, "IPv6")] {
        sections.push(Section {
            title: format!("{name} rules loaded now ({})", plan.tables().join(" and ")),
            diff: TextDiff::from_lines("", render(plan.first_load(family)).as_str())
                .unified_diff()
                .header(
                    &format!("{name} firewall now"),
                    &format!("{name} firewall after apply"),
                )
                .to_string(),
        });
    }
    Ok(Review {
        summary: summary(&plan),
        answers,
        plan,
        notes,
        sections,
    })
}

/// The review as plain text: summary, notes, every diff.
pub fn review_text(review: &Review) -> String {
    let mut out = String::from("What will happen (nothing has changed yet):\n");
    for line in review.summary.iter().chain(&review.notes) {
        out.push_str(&format!("  - {line}\n"));
    }
    for s in &review.sections {
        out.push_str(&format!("\n== {} ==\n{}", s.title, s.diff));
    }
    out
}

/// Apply the reviewed plan with a guard armed. Only a confirmed `Apply`.
pub fn apply(
    host: &HostView,
    review: &Review,
    confirmed: Confirmed,
    progress: &mut dyn FnMut(&str),
) -> Result<Applied, String> {
    if confirmed.action() != &Action::Apply {
        return Err("internal: apply needs a confirmed Apply".into());
    }
    if let ApplyTarget::Unavailable(why) = &host.target {
        return Err(why.clone());
    }
    transaction::ensure_no_pending(&host.root).map_err(|e| e.to_string())?;
    let opts = ApplyOptions {
        confirm_timeout: Some(CONFIRM_WINDOW),
        spawn_guard,
    };
    let _held = HeldSignals::hold();
    let applied =
        transaction::apply(&host.root, &review.plan, &opts, progress).map_err(|e| e.to_string())?;
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
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))
        .map_err(|e| format!("nothing answers on 127.0.0.1:{port} ({e})"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = [0u8; 256];
    let n = stream
        .read(&mut buf)
        .map_err(|e| format!("127.0.0.1:{port} sent no banner ({e})"))?;
    let text = String::from_utf8_lossy(&buf[..n]);
    let line = text.lines().next().unwrap_or_default().trim().to_string();
    if line.starts_with("SSH-") {
        Ok(BannerProof { banner: line })
    } else {
        Err(format!(
            "127.0.0.1:{port} answers, but not as SSH (\"{}\")",
            line.chars().take(40).collect::<String>()
        ))
    }
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
pub fn rollback(host: &HostView, confirmed: Confirmed) -> Result<(BackupSet, Restored), String> {
    let Action::Rollback { backup_id } = confirmed.action() else {
        return Err("internal: rollback needs a confirmed Rollback".into());
    };
    if let ApplyTarget::Unavailable(why) = &host.target {
        return Err(why.clone());
    }
    let _held = HeldSignals::hold();
    transaction::rollback(&host.root, Some(backup_id)).map_err(|e| e.to_string())
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
pub fn operate(host: &HostView, confirmed: Confirmed) -> Result<crate::operate::Done, String> {
    let Action::Operate { action, address } = confirmed.action() else {
        return Err("internal: operate needs a confirmed Operate".into());
    };
    if let Some(why) = lists_unavailable(host) {
        return Err(why);
    }
    let protected =
        crate::operate::protected::read(&host.root, &mut |_| {}).map_err(|e| e.to_string())?;
    crate::operate::act(&host.root, *action, *address, OPERATE_REASON, &protected)
        .map_err(|e| e.to_string())
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
