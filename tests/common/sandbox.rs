//! A sandbox root: a temp directory that looks like a host's /etc, for
//! `--root`, and helpers to compare it (and a namespace's firewall) before
//! and after.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{bin, in_ns};

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// A Debian-like root with an old rules.v4 of the admin's (mode 0640).
    pub fn debian() -> Self {
        let s = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        s.write("/etc/debian_version", "12.8\n", 0o644);
        s.write(
            "/etc/iptables/rules.v4",
            "# the admin's old rules\n*filter\nCOMMIT\n",
            0o640,
        );
        s
    }

    pub fn rhel() -> Self {
        let s = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        s.write(
            "/etc/redhat-release",
            "Rocky Linux release 9.4 (Blue Onyx)\n",
            0o644,
        );
        s
    }

    pub fn path(&self, abs: &str) -> PathBuf {
        self.dir.path().join(abs.trim_start_matches('/'))
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, abs: &str, text: &str, mode: u32) {
        let p = self.path(abs);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    pub fn answers(&self, text: &str) -> PathBuf {
        let p = self.dir.path().join("answers.toml");
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Every configuration file and directory (not var/, not run/): path →
    /// (bytes, mode); a directory's bytes are empty, its path ends in `/`,
    /// so a directory left behind by a restore shows as a difference.
    pub fn files(&self) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
        let mut out = BTreeMap::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out
    }

    /// `asterisk-harden --root SANDBOX args...` inside namespace `ns`.
    pub fn command(&self, ns: &str, args: &[&str]) -> Command {
        let mut c = in_ns(ns, bin().to_str().unwrap());
        c.arg("--root").arg(self.root()).args(args);
        c
    }

    /// `asterisk-harden --root SANDBOX args...` on this machine (for
    /// commands that change nothing: plan, refusals).
    pub fn run_plain(&self, args: &[&str]) -> Output {
        Command::new(bin())
            .arg("--root")
            .arg(self.root())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    pub fn run(&self, ns: &str, args: &[&str]) -> Output {
        self.command(ns, args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// `apply --yes --no-confirm` inside `ns`: the change is kept at once.
    pub fn apply_now(&self, ns: &str, answers: &Path) -> Output {
        self.command(ns, &["apply", "--yes", "--no-confirm", "--answers"])
            .arg(answers)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Start apply in the background.
    pub fn spawn_apply(&self, ns: &str, answers: &Path, timeout: u32) -> Child {
        self.command(
            ns,
            &[
                "apply",
                "--yes",
                "--confirm-timeout",
                &timeout.to_string(),
                "--answers",
            ],
        )
        .arg(answers)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    }

    /// Wait until the change is loaded and the guard armed.
    pub fn wait_for_guard(&self) {
        let pending = self.path("/var/lib/asterisk-harden/pending.toml");
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if let Ok(t) = std::fs::read_to_string(&pending)
                && t.contains("state = \"waiting\"")
                && t.contains("guard_pid")
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the apply never reached its confirmation window");
    }

    /// `confirm` from a new session, as a second SSH login would be.
    pub fn confirm_from_new_session(&self, ns: &str) -> Output {
        let mut c = self.command(ns, &["confirm"]);
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            c.pre_exec(|| {
                nix::unistd::setsid()
                    .map(|_| ())
                    .map_err(std::io::Error::from)
            });
        }
        c.stdin(Stdio::null()).output().unwrap()
    }
}

fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (Vec<u8>, u32)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let rel = p.strip_prefix(base).unwrap().to_path_buf();
        // var/ is the tool's own state and backups; run/ is a daemon's
        // runtime state (sshd's pid file), neither is configuration.
        if rel.starts_with("var") || rel.starts_with("run") || rel == Path::new("answers.toml") {
            continue;
        }
        let meta = e.metadata().unwrap();
        if meta.is_dir() {
            let mut shown = rel.into_os_string();
            shown.push("/");
            out.insert(
                shown.into(),
                (Vec::new(), meta.permissions().mode() & 0o7777),
            );
            walk(base, &p, out);
        } else {
            out.insert(
                rel,
                (
                    std::fs::read(&p).unwrap(),
                    meta.permissions().mode() & 0o7777,
                ),
            );
        }
    }
}

/// The firewall of a namespace, IPv4 and IPv6, without counters or comments.
pub fn firewall(ns: &str) -> String {
    let mut all = String::new();
    for tool in ["iptables-save", "ip6tables-save"] {
        let out = in_ns(ns, tool).output().unwrap();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if line.starts_with('#') {
                continue;
            }
            let line = match line.rfind(" [") {
                Some(i) if line.starts_with(':') => &line[..i],
                _ => line,
            };
            all.push_str(line);
            all.push('\n');
        }
    }
    // The sets are part of the firewall: an undo must remove the ones it made.
    let sets = in_ns(ns, "ipset").args(["list", "-n"]).output().unwrap();
    for name in String::from_utf8_lossy(&sets.stdout).lines() {
        all.push_str(&format!("ipset set {name}\n"));
    }
    all
}

pub fn wait_exit(mut child: Child, within: Duration) -> (Option<i32>, String) {
    let end = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            return (status.code(), text);
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("apply did not finish within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
