//! The Debian package, as an admin meets it, on a clean machine: a minbase
//! Debian 12 root (scripts/test-root.sh bootstraps it once with debootstrap
//! and caches it under target/), copied for this run. There the .deb from
//! scripts/build-deb.sh installs; its commands run inside a network namespace
//! of the test's (never against this machine's firewall); probe changes
//! nothing where `nft` is missing; the man page stands on its own; an apply
//! is removed with the package and the next boot still loads the rules; a
//! purge leaves none of the package's files. Also: lintian finds no error or
//! warning, and the fleet example parses.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::*;

const BIN: &str = "/usr/sbin/asterisk-harden";
const EXAMPLES: &str = "/usr/share/doc/asterisk-harden/examples";

fn built_deb() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/debian");
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("asterisk-harden_"))
                && p.extension().is_some_and(|e| e == "deb")
        })
}

/// The .deb, or `None` off CI when it was not built (under CI: a failure).
fn deb_or_skip() -> Option<PathBuf> {
    let deb = built_deb();
    if deb.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no .deb under target/debian: scripts/build-deb.sh must run first"
        );
        eprintln!("skipped: run scripts/build-deb.sh first");
    }
    deb
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A throwaway copy of the clean root, with /proc mounted; unmounted and
/// deleted on drop.
struct CleanRoot {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl CleanRoot {
    fn new() -> Self {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let pristine = ok(&mut Command::new(manifest.join("scripts/test-root.sh")));
        let dir = tempfile::tempdir_in(manifest.join("target")).unwrap();
        let root = dir.path().join("root");
        ok(Command::new("cp")
            .args(["-a", "--reflink=auto"])
            .arg(pristine.trim())
            .arg(&root));
        ok(Command::new("mount")
            .args(["-t", "proc", "proc"])
            .arg(root.join("proc")));
        Self { _dir: dir, root }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.root.join(p.trim_start_matches('/'))
    }

    /// `args` run inside the root (and inside `ns` when given), with a
    /// clean environment.
    fn cmd(&self, ns: Option<&EmptyNs>, args: &[&str]) -> Command {
        let mut c = match ns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", &ns.0, "chroot"]);
                c
            }
            None => Command::new("chroot"),
        };
        c.arg(&self.root)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", "/root")
            .env("LANG", "C.UTF-8")
            .env("MANWIDTH", "80");
        c
    }

    fn ok(&self, ns: Option<&EmptyNs>, args: &[&str]) -> String {
        ok(&mut self.cmd(ns, args))
    }

    fn ok_stdin(&self, ns: Option<&EmptyNs>, args: &[&str], input: &str) -> String {
        let mut child = self
            .cmd(ns, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for CleanRoot {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.root.join("proc"))
            .status();
    }
}

/// Everything the kernel holds for the firewall in `ns`: the whole nftables
/// ruleset (read with this machine's `nft`, the root has none), iptables'
/// and ip6tables' view, the ipset sets.
fn firewall_state(root: &CleanRoot, ns: &EmptyNs) -> String {
    let nft = ok(Command::new("ip").args(["netns", "exec", &ns.0, "nft", "list", "ruleset"]));
    let v4 = root.ok(Some(ns), &["iptables-save"]);
    let v6 = root.ok(Some(ns), &["ip6tables-save"]);
    let sets = root.ok(Some(ns), &["ipset", "list", "-n"]);
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "nft:\n{nft}\niptables:\n{}\nip6tables:\n{}\nipset:\n{sets}",
        strip(&v4),
        strip(&v6)
    )
}

/// `Key=value` lines of a unit file.
fn unit_values<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
        .map(str::trim)
        .collect()
}

/// One unit as systemd starts it: skipped when a condition fails, else each
/// ExecStart must succeed. Returns whether it ran.
fn start_unit(root: &CleanRoot, ns: &EmptyNs, text: &str) -> bool {
    let paths_exist = unit_values(text, "ConditionPathExists")
        .iter()
        .all(|p| root.path(p).exists());
    let executable = unit_values(text, "ConditionFileIsExecutable")
        .iter()
        .all(|p| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(root.path(p)).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
        });
    if !(paths_exist && executable) {
        return false;
    }
    for exec in unit_values(text, "ExecStart") {
        let argv: Vec<&str> = exec.split_whitespace().collect();
        root.ok(Some(ns), &argv);
    }
    true
}

