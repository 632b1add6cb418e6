//! Making sshd read its new configuration, the way this host runs it:
//! systemd with ssh.socket (Ubuntu 22.10+: daemon-reload, then restart the
//! socket; a plain `restart ssh` keeps the old port), a systemd service (the
//! real unit name: `ssh` on Debian/Ubuntu, `sshd` on RHEL), or SIGHUP to the
//! pid in sshd's PidFile (hosts without systemd, and the sandbox tests).
//! SIGHUP makes sshd re-exec; open sessions are separate processes and live on.

use std::path::{Path, PathBuf};

use super::config::host_path;
use crate::exec::Runner;
use crate::root::Root;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    Socket,
    Service(String),
    Hangup(PathBuf),
    /// Nothing runs sshd here (or a sandbox without its pid file).
    NotRunning(String),
}

fn systemd_active(runner: &dyn Runner, unit: &str) -> bool {
    runner
        .run("systemctl", &["is-active", "--quiet", unit], None)
        .is_ok_and(|r| r.success)
}

/// What the host runs, as far as reloading sshd goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceState {
    /// systemd manages this host (and it is the real root, not a sandbox).
    pub systemd: bool,
    pub socket_active: bool,
    /// The active sshd unit: `ssh.service` (Debian/Ubuntu) or `sshd.service` (RHEL).
    pub active_unit: Option<String>,
}

impl ServiceState {
    pub fn read(root: &Root) -> Self {
        let systemd = root.is_system()
            && Path::new("/run/systemd/system").exists()
            && root.runner().find("systemctl").is_some();
        if !systemd {
            return Self::default();
        }
        Self {
            systemd,
            socket_active: systemd_active(root.runner(), "ssh.socket"),
            active_unit: ["ssh.service", "sshd.service"]
                .into_iter()
                .find(|u| systemd_active(root.runner(), u))
                .map(str::to_string),
        }
    }
}

/// The reload for a host in `state`; `pidfile` is where sshd's pid is.
pub fn choose(state: &ServiceState, pidfile: PathBuf) -> Reload {
    if state.systemd {
        // ssh.socket first: with socket activation the service may be idle,
        // and restarting the service would keep the socket's old port.
        if state.socket_active {
            return Reload::Socket;
        }
        if let Some(unit) = &state.active_unit {
            return Reload::Service(unit.clone());
        }
    }
    if pidfile.exists() {
        Reload::Hangup(pidfile)
    } else {
        Reload::NotRunning(format!(
            "no running sshd found (no systemd unit, no {})",
            pidfile.display()
        ))
    }
}

/// How sshd is reloaded on this host; `pidfile` is sshd -T's `pidfile`.
pub fn method(root: &Root, pidfile: Option<&str>) -> Reload {
    let pidfile = root.path(host_path(root, pidfile.unwrap_or("/run/sshd.pid")));
    choose(&ServiceState::read(root), pidfile)
}

/// Ubuntu 22.10 to 23.10 take sshd's ports from the socket unit, not from
/// sshd_config: a Port line there would change nothing.
pub const SOCKET_ADDRESSES: &str = "/etc/systemd/system/ssh.socket.d/addresses.conf";

pub fn reload(runner: &dyn Runner, how: &Reload) -> Result<String, String> {
    match how {
        Reload::Socket => {
            runner
                .run_checked("systemctl", &["daemon-reload"], None)
                .map_err(|e| e.to_string())?;
            runner
                .run_checked("systemctl", &["restart", "ssh.socket"], None)
                .map_err(|e| e.to_string())?;
            Ok("daemon-reload and restart ssh.socket".into())
        }
        Reload::Service(unit) => {
            runner
                .run_checked("systemctl", &["reload", unit], None)
                .map_err(|e| e.to_string())?;
            Ok(format!("systemctl reload {unit}"))
        }
        Reload::Hangup(pidfile) => {
            let text = std::fs::read_to_string(pidfile)
                .map_err(|e| format!("{}: {e}", pidfile.display()))?;
            let pid: i32 = text
                .trim()
                .parse()
                .map_err(|_| format!("{}: not a pid", pidfile.display()))?;
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGHUP,
            )
            .map_err(|e| format!("SIGHUP to sshd (pid {pid}): {e}"))?;
            Ok(format!("SIGHUP to sshd (pid {pid})"))
        }
        Reload::NotRunning(why) => Ok(format!("not reloaded: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_host_layout_gets_its_reload() {
        let none = PathBuf::from("/nonexistent/sshd.pid");
        let unit = |u: &str| Some(u.to_string());
        let ubuntu_2404 = ServiceState {
            systemd: true,
            socket_active: true,
            active_unit: unit("ssh.service"),
        };
        assert_eq!(choose(&ubuntu_2404, none.clone()), Reload::Socket);
        let debian_12 = ServiceState {
            systemd: true,
            socket_active: false,
            active_unit: unit("ssh.service"),
        };
        assert_eq!(
            choose(&debian_12, none.clone()),
            Reload::Service("ssh.service".into())
        );
        let rocky = ServiceState {
            systemd: true,
            socket_active: false,
            active_unit: unit("sshd.service"),
        };
        assert_eq!(
            choose(&rocky, none.clone()),
            Reload::Service("sshd.service".into())
        );
        let pid = tempfile::NamedTempFile::new().unwrap();
        let no_systemd = ServiceState::default();
        assert_eq!(
            choose(&no_systemd, pid.path().to_path_buf()),
            Reload::Hangup(pid.path().to_path_buf())
        );
        assert!(matches!(choose(&no_systemd, none), Reload::NotRunning(_)));
    }
}
