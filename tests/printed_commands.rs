//! Every command the README, `--help`, the man page and the hints print
//! works as printed. The commands are extracted from README.md (shell blocks
//! and inline code), each subcommand's `--help` examples, the man page's
//! EXAMPLES (assets/man/sections.roff) and every hint in the source (an
//! `asterisk-harden ...` command inside a string: "what to do: ...", the
//! Done screen's lines, saved answers' headers), then run verbatim by bash inside
//! a lab namespace, where `asterisk-harden` is this build on a sandbox root
//! (the demo's Debian + Asterisk box, with the README tour's answers applied
//! first). Only placeholders are filled in (a real backup id for the example
//! one, the sandbox for absolute /etc and /var paths). A printed command that
//! cannot run here must be in SKIPPED with the test that covers it: a new
//! printed command is never silently unchecked.

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::sandbox::Sandbox;
use common::*;

// The command line's own definition, to check every hint parses.
#[allow(dead_code)]
#[path = "../src/cli.rs"]
mod cli;

/// Printed commands that are not run here, each with why and where it is
/// proven instead (matched as a prefix of the command; a trailing `$`
/// matches the whole command only).
const SKIPPED: &[(&str, &str)] = &[
    (
        "cargo run --release -- demo",
        "interactive: tests/tui_tmux.rs runs the demo in tmux",
    ),
    ("scripts/test.sh", "the test suite itself (CI runs it)"),
    (
        "cargo install --path .",
        "a build from source: the build CI makes, minutes long",
    ),
    (
        "scripts/build-deb.sh",
        "builds the package: scripts/test.sh runs it, tests/package.rs checks it",
    ),
    ("sudo dpkg -i", "installs the package: tests/package.rs"),
    (
        "sudo asterisk-harden demo",
        "interactive: tests/tui_tmux.rs",
    ),
    ("asterisk-harden demo", "interactive: tests/tui_tmux.rs"),
    (
        "man asterisk-harden",
        "the installed page: tests/package.rs reads it on a clean Debian 12",
    ),
    (
        "ls /usr/share/doc/asterisk-harden/examples/",
        "the installed examples: tests/package.rs",
    ),
    (
        "sudo asterisk-harden wizard",
        "interactive: tests/tui_tmux.rs, tests/tui_screens.rs",
    ),
    (
        "asterisk-harden wizard",
        "interactive: tests/tui_tmux.rs, tests/tui_screens.rs",
    ),
    (
        "sudo asterisk-harden$",
        "the wizard (no command): interactive, tests/tui_tmux.rs",
    ),
    (
        "sudo asterisk-harden apply --answers answers.toml",
        "asks on a terminal: tests/transaction_lab.rs applies with --yes",
    ),
    (
        "asterisk-harden apply --answers answers.toml",
        "asks on a terminal: tests/transaction_lab.rs applies with --yes",
    ),
    (
        "sudo asterisk-harden confirm",
        "needs a change waiting in a new session: tests/transaction_lab.rs, tests/tui_tmux.rs",
    ),
    (
        "asterisk-harden confirm",
        "needs a change waiting in a new session: tests/transaction_lab.rs, tests/tui_tmux.rs",
    ),
    (
        "ssh -p 2222",
        "a second SSH login: tests/ssh_lab.rs proves the banner on the new port",
    ),
    (
        "then, from a NEW ssh session",
        "prose around the confirm example",
    ),
    (
        "sudo asterisk-harden rollback$",
        "asks on a terminal: run last below with --yes; tests/transaction_lab.rs",
    ),
    (
        "asterisk-harden rollback$",
        "asks on a terminal: run last below with --yes; tests/transaction_lab.rs",
    ),
    (
        "sudo asterisk-harden trust",
        "asks on a terminal: tests/operate_lab.rs trusts with --yes --no-confirm",
    ),
    (
        "asterisk-harden trust",
        "asks on a terminal: tests/operate_lab.rs trusts with --yes --no-confirm",
    ),
    (
        "sudo asterisk-harden blocklist add",
        "downloads from the Internet: tests/blocklist_lab.rs adds lists over HTTP in a lab and from a file",
    ),
    (
        "asterisk-harden blocklist add",
        "downloads from the Internet: tests/blocklist_lab.rs adds lists over HTTP in a lab and from a file",
    ),
    (
        "sudo asterisk-harden blocklist remove",
        "needs a list added: tests/blocklist_lab.rs removes two",
    ),
    (
        "asterisk-harden blocklist remove",
        "needs a list added: tests/blocklist_lab.rs removes two",
    ),
    (
        "asterisk-harden blocklist refresh NAME",
        "a placeholder for a list's name: tests/blocklist_lab.rs refreshes one by name",
    ),
    (
        "asterisk-harden watch",
        "runs until stopped, with the AMI user apply writes: tests/watch_lab.rs against the real Asterisk",
    ),
    (
        "asterisk-harden --root R guard",
        "internal: the transaction starts it; tests/transaction_lab.rs, tests/transaction_faults.rs",
    ),
    (
        "sudo asterisk-harden rollback --backup ID$",
        "asks on a terminal: run with --yes (the --help example); tests/transaction_lab.rs",
    ),
    (
        "asterisk-harden rollback --backup ID$",
        "asks on a terminal: run with --yes (the --help example); tests/transaction_lab.rs",
    ),
    (
        "asterisk-harden apply --answers /etc/asterisk-harden/answers.toml$",
        "asks on a terminal: tests/transaction_lab.rs applies with --yes",
    ),
    (
        "sudo asterisk-harden apply --answers FILE$",
        "asks on a terminal: tests/transaction_lab.rs applies with --yes",
    ),
    (
        "asterisk-harden apply --answers FILE$",
        "asks on a terminal: tests/transaction_lab.rs applies with --yes",
    ),
    (
        "asterisk-harden apply --answers FILE --yes",
        "unattended, it reverts unless confirmed: tests/answers_gate.rs, tests/transaction_lab.rs",
    ),
    (
        "asterisk-harden apply$",
        "asks on a terminal: tests/transaction_lab.rs applies with --yes",
    ),
    (
        "asterisk-harden completions SHELL",
        "a placeholder: every shell is run from --help's example and tests/package.rs",
    ),
];

