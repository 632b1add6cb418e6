//! `watch`: the responsive service. Follows Asterisk's security events over
//! AMI (its own `read = security` manager user, written by apply when
//! `[responsive] enabled = true`): a source that authenticates becomes a
//! known phone, N failed attempts within T seconds ban it, both within a
//! second; never what must stay reachable (`operate::Protected`). Every
//! decision is recorded with its reason (`operate::why`). Reconnects with
//! backoff when Asterisk restarts.

pub mod ami;
pub mod event;
pub mod judge;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use crate::operate::{self, Action, KernelError, OperateError, Protected};
use crate::root::Root;

pub use ami::{Ami, AmiError};
pub use event::SecurityEvent;
pub use judge::{Decision, Judge};

/// The manager user and its secret, as the plan writes them.
pub use crate::plan::responsive::{AMI_USER, SECRET_FILE};
pub const AMI_ADDRESS: &str = "127.0.0.1:5038";

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(
        "{path}: {source}\n    what to do: set `[responsive] enabled = true` in the answers and apply them: that writes the watcher's AMI user and this secret"
    )]
    NoSecret {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub fn read_secret(root: &Root) -> Result<String, WatchError> {
    let path = root.path(SECRET_FILE);
    std::fs::read_to_string(&path)
        .map(|t| t.trim().to_string())
        .map_err(|source| WatchError::NoSecret { path, source })
}

pub struct Watch<'a> {
    pub root: &'a Root,
    pub address: SocketAddr,
    pub secret: String,
    pub judge: Judge,
    /// Asked again at every (re)connection: the answers may have changed.
    pub protected: &'a dyn Fn() -> Protected,
    /// Where the watcher says what it does (stderr → the journal).
    pub say: &'a mut dyn FnMut(&str),
}

impl Watch<'_> {
    /// Follow AMI forever: connect, act on each event, reconnect with
    /// backoff (0.25 s doubling to 5 s) when the connection ends.
    pub fn run(&mut self) -> ! {
        let mut backoff = Duration::from_millis(250);
        loop {
            match Ami::login(self.address, AMI_USER, &self.secret) {
                Ok(mut ami) => {
                    backoff = Duration::from_millis(250);
                    (self.say)(&format!("connected to AMI at {}", self.address));
                    let protected = (self.protected)();
                    let end = loop {
                        match ami.next_message() {
                            Ok(m) => {
                                if let Some(e) = SecurityEvent::from_message(&m) {
                                    self.on_event(&e, &protected);
                                }
                            }
                            Err(e) => break e,
                        }
                    };
                    (self.say)(&format!("{end}; reconnecting"));
                }
                Err(e) => (self.say)(&format!("{e}; retrying in {} ms", backoff.as_millis())),
            }
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    fn on_event(&mut self, e: &SecurityEvent, protected: &Protected) {
        let Some(decision) = self.judge.judge(e, SystemTime::now()) else {
            return;
        };
        let (action, source, reason) = match decision {
            Decision::Known { source, reason } => (Action::Allow, source, reason),
            Decision::Ban { source, reason } => (Action::Ban, source, reason),
        };
        match act(self.root, action, source, &reason, protected) {
            Ok(lines) => {
                for l in lines {
                    (self.say)(&l);
                }
            }
            Err(e) => (self.say)(&format!("{source}: {e}")),
        }
    }
}

/// Carry out one decision; a protected source is recorded as not banned.
fn act(
    root: &Root,
    action: Action,
    source: std::net::IpAddr,
    reason: &str,
    protected: &Protected,
) -> Result<Vec<String>, OperateError> {
    if action == Action::Allow {
        // The known-phone list exists in strict mode; in the relaxed modes
        // with ipset the watcher keeps one (no rule needs it).
        crate::sets::ensure_known_phones(root.runner()).map_err(KernelError::from)?;
    }
    match operate::act(root, action, source, reason, protected) {
        Ok(done) => Ok(done.changed),
        Err(OperateError::Protected { why, .. }) => {
            let line = format!("not banned: {source} {why} ({reason})");
            operate::why::record(root, source, None, &line, &format!("not banned: {reason}"))?;
            Ok(vec![line])
        }
        Err(OperateError::Kernel(KernelError::NotLoaded { .. })) if action == Action::Allow => {
            Ok(vec![format!(
                "{source} {reason}; this ruleset keeps no known-phone list (xt_recent, relaxed mode)"
            )])
        }
        Err(e) => Err(e),
    }
}
