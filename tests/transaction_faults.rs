//! Fault injection: the transaction is cut at every step (SIGKILL of apply,
//! of the guard, of confirm, through the ASTERISK_HARDEN_FAULT test hook),
//! its backups are damaged, two applies race, files are links, the disk is
//! full. Each case runs the real binary in a network namespace of its own
//! with a sandbox root, and checks: the firewall (iptables-save of every
//! table, the ipset sets) and the files byte for byte as before, or the
//! change fully in place; nothing left pending or running; the exit code
//! and the words true.

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::sandbox::{Sandbox, firewall, wait_exit};
use common::*;

const HOSTNAME: &str = "pbx-fault.example.net";
const STRICT: &str = "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"10.77.0.0/24\"]\n\
    [sip]\nhostname = \"pbx-fault.example.net\"\n";

/// An admin's rule and a Docker-like chain, there before the tool runs.
const EXISTING: &str = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n\
    -A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n-A FORWARD -o docker0 -j DOCKER\nCOMMIT\n\
    *raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -s 10.9.9.9/32 -j DROP\nCOMMIT\n";

const PENDING: &str = "/var/lib/asterisk-harden/pending.toml";
const JOURNAL: &str = "/var/lib/asterisk-harden/journal.log";
const BACKUPS: &str = "/var/backups/asterisk-harden";

type Files = BTreeMap<PathBuf, (Vec<u8>, u32)>;

/// One fault: a lab, a sandbox root, and the host as it was before.
struct Case {
    sb: Sandbox,
    pbx: Host,
    _lab: Lab,
    answers: PathBuf,
    fw: String,
    files: Files,
}

impl Case {
    fn new(tag: &str) -> Self {
        Self::with(tag, |_| {})
    }