/// Commands in README.md: lines of ```sh blocks and inline `...` spans that
/// call the tool, without trailing `# comments`.
fn readme_commands() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if in_sh {
            if !t.starts_with('#') {
                out.push(strip_comment(t));
            }
            continue;
        }
        for (i, span) in t.split('`').enumerate() {
            if i % 2 == 1
                && (span.starts_with("asterisk-harden ")
                    || span.starts_with("sudo asterisk-harden"))
            {
                out.push(span.to_string());
            }
        }
    }
    out.into_iter().filter(|c| !c.is_empty()).collect()
}

fn strip_comment(line: &str) -> String {
    match line.find("  #").or_else(|| line.find(" # ")) {
        Some(i) => line[..i].trim_end().to_string(),
        None => line.trim_end().to_string(),
    }
}

/// The examples of every subcommand's --help (the lines under "Example").
fn help_commands() -> Vec<String> {
    let top = Command::new(bin()).arg("--help").output().unwrap();
    let top = String::from_utf8_lossy(&top.stdout).into_owned();
    let subcommands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let word = l.strip_prefix("  ")?.split_whitespace().next()?;
            (!l.starts_with("   ") && word != "help").then(|| word.to_string())
        })
        .collect();
    assert!(subcommands.len() >= 10, "{top}");
    let mut out = Vec::new();
    for sub in subcommands {
        let help = Command::new(bin()).args([&sub, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        let mut in_example = false;
        for line in help.lines() {
            if line.starts_with("Example") {
                in_example = true;
                continue;
            }
            if line.trim().is_empty() {
                in_example = false;
            }
            if in_example {
                out.push(strip_comment(line.trim()));
            }
        }
    }
    out
}

/// The man page's EXAMPLES, as the admin reads them (roff's `\-` is `-`).
fn man_commands() -> Vec<String> {
    let roff = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/man/sections.roff"
    ))
    .unwrap();
    let examples: Vec<String> = roff
        .lines()
        .skip_while(|l| *l != ".SH EXAMPLES")
        .skip(1)
        .take_while(|l| !l.starts_with(".SH"))
        .filter(|l| !l.starts_with('.'))
        .map(|l| strip_comment(&l.replace("\\-", "-")))
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        examples.len() >= 5,
        "no EXAMPLES in the man page: {examples:?}"
    );
    examples
}

