//! The Debian package, as an admin meets it: it installs, the installed
//! binary answers --help and probe, `man` renders its page, and each shell
//! loads its completions. The package is built by scripts/build-deb.sh
//! (scripts/test.sh runs it first). Also: the fleet example parses.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

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

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_deb_installs_and_everything_it_ships_works() {
    if !lab_allowed() {
        return;
    }
    let Some(deb) = built_deb() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no .deb under target/debian: scripts/build-deb.sh must run first"
        );
        eprintln!("skipped: run scripts/build-deb.sh first");
        return;
    };
    ok(Command::new("dpkg").arg("-i").arg(&deb));
    let bin = "/usr/sbin/asterisk-harden";
    assert!(ok(Command::new(bin).arg("--version")).contains(env!("CARGO_PKG_VERSION")));
    let help = ok(Command::new(bin).arg("--help"));
    assert!(
        help.contains("apply") && help.contains("rollback") && help.contains("selftest"),
        "{help}"
    );
    let apply_help = ok(Command::new(bin).args(["apply", "--help"]));
    assert!(apply_help.contains("Example:"), "{apply_help}");
    // probe runs a test rule: only ever inside a namespace of our own.
    let ns = EmptyNs::new();
    let probe = ok(Command::new("ip").args(["netns", "exec", &ns.0, bin, "probe", "--json"]));
    assert!(probe.contains("\"firewall\""), "{probe}");

    let page = [
        "/usr/share/man/man8/asterisk-harden.8.gz",
        "/usr/share/man/man8/asterisk-harden.8",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .expect("the man page is installed");
    let man = ok(Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(page)
        .env("MANWIDTH", "80"));
    assert!(
        man.contains("asterisk-harden") && man.contains("SYNOPSIS"),
        "{man}"
    );

    let bash = ok(Command::new("bash").args([
        "-c",
        "source /usr/share/bash-completion/completions/asterisk-harden && complete -p asterisk-harden",
    ]));
    assert!(bash.contains("asterisk-harden"), "{bash}");
    let zsh = ok(Command::new("zsh").args([
        "-fc",
        "fpath=(/usr/share/zsh/vendor-completions $fpath); autoload -Uz compinit; compinit -u; print -r -- $_comps[asterisk-harden]",
    ]));
    assert!(zsh.contains("_asterisk-harden"), "{zsh}");
    let fish = ok(Command::new("fish").args(["-c", "complete -C 'asterisk-harden '"]));
    assert!(
        fish.contains("apply") && fish.contains("rollback"),
        "{fish}"
    );
    assert!(Path::new("/usr/share/doc/asterisk-harden/examples/strict.toml").exists());
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
