//! Fault injection, the damage: backup sets damaged before a rollback, a
//! failed test load, symlinked and hard-linked files, a full disk, and the
//! modes of every file that names the secret SIP hostname. Each case runs
//! the real binary in a network namespace of its own with a sandbox root.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::faults::*;
use common::sandbox::{firewall, wait_exit};
use common::*;

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
        assert_ok(&first);
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
    let out = case.apply_file(&second);
    assert_ok(&out);
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
    restore_shim(shim.path(), |real| {
        format!(
            "#!/bin/bash\ninput=$(cat)\nfor a in \"$@\"; do if [ \"$a\" = --test ] && grep -q SIPRAW <<<\"$input\"; then\n\
             echo 'iptables-restore: line 3 failed' >&2; exit 1; fi; done\nexec {real} \"$@\" <<<\"$input\"\n"
        )
    });
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
    let out = case.apply_file(&answers_path);
    assert_ok(&out);
    let link = case.sb.path("/etc/asterisk/modules.conf");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("../../srv/conf/modules.conf"),
        "the link was replaced by a file"
    );
    let target = std::fs::read_to_string(case.sb.path("/srv/conf/modules.conf")).unwrap();
    assert!(target.contains("noload => chan_skinny.so"), "{target}");
    let rb = case.run(&["rollback", "--yes"], None);
    assert_ok(&rb);
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
    let out = case.apply_file(&answers_path);
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
