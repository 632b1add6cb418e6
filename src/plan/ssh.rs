//! The SSH part of the plan: during the confirmation window sshd listens on
//! the old and the new port (and the firewall accepts both); on confirm only
//! the new one is left and the old one, if it was 22, becomes a trap.

use super::files::{AfterWrite, FileChange, Stage};
use crate::answers::Answers;
use crate::ssh::{SshSettings, SshdFiles, apply_settings, changes};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshPlan {
    /// The configuration during the window and after confirm, as sshd reads
    /// it (checked with `sshd -t` before anything is written).
    pub window_config: SshdFiles,
    pub final_config: SshdFiles,
    /// Ports during the window (old and new).
    pub window_ports: Vec<u16>,
    /// Ports after confirm.
    pub final_ports: Vec<u16>,
    pub key_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SshPlanError {
    #[error(
        "the answers change SSH (ssh.port or ssh.key_only) but there is no /etc/ssh/sshd_config under the root\n    what to do: install openssh-server, or remove the [ssh] settings"
    )]
    NoSshdConfig,
}

/// `None` when SSH stays as it is.
pub fn ssh_plan(
    answers: &Answers,
    sshd: Option<&SshdFiles>,
    openssh: Option<(u32, u32)>,
) -> Result<Option<(SshPlan, Vec<FileChange>)>, SshPlanError> {
    let current = answers.ssh.current_port;
    let moving = answers.ssh.new_port.is_some_and(|p| p != current);
    if !moving && !answers.ssh.key_only {
        return Ok(None);
    }
    let before = sshd.ok_or(SshPlanError::NoSshdConfig)?;
    let final_port = answers.ssh.final_port();
    let window_ports = if moving {
        vec![current, final_port]
    } else {
        vec![current]
    };
    let legacy = openssh.is_some_and(|v| v < (7, 0));
    let settings = |ports: &[u16]| SshSettings {
        ports: ports.to_vec(),
        key_only: answers.ssh.key_only,
        legacy_root_login_name: legacy,
    };
    let window = apply_settings(before, &settings(&window_ports));
    let last = apply_settings(&window, &settings(&[final_port]));
    let mut files = Vec::new();
    for (path, old, new) in changes(before, &window) {
        files.push(FileChange {
            path,
            before: old,
            after: new,
            stage: Stage::Apply,
            why: if moving {
                format!("sshd listens on {current} and {final_port} while you test the new port")
            } else {
                "key-only login".to_string()
            },
            after_write: AfterWrite::ReloadSshd,
        });
    }
    for (path, old, new) in changes(&window, &last) {
        files.push(FileChange {
            path,
            before: old,
            after: new,
            stage: Stage::Confirm,
            why: format!("only port {final_port} once you confirmed from it"),
            after_write: AfterWrite::ReloadSshd,
        });
    }
    Ok(Some((
        SshPlan {
            window_config: window,
            final_config: last,
            window_ports,
            final_ports: vec![final_port],
            key_only: answers.ssh.key_only,
        },
        files,
    )))
}
