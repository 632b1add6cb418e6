//! The one module that runs external programs, behind the `Runner` trait:
//! `System` runs them for real, `Scripted` answers from a table (tests of
//! the probe, the plan and the rules run in-process, without root and
//! without a host). Every caller gets its runner from the `Root` it works
//! on (or as an argument), never from a global. Programs are found on PATH
//! (plus the sbin directories, which a non-root PATH often lacks) with the
//! `which` crate, and arguments are passed as a vector: nothing ever goes
//! through a shell, so no input can become a command.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("{program} is not installed (not found on PATH or in /usr/sbin, /sbin)")]
    NotFound { program: String },
    #[error("could not start {program}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status}): {stderr}")]
    Failed {
        command: String,
        status: String,
        stderr: String,
    },
}

/// What a program printed, and how it ended.
#[derive(Debug, Clone)]
pub struct Ran {
    pub command: String,
    pub success: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Turn a non-zero exit into an error carrying the program's own message.
    pub fn checked(self) -> Result<Ran, ExecError> {
        if self.success {
            Ok(self)
        } else {
            Err(ExecError::Failed {
                command: self.command,
                status: self
                    .code
                    .map_or("killed by a signal".into(), |c| format!("exit code {c}")),
                stderr: self.stderr.trim().to_string(),
            })
        }
    }
}

/// Where programs are looked up: PATH, then the sbin directories.
fn search_path() -> OsString {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    for extra in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] {
        let extra = PathBuf::from(extra);
        if !dirs.contains(&extra) {
            dirs.push(extra);
        }
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Runs programs: the only way the tool starts one (besides the detached
/// guard and the demo's re-exec below, which only a real host can do).
pub trait Runner: Send + Sync + std::fmt::Debug {
    /// The full path of `program`, if installed.
    fn find(&self, program: &str) -> Option<PathBuf>;

    /// Run `program` with `args`, feeding `stdin` if given. A non-zero exit
    /// is not an error here (callers that care use `Ran::checked`), because
    /// some programs (`asterisk -rx`, `sshd -t`) report through their output.
    fn run(&self, program: &str, args: &[&str], stdin: Option<&[u8]>) -> Result<Ran, ExecError>;

    /// Run and require success.
    fn run_checked(
        &self,
        program: &str,
        args: &[&str],
        stdin: Option<&[u8]>,
    ) -> Result<Ran, ExecError> {
        self.run(program, args, stdin)?.checked()
    }
}

/// The real host's programs.
#[derive(Debug, Clone, Copy, Default)]
pub struct System;

impl Runner for System {
    fn find(&self, program: &str) -> Option<PathBuf> {
        find(program)
    }

    fn run(&self, program: &str, args: &[&str], stdin: Option<&[u8]>) -> Result<Ran, ExecError> {
        run(program, args, stdin)
    }
}

/// A host whose programs answer from a script: each (program, arguments)
/// gets its scripted output; a program not installed is `NotFound`, an
/// installed one asked something unscripted fails (exit 1) saying so.
/// Every call is recorded, for tests that check what would have run.
#[derive(Debug, Default)]
pub struct Scripted {
    installed: Vec<String>,
    answers: Vec<(String, Vec<String>, Ran)>,
    always: Vec<String>,
    calls: std::sync::Mutex<Vec<String>>,
}

impl Scripted {
    /// A host with no programs at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// `program` is installed (unscripted calls to it fail).
    pub fn installed(mut self, program: &str) -> Self {
        self.installed.push(program.to_string());
        self
    }

    /// `program args` succeeds and prints `stdout`.
    pub fn answers(mut self, program: &str, args: &[&str], stdout: &str) -> Self {
        let ran = Ran {
            command: command_line(program, args),
            success: true,
            code: Some(0),
            stdout: stdout.to_string(),
            stderr: String::new(),
        };
        self.answers.push((
            program.to_string(),
            args.iter().map(|a| a.to_string()).collect(),
            ran,
        ));
        self.installed(program)
    }

    /// `program` succeeds, whatever it is asked, printing nothing (e.g. an
    /// `sshd -t` that accepts every configuration).
    pub fn succeeds(mut self, program: &str) -> Self {
        self.always.push(program.to_string());
        self.installed(program)
    }

    /// Every command run so far, as command lines.
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl Runner for Scripted {
    fn find(&self, program: &str) -> Option<PathBuf> {
        self.installed
            .iter()
            .any(|p| p == program)
            .then(|| PathBuf::from("/usr/sbin").join(program))
    }

    fn run(&self, program: &str, args: &[&str], _stdin: Option<&[u8]>) -> Result<Ran, ExecError> {
        let command = command_line(program, args);
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(command.clone());
        }
        if self.find(program).is_none() {
            return Err(ExecError::NotFound {
                program: program.to_string(),
            });
        }
        let scripted = self.answers.iter().find(|(p, a, _)| {
            p == program && a.iter().map(String::as_str).eq(args.iter().copied())
        });
        Ok(match scripted {
            Some((_, _, ran)) => ran.clone(),
            None if self.always.iter().any(|p| p == program) => Ran {
                command,
                success: true,
                code: Some(0),
                stdout: String::new(),
                stderr: String::new(),
            },
            None => Ran {
                command,
                success: false,
                code: Some(1),
                stdout: String::new(),
                stderr: "not scripted in this test".into(),
            },
        })
    }
}

fn command_line(program: &str, args: &[&str]) -> String {
    std::iter::once(program)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The full path of `program`, if installed.
fn find(program: &str) -> Option<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    which::which_in(program, Some(search_path()), cwd).ok()
}

fn run(program: &str, args: &[&str], stdin: Option<&[u8]>) -> Result<Ran, ExecError> {
    let path = find(program).ok_or_else(|| ExecError::NotFound {
        program: program.to_string(),
    })?;
    let command = command_line(program, args);
    let mut child = Command::new(&path)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| ExecError::Spawn {
            program: program.to_string(),
            source,
        })?;
    if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A program that exits early closes its stdin; its exit status says why.
        let _ = pipe.write_all(data);
    }
    let out = child
        .wait_with_output()
        .map_err(|source| ExecError::Spawn {
            program: program.to_string(),
            source,
        })?;
    Ok(Ran {
        command,
        success: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// Start `program` (a full path) in a new session with no terminal, so it
/// outlives its caller, the caller's terminal and SSH connection (no SIGHUP
/// reaches it). Its output goes to `log`. Returns its pid.
pub fn spawn_detached(
    program: &std::path::Path,
    args: &[&std::ffi::OsStr],
    log: &std::path::Path,
) -> std::io::Result<u32> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    use std::os::unix::process::CommandExt;
    // The log may quote what the program saw (rules, hostnames): root's only.
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(log)?;
    log.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid()
                .map(|_| ())
                .map_err(std::io::Error::from)
        });
    }
    Ok(cmd.spawn()?.id())
}

