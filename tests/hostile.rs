//! Hostile inputs, as data files: every `tests/hostile/*.toml` is an answers
//! file (or names another input) whose header says what must happen:
//!
//! ```text
//! # expect: refused | warned | accepted
//! # only: plan apply                  (the commands to run; default: render plan apply)
//! # says: TEXT                        (must appear on stderr; repeatable)
//! # answers: fifo | /dev/zero | missing | directory | big | files/NAME
//! # host: /etc/PATH < files/NAME | fifo | /dev/zero | big   (put into the sandbox)
//! ```
//!
//! - refused: exit 2, nothing on stdout, stderr names the key, the value,
//!   the reason and "what to do", and nothing under the root changes.
//! - warned: render and plan exit 0 with the warning on stderr; apply
//!   refuses (exit 2) on this host.
//! - accepted: exit 0 (apply really applies, inside the namespace).
//!
//! Every command runs in a throwaway namespace whose only interfaces are lo
//! and ens3 (a wrongly accepted apply would load rules there, never here),
//! under `timeout`, so a hang is a failure and not a stuck test. No run may
//! panic, print "(os error", or print more than 20 KB.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{Lab, bin, lab_allowed};

struct Case {
    name: String,
    expect: String,
    only: Vec<String>,
    says: Vec<String>,
    answers: Option<String>,
    host: Vec<(String, String)>,
    file: PathBuf,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn cases() -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|file| {
            let head = std::fs::read(&file).unwrap();
            let head = String::from_utf8_lossy(&head[..head.len().min(4096)]).into_owned();
            let mut c = Case {
                name: file.file_stem().unwrap().to_string_lossy().into_owned(),
                expect: String::new(),
                only: vec!["render".into(), "plan".into(), "apply".into()],
                says: Vec::new(),
                answers: None,
                host: Vec::new(),
                file: file.clone(),
            };
            for line in head.lines().take_while(|l| l.starts_with("# ")) {
                let (k, v) = line[2..].split_once(": ").expect("# key: value");
                match k {
                    "expect" => c.expect = v.to_string(),
                    "only" => c.only = v.split_whitespace().map(str::to_string).collect(),
                    "says" => c.says.push(v.to_string()),
                    "answers" => c.answers = Some(v.to_string()),
                    "host" => {
                        let (path, from) = v.split_once(" < ").expect("host: PATH < SOURCE");
                        c.host.push((path.to_string(), from.to_string()));
                    }
                    other => panic!("{}: unknown header {other}", c.name),
                }
            }
            assert!(
                ["refused", "warned", "accepted"].contains(&c.expect.as_str()),
                "{}: no # expect",
                c.name
            );
            c
        })
        .collect()
}

/// Put `from` at `path`: a data file, or a FIFO, a link to /dev/zero, 2 MiB.
fn place(path: &Path, from: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    match from {
        "fifo" => nix::unistd::mkfifo(path, nix::sys::stat::Mode::S_IRWXU).unwrap(),
        "/dev/zero" => std::os::unix::fs::symlink("/dev/zero", path).unwrap(),
        "big" => std::fs::write(path, vec![b';'; 2 << 20]).unwrap(),
        "directory" => std::fs::create_dir_all(path).unwrap(),
        "missing" => {}
        data => {
            std::fs::copy(dir().join(data), path).unwrap();
        }
    }
}

/// Every regular file under `root` with its bytes (FIFOs and devices by
/// type only: reading them would hang or never end).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                walk(&p, out);
            } else if p.ends_with("var/lib/asterisk-harden/.apply.lock") {
                // apply's lock (taken before the answers are read, so no
                // two applies race), not a change to the host.
            } else if t.is_file() {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            } else {
                let kind = if t.is_fifo() { "fifo" } else { "special" };
                out.insert(p, kind.as_bytes().to_vec());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, &mut out);
    out
}

/// The binary under test; `HOSTILE_BIN` runs the same inputs against
/// another build (e.g. the one before a change, to see the test fail).
fn program() -> PathBuf {
    std::env::var_os("HOSTILE_BIN").map_or_else(bin, PathBuf::from)
}

