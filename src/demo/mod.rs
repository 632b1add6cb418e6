//! The demo: the whole wizard against a built-in sandbox box (a typical
//! Debian 12 + Asterisk /etc shipped in assets/demo/, copied to a temp dir
//! used as the root), with the firewall loaded into a throwaway network
//! namespace when run as root. It never touches the host.

pub mod netns;

use std::io::Write;
use std::path::Path;

use crate::answers::{AnswersFile, SipFile};
use crate::root::Root;
use crate::ui::host::{ApplyTarget, HostView};

/// The sandbox box's files: (host path, contents).
pub const FILES: &[(&str, &str)] = &[
    (
        "/etc/debian_version",
        include_str!("../../assets/demo/etc/debian_version"),
    ),
    (
        "/etc/os-release",
        include_str!("../../assets/demo/etc/os-release"),
    ),
    (
        "/etc/hostname",
        include_str!("../../assets/demo/etc/hostname"),
    ),
    (
        "/etc/ssh/sshd_config",
        include_str!("../../assets/demo/etc/ssh/sshd_config"),
    ),
    (
        "/etc/asterisk/modules.conf",
        include_str!("../../assets/demo/etc/asterisk/modules.conf"),
    ),
    (
        "/etc/asterisk/manager.conf",
        include_str!("../../assets/demo/etc/asterisk/manager.conf"),
    ),
    (
        "/etc/asterisk/pjsip.conf",
        include_str!("../../assets/demo/etc/asterisk/pjsip.conf"),
    ),
    (
        "/etc/asterisk/rtp.conf",
        include_str!("../../assets/demo/etc/asterisk/rtp.conf"),
    ),
    (
        "/etc/asterisk/iax.conf",
        include_str!("../../assets/demo/etc/asterisk/iax.conf"),
    ),
];

/// The secret name the demo offers, so Enter alone walks to the review.
pub const DEMO_HOSTNAME: &str = "pbx-demo-7f3k.example.net";

/// The pretend admin's address (a documentation range, RFC 5737).
pub const DEMO_ADMIN: &str = "198.51.100.23";

/// TCP ports the sandbox box pretends to listen on: sshd, AMI.
pub const DEMO_LISTENING: [u16; 2] = [22, 5038];

/// Write the sandbox box under `dir`.
pub fn write_box(dir: &Path) -> std::io::Result<()> {
    let root = Root::new(dir);
    for (path, text) in FILES {
        let target = root.path(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, text)?;
    }
    Ok(())
}

/// A fresh sandbox box in a temp dir (removed when dropped).
pub fn sandbox() -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new()
        .prefix("asterisk-harden-demo-")
        .tempdir()?;
    write_box(dir.path())?;
    Ok(dir)
}

/// Where a running demo says which sandbox is its own (root-only), so a
/// second terminal can confirm it with `demo --confirm PID`.
const REGISTRY: &str = "/run/asterisk-harden";

fn registration_path(pid: u32) -> std::path::PathBuf {
    Path::new(REGISTRY).join(format!("demo-{pid}"))
}

/// The running demo's registration: its sandbox, under its pid; removed
/// when dropped.
pub struct Registration(std::path::PathBuf);

impl Registration {
    pub fn new(sandbox: &Path) -> std::io::Result<Self> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(REGISTRY)?;
        let path = registration_path(std::process::id());
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)?;
        f.write_all(sandbox.as_os_str().as_encoded_bytes())?;
        Ok(Self(path))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The namespace and sandbox of the running demo `pid`, or why there is none.
pub fn registered(pid: u32) -> Result<(String, std::path::PathBuf), String> {
    let path = registration_path(pid);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        format!(
            "no demo with process id {pid} is running here (nothing in {})",
            path.display()
        )
    })?;
    let sandbox = std::path::PathBuf::from(text.trim());
    let is_demo_box = sandbox
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("asterisk-harden-demo-"));
    if !is_demo_box || !sandbox.join("etc/debian_version").is_file() {
        return Err(format!("{} does not name a demo sandbox", path.display()));
    }
    Ok((netns::name_for(pid), sandbox))
}

/// What the wizard sees of the sandbox box: read like any root, with the
/// parts a sandbox cannot have (a session, sockets) given by the demo.
pub fn host_view(root: &Root, target: ApplyTarget, confirm_command: String) -> HostView {
    let mut view = HostView::read(root);
    view.admin_address = DEMO_ADMIN.parse().ok();
    view.listening = DEMO_LISTENING.to_vec();
    view.offered_port = 40022;
    view.authorized_keys = false;
    view.prefill = Some(AnswersFile {
        sip: Some(SipFile {
            hostname: Some(DEMO_HOSTNAME.into()),
            ..SipFile::default()
        }),
        ..AnswersFile::default()
    });
    view.target = target;
    view.demo = true;
    view.confirm_command = confirm_command;
    // The preflight says what this box is, in its own words.
    view.preflight
        .lines
        .retain(|(k, _)| k != "SSH session" && k != "Privileges");
    view.preflight.lines.insert(
        0,
        (
            "Demo".into(),
            match &view.target {
                ApplyTarget::DemoNamespace(ns) => {
                    format!("a sandbox box; its firewall loads into namespace {ns}")
                }
                ApplyTarget::Unavailable(why) => format!("a sandbox box; {why}"),
                ApplyTarget::Host => "a sandbox box".into(),
            },
        ),
    );
    view.preflight.lines.push((
        "SSH session".into(),
        format!("the demo admin comes from {DEMO_ADMIN}; SSH listens on 22"),
    ));
    view
}

/// The demo box under `dir`, applied to as if it were this host, where
/// another change still waits for confirmation (its guard, this process,
/// alive): any apply there is refused before it changes anything. Its only
/// programs are an `sshd` that accepts every configuration and `cp`, so the
/// review's host checks pass and the refusal comes from the transaction.
/// For the tests of both front ends.
#[doc(hidden)]
pub fn box_with_a_pending_change(dir: &Path) -> HostView {
    use crate::transaction::{Pending, State, StateDir, now};
    write_box(dir).expect("writing the demo box");
    let programs = crate::exec::Scripted::new()
        .answers("ipset", &["list", "-n"], "")
        .succeeds("sshd")
        .succeeds("cp");
    let root = Root::new(dir).with_runner(std::sync::Arc::new(programs));
    let state = StateDir::new(&root);
    std::fs::create_dir_all(state.path()).expect("the state directory");
    let lock = state.lock().expect("the state lock");
    let waiting = Pending {
        state: State::Waiting,
        deadline: Some(now() + 600),
        guard_pid: Some(std::process::id()),
        ..Pending::started_here("2026-12-02T091500Z")
    };
    state.write(&lock, &waiting).expect("the pending change");
    // Released before the host is read: reading it takes the lock too.
    drop(lock);
    host_view(&root, ApplyTarget::Host, String::new())
}

#[cfg(test)]
mod tests;