/// The boot sequence of a Debian box with the units the tool wrote, in a
/// fresh namespace (no rules, no sets, as after a reboot): the units ordered
/// before netfilter-persistent, then its load of rules.v4/rules.v6, then the
/// rest. Returns the units that ran.
fn boot(root: &CleanRoot, ns: &EmptyNs) -> Vec<String> {
    let dir = root.path("/etc/systemd/system");
    let mut units: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(e.path()).ok()?;
            // Started at boot: WantedBy multi-user (the timer's service is
            // started by its timer, minutes later).
            (name.starts_with("asterisk-harden-")
                && name.ends_with(".service")
                && text.contains("WantedBy=multi-user.target"))
            .then_some((name, text))
        })
        .collect();
    // The sets first: everything else is ordered after them.
    units.sort_by_key(|(name, _)| name != "asterisk-harden-sets.service");
    let before_loader = |t: &str| {
        unit_values(t, "Before")
            .iter()
            .any(|v| v.contains("netfilter-persistent.service"))
    };
    let mut ran = Vec::new();
    for (name, text) in units.iter().filter(|(_, t)| before_loader(t)) {
        if start_unit(root, ns, text) {
            ran.push(name.clone());
        }
    }
    // netfilter-persistent's iptables plugins: iptables-restore < rules.vN.
    let v4 = std::fs::read_to_string(root.path("/etc/iptables/rules.v4")).unwrap();
    let v6 = std::fs::read_to_string(root.path("/etc/iptables/rules.v6")).unwrap();
    root.ok_stdin(Some(ns), &["iptables-restore"], &v4);
    root.ok_stdin(Some(ns), &["ip6tables-restore"], &v6);
    for (name, text) in units.iter().filter(|(_, t)| !before_loader(t)) {
        if start_unit(root, ns, text) {
            ran.push(name.clone());
        }
    }
    ran
}

/// The answers keys documented in the README's table.
fn readme_answers_keys() -> Vec<String> {
    let readme = include_str!("../README.md");
    let table = &readme[readme.find("## The answers file").unwrap()..];
    table
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .filter(|k| k.contains('.') || *k == "mode")
        .map(str::to_string)
        .collect()
}