/// Run `program` attached to this terminal (stdin, stdout and stderr
/// inherited) and wait for it: the demo re-runs itself this way inside its
/// namespace, so the wizard there owns the terminal.
pub fn run_attached(
    program: &str,
    args: &[&std::ffi::OsStr],
) -> Result<std::process::ExitStatus, ExecError> {
    let path = find(program).ok_or_else(|| ExecError::NotFound {
        program: program.to_string(),
    })?;
    Command::new(&path)
        .args(args)
        .status()
        .map_err(|source| ExecError::Spawn {
            program: program.to_string(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_without_a_shell_and_reports_failures() {
        let ran = System.run("echo", &["a; rm -rf /", "$(x)"], None).unwrap();
        assert_eq!(
            ran.stdout, "a; rm -rf / $(x)\n",
            "arguments reach the program verbatim"
        );
        let err = System.run_checked("false", &[], None).unwrap_err();
        assert!(err.to_string().contains("`false` failed"), "{err}");
        assert!(matches!(
            System.run("no-such-program-xyz", &[], None),
            Err(ExecError::NotFound { .. })
        ));
        let cat = System.run("cat", &[], Some(b"in")).unwrap();
        assert_eq!(cat.stdout, "in");
    }

    #[test]
    fn a_scripted_host_answers_from_its_script_and_records_calls() {
        let host = Scripted::new().answers("ip", &["-j", "link", "show"], "[]");
        assert_eq!(
            host.run("ip", &["-j", "link", "show"], None)
                .unwrap()
                .stdout,
            "[]"
        );
        let other = host.run("ip", &["route"], None).unwrap();
        assert!(!other.success && other.stderr.contains("not scripted"));
        assert!(matches!(
            host.run("iptables", &["-V"], None),
            Err(ExecError::NotFound { .. })
        ));
        assert_eq!(host.calls(), ["ip -j link show", "ip route", "iptables -V"]);
    }
}