/// Every `asterisk-harden ...` command written in a string of the source:
/// the hints ("what to do: ..."), the Done screen's lines, the headers of
/// saved answers. A command runs from the tool's name while its words look
/// like a command line (subcommands, options, values, placeholders) and
/// stops at prose or punctuation; a name followed by prose ("asterisk-harden
/// must edit it") is not a command. Placeholders are made uniform: `{path}`
/// is FILE, `{backup_id}` and `{id}` are ID.
fn hint_commands() -> Vec<String> {
    let mut sources = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    // cli.rs holds the --help examples (run from --help itself); tests.rs
    // files hold fragments of expected output.
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs")
                && !p.ends_with("src/cli.rs")
                && !p.ends_with("tests.rs")
            {
                let text = std::fs::read_to_string(&p).unwrap();
                // What a file's test module asserts is not printed.
                let printed = text.split("#[cfg(test)]").next().unwrap_or("");
                sources.push(printed.to_string());
            }
        }
    }
    let cli = <cli::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    for text in &sources {
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("asterisk-harden ") {
                let sudo = line[..at].ends_with("sudo ");
                let words = hint_words(&cli, &line[at + "asterisk-harden ".len()..]);
                if words.is_empty() {
                    continue;
                }
                let command = format!("asterisk-harden {}", words.join(" "));
                out.push(if sudo {
                    format!("sudo {command}")
                } else {
                    command
                });
            }
        }
    }
    out
}

/// The words of a command line at the start of `text`, up to the first
/// that is prose: a lowercase word must be a subcommand of the command so
/// far or the value of the option before it; a word's trailing `,;.):` ends
/// the command after it.
fn hint_words(cli: &clap::Command, text: &str) -> Vec<String> {
    // A string's end, an escape (`\\n`) or a closing backtick ends it.
    let end = text.find(['`', '"', '\\']).unwrap_or(text.len());
    let mut command = cli;
    let mut words: Vec<String> = Vec::new();
    for raw in text[..end].split(' ') {
        let word = raw.trim_end_matches([',', ';', '.', ')', ':']);
        let word = match word {
            "{path}" => "FILE",
            "{backup_id}" | "{id}" => "ID",
            w => w,
        };
        let after_option = words.last().is_some_and(|w| w.starts_with("--"));
        let fits = if let Some(sub) = command.find_subcommand(word) {
            command = sub;
            true
        } else {
            word.starts_with('-')
                || (after_option && !word.is_empty() && !word.starts_with('{'))
                || (!word.is_empty() && word.chars().all(|c| c.is_ascii_uppercase()))
                || word
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '/')
        };
        if !fits
            || (words.is_empty() && !word.starts_with("--") && command.get_name() == cli.get_name())
        {
            break;
        }
        words.push(word.to_string());
        if word.len() != raw.len() {
            break;
        }
    }
    words
}

/// Every hint's command is one the tool accepts: its subcommand and options
/// exist and take what the hint gives them. Needs no root: the namespace
/// test below runs the ones that can run.
#[test]
fn every_hint_is_a_command_the_tool_accepts() {
    let hints = hint_commands();
    assert!(hints.len() >= 15, "too few hints found: {hints:?}");
    let mut refused = Vec::new();
    for hint in &hints {
        let filled = hint
            .replace(" FILE", " answers.toml")
            .replace(" ID", " 2026-11-25T040512Z")
            .replace(" R ", " /tmp/box ");
        let argv: Vec<&str> = filled.split(' ').filter(|w| *w != "sudo").collect();
        if let Err(e) = <cli::Cli as clap::Parser>::try_parse_from(&argv) {
            refused.push(format!(
                "{hint}\n    {}",
                e.to_string().lines().next().unwrap_or("")
            ));
        }
    }
    assert!(
        refused.is_empty(),
        "hints the tool refuses:\n{}",
        refused.join("\n")
    );
}

/// Fill in the placeholders and point absolute host paths at the sandbox.
fn as_run_here(command: &str, sandbox: &Path, backup_id: &str) -> String {
    let root = sandbox.display().to_string();
    command
        .replace("2026-11-25T040512Z", backup_id)
        .replace(" FILE", " answers.toml")
        .replace(" ID", &format!(" {backup_id}"))
        .replace(
            " /usr/share/doc/asterisk-harden/examples/",
            concat!(" ", env!("CARGO_MANIFEST_DIR"), "/assets/examples/"),
        )
        .replace(" /etc/", &format!(" {root}/etc/"))
        .replace(">/etc/", &format!(">{root}/etc/"))
        .replace(" /var/", &format!(" {root}/var/"))
}

