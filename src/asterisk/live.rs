//! Talking to the running Asterisk that reads this root's files:
//! `asterisk -C ROOT/etc/asterisk/asterisk.conf -rx COMMAND` (that file names
//! the control socket). `asterisk -rx` exits 0 whenever it reached the
//! daemon, even when the command failed, so every answer is judged by its
//! output; and an Asterisk is only talked to once `core show settings` proves
//! it reads this root's /etc/asterisk (a sandbox must never reach the host's).

use std::path::{Path, PathBuf};

use super::cli_output::{self, AmiSettings, CoreSettings};
use super::manager;
use crate::root::Root;

const ASTERISK_CONF: &str = "/etc/asterisk/asterisk.conf";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    #[error("`asterisk -rx \"{command}\"` did not run: {reason}")]
    Unreachable { command: String, reason: String },
    #[error(
        "after `module reload manager`, AMI is bound to {found}, not {expected} (manager show settings)\n    what to do: check bindaddr in /etc/asterisk/manager.conf (and any file it includes)"
    )]
    AmiElsewhere { found: String, expected: String },
    #[error("`manager show settings` did not say where AMI listens: {output}")]
    AmiUnknown { output: String },
}

/// How to reach the Asterisk of a root, once it is known to be running and
/// to read that root's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Console {
    /// The asterisk.conf to pass with `-C` (host path), when there is one.
    config: Option<PathBuf>,
    /// Whose `asterisk` answers.
    root: Root,
    /// What `core show settings` said.
    pub settings: CoreSettings,
}

/// Why there is no console for a root: said in the probe and the review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absent {
    /// No `asterisk` program here.
    NotInstalled,
    /// A sandbox root without its own asterisk.conf naming a run directory:
    /// `asterisk -rx` would reach the host's Asterisk, not this root's.
    NoOwnConfig,
    /// Nothing answers on the control socket.
    NotRunning,
    /// An Asterisk answers, but it reads another configuration directory.
    ReadsElsewhere { config_dir: String },
}

impl std::fmt::Display for Absent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotInstalled => write!(f, "no asterisk program here"),
            Self::NoOwnConfig => write!(
                f,
                "this root has no etc/asterisk/asterisk.conf naming astrundir (its control socket)"
            ),
            Self::NotRunning => write!(f, "Asterisk is not running"),
            Self::ReadsElsewhere { config_dir } => write!(
                f,
                "the Asterisk that answers reads {config_dir}, not this root's /etc/asterisk"
            ),
        }
    }
}

