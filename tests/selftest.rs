//! `selftest` on this machine's kernel: every example ruleset passes, and a
//! deliberately broken one fails, naming the failing rows; no namespace is
//! left behind either way.

mod common;

use std::process::Command;

use common::*;

/// Run the self-test; also checks it left none of its namespaces behind.
fn selftest(args: &[&str]) -> std::process::Output {
    let root = tempfile::tempdir().unwrap();
    let child = Command::new(bin())
        .arg("--root")
        .arg(root.path())
        .arg("selftest")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let prefix = format!("ah-selftest-{}-", child.id());
    let out = child.wait_with_output().unwrap();
    let list = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&list.stdout)
            .lines()
            .any(|l| l.starts_with(&prefix)),
        "the self-test left a namespace behind"
    );
    out
}

fn example(name: &str) -> String {
    format!("{}/assets/examples/{name}.toml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_example_passes_its_selftest() {
    if !lab_allowed() {
        return;
    }
    for name in ["strict", "strict-zoiper", "relaxed-open", "relaxed-raw"] {
        let out = selftest(&["--answers", &example(name)]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}:\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(" passed, 0 failed"), "{text}");
    }
}

#[test]
fn a_broken_ruleset_fails_and_names_the_row() {
    if !lab_allowed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("accept-all.rules");
    std::fs::write(
        &broken,
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
    )
    .unwrap();
    let out = selftest(&[
        "--answers",
        &example("strict"),
        "--rules",
        broken.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("FAILED: a REGISTER without the hostname"),
        "{err}"
    );
    assert!(
        err.contains("FAILED: a request carrying the scanner signature \"friendly-scanner\""),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAILED"));
}

/// The self-test takes seconds: on a terminal it says what it is doing as it
/// goes; piped, its output is the table alone.
#[test]
fn it_shows_progress_on_a_terminal_and_none_when_piped() {
    if !lab_allowed() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    // `script` gives the command a pseudo-terminal, as an ssh session would.
    let line = format!(
        "'{}' --root '{}' selftest --answers '{}'",
        bin().display(),
        root.path().display(),
        example("strict")
    );
    let on_terminal = Command::new("script")
        .args(["-qfec", &line, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(on_terminal.status.success(), "{seen}");
    for step in [
        "making the throwaway namespaces",
        "checked: a phone's REGISTER",
    ] {
        assert!(seen.contains(step), "no {step:?} on the terminal:\n{seen}");
    }
    let piped = selftest(&["--answers", &example("strict")]);
    let all = [piped.stdout, piped.stderr].concat();
    assert!(
        !String::from_utf8_lossy(&all).contains("checked:"),
        "progress leaked into a pipe"
    );
}
