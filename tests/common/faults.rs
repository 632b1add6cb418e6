//! Fault injection, shared by tests/transaction_faults.rs and
//! tests/transaction_damage.rs: a `Case` is a lab namespace with an admin's
//! firewall, a sandbox root, and the host as it was before, to compare with
//! byte for byte after the fault.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::sandbox::{Sandbox, firewall};
use super::*;

pub const HOSTNAME: &str = "pbx-fault.example.net";
pub const STRICT: &str = "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"10.77.0.0/24\"]\n\
    [sip]\nhostname = \"pbx-fault.example.net\"\n";

/// An admin's rule and a Docker-like chain, there before the tool runs.
pub const EXISTING: &str = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n\
    -A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n-A FORWARD -o docker0 -j DOCKER\nCOMMIT\n\
    *raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -s 10.9.9.9/32 -j DROP\nCOMMIT\n";

pub const PENDING: &str = "/var/lib/asterisk-harden/pending.toml";
pub const JOURNAL: &str = "/var/lib/asterisk-harden/journal.log";
pub const BACKUPS: &str = "/var/backups/asterisk-harden";

pub type Files = BTreeMap<PathBuf, (Vec<u8>, u32)>;

/// One fault: a lab, a sandbox root, and the host as it was before.
pub struct Case {
    pub sb: Sandbox,
    pub pbx: Host,
    _lab: Lab,
    pub answers: PathBuf,
    pub fw: String,
    pub files: Files,
}

impl Case {
    pub fn new(tag: &str) -> Self {
        Self::with(tag, |_| {})
    }

    /// A case whose sandbox is prepared by `setup` before "before" is taken.
    pub fn with(tag: &str, setup: impl FnOnce(&Sandbox)) -> Self {
        let (lab, pbx) = Lab::new(tag);
        load(&pbx.ns, EXISTING);
        let sb = Sandbox::debian();
        setup(&sb);
        let answers = sb.answers(STRICT);
        Self {
            fw: firewall(&pbx.ns),
            files: sb.files(),
            sb,
            pbx,
            _lab: lab,
            answers,
        }
    }

    pub fn command(&self, args: &[&str], fault: Option<&str>) -> Command {
        let mut c = self.sb.command(&self.pbx.ns, args);
        c.env_remove("ASTERISK_HARDEN_FAULT");
        if let Some(step) = fault {
            c.env("ASTERISK_HARDEN_FAULT", step);
        }
        c.stdin(Stdio::null());
        c
    }

    pub fn apply_args(&self, window: Option<u32>) -> Vec<String> {
        let mut a: Vec<String> = vec!["apply".into(), "--yes".into()];
        match window {
            Some(s) => a.extend(["--confirm-timeout".into(), s.to_string()]),
            None => a.push("--no-confirm".into()),
        }
        a.extend(["--answers".into(), self.answers.display().to_string()]);
        a
    }

    /// `apply` to its end (window: None for --no-confirm).
    pub fn apply(&self, window: Option<u32>, fault: Option<&str>) -> Output {
        let args = self.apply_args(window);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.command(&args, fault).output().unwrap()
    }

    /// `apply --yes --no-confirm` with another answers file.
    pub fn apply_file(&self, answers: &std::path::Path) -> Output {
        let answers = answers.to_str().unwrap();
        let args = ["apply", "--yes", "--no-confirm", "--answers", answers];
        self.command(&args, None).output().unwrap()
    }

    pub fn spawn_apply(&self, window: u32, fault: Option<&str>) -> Child {
        let args = self.apply_args(Some(window));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.command(&args, fault)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    pub fn run(&self, args: &[&str], fault: Option<&str>) -> Output {
        self.command(args, fault).output().unwrap()
    }

    /// `confirm` from a new session, as a second SSH login would be.
    pub fn confirm(&self, fault: Option<&str>) -> Output {
        use std::os::unix::process::CommandExt;
        let mut c = self.command(&["confirm"], fault);
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            c.pre_exec(|| {
                nix::unistd::setsid()
                    .map(|_| ())
                    .map_err(std::io::Error::from)
            });
        }
        c.output().unwrap()
    }

    /// Firewall and files byte for byte as before; `Err` says what differs.
    pub fn as_before(&self) -> Result<(), String> {
        let fw = firewall(&self.pbx.ns);
        if fw != self.fw {
            return Err(format!(
                "firewall differs:\n--- before\n{}\n--- now\n{fw}",
                self.fw
            ));
        }
        let files = self.sb.files();
        if files != self.files {
            let changed: Vec<_> = files
                .iter()
                .filter(|(p, v)| self.files.get(*p) != Some(v))
                .map(|(p, _)| p.display().to_string())
                .chain(
                    self.files
                        .keys()
                        .filter(|p| !files.contains_key(*p))
                        .map(|p| format!("{} (gone)", p.display())),
                )
                .collect();
            return Err(format!("files differ: {changed:?}"));
        }
        Ok(())
    }

    pub fn journal(&self) -> String {
        std::fs::read_to_string(self.sb.path(JOURNAL)).unwrap_or_default()
    }

    /// Wait (up to `within`) until nothing is pending any more.
    pub fn settled(&self, within: Duration) -> bool {
        let end = Instant::now() + within;
        while self.sb.path(PENDING).exists() {
            if Instant::now() > end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        true
    }

    /// Nothing pending, and no process of this sandbox (a guard) running.
    pub fn nothing_stuck(&self) -> Result<(), String> {
        if !self.settled(Duration::from_secs(20)) {
            return Err(format!(
                "still pending: {}",
                std::fs::read_to_string(self.sb.path(PENDING)).unwrap_or_default()
            ));
        }
        let root = self.sb.root().to_string_lossy().into_owned();
        let end = Instant::now() + Duration::from_secs(5);
        loop {
            let left = processes_naming(&root);
            if left.is_empty() {
                return Ok(());
            }
            if Instant::now() > end {
                return Err(format!("still running: {left:?}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn backup_dir(&self) -> PathBuf {
        let mut ids: Vec<PathBuf> = std::fs::read_dir(self.sb.path(BACKUPS))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        ids.sort();
        ids.pop().expect("a backup set")
    }

    pub fn wait_for_window(&self) {
        self.sb.wait_for_guard();
    }
}

/// Live processes (not zombies) whose command line names `needle`.
pub fn processes_naming(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        let zombie = std::fs::read_to_string(e.path().join("stat")).is_ok_and(|s| {
            s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        });
        if cmd.contains(needle) && !zombie {
            found.push(cmd);
        }
    }
    found
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn killed(status: std::process::ExitStatus) -> bool {
    status.signal() == Some(9)
}

/// The figures of a run of faults: what was tried, what lost something.
#[derive(Default)]
pub struct Tally {
    tried: Vec<String>,
    lost: Vec<String>,
}

impl Tally {
    pub fn check(&mut self, name: &str, result: Result<(), String>) {
        self.tried.push(name.to_string());
        if let Err(e) = result {
            self.lost.push(format!("{name}: {e}"));
        }
    }

    pub fn assert_none_lost(self, what: &str) {
        eprintln!(
            "{what}: {} faults tried, {} survived with nothing lost, {} lost something",
            self.tried.len(),
            self.tried.len() - self.lost.len(),
            self.lost.len()
        );
        assert!(self.lost.is_empty(), "{}", self.lost.join("\n\n"));
    }
}
