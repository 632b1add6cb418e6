//! What every front end needs around `apply`: the guard started as a process
//! of its own, the signals held back while the host changes, and the exact
//! command the admin runs from a second session. Shared by `apply` and both
//! wizards, so they cannot drift apart.

use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};

use super::StateDir;
use crate::exec;
use crate::root::Root;

/// Starts `asterisk-harden --root R guard` detached from this session; its
/// output goes to guard.log in the state directory.
pub fn spawn_guard(root: &Root) -> std::io::Result<u32> {
    let exe = std::env::current_exe()?;
    let log = StateDir::new(root).path().join("guard.log");
    exec::spawn_detached(
        &exe,
        &["--root".as_ref(), root.dir().as_os_str(), "guard".as_ref()],
        &log,
    )
}

/// Interrupting signals (Ctrl-C, hang-up, TERM, QUIT) held back while alive.
/// A signal between the first write and the armed guard would leave a
/// half-changed host; held, it is delivered once the guard exists.
pub struct HeldSignals {
    set: SigSet,
}

impl HeldSignals {
    pub fn hold() -> Self {
        let mut set = SigSet::empty();
        for sig in [
            Signal::SIGINT,
            Signal::SIGTERM,
            Signal::SIGHUP,
            Signal::SIGQUIT,
        ] {
            set.add(sig);
        }
        let _ = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&set), None);
        Self { set }
    }
}

impl Drop for HeldSignals {
    fn drop(&mut self) {
        let _ = sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&self.set), None);
    }
}

/// How the admin proves, from a second session, that they can still get in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondSession {
    /// The login to open in a new terminal; `None`: any new terminal here.
    pub login: Option<String>,
    /// The command that keeps the change, typed in that new session.
    pub confirm: String,
}

impl SecondSession {
    /// From this session's environment: SUDO_USER or USER, and the server
    /// side of SSH_CONNECTION ("client_ip client_port server_ip server_port").
    pub fn from_env(port: u16) -> Self {
        let user = std::env::var("SUDO_USER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "root".into());
        let host = std::env::var("SSH_CONNECTION")
            .ok()
            .and_then(|c| c.split_whitespace().nth(2).map(str::to_string))
            .unwrap_or_else(|| "THIS-SERVER".into());
        Self {
            login: Some(format!("ssh -p {port} {user}@{host}")),
            confirm: "sudo asterisk-harden confirm".into(),
        }
    }

    /// The commands to type in the new terminal, in order.
    pub fn commands(&self) -> Vec<String> {
        self.login
            .iter()
            .cloned()
            .chain(std::iter::once(self.confirm.clone()))
            .collect()
    }
}
