//! fail2ban in step with the rules: a jail drop-in of our own (never
//! jail.local), validated by `fail2ban-client -t` before it is written, and
//! fail2ban's chains checked (and its jails restarted if they went missing)
//! after every rule load.

use std::path::{Path, PathBuf};

use crate::exec::Runner;
use crate::root::Root;

pub const DROPIN: &str = "/etc/fail2ban/jail.d/asterisk-harden.local";
pub const CONFIG_DIR: &str = "/etc/fail2ban";

/// What the plan needs to know about fail2ban here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fail2banFacts {
    pub installed: bool,
    /// sshd logs to a file fail2ban can read (else journald: backend = systemd).
    pub ssh_log_file: bool,
    /// Asterisk writes the security log the `asterisk` jail reads.
    pub asterisk_log: bool,
}

impl Fail2banFacts {
    pub fn read(root: &Root) -> Self {
        Self {
            installed: root.path("/etc/fail2ban/jail.conf").exists(),
            ssh_log_file: root.path("/var/log/auth.log").exists()
                || root.path("/var/log/secure").exists(),
            asterisk_log: root.path("/var/log/asterisk/messages").exists(),
        }
    }
}

/// The jail drop-in. `iptables-multiport` calls `iptables`, which is the
/// same backend (nft or legacy) the rules are loaded with: the bans land
/// beside our chains, never in a separate nftables ruleset.
/// `trusted`: networks, and host names (fail2ban resolves those itself).
pub fn dropin(facts: &Fail2banFacts, ssh_port: u16, sip_ports: &str, trusted: &[String]) -> String {
    let mut ignore = vec!["127.0.0.1/8".to_string(), "::1".to_string()];
    ignore.extend(trusted.iter().cloned());
    let mut out = format!(
        "# Written by asterisk-harden; `asterisk-harden rollback` removes it.\n\
         # Trusted sources are never banned; bans use the same iptables as the rules.\n\
         [DEFAULT]\nignoreip = {}\nbanaction = iptables-multiport\nbanaction_allports = iptables-allports\n\n\
         [sshd]\nenabled = true\nport = {ssh_port}\n",
        ignore.join(" ")
    );
    if !facts.ssh_log_file {
        out.push_str("# No auth.log here: sshd logs to the journal.\nbackend = systemd\n");
    }
    if facts.asterisk_log {
        out.push_str(&format!(
            "\n[asterisk]\nenabled = true\nport = {sip_ports}\n"
        ));
    } else {
        out.push_str(
            "\n# The asterisk jail needs /var/log/asterisk/messages: add `messages => notice,warning,error,security`\n\
             # to logger.conf's [logfiles], then apply again.\n",
        );
    }
    out
}

#[derive(Debug, thiserror::Error)]
#[error("fail2ban rejects the jail drop-in, so nothing was changed:\n    {0}")]
pub struct Rejected(pub String);

/// `fail2ban-client -t` on a copy of the configuration with our drop-in in
/// it. Log paths are read under the root (a sandbox has its own logs).
pub fn validate(root: &Root, text: &str) -> Result<(), Rejected> {
    let copy = tempfile::tempdir().map_err(|e| Rejected(e.to_string()))?;
    let dir = copy.path().join("fail2ban");
    let src = root.path(CONFIG_DIR);
    let copied = root
        .runner()
        .run(
            "cp",
            &["-a", &src.to_string_lossy(), &dir.to_string_lossy()],
            None,
        )
        .map_err(|e| Rejected(e.to_string()))?;
    if !copied.success {
        return Err(Rejected(copied.stderr.trim().to_string()));
    }
    let jail_d = dir.join("jail.d");
    std::fs::create_dir_all(&jail_d).map_err(|e| Rejected(e.to_string()))?;
    std::fs::write(jail_d.join("asterisk-harden.local"), text)
        .map_err(|e| Rejected(e.to_string()))?;
    if !root.is_system() {
        // Only for the check: the sandbox's logs, not this machine's.
        let logs = format!(
            "[sshd]\nlogpath = {}\n[asterisk]\nlogpath = {}\n",
            root.path("/var/log/auth.log").display(),
            root.path("/var/log/asterisk/messages").display()
        );
        std::fs::write(jail_d.join("zz-asterisk-harden-sandbox-logs.local"), logs)
            .map_err(|e| Rejected(e.to_string()))?;
    }
    let ran = root
        .runner()
        .run(
            "fail2ban-client",
            &["-c", &dir.to_string_lossy(), "-t"],
            None,
        )
        .map_err(|e| Rejected(e.to_string()))?;
    if ran.success {
        Ok(())
    } else {
        let message: Vec<&str> = ran.stderr.lines().filter(|l| l.contains("ERROR")).collect();
        Err(Rejected(if message.is_empty() {
            ran.stderr.trim().to_string()
        } else {
            message.join("\n    ")
        }))
    }
}

