//! Moving SSH with a real sshd: started inside the PBX namespace on the
//! sandbox's config (its PidFile in the sandbox, so the reload is a real
//! SIGHUP), reached from another namespace.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::sandbox::{Sandbox, firewall, wait_exit};
use common::*;

/// A running sshd; stopped when dropped.
struct Sshd {
    pidfile: std::path::PathBuf,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.pidfile) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

/// A Debian-like sshd setup inside the sandbox: Include of a drop-in
/// directory, a cloud-init drop-in, comments to keep.
fn sshd_sandbox(extra_dropin: Option<&str>) -> Sandbox {
    let sb = Sandbox::debian();
    let root = sb.root().display().to_string();
    let key = sb.path("/etc/ssh/ssh_host_ed25519_key");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    run_checked(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key),
    );
    sb.write(
        "/etc/ssh/sshd_config",
        &format!(
            "# This is the sshd server system-wide configuration file.\n\
             Include {root}/etc/ssh/sshd_config.d/*.conf\n\n\
             # comment kept\nPort 22\nHostKey {root}/etc/ssh/ssh_host_ed25519_key\n\
             PidFile {root}/run/sshd.pid\nUsePAM no\n"
        ),
        0o644,
    );
    sb.write(
        "/etc/ssh/sshd_config.d/50-cloud-init.conf",
        "PasswordAuthentication yes\n",
        0o644,
    );
    if let Some(text) = extra_dropin {
        sb.write("/etc/ssh/sshd_config.d/60-admin.conf", text, 0o644);
    }
    std::fs::create_dir_all(sb.path("/run")).unwrap();
    sb
}

fn start_sshd(sb: &Sandbox, ns: &str) -> Sshd {
    std::fs::create_dir_all("/run/sshd").unwrap();
    let sshd = which_sshd();
    run_checked(
        in_ns(ns, &sshd)
            .arg("-f")
            .arg(sb.path("/etc/ssh/sshd_config")),
    );
    let pidfile = sb.path("/run/sshd.pid");
    for _ in 0..50 {
        if pidfile.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Sshd { pidfile }
}

fn which_sshd() -> String {
    for p in ["/usr/sbin/sshd", "/sbin/sshd"] {
        if Path::new(p).exists() {
            return p.to_string();
        }
    }
    "sshd".to_string()
}

fn answers(sb: &Sandbox, ssh: &str) -> std::path::PathBuf {
    sb.answers(&format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         [ssh]\n{ssh}\n[sip]\nhostname = \"pbx-ssh.example.net\"\n"
    ))
}

fn sshd_t_ports(sb: &Sandbox) -> String {
    let out = run_checked(
        Command::new(which_sshd())
            .arg("-T")
            .arg("-f")
            .arg(sb.path("/etc/ssh/sshd_config"))
            .args(["-C", "user=root,host=x,addr=127.0.0.1"]),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("port "))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn confirmed_move_from_22_to_2222() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("sshmove");
    let admin = lab.host("admin", "enp1s0");
    let prober = lab.host("prober", "enp1s0");
    let sb = sshd_sandbox(None);
    let _sshd = start_sshd(&sb, &pbx.ns);
    assert!(
        ssh_banner(&admin.ns, 22),
        "the lab's sshd does not answer on 22"
    );

    let child = sb.spawn_apply(&pbx.ns, &answers(&sb, "port = 2222"), 60);
    sb.wait_for_guard();
    assert!(
        ssh_banner(&admin.ns, 2222),
        "no SSH banner on the new port during the window"
    );
    assert!(
        ssh_banner(&admin.ns, 22),
        "the old port closed before the new one was proven"
    );
    let confirm = sb.confirm_from_new_session(&pbx.ns);
    assert_ok(&confirm);
    let (code, out) = wait_exit(child, Duration::from_secs(30));
    assert_eq!(code, Some(0), "{out}");

    assert!(
        ssh_banner(&admin.ns, 2222),
        "no banner on 2222 after confirm"
    );
    assert_eq!(
        sshd_t_ports(&sb),
        "port 2222",
        "sshd -T must list 2222 only"
    );
    assert!(
        !ssh_banner(&prober.ns, 22),
        "port 22 still answers after confirm"
    );
    let main = std::fs::read_to_string(sb.path("/etc/ssh/sshd_config")).unwrap();
    assert!(
        main.contains("# This is the sshd server system-wide configuration file.\n")
            && main.contains("# comment kept\n")
    );
    let live = firewall(&pbx.ns);
    assert!(
        live.contains("--dport 2222 -j ACCEPT") && live.contains("--dport 22 -j RLMSET"),
        "{live}"
    );
}

