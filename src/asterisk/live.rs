//! Talking to the running Asterisk: `asterisk -rx` exits 0 whenever it
//! reached the daemon, even when the command failed, so every answer is
//! judged by its output.

use super::manager;
use crate::exec;
use crate::root::Root;

/// Whether an Asterisk that reads this root's /etc/asterisk is running
/// (a sandbox root has none: the running one reads the real /etc).
pub fn running(root: &Root) -> bool {
    root.is_system()
        && exec::find("asterisk").is_some()
        && exec::run("asterisk", &["-rx", "core show version"], None)
            .is_ok_and(|r| r.stdout.contains("Asterisk"))
}

/// `module reload manager`, then prove AMI listens on 127.0.0.1 only.
pub fn reload_manager(root: &Root) -> Result<String, String> {
    if !running(root) {
        return Ok("Asterisk is not running here: AMI reads manager.conf when it starts".into());
    }
    exec::run("asterisk", &["-rx", "module reload manager"], None).map_err(|e| e.to_string())?;
    let settings = exec::run("asterisk", &["-rx", "manager show settings"], None)
        .map_err(|e| e.to_string())?;
    match manager::bound_address(&settings.stdout) {
        Some(a) if a == manager::LOCALHOST => {
            Ok("AMI reloaded: bound to 127.0.0.1 (manager show settings)".into())
        }
        Some(a) => Err(format!(
            "after `module reload manager`, AMI is bound to {a}, not 127.0.0.1"
        )),
        None => Err(format!(
            "`manager show settings` did not say where AMI listens: {}",
            settings.stdout.trim()
        )),
    }
}
