//! `[responsive] enabled = true`: what `watch` needs, as planned changes:
//! its own AMI user in manager.conf (`read = security`, nothing else, from
//! localhost only), the user's random secret (0600), and its systemd unit
//! (written and enabled on confirm).

use std::path::{Path, PathBuf};

use super::asterisk::MANAGER_CONF;
use super::files::{AfterWrite, FileChange, Stage};
use super::input::PlanInput;
use crate::answers::Answers;

/// The manager user apply writes into manager.conf for the watcher.
pub const AMI_USER: &str = "asterisk-harden-watch";
/// Its secret (random, 0600), read by `watch` and written by apply.
pub const SECRET_FILE: &str = "/etc/asterisk-harden/ami-watch.secret";
pub const WATCH_UNIT: &str = "/etc/systemd/system/asterisk-harden-watch.service";

/// New files at these paths are written 0600, not 0644.
pub fn is_secret(path: &Path) -> bool {
    path == Path::new(SECRET_FILE)
}

/// `text` of `path` as a review may show it: the watcher's secret hidden
/// (the secret file, and its `secret =` line in manager.conf).
pub fn masked(path: &Path, text: &str) -> String {
    if is_secret(path) {
        return "(the watcher's AMI secret: not shown)\n".to_string();
    }
    if path != Path::new(MANAGER_CONF) {
        return text.to_string();
    }
    let header = format!("[{AMI_USER}]");
    let mut ours = false;
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            ours = t.starts_with(&header);
        }
        if ours && t.starts_with("secret") {
            out.push_str("secret = (not shown)\n");
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A secret apply may keep: what a previous apply wrote (hex, long enough).
fn usable(secret: &str) -> bool {
    secret.len() >= 32 && secret.chars().all(|c| c.is_ascii_hexdigit())
}

/// manager.conf without our `[asterisk-harden-watch]` section, every other
/// line as it was.
pub fn without_watch_user(text: &str) -> String {
    let header = format!("[{AMI_USER}]");
    let mut out = String::new();
    let mut ours = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            ours = t.starts_with(&header);
        }
        if !ours {
            out.push_str(line);
            out.push('\n');
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Whether manager.conf has the watcher's user.
pub fn has_watch_user(text: &str) -> bool {
    let header = format!("[{AMI_USER}]");
    text.lines().any(|l| l.trim_start().starts_with(&header))
}

/// manager.conf with exactly one `[asterisk-harden-watch]` section (ours,
/// at the end), every other line as it was.
pub fn with_watch_user(text: &str, secret: &str) -> String {
    let header = format!("[{AMI_USER}]");
    // Ends in a newline unless empty: the section follows after one blank line.
    let mut out = without_watch_user(text);
    out.push_str(&format!(
        "\n{header}\n; asterisk-harden watch: reads security events only, from this host only\n\
         secret = {secret}\ndeny = 0.0.0.0/0.0.0.0\npermit = 127.0.0.1/255.255.255.255\n\
         read = security\nwrite =\n"
    ));
    out
}

/// The changes for `watch`, merged into `files` (manager.conf may already
/// be edited for the AMI bind address).
pub fn responsive_changes(
    answers: &Answers,
    host: &PlanInput,
    files: &mut Vec<FileChange>,
    notes: &mut Vec<String>,
) {
    let manager = PathBuf::from(MANAGER_CONF);
    let current = files
        .iter()
        .find(|f| f.path == manager)
        .map(|f| f.after.clone())
        .or_else(|| host.text(&manager).map(str::to_string));
    if !answers.responsive.is_some_and(|r| r.enabled) {
        // Turned off: an AMI user nobody uses is not left behind (and the
        // unit, which could no longer log in, goes on confirm).
        if let Some(text) = current.filter(|t| has_watch_user(t)) {
            let why = format!(
                "[responsive] is off: the watcher's AMI user {AMI_USER} is removed (then `module reload manager`; the watch unit is stopped and removed on confirm)"
            );
            edit(files, host, manager, without_watch_user(&text), why);
        }
        return;
    }
    let Some(current) = current else {
        notes.push(format!(
            "[responsive]: {MANAGER_CONF} does not exist, so `watch` has no AMI user to log in with"
        ));
        return;
    };
    let secret = host
        .text(Path::new(SECRET_FILE))
        .map(str::trim)
        .filter(|s| usable(s))
        .unwrap_or(&host.watch_secret)
        .to_string();
    let after = with_watch_user(&current, &secret);
    let why = format!(
        "AMI user {AMI_USER} for `watch`: security events only, from localhost (then `module reload manager`)"
    );
    edit(files, host, manager, after, why);
    let path = PathBuf::from(SECRET_FILE);
    files.push(FileChange {
        before: host.text(&path).map(str::to_string),
        after: format!("{secret}\n"),
        path,
        stage: Stage::Apply,
        why: "the secret of the watcher's AMI user (0600, random)".into(),
        after_write: AfterWrite::Nothing,
    });
    let unit = PathBuf::from(WATCH_UNIT);
    files.push(FileChange {
        before: host.text(&unit).map(str::to_string),
        after: include_str!("../../assets/systemd/asterisk-harden-watch.service")
            .replace("@BIN@", &host.exe.display().to_string()),
        path: unit,
        stage: Stage::Confirm,
        why: "the responsive service, enabled and started on confirm".into(),
        after_write: AfterWrite::Nothing,
    });
}

/// manager.conf's new text, merged into its change if there is one (the
/// AMI bind address may already be edited).
fn edit(
    files: &mut Vec<FileChange>,
    host: &PlanInput,
    manager: PathBuf,
    after: String,
    why: String,
) {
    match files.iter_mut().find(|f| f.path == manager) {
        Some(f) => {
            f.after = after;
            f.why = format!("{}; {why}", f.why);
        }
        None => files.push(FileChange {
            before: host.text(&manager).map(str::to_string),
            path: manager,
            after,
            stage: Stage::Apply,
            why,
            after_write: AfterWrite::ReloadAmi,
        }),
    }
}

/// Paths the plan reads for this part.
pub fn paths() -> [PathBuf; 2] {
    [PathBuf::from(SECRET_FILE), PathBuf::from(WATCH_UNIT)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_watch_user_section_whatever_was_there() {
        let before = "[general]\nenabled = yes\n\n[admin]\nsecret = x\n";
        let once = with_watch_user(before, "ab12");
        assert!(once.starts_with(before), "{once}");
        assert!(
            once.contains("[asterisk-harden-watch]\n")
                && once.contains("read = security\nwrite =\n")
        );
        let twice = with_watch_user(&once, "cd34");
        assert_eq!(
            twice.matches("[asterisk-harden-watch]").count(),
            1,
            "{twice}"
        );
        assert!(twice.contains("secret = cd34") && !twice.contains("ab12"));
        assert!(twice.contains("[admin]\nsecret = x\n"));
        let shown = masked(Path::new(MANAGER_CONF), &twice);
        assert!(
            !shown.contains("cd34") && shown.contains("[admin]\nsecret = x\n"),
            "{shown}"
        );
        assert!(!masked(Path::new(SECRET_FILE), "cd34\n").contains("cd34"));
        // Turned off: exactly our section goes, the rest stays.
        let off = without_watch_user(&twice);
        assert_eq!(off, before, "{off}");
        assert!(!has_watch_user(&off) && has_watch_user(&twice));
    }
}
