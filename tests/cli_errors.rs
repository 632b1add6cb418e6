//! Bad input: a clear message naming the value and what to do, exit code 2,
//! nothing on stdout.

mod common;

use std::process::{Command, Output};

use common::bin;

fn render_with(answers: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answers.toml");
    std::fs::write(&path, answers).unwrap();
    Command::new(bin())
        .args(["render", "--answers"])
        .arg(&path)
        .output()
        .unwrap()
}

fn refused(answers: &str, expect: &[&str]) {
    let out = render_with(answers);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty(), "stdout must stay empty on error");
    for e in expect {
        assert!(err.contains(e), "{e:?} missing from:\n{err}");
    }
    assert!(err.contains("what to do"), "no advice in:\n{err}");
}

#[test]
fn invalid_hostname() {
    refused(
        "mode = \"strict\"\n[sip]\nhostname = \"pbx \\\"x\\\".example\"\n",
        &["sip.hostname", "pbx \\\"x\\\".example", "what to do"],
    );
}

#[test]
fn misspelt_key() {
    refused(
        "mode = \"strict\"\n[sip]\nhostnmae = \"a.example.net\"\n",
        &["sip.hostnmae", "unknown key", "did you mean hostname?"],
    );
}

#[test]
fn unknown_mode() {
    refused("mode = \"paranoid\"\n", &["paranoid", "strict"]);
}

#[test]
fn strict_without_hostname() {
    refused("mode = \"strict\"\n", &["sip.hostname", "relaxed-open"]);
}

#[test]
fn ssh_port_in_rtp_range() {
    refused(
        "mode = \"relaxed-open\"\n[ssh]\nport = 10022\n",
        &["ssh.port = 10022", "RTP"],
    );
}

#[test]
fn trunk_that_does_not_resolve() {
    refused(
        "mode = \"strict\"\n[sip]\nhostname = \"a1.example.net\"\ntrunks = [\"no-such-host.invalid\"]\n",
        &["no-such-host.invalid", "does not resolve"],
    );
}

#[test]
fn missing_file() {
    let out = Command::new(bin())
        .args(["render", "--answers", "/nonexistent/answers.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/answers.toml: there is no such file"),
        "{err}"
    );
    assert!(!err.contains("os error"), "said once, in words: {err}");
}

#[test]
fn a_wrong_type_is_named_in_words_with_every_other_problem() {
    refused(
        "mode = \"relaxed-open\"\n[ssh]\nport = \"2222\"\n[sip]\nports = \"1:70000\"\n",
        &[
            "2 values in the answers were refused",
            "ssh.port = \"2222\": this is text, but a whole number",
            "sip.ports",
        ],
    );
}

#[test]
fn bad_family_is_a_usage_error() {
    let out = Command::new(bin())
        .args(["render", "--answers", "x", "--family", "ipv5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn the_wizard_without_a_terminal_points_to_apply() {
    for args in [&["wizard"][..], &["demo", "--plain"], &[]] {
        let out = Command::new(bin())
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("needs a terminal") && err.contains("apply --answers"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}

/// On the real system, a build from a cargo target directory would write
/// boot units that call it there. `plan` runs the same preflight as apply
/// and changes nothing, so this is safe to run against `/`: it must refuse
/// before any diff, naming the binary and what to do.
#[test]
fn boot_units_never_call_a_build_directory() {
    if !common::lab_allowed() {
        return;
    }
    let answers = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/strict.toml");
    let out = Command::new(bin())
        .args(["--root", "/", "plan", "--answers", answers])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        out.stdout.is_empty(),
        "the diff was shown before the refusal"
    );
    assert!(err.contains("cargo build directory"), "{err}");
    assert!(err.contains(&bin().display().to_string()), "{err}");
    assert!(err.contains("cargo install --path ."), "{err}");
}

/// A reader that is gone (`plan | head`, a dropped ssh session) must not
/// make the tool panic halfway: the command finishes and exits with its own
/// code. The pipe's read end is closed before the tool starts, so every
/// write fails with EPIPE, on stdout and stderr alike.
#[test]
fn a_closed_pipe_is_no_panic() {
    let root = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let (read, write) = nix::unistd::pipe().unwrap();
        drop(read);
        Command::new(bin())
            .arg("--root")
            .arg(root.path())
            .args(args)
            .stdout(std::process::Stdio::from(write.try_clone().unwrap()))
            .stderr(std::process::Stdio::from(write))
            .status()
            .unwrap()
            .code()
    };
    // "No backup sets under ...", then exit 0; a refusal still exits 2.
    assert_eq!(run(&["backups"]), Some(0));
    assert_eq!(run(&["rollback", "--yes"]), Some(2));
}
