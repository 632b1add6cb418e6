//! The shell completions the package ships, driven as a shell drives them:
//! bash's completion function called with COMP_WORDS/COMP_CWORD set, zsh
//! typing the line with a TAB on a pseudo-terminal, fish's `complete -C`.
//! Each must complete options after a subcommand, file names after
//! `--answers`, a subcommand from its prefix, and never offer the internal
//! commands (the guard, `manpage`, the demo's `--sandboxed`/`--in-namespace`).

mod common;

use std::path::Path;
use std::process::Command;

use common::bin;

const INTERNAL: [&str; 4] = ["guard", "manpage", "--sandboxed", "--in-namespace"];

/// The script the binary prints for `shell`, written as `name` under `dir`.
fn script(dir: &Path, shell: &str, name: &str) -> std::path::PathBuf {
    let out = Command::new(bin())
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = dir.join(name);
    std::fs::write(&path, out.stdout).unwrap();
    path
}

/// Whether `shell` is installed; under CI its absence is a failure.
fn have(shell: &str) -> bool {
    if Command::new(shell).arg("-c").arg("true").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{shell} is missing: scripts/test.sh installs it"
    );
    eprintln!("skipped: {shell} is not installed");
    false
}

/// A directory holding `answers.toml` and `notes.txt`, for file completion.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("answers.toml"), "mode = \"strict\"\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "").unwrap();
    dir
}

fn lines(out: std::process::Output) -> Vec<String> {
    common::assert_ok(&out);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn assert_case(shell: &str, line: &str, got: &[String], want: &[&str], not: &[&str]) {
    for w in want {
        assert!(
            got.iter().any(|g| g == w),
            "{shell}: `{line}<TAB>` should offer {w}, offered {got:?}"
        );
    }
    for n in not.iter().chain(&INTERNAL) {
        assert!(
            !got.iter().any(|g| g == n),
            "{shell}: `{line}<TAB>` offered {n}: {got:?}"
        );
    }
}

/// (the line typed so far, offered, not offered)
const CASES: [(&str, &[&str], &[&str]); 6] = [
    ("asterisk-harden render --fam", &["--family"], &[]),
    ("asterisk-harden render --family ", &["ipv4", "ipv6"], &[]),
    (
        "asterisk-harden apply --answers ans",
        &["answers.toml"],
        &["notes.txt"],
    ),
    ("asterisk-harden ro", &["rollback"], &["render"]),
    (
        "asterisk-harden ",
        &["apply", "render", "rollback", "selftest"],
        &[],
    ),
    ("asterisk-harden demo --", &["--plain"], &[]),
];

#[test]
fn bash_completes_after_the_subcommand() {
    if !have("bash") {
        return;
    }
    let work = workdir();
    let file = script(work.path(), "bash", "asterisk-harden.bash");
    for (line, want, not) in CASES {
        // COMP_WORDS as bash splits the line; the cursor on the last word.
        let mut words: Vec<&str> = line.split(' ').collect();
        if line.ends_with(' ') {
            words.pop();
            words.push("");
        }
        let cword = words.len() - 1;
        let prev = if cword > 0 { words[cword - 1] } else { "" };
        let program = r#"source "$1"; shift; prev="$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
_asterisk__harden asterisk-harden "${COMP_WORDS[COMP_CWORD]}" "$prev" 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}""#;
        let got = lines(
            Command::new("bash")
                .arg("-c")
                .arg(program)
                .arg("bash")
                .arg(&file)
                .arg(prev)
                .args(&words)
                .current_dir(work.path())
                .output()
                .unwrap(),
        );
        assert_eq!(cword, words.len() - 1);
        assert_case("bash", line, &got, want, not);
    }
}

#[test]
fn zsh_completes_after_the_subcommand() {
    if !have("zsh") {
        return;
    }
    let work = workdir();
    let fpath = tempfile::tempdir().unwrap();
    script(fpath.path(), "zsh", "_asterisk-harden");
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zsh-complete.zsh");
    for (line, want, not) in CASES {
        let got = lines(
            Command::new("timeout")
                .arg("20")
                .args(["zsh", "-f"])
                .arg(&driver)
                .arg(fpath.path())
                .arg(line)
                .current_dir(work.path())
                .output()
                .unwrap(),
        );
        assert_case("zsh", line, &got, want, not);
    }
}

#[test]
fn fish_completes_after_the_subcommand() {
    if !have("fish") {
        return;
    }
    let work = workdir();
    let file = script(work.path(), "fish", "asterisk-harden.fish");
    for (line, want, not) in CASES {
        let got = lines(
            Command::new("fish")
                .arg("--no-config")
                .arg("-c")
                .arg("source $argv[1]; complete -C $argv[2]")
                .arg(&file)
                .arg(line)
                .current_dir(work.path())
                .output()
                .unwrap(),
        );
        assert_case("fish", line, &got, want, not);
    }
}