/// A sandbox's asterisk.conf must name its own run directory, or the control
/// socket would be the host's default one.
fn names_run_dir(text: &str) -> bool {
    super::conf::Conf::parse(text).is_ok_and(|c| {
        c.settings_in("directories")
            .iter()
            .any(|(_, k, v)| k.eq_ignore_ascii_case("astrundir") && !v.is_empty())
    })
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

impl Console {
    /// The running Asterisk that reads `root`'s /etc/asterisk, or why there is none.
    pub fn for_root(root: &Root) -> Result<Console, Absent> {
        root.runner().find("asterisk").ok_or(Absent::NotInstalled)?;
        let conf = root.path(ASTERISK_CONF);
        let config = if conf.is_file() {
            if !root.is_system() && !std::fs::read_to_string(&conf).is_ok_and(|t| names_run_dir(&t))
            {
                return Err(Absent::NoOwnConfig);
            }
            Some(conf)
        } else if root.is_system() {
            None
        } else {
            return Err(Absent::NoOwnConfig);
        };
        let mut console = Console {
            config,
            root: root.clone(),
            settings: CoreSettings::default(),
        };
        let out = console
            .rx("core show settings")
            .map_err(|_| Absent::NotRunning)?;
        let settings = cli_output::core_settings(&out);
        let Some(config_dir) = settings.config_dir.clone() else {
            return Err(Absent::NotRunning);
        };
        if !same_dir(Path::new(&config_dir), &root.path(super::CONFIG_DIR)) {
            return Err(Absent::ReadsElsewhere { config_dir });
        }
        console.settings = settings;
        Ok(console)
    }

    /// The arguments before `-rx`: `-C FILE` when there is an asterisk.conf.
    fn config_args(&self) -> Vec<String> {
        match &self.config {
            Some(c) => vec!["-C".into(), c.display().to_string()],
            None => Vec::new(),
        }
    }

    /// How an admin asks the same Asterisk: `asterisk -rx`, or
    /// `asterisk -C FILE -rx` for one that reads another asterisk.conf.
    pub fn prefix(&self) -> String {
        let mut parts = vec!["asterisk".to_string()];
        if self
            .config
            .as_deref()
            .is_some_and(|c| c != Path::new(ASTERISK_CONF))
        {
            parts.extend(self.config_args());
        }
        parts.push("-rx".into());
        parts.join(" ")
    }

    /// `asterisk [-C FILE] -rx COMMAND`: its answer, or why there was none.
    pub fn rx(&self, command: &str) -> Result<String, LiveError> {
        let mut args: Vec<String> = self.config_args();
        args.push("-rx".into());
        args.push(command.into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let unreachable = |reason: String| LiveError::Unreachable {
            command: command.to_string(),
            reason,
        };
        let ran = self
            .root
            .runner()
            .run("asterisk", &args, None)
            .map_err(|e| unreachable(e.to_string()))?;
        let all = format!("{}{}", ran.stdout, ran.stderr);
        if cli_output::not_running(&all) || !ran.success {
            return Err(unreachable(
                all.lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("no answer")
                    .trim()
                    .to_string(),
            ));
        }
        Ok(cli_output::without_noise(&ran.stdout))
    }

    /// Where AMI listens now.
    pub fn ami(&self) -> Result<AmiSettings, LiveError> {
        Ok(cli_output::ami_settings(&self.rx("manager show settings")?))
    }

    /// The module names (without `.so`) in this Asterisk's module directory;
    /// `None` when it cannot be read.
    pub fn available_modules(&self) -> Option<Vec<String>> {
        super::modules::in_directory(Path::new(self.settings.module_dir.as_deref()?))
    }
}

/// `module reload manager`, then prove from `manager show settings` that AMI
/// listens where manager.conf now says (127.0.0.1 after an apply, the
/// restored address after a rollback, all addresses without a bindaddr).
pub fn reload_manager(root: &Root) -> Result<String, String> {
    let console = match Console::for_root(root) {
        Ok(c) => c,
        Err(why) => {
            return Ok(format!(
                "AMI not reloaded ({why}): Asterisk reads manager.conf when it starts"
            ));
        }
    };
    let expected = super::AsteriskFacts::read_files(root).ami_bindaddr;
    verify_reload(&console, expected.as_deref()).map_err(|e| e.to_string())
}

fn verify_reload(console: &Console, expected: Option<&str>) -> Result<String, LiveError> {
    console.rx("module reload manager")?;
    let ami = console.ami()?;
    let Some(found) = ami.bind_address else {
        return Err(LiveError::AmiUnknown {
            output: console.rx("manager show settings").unwrap_or_default(),
        });
    };
    let any = |a: &str| a == "0.0.0.0" || a == "::";
    let same = match expected {
        Some(e) => found == e || (any(e) && any(&found)),
        None => any(&found),
    };
    if !same {
        return Err(LiveError::AmiElsewhere {
            found,
            expected: expected.unwrap_or("0.0.0.0").to_string(),
        });
    }
    let port = ami.port.map(|p| format!(":{p}")).unwrap_or_default();
    Ok(if found == manager::LOCALHOST {
        format!("AMI reloaded: listening on 127.0.0.1{port} only (manager show settings)")
    } else {
        format!("AMI reloaded: listening on {found}{port} (manager show settings)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandbox_needs_its_own_run_directory() {
        assert!(names_run_dir("[directories]\nastrundir => /tmp/x/run\n"));
        assert!(!names_run_dir("[directories]\nastetcdir => /tmp/x/etc\n"));
        assert!(!names_run_dir("[options]\nverbose = 3\n"));
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        if root.runner().find("asterisk").is_some() {
            assert_eq!(Console::for_root(&root), Err(Absent::NoOwnConfig));
        }
    }
}