#[test]
fn the_deb_on_a_clean_debian_12() {
    if !lab_allowed() {
        return;
    }
    let Some(deb) = deb_or_skip() else {
        return;
    };
    let root = CleanRoot::new();
    assert!(
        !root.path("/usr/sbin/nft").exists(),
        "the clean root must not have nft"
    );
    std::fs::copy(&deb, root.path("/tmp/asterisk-harden.deb")).unwrap();
    root.ok(None, &["dpkg", "-i", "/tmp/asterisk-harden.deb"]);
    let files = root.ok(None, &["dpkg", "-L", "asterisk-harden"]);
    // md5sums shipped, and every file matches them.
    assert!(
        root.path("/var/lib/dpkg/info/asterisk-harden.md5sums")
            .exists()
    );
    assert_eq!(root.ok(None, &["dpkg", "--verify", "asterisk-harden"]), "");
    for shipped in [
        "/usr/share/doc/asterisk-harden/changelog.Debian.gz",
        "/usr/share/doc/asterisk-harden/changelog.gz",
        "/usr/share/doc/asterisk-harden/copyright",
        "/usr/share/doc/asterisk-harden/examples/strict.toml",
    ] {
        assert!(files.contains(shipped), "{shipped} not shipped:\n{files}");
    }
    // The tool writes its own units, filled in; templates are not shipped.
    assert!(!files.contains("/usr/share/asterisk-harden"), "{files}");

    let ns = EmptyNs::new();
    root.ok(Some(&ns), &["ip", "link", "set", "lo", "up"]);
    // The examples' interface: apply refuses one the host lacks.
    root.ok(
        Some(&ns),
        &[
            "ip", "link", "add", "ens3", "type", "veth", "peer", "name", "ens3p",
        ],
    );
    assert!(
        root.ok(Some(&ns), &[BIN, "--version"])
            .contains(env!("CARGO_PKG_VERSION"))
    );
    let help = root.ok(Some(&ns), &[BIN, "--help"]);
    assert!(
        help.contains("apply") && help.contains("selftest"),
        "{help}"
    );
    assert!(
        !help.contains("guard") && !help.contains("manpage"),
        "{help}"
    );
    let render_help = root.ok(Some(&ns), &[BIN, "render", "--help"]);
    assert!(render_help.contains(EXAMPLES), "{render_help}");
    let demo_help = root.ok(Some(&ns), &[BIN, "demo", "--help"]);
    assert!(!demo_help.contains("cargo"), "{demo_help}");
    // The wizard without a terminal points at the installed examples.
    let wizard = root.cmd(Some(&ns), &[BIN]).output().unwrap();
    assert_eq!(wizard.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wizard.stderr).contains(EXAMPLES));

    // render, checked by the root's own iptables-restore (xt_recent lists:
    // ipset sets would have to exist first); plan.
    let answers = format!("{EXAMPLES}/strict.toml");
    let rules = ok(root
        .cmd(Some(&ns), &[BIN, "render", "--answers", &answers])
        .env("ASTERISK_HARDEN_LISTS", "xt_recent"));
    root.ok_stdin(Some(&ns), &["iptables-restore", "--test"], &rules);
    // Without [ssh]: the clean root has no sshd to move.
    let example = std::fs::read_to_string(root.path(&answers)).unwrap();
    let no_ssh: String = example
        .split("\n\n")
        .filter(|part| !part.starts_with("[ssh]"))
        .collect::<Vec<_>>()
        .join("\n\n");
    std::fs::write(root.path("/root/answers.toml"), no_ssh).unwrap();
    let plan = root.ok(Some(&ns), &[BIN, "plan", "--answers", "/root/answers.toml"]);
    assert!(plan.contains("/etc/iptables/rules.v4"), "{plan}");

    // probe changes nothing, with no nft to clean up after iptables-nft.
    let before = firewall_state(&root, &ns);
    let probe = root.ok(Some(&ns), &[BIN, "probe", "--json"]);
    assert!(probe.contains("\"matches_work\": true"), "{probe}");
    assert_eq!(
        firewall_state(&root, &ns),
        before,
        "probe changed the firewall"
    );

    // The man page stands on its own.
    let man = root.ok(None, &["man", "-P", "cat", "8", "asterisk-harden"]);
    for section in [
        "SYNOPSIS",
        "COMMANDS",
        "THE ANSWERS FILE",
        "EXIT STATUS",
        "FILES",
        "EXAMPLES",
    ] {
        assert!(man.contains(section), "no {section} in the man page");
    }
    for key in readme_answers_keys() {
        assert!(
            man.contains(&key),
            "the man page lacks the answers key {key}"
        );
    }
    // Every page it names is installed here.
    let refs: Vec<(String, String)> = man
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter_map(|w| {
            let (name, rest) = w.split_once('(')?;
            let section = rest.strip_suffix(')')?;
            (section.len() == 1 && section.chars().all(|c| c.is_ascii_digit()) && !name.is_empty())
                .then(|| (name.to_string(), section.to_string()))
        })
        .collect();
    assert!(!refs.is_empty(), "no SEE ALSO references found");
    for (name, section) in refs {
        root.ok(None, &["man", "-w", &section, &name]);
    }

    // The installed bash completion completes after the subcommand.
    let bash = root.ok(
        None,
        &[
            "bash",
            "-c",
            "source /usr/share/bash-completion/completions/asterisk-harden; \
             COMP_WORDS=(asterisk-harden render --fam); COMP_CWORD=2; \
             _asterisk__harden asterisk-harden --fam render; echo \"${COMPREPLY[*]}\"",
        ],
    );
    assert_eq!(bash.trim(), "--family");

    // Applied, then the package removed: the next boot still loads the rules.
    root.ok(
        Some(&ns),
        &[
            BIN,
            "apply",
            "--yes",
            "--no-confirm",
            "--answers",
            "/root/answers.toml",
        ],
    );
    drop(ns);
    let removed = root.ok(None, &["dpkg", "-r", "asterisk-harden"]);
    assert!(removed.contains("stays in force"), "{removed}");
    assert!(!root.path(BIN).exists());
    let after_reboot = EmptyNs::new();
    let ran = boot(&root, &after_reboot);
    // The clean root has no netfilter-persistent: the sets unit, then our
    // own rules loader, both without the binary.
    assert_eq!(
        ran,
        [
            "asterisk-harden-sets.service",
            "asterisk-harden-rules.service"
        ],
        "units started at boot"
    );
    let loaded = root.ok(Some(&after_reboot), &["iptables-save"]);
    assert!(
        loaded.contains("pbx-7f3k.example.net") && loaded.contains("ah-BADSIP"),
        "{loaded}"
    );
    let sets = root.ok(Some(&after_reboot), &["ipset", "list", "-n"]);
    assert!(
        sets.contains("ah-MYSIP") && sets.contains("ah-BADSIP6"),
        "{sets}"
    );

    // Purged: none of the package's files is left.
    root.ok(None, &["dpkg", "-P", "asterisk-harden"]);
    let left: Vec<&str> = files
        .lines()
        .filter(|f| f.starts_with("/usr/") && !root.path(f).is_dir())
        .filter(|f| root.path(f).symlink_metadata().is_ok())
        .collect();
    assert!(left.is_empty(), "left after purge: {left:?}");
}

#[test]
fn lintian_finds_no_error_or_warning() {
    let Some(deb) = deb_or_skip() else {
        return;
    };
    if Command::new("lintian").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "lintian is missing: scripts/test.sh installs it"
        );
        eprintln!("skipped: lintian is not installed");
        return;
    }
    let out = Command::new("lintian")
        .args(["--fail-on", "error,warning", "--display-level", ">=warning"])
        .arg(&deb)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !said.lines().any(|l| l.starts_with(['E', 'W'])),
        "lintian:\n{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_fleet_playbook_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/ansible");
    if Command::new("ansible-playbook")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "ansible-playbook is missing: scripts/test.sh installs ansible-core"
        );
        eprintln!("skipped: ansible-playbook is not installed");
        return;
    }
    ok(Command::new("ansible-playbook")
        .args(["--syntax-check", "-i", "inventory.ini", "playbook.yml"])
        .current_dir(&dir)
        .env("ANSIBLE_LOCAL_TEMP", std::env::temp_dir()));
}
