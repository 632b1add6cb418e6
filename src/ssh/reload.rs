//! Making sshd read its new configuration, the way this host runs it:
//! systemd with ssh.socket (Ubuntu 22.10+: daemon-reload, then restart the
//! socket; a plain `restart ssh` keeps the old port), a systemd service (the
//! real unit name: `ssh` on Debian/Ubuntu, `sshd` on RHEL), or SIGHUP to the
//! pid in sshd's PidFile (hosts without systemd, and the sandbox tests).
//! SIGHUP makes sshd re-exec; open sessions are separate processes and live on.

use std::path::{Path, PathBuf};

use super::config::host_path;
use crate::exec;
use crate::root::Root;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    Socket,
    Service(String),
    Hangup(PathBuf),
    /// Nothing runs sshd here (or a sandbox without its pid file).
    NotRunning(String),
}

fn systemd_active(unit: &str) -> bool {
    exec::run("systemctl", &["is-active", "--quiet", unit], None).is_ok_and(|r| r.success)
}

/// How sshd is reloaded on this host; `pidfile` is sshd -T's `pidfile`.
pub fn method(root: &Root, pidfile: Option<&str>) -> Reload {
    if root.is_system()
        && Path::new("/run/systemd/system").exists()
        && exec::find("systemctl").is_some()
    {
        if systemd_active("ssh.socket") {
            return Reload::Socket;
        }
        for unit in ["ssh.service", "sshd.service"] {
            if systemd_active(unit) {
                return Reload::Service(unit.to_string());
            }
        }
    }
    let pidfile = root.path(host_path(root, pidfile.unwrap_or("/run/sshd.pid")));
    if pidfile.exists() {
        Reload::Hangup(pidfile)
    } else {
        Reload::NotRunning(format!(
            "no running sshd found (no systemd unit, no {})",
            pidfile.display()
        ))
    }
}

pub fn reload(how: &Reload) -> Result<String, String> {
    match how {
        Reload::Socket => {
            exec::run_checked("systemctl", &["daemon-reload"], None).map_err(|e| e.to_string())?;
            exec::run_checked("systemctl", &["restart", "ssh.socket"], None)
                .map_err(|e| e.to_string())?;
            Ok("daemon-reload and restart ssh.socket".into())
        }
        Reload::Service(unit) => {
            exec::run_checked("systemctl", &["reload", unit], None).map_err(|e| e.to_string())?;
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