#[test]
fn unconfirmed_move_goes_back_to_22() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("sshback");
    let admin = lab.host("admin", "enp1s0");
    let sb = sshd_sandbox(None);
    let _sshd = start_sshd(&sb, &pbx.ns);
    let files_before = sb.files();
    let child = sb.spawn_apply(&pbx.ns, &answers(&sb, "port = 2222"), 10);
    sb.wait_for_guard();
    assert!(ssh_banner(&admin.ns, 2222));
    let (code, out) = wait_exit(child, Duration::from_secs(40));
    assert_eq!(code, Some(3), "{out}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        ssh_banner(&admin.ns, 22),
        "sshd does not answer on 22 after the revert"
    );
    assert!(
        !ssh_banner(&admin.ns, 2222),
        "2222 still answers after the revert"
    );
    assert_eq!(
        sb.files(),
        files_before,
        "sshd_config not byte-identical after the revert"
    );
}

#[test]
fn a_config_sshd_rejects_is_refused_and_nothing_changes() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("sshbad");
    let sb = sshd_sandbox(None);
    let _sshd = start_sshd(&sb, &pbx.ns);
    // The admin's own broken drop-in, written after sshd started.
    sb.write(
        "/etc/ssh/sshd_config.d/60-admin.conf",
        "NoSuchOption yes\n",
        0o644,
    );
    let (fw, files) = (firewall(&pbx.ns), sb.files());
    let out = sb.run(
        &pbx.ns,
        &[
            "apply",
            "--yes",
            "--answers",
            answers(&sb, "port = 2222").to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("sshd rejects") && err.contains("NoSuchOption"),
        "{err}"
    );
    assert_eq!(firewall(&pbx.ns), fw, "firewall touched");
    assert_eq!(sb.files(), files, "files touched");
    plan_refuses_first(&sb, &pbx.ns, "port = 2222", "sshd rejects");
}

/// `plan` refuses what apply refuses, with the same reason, exit 2 and no
/// diff on stdout.
fn plan_refuses_first(sb: &Sandbox, ns: &str, ssh: &str, reason: &str) {
    let out = sb
        .command(
            ns,
            &["plan", "--answers", answers(sb, ssh).to_str().unwrap()],
        )
        .env_remove("SUDO_USER")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "plan did not refuse: {err}");
    assert!(err.contains(reason), "{err}");
    assert!(out.stdout.is_empty(), "plan printed a diff before refusing");
}

#[test]
fn a_port_in_use_is_refused() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("sshbusy");
    let sb = sshd_sandbox(None);
    let _sshd = start_sshd(&sb, &pbx.ns);
    let _busy = within(&pbx.ns, || {
        std::net::TcpListener::bind("0.0.0.0:2222").unwrap()
    });
    let (fw, files) = (firewall(&pbx.ns), sb.files());
    let out = sb.run(
        &pbx.ns,
        &[
            "apply",
            "--yes",
            "--answers",
            answers(&sb, "port = 2222").to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("port 2222 is already in use"), "{err}");
    assert_eq!(firewall(&pbx.ns), fw);
    assert_eq!(sb.files(), files);
    plan_refuses_first(&sb, &pbx.ns, "port = 2222", "port 2222 is already in use");
}

#[test]
fn key_only_without_authorized_keys_is_refused() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("sshkey");
    let sb = sshd_sandbox(None);
    let files = sb.files();
    let out = sb
        .command(
            &pbx.ns,
            &[
                "apply",
                "--yes",
                "--answers",
                answers(&sb, "key_only = true").to_str().unwrap(),
            ],
        )
        .env_remove("SUDO_USER")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no authorized key") && err.contains("locked out"),
        "{err}"
    );
    assert_eq!(sb.files(), files);
    plan_refuses_first(&sb, &pbx.ns, "key_only = true", "no authorized key");
}