fn client(root: &Root, args: &[&str]) -> Option<crate::exec::Ran> {
    let conf = root.path(CONFIG_DIR);
    let mut all = vec!["-c", conf.to_str()?];
    all.extend_from_slice(args);
    root.runner().run("fail2ban-client", &all, None).ok()
}

/// Whether a fail2ban server answers for this root's configuration.
pub fn running(root: &Root) -> bool {
    root.runner().find("fail2ban-client").is_some()
        && root.path(CONFIG_DIR).is_dir()
        && client(root, &["ping"]).is_some_and(|r| r.stdout.contains("pong"))
}

/// `fail2ban-client reload`: picks up a changed jail file.
pub fn reload(root: &Root) -> Result<(), String> {
    match client(root, &["reload"]) {
        Some(r) if r.success => Ok(()),
        Some(r) => Err(format!(
            "fail2ban-client reload failed: {}",
            r.stderr.trim()
        )),
        None => Err("fail2ban-client could not be run".into()),
    }
}

/// After a rule load: when fail2ban runs here, its chains must be there.
/// Our loads keep them; if some went missing anyway, the jails restart
/// (which re-creates chains and bans). Returns what happened, for people.
pub fn after_load(root: &Root, live_rules: &str) -> Option<String> {
    if root.runner().find("fail2ban-client").is_none() || !root.path(CONFIG_DIR).is_dir() {
        return None;
    }
    let ping = client(root, &["ping"])?;
    if !ping.stdout.contains("pong") {
        return None;
    }
    let status = client(root, &["status"])?;
    let jails: Vec<String> = status
        .stdout
        .lines()
        .find_map(|l| l.split("Jail list:").nth(1))
        .map(|l| {
            l.split(',')
                .map(|j| j.trim().to_string())
                .filter(|j| !j.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let missing: Vec<&String> = jails
        .iter()
        .filter(|j| banned(root, j) > 0 && !live_rules.contains(&format!(":f2b-{j} ")))
        .collect();
    if missing.is_empty() {
        return Some(format!(
            "fail2ban: its chains are in place ({} jail(s))",
            jails.len()
        ));
    }
    let restarted = client(root, &["reload", "--restart", "--all"]).is_some_and(|r| r.success);
    let ok = client(root, &["status"]).is_some_and(|r| r.success);
    Some(format!(
        "fail2ban: chains of {} were missing; jails restarted: {}",
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        if restarted && ok {
            "ok"
        } else {
            "FAILED, run: systemctl restart fail2ban"
        }
    ))
}

fn banned(root: &Root, jail: &str) -> usize {
    client(root, &["status", jail])
        .and_then(|r| {
            r.stdout.lines().find_map(|l| {
                l.split("Currently banned:")
                    .nth(1)
                    .and_then(|n| n.trim().parse().ok())
            })
        })
        .unwrap_or(0)
}

/// `chattr +i` (FreePBX's sysadmin module rewrites fail2ban's files).
pub fn set_immutable(runner: &dyn Runner, path: &Path, on: bool) -> Result<(), String> {
    let flag = if on { "+i" } else { "-i" };
    runner
        .run_checked("chattr", &[flag, &path.to_string_lossy()], None)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Whether a file carries the immutable attribute (`lsattr -d`).
pub fn is_immutable(runner: &dyn Runner, path: &Path) -> bool {
    runner
        .run("lsattr", &["-d", &path.to_string_lossy()], None)
        .is_ok_and(|r| {
            r.success
                && r.stdout
                    .split_whitespace()
                    .next()
                    .is_some_and(|a| a.contains('i'))
        })
}

pub fn dropin_path() -> PathBuf {
    PathBuf::from(DROPIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropin_follows_the_host() {
        let f = Fail2banFacts {
            installed: true,
            ssh_log_file: false,
            asterisk_log: true,
        };
        let text = dropin(&f, 2222, "5060:5082", &["203.0.113.7/32".to_string()]);
        assert!(text.contains("ignoreip = 127.0.0.1/8 ::1 203.0.113.7/32"));
        assert!(
            text.contains("[sshd]\nenabled = true\nport = 2222\n")
                && text.contains("backend = systemd")
        );
        assert!(text.contains("[asterisk]\nenabled = true\nport = 5060:5082\n"));
        let f = Fail2banFacts {
            installed: true,
            ssh_log_file: true,
            asterisk_log: false,
        };
        let text = dropin(&f, 22, "5060", &[]);
        assert!(!text.contains("backend = systemd") && !text.contains("[asterisk]"));
    }
}
