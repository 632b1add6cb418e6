//! Moving SSH safely: our settings written where they win, checked by sshd
//! itself before and after, sshd reloaded the way this host runs it, and the
//! new port proven by a banner before anyone relies on it.

pub mod config;
pub mod edit;
pub mod listening;
pub mod reload;
pub mod selinux;
pub mod session;
pub mod sshd;

use std::io::Write;
use std::time::{Duration, Instant};

pub use config::SshdFiles;
pub use edit::{SshSettings, apply_settings, changes};
pub use sshd::SshdError;

use crate::exec::Runner;
use crate::root::Root;

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error(transparent)]
    Sshd(#[from] SshdError),
    #[error(
        "port {port} is already in use by {who}\n    what to do: choose another port for ssh.port"
    )]
    PortInUse { port: u16, who: String },
    #[error(
        "this host takes SSH's ports from {path} (socket activation, Ubuntu 22.10 to 23.10), not from sshd_config\n    what to do: change ListenStream there by hand, or upgrade to Ubuntu 24.04 where sshd_config counts again"
    )]
    SocketPorts { path: String },
    #[error("SELinux: {0}")]
    Selinux(String),
    #[error("sshd could not be reloaded: {0}")]
    Reload(String),
    #[error("after the reload sshd listens on {actual:?}, not {expected:?}")]
    WrongPorts {
        expected: Vec<u16>,
        actual: Vec<u16>,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}\n    what to do: {hint}", hint = .0.hint())]
    Read(#[from] crate::hostfile::ReadError),
}

/// `sshd -t` on the whole candidate configuration, before any file is written.
pub fn validate_candidate(runner: &dyn Runner, candidate: &SshdFiles) -> Result<(), SshError> {
    let mut tmp = tempfile::Builder::new()
        .prefix("asterisk-harden-sshd.")
        .tempfile()?;
    tmp.write_all(candidate.flatten().as_bytes())?;
    tmp.flush()?;
    sshd::test(runner, tmp.path())?;
    Ok(())
}

/// Refuse a port another program already listens on (sshd itself is fine).
pub fn check_port_free(port: u16) -> Result<(), SshError> {
    match listening::listener(port) {
        Some(who) if !who.starts_with("sshd") => Err(SshError::PortInUse { port, who }),
        _ => Ok(()),
    }
}

/// `sshd -T` on this root's configuration. On a sandbox root the
/// configuration is flattened first: sshd would resolve an absolute
/// `Include /etc/ssh/sshd_config.d/*.conf` against the host's /etc.
fn effective_config(root: &Root) -> Result<String, SshError> {
    if root.is_system() {
        return Ok(sshd::effective(
            root.runner(),
            &root.path(config::MAIN_CONFIG),
        )?);
    }
    let Some(files) = SshdFiles::read(root)? else {
        return Ok(sshd::effective(
            root.runner(),
            &root.path(config::MAIN_CONFIG),
        )?);
    };
    let mut tmp = tempfile::Builder::new()
        .prefix("asterisk-harden-sshd.")
        .tempfile()?;
    tmp.write_all(files.flatten().as_bytes())?;
    tmp.flush()?;
    Ok(sshd::effective(root.runner(), tmp.path())?)
}

/// sshd's effective ports per `sshd -T` on the host's (or sandbox's) config.
pub fn effective_ports(root: &Root) -> Result<Vec<u16>, SshError> {
    Ok(sshd::ports(&effective_config(root)?))
}

/// "22 and 40022".
pub fn join_ports(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Every port sshd listens on besides its `Port` lines: `ListenAddress`
/// ports per `sshd -T`, and, on this system itself, the TCP sockets sshd
/// holds open right now (a port a previous configuration left open).
pub fn other_listening_ports(root: &Root) -> Vec<u16> {
    let mut ports = effective_config(root)
        .map(|e| sshd::listen_ports(&e))
        .unwrap_or_default();
    if root.is_system() {
        ports.extend(
            listening::listening_ports()
                .into_iter()
                .filter(|p| listening::listener(*p).is_some_and(|who| who.starts_with("sshd"))),
        );
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Reload sshd and prove the result: `sshd -T` lists exactly `expected`,
/// and each port answers with an SSH banner (sshd is running here). The
/// sentence returned says what was proven, and no more: without a running
/// sshd nothing answers yet.
pub fn reload_and_verify(root: &Root, expected: &[u16]) -> Result<String, SshError> {
    let effective = effective_config(root)?;
    let actual = sshd::ports(&effective);
    let mut want = expected.to_vec();
    want.sort_unstable();
    if actual != want {
        return Err(SshError::WrongPorts {
            expected: want,
            actual,
        });
    }
    let how = reload::method(root, sshd::setting(&effective, "pidfile"));
    let done = reload::reload(root.runner(), &how).map_err(SshError::Reload)?;
    let ports = join_ports(&want);
    if matches!(how, reload::Reload::NotRunning(_)) {
        return Ok(format!(
            "sshd {done}: its configuration lists port {ports} only (sshd -T), used when it starts"
        ));
    }
    // sshd re-execs on SIGHUP; give it a moment to bind the new ports.
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let missing: Vec<u16> = want
            .iter()
            .copied()
            .filter(|p| listening::ssh_banner(*p).is_err())
            .collect();
        if missing.is_empty() {
            return Ok(format!(
                "sshd reloaded ({done}); it answers on port {ports} only"
            ));
        }
        if Instant::now() > end {
            return Err(SshError::Reload(format!(
                "{done}, but no SSH banner on port(s) {missing:?}"
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// After a restore: sshd reads the restored files (best effort, reported).
pub fn reload_after_restore(root: &Root) -> Result<String, String> {
    let effective = effective_config(root).map_err(|e| e.to_string())?;
    let how = reload::method(root, sshd::setting(&effective, "pidfile"));
    reload::reload(root.runner(), &how)
}

/// Whether the account that will log in has an authorized key: refusing
/// key-only login without one is what stands between the admin and a lockout.
pub fn has_authorized_key(root: &Root, user: &str) -> bool {
    let home = if user == "root" {
        Some("/root".to_string())
    } else {
        crate::hostfile::read_lossy(&root.path("/etc/passwd")).and_then(|p| {
            p.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 5 && f[0] == user).then(|| f[5].to_string())
            })
        })
    };
    let Some(home) = home else { return false };
    ["authorized_keys", "authorized_keys2"].iter().any(|f| {
        crate::hostfile::read_lossy(&root.path(format!("{home}/.ssh/{f}"))).is_some_and(|t| {
            t.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
    })
}
