//! The services around the files an apply writes: checks that change
//! nothing (before the transaction is armed), and the reloads after the
//! rules are loaded (fail2ban, Asterisk's manager, sshd and its SELinux
//! port label).

use super::backup::BackupSet;
use super::{TxError, firewall, restore};
use crate::plan::{AfterWrite, Plan, Stage};
use crate::root::Root;
use crate::ruleset::Family;
use crate::ssh::{self, SshError};

pub(super) fn is_fail2ban(w: AfterWrite) -> bool {
    matches!(
        w,
        AfterWrite::ReloadFail2ban | AfterWrite::ReloadFail2banImmutable
    )
}

/// Checks that need the host but change nothing: a refusal here leaves the
/// host exactly as it was. `plan` and the wizard's review run the same
/// checks, so what apply would refuse is refused before any diff is shown.
pub fn preflight(root: &Root, plan: &Plan) -> Result<(), TxError> {
    // A sandbox never boots, so only the real system needs units that last.
    if root.is_system()
        && let Ok(exe) = std::env::current_exe()
        && let Some(exe) = super::build_binary::unit_calls_build(plan, &exe)
    {
        return Err(TxError::BuildBinary { exe });
    }
    for f in plan
        .files
        .iter()
        .filter(|f| f.changes() && is_fail2ban(f.after_write))
    {
        crate::fail2ban::validate(root, &f.after)?;
    }
    let Some(ssh_plan) = &plan.ssh else {
        return Ok(());
    };
    if ssh_plan.window_ports != ssh_plan.final_ports {
        for port in &ssh_plan.final_ports {
            ssh::check_port_free(*port)?;
        }
        if root.path(ssh::reload::SOCKET_ADDRESSES).exists() {
            return Err(SshError::SocketPorts {
                path: ssh::reload::SOCKET_ADDRESSES.into(),
            }
            .into());
        }
    }
    ssh::validate_candidate(root.runner(), &ssh_plan.window_config)?;
    ssh::validate_candidate(root.runner(), &ssh_plan.final_config)?;
    if ssh_plan.key_only {
        let user = std::env::var("SUDO_USER").unwrap_or_else(|_| "root".to_string());
        if !ssh::has_authorized_key(root, &user) {
            return Err(TxError::KeyOnlyWithoutKeys { user });
        }
    }
    Ok(())
}

/// fail2ban after a load: re-read a changed jail file, then make sure its
/// chains are there.
pub(super) fn fail2ban_after_load(root: &Root, jail_changed: bool, progress: &mut dyn FnMut(&str)) {
    if !crate::fail2ban::running(root) {
        return;
    }
    if jail_changed {
        match crate::fail2ban::reload(root) {
            Ok(()) => progress("fail2ban reloaded its jails"),
            Err(e) => progress(&format!("WARNING: {e}")),
        }
    }
    let live = firewall::save(root.runner(), Family::Ipv4).unwrap_or_default();
    if let Some(done) = crate::fail2ban::after_load(root, &live) {
        progress(&done);
    }
}

/// A file of the apply stage that changes and wants `w` after its write.
fn changed(plan: &Plan, w: impl Fn(AfterWrite) -> bool) -> bool {
    plan.files
        .iter()
        .any(|f| f.stage == Stage::Apply && f.changes() && w(f.after_write))
}

/// Once the rules are loaded: fail2ban, Asterisk's manager, sshd on the
/// window's ports (with its SELinux label). An error here is undone by the
/// transaction.
pub(super) fn reload_after_load(
    root: &Root,
    plan: &Plan,
    set: &BackupSet,
    progress: &mut dyn FnMut(&str),
) -> Result<(), TxError> {
    fail2ban_after_load(root, changed(plan, is_fail2ban), progress);
    if changed(plan, |w| w == AfterWrite::ReloadAmi) {
        let done = crate::asterisk::live::reload_manager(root).map_err(TxError::Ami)?;
        progress(&done);
    }
    let Some(ssh_plan) = &plan.ssh else {
        return Ok(());
    };
    if !changed(plan, |w| w == AfterWrite::ReloadSshd) {
        return Ok(());
    }
    if ssh::selinux::applies(root) {
        let new_ports = ssh_plan
            .final_ports
            .iter()
            .filter(|p| !ssh_plan.window_ports[..1].contains(p));
        for port in new_ports {
            let added = ssh::selinux::label(root.runner(), *port)
                .map_err(|e| TxError::Ssh(SshError::Selinux(e)))?;
            if added {
                let _ = std::fs::write(set.dir.join(restore::SELINUX_PORT), port.to_string());
            }
            progress(&format!("SELinux: port {port} labelled ssh_port_t"));
        }
    }
    let said = ssh::reload_and_verify(root, &ssh_plan.window_ports)?;
    progress(&said);
    Ok(())
}