fn run(ns: &str, root: &Path, command: &str, answers: &Path) -> Output {
    let mut args: Vec<String> = vec![
        "netns".into(),
        "exec".into(),
        ns.into(),
        "timeout".into(),
        "30".into(),
        program().display().to_string(),
        "--root".into(),
        root.display().to_string(),
        command.into(),
        "--answers".into(),
        answers.display().to_string(),
    ];
    if command == "apply" {
        args.extend(["--yes".into(), "--no-confirm".into()]);
    }
    Command::new("ip")
        .args(&args)
        .stdin(Stdio::null())
        .env("ASTERISK_HARDEN_LISTS", "xt_recent")
        .output()
        .unwrap()
}

#[derive(Default)]
struct Tally {
    tried: usize,
    refused_cleanly: usize,
    accepted_rightly: usize,
    accepted_wrongly: Vec<String>,
    panics: Vec<String>,
    other: Vec<String>,
}

/// One command of one case: what went wrong, if anything.
fn judge(c: &Case, command: &str, out: &Output, changed: bool, t: &mut Tally) {
    let err = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    let at = format!("{} ({command})", c.name);
    if err.contains("panicked") || code == Some(101) {
        t.panics.push(format!("{at}: {err}"));
        return;
    }
    if code == Some(124) {
        t.other.push(format!("{at}: hung (killed after 30 s)"));
        return;
    }
    let mut problems = Vec::new();
    if err.contains("(os error") {
        problems.push("says \"(os error\"".to_string());
    }
    if err.len() > 20_000 {
        problems.push(format!("{} bytes on stderr", err.len()));
    }
    let refusing = c.expect == "refused" || (c.expect == "warned" && command == "apply");
    if refusing {
        if code != Some(2) {
            t.accepted_wrongly
                .push(format!("{at}: exit {code:?}\n{err}"));
            return;
        }
        if !out.stdout.is_empty() {
            problems.push("stdout is not empty".into());
        }
        if !err.contains("what to do") {
            problems.push("no \"what to do\"".into());
        }
        if changed {
            problems.push("files under the root changed".into());
        }
    } else if code != Some(0) {
        problems.push(format!("exit {code:?}, expected 0"));
    }
    for s in &c.says {
        if !err.contains(s.as_str()) {
            problems.push(format!("{s:?} missing"));
        }
    }
    if problems.is_empty() {
        if refusing {
            t.refused_cleanly += 1;
        } else {
            t.accepted_rightly += 1;
        }
    } else {
        t.other
            .push(format!("{at}: {}\n{}", problems.join("; "), clip(&err)));
    }
}

fn clip(s: &str) -> String {
    s.chars().take(3000).collect()
}

#[test]
fn every_hostile_input_is_refused_cleanly_and_nothing_panics() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("hostile");
    let mut t = Tally::default();
    for c in cases() {
        let sandbox = tempfile::tempdir().unwrap();
        let root = sandbox.path().join("root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(root.join("etc/debian_version"), "12.8\n").unwrap();
        for (path, from) in &c.host {
            place(&root.join(path.trim_start_matches('/')), from);
        }
        let answers = match c.answers.as_deref() {
            None => c.file.clone(),
            Some(from) => {
                let p = sandbox.path().join("answers.toml");
                place(&p, from);
                p
            }
        };
        for command in &c.only {
            t.tried += 1;
            let before = snapshot(&root);
            let out = run(&pbx.ns, &root, command, &answers);
            let changed = snapshot(&root) != before;
            judge(&c, command, &out, changed, &mut t);
        }
    }
    let files = cases().len();
    let wrong = t.accepted_wrongly.len();
    eprintln!(
        "hostile inputs: {files} files, {} runs: {} refused cleanly, {} accepted as they should be, \
         {wrong} accepted wrongly, {} panics, {} other faults",
        t.tried,
        t.refused_cleanly,
        t.accepted_rightly,
        t.panics.len(),
        t.other.len()
    );
    let all: Vec<String> = t
        .accepted_wrongly
        .iter()
        .map(|s| format!("ACCEPTED WRONGLY {s}"))
        .chain(t.panics.iter().map(|s| format!("PANIC {s}")))
        .chain(t.other.iter().map(|s| format!("FAULT {s}")))
        .collect();
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}