    /// A case whose sandbox is prepared by `setup` before "before" is taken.
    fn with(tag: &str, setup: impl FnOnce(&Sandbox)) -> Self {
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

    fn command(&self, args: &[&str], fault: Option<&str>) -> Command {
        let mut c = self.sb.command(&self.pbx.ns, args);
        c.env_remove("ASTERISK_HARDEN_FAULT");
        if let Some(step) = fault {
            c.env("ASTERISK_HARDEN_FAULT", step);
        }
        c.stdin(Stdio::null());
        c
    }

    fn apply_args(&self, window: Option<u32>) -> Vec<String> {
        let mut a: Vec<String> = vec!["apply".into(), "--yes".into()];
        match window {
            Some(s) => a.extend(["--confirm-timeout".into(), s.to_string()]),
            None => a.push("--no-confirm".into()),
        }
        a.extend(["--answers".into(), self.answers.display().to_string()]);
        a
    }

    /// `apply` to its end (window: None for --no-confirm).
    fn apply(&self, window: Option<u32>, fault: Option<&str>) -> Output {
        let args = self.apply_args(window);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.command(&args, fault).output().unwrap()
    }

    fn spawn_apply(&self, window: u32, fault: Option<&str>) -> Child {
        let args = self.apply_args(Some(window));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.command(&args, fault)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn run(&self, args: &[&str], fault: Option<&str>) -> Output {
        self.command(args, fault).output().unwrap()
    }

    /// `confirm` from a new session, as a second SSH login would be.
    fn confirm(&self, fault: Option<&str>) -> Output {
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
    fn as_before(&self) -> Result<(), String> {
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

    fn journal(&self) -> String {
        std::fs::read_to_string(self.sb.path(JOURNAL)).unwrap_or_default()
    }

    /// Wait (up to `within`) until nothing is pending any more.
    fn settled(&self, within: Duration) -> bool {
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
    fn nothing_stuck(&self) -> Result<(), String> {
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

    fn backup_dir(&self) -> PathBuf {
        let mut ids: Vec<PathBuf> = std::fs::read_dir(self.sb.path(BACKUPS))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        ids.sort();
        ids.pop().expect("a backup set")
    }

    fn wait_for_window(&self) {
        self.sb.wait_for_guard();
    }
}

/// Live processes (not zombies) whose command line names `needle`.
fn processes_naming(needle: &str) -> Vec<String> {
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

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn killed(status: std::process::ExitStatus) -> bool {
    status.signal() == Some(9)
}

/// The figures of a run of faults: what was tried, what lost something.
#[derive(Default)]
struct Tally {
    tried: Vec<String>,
    lost: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, result: Result<(), String>) {
        self.tried.push(name.to_string());
        if let Err(e) = result {
            self.lost.push(format!("{name}: {e}"));
        }
    }

    fn assert_none_lost(self, what: &str) {
        eprintln!(
            "{what}: {} faults tried, {} survived with nothing lost, {} lost something",
            self.tried.len(),
            self.tried.len() - self.lost.len(),
            self.lost.len()
        );
        assert!(self.lost.is_empty(), "{}", self.lost.join("\n\n"));
    }
}

/// Apply killed at each of its steps. Before the guard is armed nothing has
/// changed; from then on the guard finds apply gone and reverts at once.
#[test]
fn apply_killed_at_every_step_loses_nothing() {
    if !lab_allowed() {
        return;
    }
    let mut tally = Tally::default();
    for (step, window) in [
        ("backup", Some(30)),
        ("pending", Some(30)),
        ("armed", Some(30)),
        ("sets", Some(30)),
        ("file", Some(30)),
        ("ipv4-loaded", Some(30)),
        ("ipv6-loaded", Some(30)),
        ("services", Some(30)),
        ("deferred", Some(30)),
        ("waiting", Some(10)),
        ("persist-file", None),
        ("persisted", None),
    ] {
        let case = Case::new("kill");
        let out = case.apply(window, Some(step));
        let result = (|| {
            if !killed(out.status) {
                return Err(format!("the fault did not fire: {}", text(&out)));
            }
            // Killed before its guard existed, apply leaves a record of
            // itself that the next apply clears (nothing had changed).
            if step != "pending" {
                case.nothing_stuck()?;
            }
            case.as_before()?;
            // Past the arming, the journal says who reverted and why.
            let journal = case.journal();
            let reverted =
                journal.contains("reverted backup=") && journal.contains("everything was restored");
            if !matches!(step, "backup" | "pending") && !reverted {
                return Err(format!("no revert in the journal:\n{journal}"));
            }
            // And the next apply goes through: nothing is left in its way.
            let again = case.apply(None, None);
            if !again.status.success() {
                return Err(format!("the next apply failed: {}", text(&again)));
            }
            Ok(())
        })();
        tally.check(&format!("apply killed at {step}"), result);
    }
    tally.assert_none_lost("apply");
}

/// The guard killed: before it is armed (apply refuses to change anything),
/// during the window (apply notices at once and reverts), half-way through
/// its own revert (apply finishes it).
#[test]
fn guard_killed_loses_nothing_and_apply_says_so() {
    if !lab_allowed() {
        return;
    }
    let mut tally = Tally::default();

    let case = Case::new("gstart");
    let out = case.apply(Some(30), Some("guard-start"));
    let words = text(&out);
    tally.check(
        "guard killed before arming",
        (|| {
            if out.status.code() != Some(1) || !words.contains("the guard") {
                return Err(format!("exit {:?}: {words}", out.status.code()));
            }
            if !words.contains("nothing was changed") {
                return Err(format!("does not say nothing changed: {words}"));
            }
            case.nothing_stuck()?;
            case.as_before()
        })(),
    );

    let case = Case::new("gwatch");
    let started = Instant::now();
    let out = case.apply(Some(60), Some("guard-watching"));
    let words = text(&out);
    tally.check(
        "guard killed in the window",
        (|| {
            if started.elapsed() > Duration::from_secs(30) {
                return Err("apply waited for a dead guard".into());
            }
            if out.status.code() != Some(1) || !words.contains("died") {
                return Err(format!("exit {:?}: {words}", out.status.code()));
            }
            if !words.contains("everything was reverted") {
                return Err(format!("does not say it reverted: {words}"));
            }
            case.nothing_stuck()?;
            case.as_before()
        })(),
    );

    let case = Case::new("grevert");
    let out = case.apply(Some(10), Some("guard-reverted"));
    tally.check(
        "guard killed half-way through its revert",
        (|| {
            if out.status.code() != Some(1) {
                return Err(format!("exit {:?}: {}", out.status.code(), text(&out)));
            }
            case.nothing_stuck()?;
            case.as_before()
        })(),
    );
    tally.assert_none_lost("guard");
}

/// A confirm killed after it said "confirming", or half-way through writing
/// persistence: the guard reverts, apply says so.
#[test]
fn confirm_killed_cannot_leave_the_change_stuck() {
    if !lab_allowed() {
        return;
    }
    let mut tally = Tally::default();
    for step in ["confirming", "persist-file"] {
        let case = Case::new("confirm");
        let child = case.spawn_apply(60, None);
        case.wait_for_window();
        let confirm = case.confirm(Some(step));
        let (code, words) = wait_exit(child, Duration::from_secs(30));
        tally.check(
            &format!("confirm killed at {step}"),
            (|| {
                if !killed(confirm.status) {
                    return Err(format!("the fault did not fire: {}", text(&confirm)));
                }
                if code != Some(1) || !words.contains("everything was reverted") {
                    return Err(format!("apply: exit {code:?}: {words}"));
                }
                case.nothing_stuck()?;
                case.as_before()
            })(),
        );
    }
    tally.assert_none_lost("confirm");
}

/// Damage to a backup set is found before anything is restored from it,
/// and refused loudly; the firewall is never flushed for a bad snapshot.
#[test]
fn a_damaged_backup_is_refused_and_nothing_is_flushed() {
    if !lab_allowed() {
        return;
    }
    let mut tally = Tally::default();
    type Damage = (&'static str, &'static str, fn(&Path));
    let damages: [Damage; 5] = [
        ("empty snapshot", "iptables.save", |p| {
            std::fs::write(p, "").unwrap()
        }),
        ("garbage snapshot", "iptables.save", |p| {
            std::fs::write(p, "\u{0}\u{1}garbage\n").unwrap()
        }),
        ("snapshot cut before COMMIT", "iptables.save", |p| {
            let t = std::fs::read_to_string(p).unwrap();
            let cut = t.rfind("COMMIT").unwrap();
            std::fs::write(p, &t[..cut]).unwrap()
        }),
        ("truncated file copy", "files", |dir| {
            let copy = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .find(|e| e.file_name().to_string_lossy().contains("rules.v4"))
                .unwrap()
                .path();
            let t = std::fs::read(&copy).unwrap();
            std::fs::write(&copy, &t[..t.len() / 2]).unwrap()
        }),
        ("damaged manifest", "manifest.toml", |p| {
            std::fs::write(p, "id = \"x\"\n").unwrap()
        }),
    ];
    for (name, part, damage) in damages {
        let case = Case::new("damage");
        let first = case.apply(None, None);
        assert!(first.status.success(), "{}", text(&first));
        let set = case.backup_dir();
        damage(&set.join(part));
        // The host as the apply left it: a refused rollback must not change it.
        let (fw_applied, files_applied) = (firewall(&case.pbx.ns), case.sb.files());
        let rb = case.run(&["rollback", "--yes"], None);
        let words = text(&rb);
        tally.check(
            name,
            (|| {
                if rb.status.success() {
                    return Err(format!("rollback exited 0: {words}"));
                }
                if !words.contains("damaged") || !words.contains("what to do") {
                    return Err(format!("not refused loudly: {words}"));
                }
                if firewall(&case.pbx.ns) != fw_applied {
                    return Err("the firewall changed".into());
                }
                if case.sb.files() != files_applied {
                    return Err("a file changed".into());
                }
                Ok(())
            })(),
        );
    }

    // Well formed, with checksums to match, but it does not load: the test
    // load finds it before a table is flushed...
    for (name, rule, says) in [
        (
            "snapshot that fails the test load",
            "-A INPUT -m no_such_match -j ACCEPT",
            "NOTHING WAS RESTORED",
        ),
        // ...and one that passes it yet fails the real load (a jump to a
        // chain that is not there): the rules live before are put back.
        (
            "snapshot that passes the test load but fails the load",
            "-A INPUT -j NO-SUCH-CHAIN",
            "was put back",
        ),
    ] {
        let case = Case::new("notload");
        assert!(case.apply(None, None).status.success());
        let set = case.backup_dir();
        let bad = format!("*filter\n:INPUT ACCEPT [0:0]\n{rule}\nCOMMIT\n");
        rewrite_with_checksums(&set, "iptables.save", &bad);
        let fw_applied = firewall(&case.pbx.ns);
        let rb = case.run(&["rollback", "--yes"], None);
        let words = text(&rb);
        tally.check(
            name,
            (|| {
                if rb.status.code() != Some(1) || !words.contains(says) {
                    return Err(format!("exit {:?}: {words}", rb.status.code()));
                }
                let now = firewall(&case.pbx.ns);
                if now != fw_applied {
                    return Err(format!(
                        "the firewall changed: {words}\n--- applied\n{fw_applied}\n--- now\n{now}"
                    ));
                }
                Ok(())
            })(),
        );
    }

    // The newest set damaged: never silently an older one.
    let case = Case::new("newest");
    assert!(case.apply(None, None).status.success());
    let second = case.sb.answers(&STRICT.replace("pbx-fault", "pbx-other"));
    let out = case
        .command(
            &[
                "apply",
                "--yes",
                "--no-confirm",
                "--answers",
                second.to_str().unwrap(),
            ],
            None,
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(case.backup_dir().join("iptables.save"), "").unwrap();
    let files_applied = case.sb.files();
    let rb = case.run(&["rollback", "--yes"], None);
    tally.check(
        "newest set damaged",
        (|| {
            if rb.status.success() || !text(&rb).contains("damaged") {
                return Err(format!("exit {:?}: {}", rb.status.code(), text(&rb)));
            }
            if case.sb.files() != files_applied {
                return Err("an older set was restored instead".into());
            }
            Ok(())
        })(),
    );
    tally.assert_none_lost("damaged backups");
}

/// Replace one part of a backup set and make its checksums agree, as a bug
/// that wrote a bad snapshot in the first place would.
fn rewrite_with_checksums(set: &Path, part: &str, text: &str) {
    use sha2::{Digest, Sha256};
    let hex = |b: &[u8]| -> String {
        Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    };
    let old = std::fs::read(set.join(part)).unwrap();
    std::fs::write(set.join(part), text).unwrap();
    let manifest = std::fs::read_to_string(set.join("manifest.toml"))
        .unwrap()
        .replace(&hex(&old), &hex(text.as_bytes()));
    std::fs::write(set.join("manifest.toml"), &manifest).unwrap();
    std::fs::write(
        set.join("manifest.sha256"),
        format!("{}  manifest.toml\n", hex(manifest.as_bytes())),
    )
    .unwrap();
}

/// The backup set or the pending record damaged during the window: the
/// guard holds the set in memory and the last deadline it read, and reverts
/// on time all the same.
#[test]
fn damage_during_the_window_does_not_stop_the_revert() {
    if !lab_allowed() {
        return;
    }
    let mut tally = Tally::default();
    for what in ["manifest", "pending"] {
        let case = Case::new("wdamage");
        let child = case.spawn_apply(10, None);
        case.wait_for_window();
        match what {
            "manifest" => std::fs::write(case.backup_dir().join("manifest.toml"), "x").unwrap(),
            _ => std::fs::write(case.sb.path(PENDING), "state = [garbage").unwrap(),
        }
        let (code, words) = wait_exit(child, Duration::from_secs(30));
        tally.check(
            &format!("{what} damaged in the window"),
            (|| {
                if code != Some(3) || !words.contains("everything was reverted") {
                    return Err(format!("exit {code:?}: {words}"));
                }
                case.nothing_stuck()?;
                case.as_before()
            })(),
        );
    }
    tally.assert_none_lost("damage in the window");
}

/// Two applies at once: the second is refused (exit 2) while the first
/// runs, and neither change is lost.
#[test]
fn two_applies_at_once_lose_no_change() {
    if !lab_allowed() {
        return;
    }
    let case = Case::new("twice");
    let other = case.sb.dir.path().join("other.toml");
    std::fs::write(&other, STRICT.replace("pbx-fault", "pbx-second")).unwrap();
    let spawn = |answers: &Path| {
        case.command(
            &[
                "apply",
                "--yes",
                "--no-confirm",
                "--answers",
                answers.to_str().unwrap(),
            ],
            None,
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, b) = (spawn(&case.answers), spawn(&other));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = (a.status.code(), b.status.code());
    let rules = std::fs::read_to_string(case.sb.path("/etc/iptables/rules.v4")).unwrap();
    match codes {
        (Some(0), Some(2)) | (Some(2), Some(0)) => {
            let (won, lost, name) = if codes.0 == Some(0) {
                (&a, &b, "pbx-fault")
            } else {
                (&b, &a, "pbx-second")
            };
            assert!(
                text(lost).contains("another apply is running"),
                "{}",
                text(lost)
            );
            assert!(
                rules.contains(name),
                "the winner's change is not in place: {}",
                text(won)
            );
        }
        // One after the other: the second planned from the first's files.
        (Some(0), Some(0)) => {}
        _ => panic!("exit codes {codes:?}:\n{}\n{}", text(&a), text(&b)),
    }
    case.nothing_stuck().unwrap();
    assert!(case.run(&["rollback", "--yes"], None).status.success());
}

/// A test load that fails removes the ipset sets it made and says the
/// truth; a symlinked file is edited at its target and stays a link; a
/// hard-linked one is refused.
#[test]
fn failed_test_load_links_and_hard_links() {
    if !lab_allowed() {
        return;
    }
    // An iptables-restore whose --test refuses our rules.
    let shim = tempfile::tempdir().unwrap();
    let real = Command::new("sh")
        .args([
            "-c",
            "command -v iptables-restore || echo /usr/sbin/iptables-restore",
        ])
        .output()
        .unwrap();
    let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
    let script = format!(
        "#!/bin/bash\ninput=$(cat)\nfor a in \"$@\"; do if [ \"$a\" = --test ] && grep -q SIPRAW <<<\"$input\"; then\n\
         echo 'iptables-restore: line 3 failed' >&2; exit 1; fi; done\nexec {real} \"$@\" <<<\"$input\"\n"
    );
    let p = shim.path().join("iptables-restore");
    std::fs::write(&p, script).unwrap();
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let case = Case::new("testload");
    let path = format!(
        "{}:{}",
        shim.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let args = case.apply_args(None);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = case
        .command(&args, None)
        .env("PATH", path)
        .output()
        .unwrap();
    let words = text(&out);
    assert_eq!(out.status.code(), Some(1), "{words}");
    assert!(
        words.contains("did not pass the test load") && words.contains("everything was restored"),
        "{words}"
    );
    case.as_before().unwrap();
    case.nothing_stuck().unwrap();

    // modules.conf is a symlink into a config repository.
    let answers = "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\n\
                   [asterisk]\nnoload = [\"chan_skinny.so\"]\n";
    let case = Case::with("links", |sb| {
        sb.write("/srv/conf/modules.conf", "[modules]\nautoload=yes\n", 0o640);
        std::fs::create_dir_all(sb.path("/etc/asterisk")).unwrap();
        std::os::unix::fs::symlink(
            "../../srv/conf/modules.conf",
            sb.path("/etc/asterisk/modules.conf"),
        )
        .unwrap();
    });
    let answers_path = case.sb.answers(answers);
    let out = case
        .command(
            &[
                "apply",
                "--yes",
                "--no-confirm",
                "--answers",
                answers_path.to_str().unwrap(),
            ],
            None,
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let link = case.sb.path("/etc/asterisk/modules.conf");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("../../srv/conf/modules.conf"),
        "the link was replaced by a file"
    );
    let target = std::fs::read_to_string(case.sb.path("/srv/conf/modules.conf")).unwrap();
    assert!(target.contains("noload => chan_skinny.so"), "{target}");
    let rb = case.run(&["rollback", "--yes"], None);
    assert!(rb.status.success(), "{}", text(&rb));
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("../../srv/conf/modules.conf")
    );
    case.as_before().unwrap();

    // A hard-linked modules.conf: refused, nothing changed.
    let case = Case::with("hardlink", |sb| {
        sb.write(
            "/etc/asterisk/modules.conf",
            "[modules]\nautoload=yes\n",
            0o640,
        );
        std::fs::hard_link(
            sb.path("/etc/asterisk/modules.conf"),
            sb.path("/etc/asterisk/modules.conf.twin"),
        )
        .unwrap();
    });
    let answers_path = case.sb.answers(answers);
    let out = case
        .command(
            &[
                "apply",
                "--yes",
                "--no-confirm",
                "--answers",
                answers_path.to_str().unwrap(),
            ],
            None,
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("hard links"), "{}", text(&out));
    case.as_before().unwrap();
    case.nothing_stuck().unwrap();
}

/// A small tmpfs mounted over a sandbox directory, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        run_checked(Command::new("mount").args([
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size},mode=0755"),
            "tmpfs",
            dir.to_str().unwrap(),
        ]));
        Self(dir.to_path_buf())
    }

    /// Fill it up, leaving `spare` bytes.
    fn fill(&self, spare: u64) {
        let out = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&self.0)
            .output()
            .unwrap();
        let avail: u64 = String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .and_then(|l| l.trim().parse().ok())
            .unwrap();
        let filler = vec![0u8; avail.saturating_sub(spare) as usize];
        let _ = std::fs::write(self.0.join(".filler"), filler);
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A full disk: where the rules are persisted (the --no-confirm persist
/// fails half-way: undone), and where the backups go (nothing changes).
#[test]
fn a_full_disk_loses_nothing() {
    if !lab_allowed() {
        return;
    }
    let case = Case::new("fulletc");
    let etc = Tmpfs::mount(&case.sb.path("/etc/iptables"), "64k");
    std::fs::write(
        etc.0.join("rules.v4"),
        "# the admin's old rules\n*filter\nCOMMIT\n",
    )
    .unwrap();
    std::fs::set_permissions(
        etc.0.join("rules.v4"),
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    etc.fill(0);
    let before = (firewall(&case.pbx.ns), case.sb.files());
    let out = case.apply(None, None);
    let words = text(&out);
    assert_eq!(out.status.code(), Some(1), "{words}");
    assert!(
        words.contains("rules.v4") && words.contains("everything was restored"),
        "{words}"
    );
    assert_eq!(firewall(&case.pbx.ns), before.0, "firewall not restored");
    assert_eq!(case.sb.files(), before.1, "files not restored");
    case.nothing_stuck().unwrap();
    drop(etc);

    let case = Case::new("fullbak");
    let backups = Tmpfs::mount(&case.sb.path(BACKUPS), "16k");
    backups.fill(0);
    let out = case.apply(None, None);
    let words = text(&out);
    assert_eq!(out.status.code(), Some(1), "{words}");
    assert!(
        words.contains("cannot write the backup") && words.contains("nothing was changed"),
        "{words}"
    );
    case.as_before().unwrap();
    case.nothing_stuck().unwrap();
}

/// Secrets: the tool's settings, state and logs are root's alone, and no
/// file anyone can read names the SIP hostname (a failed load included).
#[test]
fn secrets_are_not_world_readable() {
    if !lab_allowed() {
        return;
    }
    let case = Case::new("secrets");
    // An old answers.toml left world-readable by an earlier version.
    case.sb.write(
        "/etc/asterisk-harden/answers.toml",
        "mode = \"strict\"\n",
        0o644,
    );
    let child = case.spawn_apply(60, None);
    case.wait_for_window();
    assert!(case.confirm(None).status.success());
    let (code, words) = wait_exit(child, Duration::from_secs(30));
    assert_eq!(code, Some(0), "{words}");
    let mut modes = Vec::new();
    let mut readable = Vec::new();
    walk(case.sb.root(), &mut |p, mode, data| {
        let rel = p
            .strip_prefix(case.sb.root())
            .unwrap()
            .display()
            .to_string();
        if [
            "etc/asterisk-harden",
            "var/lib/asterisk-harden",
            "var/backups/asterisk-harden",
        ]
        .iter()
        .any(|d| rel.starts_with(d))
        {
            modes.push(format!("{mode:04o} /{rel}"));
        }
        if mode & 0o004 != 0
            && String::from_utf8_lossy(data).contains(HOSTNAME)
            && rel != "answers.toml"
        {
            readable.push(format!("{mode:04o} /{rel}"));
        }
    });
    eprintln!("modes:\n{}", modes.join("\n"));
    assert!(
        readable.is_empty(),
        "world-readable with the hostname: {readable:?}"
    );
    for m in &modes {
        let mode = u32::from_str_radix(&m[..4], 8).unwrap();
        assert_eq!(mode & 0o007, 0, "readable by everyone: {m}");
    }
}

/// Every file and directory under `dir`: (path, mode, contents).
fn walk(dir: &Path, f: &mut dyn FnMut(&Path, u32, &[u8])) {
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let mode = meta.permissions().mode() & 0o7777;
        if meta.is_dir() {
            f(&p, mode, b"");
            walk(&p, f);
        } else if meta.is_file() {
            f(&p, mode, &std::fs::read(&p).unwrap_or_default());
        }
    }
}
