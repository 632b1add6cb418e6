//! Asking sshd itself: `sshd -t` to validate, `sshd -T` for the effective
//! settings. Grepping files is never the proof; sshd's own view is.

use std::path::Path;

use crate::exec::{ExecError, Ran, Runner};

#[derive(Debug, thiserror::Error)]
pub enum SshdError {
    #[error("sshd is not installed here (openssh-server)")]
    Missing,
    #[error("sshd rejects the new configuration, so nothing was changed:\n    {message}")]
    Rejected { message: String },
    #[error(transparent)]
    Exec(#[from] ExecError),
}

/// sshd refuses to run -t/-T without its privilege-separation directory,
/// which socket-activated or stopped hosts may not have yet.
pub fn ensure_privsep_dir() {
    let dir = Path::new("/run/sshd");
    if !dir.exists() && std::fs::create_dir_all(dir).is_ok() {
        let _ = std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755));
    }
}

fn sshd(runner: &dyn Runner, args: &[&str]) -> Result<Ran, SshdError> {
    if runner.find("sshd").is_none() {
        return Err(SshdError::Missing);
    }
    ensure_privsep_dir();
    Ok(runner.run("sshd", args, None)?)
}

/// `sshd -t -f CONFIG`.
pub fn test(runner: &dyn Runner, config: &Path) -> Result<(), SshdError> {
    let c = config.to_string_lossy();
    let ran = sshd(runner, &["-t", "-f", &c])?;
    if ran.success {
        Ok(())
    } else {
        Err(SshdError::Rejected {
            message: ran.stderr.trim().to_string(),
        })
    }
}

/// `sshd -T -f CONFIG` (with a connection spec, so Match blocks resolve).
pub fn effective(runner: &dyn Runner, config: &Path) -> Result<String, SshdError> {
    let c = config.to_string_lossy();
    let ran = sshd(
        runner,
        &[
            "-T",
            "-f",
            &c,
            "-C",
            "user=root,host=localhost,addr=127.0.0.1",
        ],
    )?;
    if ran.success {
        Ok(ran.stdout)
    } else {
        Err(SshdError::Rejected {
            message: ran.stderr.trim().to_string(),
        })
    }
}

/// The `port N` lines of `sshd -T` output.
pub fn ports(effective: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = effective
        .lines()
        .filter_map(|l| l.strip_prefix("port ").and_then(|p| p.trim().parse().ok()))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The ports of `listenaddress` lines of `sshd -T` output ("[::]:2200"):
/// sshd listens there too, whatever the `port` lines say.
pub fn listen_ports(effective: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = effective
        .lines()
        .filter_map(|l| l.strip_prefix("listenaddress "))
        .filter_map(|a| a.trim().rsplit_once(':'))
        .filter_map(|(_, p)| p.split_whitespace().next()?.parse().ok())
        .filter(|p| *p != 0)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// One setting of `sshd -T` output (keys are lowercase there).
pub fn setting<'a>(effective: &'a str, key: &str) -> Option<&'a str> {
    effective
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(' ')))
}

/// OpenSSH's version from `ssh -V` ("OpenSSH_9.2p1 ..."): (major, minor).
pub fn openssh_version(runner: &dyn Runner) -> Option<(u32, u32)> {
    let ran = runner.run("ssh", &["-V"], None).ok()?;
    let text = format!("{}{}", ran.stderr, ran.stdout);
    let v = text.split("OpenSSH_").nth(1)?;
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sshd_t_output() {
        let out = "port 2222\nport 22\nlistenaddress [::]:22\npidfile /run/sshd.pid\npermitrootlogin without-password\n";
        assert_eq!(ports(out), [22, 2222]);
        assert_eq!(
            listen_ports("listenaddress [::]:2200\nlistenaddress 0.0.0.0:22 rdomain x\n"),
            [22, 2200]
        );
        assert_eq!(setting(out, "pidfile"), Some("/run/sshd.pid"));
        assert_eq!(setting(out, "permitrootlogin"), Some("without-password"));
    }
}
