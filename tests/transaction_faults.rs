//! Fault injection, the cuts: apply, the guard and confirm killed at every
//! step (SIGKILL through the ASTERISK_HARDEN_FAULT test hook), the backup
//! set or the pending record damaged during the window, two applies at once.
//! Each case runs the real binary in a network namespace of its own with a
//! sandbox root, and checks: the firewall (iptables-save of every table, the
//! ipset sets) and the files byte for byte as before, or the change fully in
//! place; nothing left pending or running; the exit code and the words true.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::faults::*;
use common::sandbox::wait_exit;
use common::*;

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
    // Each disables another Asterisk module in the same modules.conf.
    let case = Case::with("twice", |sb| {
        sb.write(
            "/etc/asterisk/modules.conf",
            "[modules]\nautoload=yes\n",
            0o640,
        );
    });
    let answers = |host: &str, module: &str| {
        let p = case.sb.dir.path().join(format!("{host}.toml"));
        let text =
            STRICT.replace("pbx-fault", host) + &format!("[asterisk]\nnoload = [\"{module}\"]\n");
        std::fs::write(&p, text).unwrap();
        p
    };
    let (first, second) = (
        answers("pbx-first", "chan_skinny.so"),
        answers("pbx-second", "chan_iax2.so"),
    );
    let spawn = |answers: &Path| {
        let answers = answers.to_str().unwrap();
        case.command(
            &["apply", "--yes", "--no-confirm", "--answers", answers],
            None,
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, b) = (spawn(&first), spawn(&second));
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let codes = (a.status.code(), b.status.code());
    let modules = std::fs::read_to_string(case.sb.path("/etc/asterisk/modules.conf")).unwrap();
    let has = |m: &str| modules.contains(&format!("noload => {m}"));
    match codes {
        (Some(0), Some(2)) | (Some(2), Some(0)) => {
            let (lost, module) = if codes.0 == Some(0) {
                (&b, "chan_skinny.so")
            } else {
                (&a, "chan_iax2.so")
            };
            assert!(
                text(lost).contains("another apply is running"),
                "{}",
                text(lost)
            );
            assert!(
                has(module),
                "the winner's change is not in place:\n{modules}"
            );
        }
        // Both went through: then the second started from the first's
        // files, and both changes are there.
        (Some(0), Some(0)) => assert!(
            has("chan_skinny.so") && has("chan_iax2.so"),
            "both applies said done, one change is lost:\n{modules}"
        ),
        _ => panic!("exit codes {codes:?}:\n{}\n{}", text(&a), text(&b)),
    }
    case.nothing_stuck().unwrap();
}