#[test]
fn every_printed_command_works_as_printed() {
    if !lab_allowed() {
        return;
    }
    let mut all: Vec<String> = readme_commands();
    all.extend(help_commands());
    all.extend(hint_commands());
    let mut seen = BTreeSet::new();
    all.retain(|c| seen.insert(c.clone()));
    // The man page's tour copies an example over answers.toml: it runs in a
    // directory of its own, in its order, after the apply.
    let man = man_commands();

    let (_lab, pbx) = Lab::new("printed");
    let sandbox = Sandbox::debian();
    asterisk_harden::demo::write_box(sandbox.root()).unwrap();
    std::fs::create_dir_all(sandbox.path("/etc/bash_completion.d")).unwrap();
    // `asterisk-harden` is this build on the sandbox; `sudo` is a no-op when
    // the machine has none (the tests run as root).
    let tools = tempfile::tempdir().unwrap();
    let wrap = |name: &str, body: String| {
        let p = tools.path().join(name);
        std::fs::write(&p, body).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    wrap(
        "asterisk-harden",
        format!(
            "#!/bin/sh\nexec '{}' --root '{}' \"$@\"\n",
            bin().display(),
            sandbox.root().display()
        ),
    );
    if which::which("sudo").is_err() {
        wrap("sudo", "#!/bin/sh\nexec \"$@\"\n".into());
    }
    // The README tour's answers (without the SSH move: no sshd runs here).
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("answers.toml"),
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"10.0.0.0/8\"]\n\
         [sip]\nhostname = \"pbx-7f3k.example.net\"\n",
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        tools.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut failures = Vec::new();
    let mut ran = 0;
    let skipped = |command: &str| {
        SKIPPED.iter().find(|(p, _)| match p.strip_suffix('$') {
            Some(whole) => command == whole,
            None => command.starts_with(p),
        })
    };
    let man_work = tempfile::tempdir().unwrap();
    let mut run = |command: &str, backup_id: &str, dir: &Path| {
        if let Some((_, why)) = skipped(command) {
            eprintln!("skip  {command}  ({why})");
            return;
        }
        if !command.contains("asterisk-harden") {
            failures.push(format!("{command}: printed, neither run nor in SKIPPED"));
            return;
        }
        let line = as_run_here(command, sandbox.root(), backup_id);
        let out = in_ns(&pbx.ns, "bash")
            .args(["-o", "pipefail", "-c", &line])
            .current_dir(dir)
            .env("PATH", &path)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        ran += 1;
        eprintln!("ran   {command}  -> {:?}", out.status.code());
        if !out.status.success() {
            failures.push(format!("{command}\n    {}", output_text(&out).trim()));
        }
    };
    // What changes nothing runs first on the untouched box (a check that
    // only works once the tool has loaded its sets must not pass here), the
    // rest after an apply, rollbacks last.
    let changes_nothing = |c: &&String| {
        ["render", "probe", "plan "]
            .iter()
            .any(|w| c.contains(&format!("asterisk-harden {w}")))
            && !c.contains("/etc/asterisk-harden/")
    };
    let (first, later): (Vec<&String>, Vec<&String>) = all.iter().partition(changes_nothing);
    for c in &first {
        run(c, "", work.path());
    }
    let out = sandbox.apply_now(&pbx.ns, &work.path().join("answers.toml"));
    assert_ok(&out);
    let backup_id = std::fs::read_dir(sandbox.path("/var/backups/asterisk-harden"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .max()
        .unwrap();
    let (rollbacks, rest): (Vec<&String>, Vec<&String>) =
        later.into_iter().partition(|c| c.contains(" rollback"));
    for c in &rest {
        run(c, &backup_id, work.path());
    }
    for c in &man {
        run(c, &backup_id, man_work.path());
    }
    for c in &rollbacks {
        run(c, &backup_id, work.path());
    }
    assert!(ran >= 15, "only {ran} printed commands ran");
    assert!(
        failures.is_empty(),
        "printed commands that fail:\n{}",
        failures.join("\n")
    );
}
