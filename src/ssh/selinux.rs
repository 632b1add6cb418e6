//! SELinux (RHEL family): sshd may only bind ports labelled ssh_port_t, so a
//! new SSH port is labelled before the reload and unlabelled on revert.

use crate::exec::Runner;
use crate::root::Root;

/// `SELINUX=enforcing` in /etc/selinux/config.
pub fn enforcing(root: &Root) -> bool {
    crate::hostfile::read_lossy(&root.path("/etc/selinux/config"))
        .is_some_and(|t| mode_is_enforcing(&t))
}

fn mode_is_enforcing(config: &str) -> bool {
    config.lines().any(|l| {
        let l = l.trim();
        !l.starts_with('#')
            && l.split_once('=')
                .is_some_and(|(k, v)| k.trim() == "SELINUX" && v.trim() == "enforcing")
    })
}

/// Whether labelling applies here: the real root (a sandbox has no policy to change).
pub fn applies(root: &Root) -> bool {
    root.is_system() && enforcing(root)
}

/// Label `port` for sshd. `Ok(true)`: we added the label (undo on revert);
/// `Ok(false)`: it was already labelled.
pub fn label(runner: &dyn Runner, port: u16) -> Result<bool, String> {
    if runner.find("semanage").is_none() {
        return Err("SELinux is enforcing but semanage is missing: dnf install policycoreutils-python-utils".into());
    }
    let p = port.to_string();
    let ran = runner
        .run(
            "semanage",
            &["port", "-a", "-t", "ssh_port_t", "-p", "tcp", &p],
            None,
        )
        .map_err(|e| e.to_string())?;
    if ran.success {
        return Ok(true);
    }
    if ran.stderr.contains("already defined") {
        // Labelled for another type: -m moves it to ssh_port_t.
        runner
            .run_checked(
                "semanage",
                &["port", "-m", "-t", "ssh_port_t", "-p", "tcp", &p],
                None,
            )
            .map_err(|e| e.to_string())?;
        return Ok(false);
    }
    Err(ran.stderr.trim().to_string())
}

pub fn unlabel(runner: &dyn Runner, port: u16) -> Result<(), String> {
    runner
        .run_checked(
            "semanage",
            &[
                "port",
                "-d",
                "-t",
                "ssh_port_t",
                "-p",
                "tcp",
                &port.to_string(),
            ],
            None,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_mode() {
        assert!(mode_is_enforcing(
            "# SELINUX=disabled\nSELINUX=enforcing\nSELINUXTYPE=targeted\n"
        ));
        assert!(!mode_is_enforcing("SELINUX=permissive\n"));
        assert!(!mode_is_enforcing("#SELINUX=enforcing\n"));
    }
}
