//! apply / confirm / revert / rollback against a sandbox root, with the
//! binary running inside a network namespace the test made (so its firewall
//! is real and the machine's own is never touched).

mod common;

use std::net::TcpStream;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::sandbox::{Sandbox, firewall, wait_exit};
use common::*;

const STRICT: &str = "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"10.77.0.0/24\"]\n\
    [sip]\nhostname = \"pbx-tx.example.net\"\n";

/// An admin's rule and a Docker-like chain, loaded before the tool runs.
const EXISTING: &str = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n\
    -A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n-A FORWARD -o docker0 -j DOCKER\n\
    -A DOCKER -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n";

#[test]
fn unconfirmed_apply_reverts_by_itself() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("revert");
    load(&pbx.ns, EXISTING);
    let sb = Sandbox::debian();
    let (fw_before, files_before) = (firewall(&pbx.ns), sb.files());
    let child = sb.spawn_apply(&pbx.ns, &sb.answers(STRICT), 10);
    sb.wait_for_guard();
    assert!(
        firewall(&pbx.ns).contains("SIPRAW"),
        "the rules were not loaded during the window"
    );
    let (code, out) = wait_exit(child, Duration::from_secs(30));
    assert_eq!(code, Some(3), "{out}");
    assert!(out.contains("everything was reverted"), "{out}");
    assert_eq!(firewall(&pbx.ns), fw_before, "firewall not restored");
    assert_eq!(sb.files(), files_before, "files not restored byte for byte");
    // `backups` says the set's change is gone, and why.
    let listed = String::from_utf8_lossy(&sb.run(&pbx.ns, &["backups"]).stdout).into_owned();
    assert!(
        listed.contains("REVERTED at ") && listed.contains("not confirmed"),
        "{listed}"
    );
}

#[test]
fn confirmed_apply_persists_is_idempotent_and_rolls_back() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("confirm");
    load(&pbx.ns, EXISTING);
    let sb = Sandbox::debian();
    let (fw_before, files_before) = (firewall(&pbx.ns), sb.files());
    let answers = sb.answers(STRICT);

    let child = sb.spawn_apply(&pbx.ns, &answers, 60);
    sb.wait_for_guard();
    let confirm = sb.confirm_from_new_session(&pbx.ns);
    assert_ok(&confirm);
    let (code, out) = wait_exit(child, Duration::from_secs(30));
    assert_eq!(code, Some(0), "{out}");

    let live = firewall(&pbx.ns);
    assert!(
        live.contains("-A PREROUTING -i ens3 -j SIPRAW") && live.contains(":ASIP"),
        "rules not live"
    );
    let rules_v4 = std::fs::read_to_string(sb.path("/etc/iptables/rules.v4")).unwrap();
    assert!(
        rules_v4.contains("sip:pbx-tx.example.net"),
        "rules.v4 not written:\n{rules_v4}"
    );
    assert!(sb.path("/etc/iptables/rules.v6").exists());
    // Phones, bans and traps are ipset sets: live now, and created at boot
    // by the lists unit before netfilter-persistent loads the rules.
    assert!(
        live.contains("ipset set ah-MYSIP\n") && live.contains("ipset set ah-BADSIP6\n"),
        "{live}"
    );
    let sets = std::fs::read_to_string(sb.path("/etc/asterisk-harden/ipsets")).unwrap();
    assert!(
        sets.contains("create ah-RLM hash:ip family inet timeout 600 maxelem 1048576"),
        "{sets}"
    );
    let unit =
        std::fs::read_to_string(sb.path("/etc/systemd/system/asterisk-harden-lists.service"))
            .unwrap();
    assert!(
        unit.contains("Before=network-pre.target netfilter-persistent.service"),
        "{unit}"
    );
    assert!(
        std::fs::read_to_string(sb.path("/etc/asterisk-harden/answers.toml"))
            .unwrap()
            .contains("pbx-tx")
    );
    // Other tools' chains survive; the admin's own rule is reported, not silently dropped.
    assert!(
        live.contains(":DOCKER") && live.contains("-A FORWARD -o docker0 -j DOCKER"),
        "{live}"
    );
    assert!(
        out.contains("--dport 8080 -j ACCEPT") && out.contains("no longer apply"),
        "{out}"
    );
    let first_backup = backup_ids(&sb)[0].clone();
    // `backups` counts every file the set records, saved or absent before,
    // as the wizard's revert screen does.
    let listed = String::from_utf8_lossy(&sb.run(&pbx.ns, &["backups"]).stdout).into_owned();
    assert!(
        listed.contains(&first_backup)
            && listed.contains("saved, ")
            && listed.contains("that did not exist")
            && listed.contains("applied and confirmed"),
        "{listed}"
    );

    // The same answers again: no file is rewritten.
    let stamp = |p: &str| {
        std::fs::metadata(sb.path(p))
            .map(|m| (m.ino(), m.mtime_nsec()))
            .unwrap()
    };
    let watched = [
        "/etc/iptables/rules.v4",
        "/etc/iptables/rules.v6",
        "/etc/asterisk-harden/answers.toml",
    ];
    let before: Vec<_> = watched.iter().map(|p| stamp(p)).collect();
    let again = sb.apply_now(&pbx.ns, &answers);
    assert_ok(&again);
    let after: Vec<_> = watched.iter().map(|p| stamp(p)).collect();
    assert_eq!(before, after, "re-applying the same answers rewrote a file");
    let rerun = String::from_utf8_lossy(&again.stdout);
    assert!(
        !rerun.contains("no longer apply"),
        "our own rules were mistaken for the admin's:\n{rerun}"
    );

    // Rollback to the state before the first apply: byte for byte, modes kept.
    let rb = sb.run(&pbx.ns, &["rollback", "--yes", "--backup", &first_backup]);
    assert_ok(&rb);
    assert_eq!(
        sb.files(),
        files_before,
        "rollback did not restore the files"
    );
    assert_eq!(
        firewall(&pbx.ns),
        fw_before,
        "rollback did not restore the firewall"
    );
    let listed = String::from_utf8_lossy(&sb.run(&pbx.ns, &["backups"]).stdout).into_owned();
    assert!(listed.contains("restored by rollback"), "{listed}");
}

fn backup_ids(sb: &Sandbox) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(sb.path("/var/backups/asterisk-harden"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn rhel_layout_persists_to_sysconfig() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("rhel");
    let sb = Sandbox::rhel();
    let out = sb.apply_now(&pbx.ns, &sb.answers(STRICT));
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("WARNING: --no-confirm"));
    assert!(
        std::fs::read_to_string(sb.path("/etc/sysconfig/iptables"))
            .unwrap()
            .contains("*filter")
    );
    assert!(sb.path("/etc/sysconfig/ip6tables").exists());
    assert!(!sb.path("/etc/iptables/rules.v4").exists());
}

/// An iptables-restore that commits the first table and then fails, as a
/// kernel refusal on the second table does.
fn failing_restore_shim(dir: &Path) {
    restore_shim(dir, |real| {
        format!(
            "#!/bin/bash\ninput=$(cat)\nfor a in \"$@\"; do [ \"$a\" = --test ] && exec {real} \"$@\" <<<\"$input\"; done\n\
             if grep -q SIPRAW <<<\"$input\"; then\n\
               awk '{{print}} /^COMMIT/{{exit}}' <<<\"$input\" | {real} \"$@\"\n\
               echo 'iptables-restore: line 212 failed' >&2\n  exit 1\nfi\n\
             exec {real} \"$@\" <<<\"$input\"\n"
        )
    });
}

#[test]
fn a_table_that_fails_to_load_restores_the_snapshot() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("shim");
    load(&pbx.ns, EXISTING);
    let sb = Sandbox::debian();
    let (fw_before, files_before) = (firewall(&pbx.ns), sb.files());
    let shim = tempfile::tempdir().unwrap();
    failing_restore_shim(shim.path());
    let path = format!(
        "{}:{}",
        shim.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = sb
        .command(
            &pbx.ns,
            &[
                "apply",
                "--yes",
                "--answers",
                sb.answers(STRICT).to_str().unwrap(),
            ],
        )
        .env("PATH", path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("line 212 failed") && err.contains("everything was restored"),
        "{err}"
    );
    assert_eq!(
        firewall(&pbx.ns),
        fw_before,
        "the first table's commit was not undone"
    );
    assert_eq!(sb.files(), files_before);
}

#[test]
fn a_killed_apply_is_still_reverted_by_the_guard() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("kill");
    let sb = Sandbox::debian();
    let (fw_before, files_before) = (firewall(&pbx.ns), sb.files());
    let mut child = sb.spawn_apply(&pbx.ns, &sb.answers(STRICT), 10);
    sb.wait_for_guard();
    // `ip netns exec` execs the program, so this pid is apply itself.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let _ = child.wait();
    assert!(firewall(&pbx.ns).contains("SIPRAW"));
    let end = std::time::Instant::now() + Duration::from_secs(25);
    while sb.path("/var/lib/asterisk-harden/pending.toml").exists()
        && std::time::Instant::now() < end
    {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        firewall(&pbx.ns),
        fw_before,
        "the guard did not revert after apply was killed"
    );
    assert_eq!(sb.files(), files_before);
    let journal = std::fs::read_to_string(sb.path("/var/lib/asterisk-harden/journal.log")).unwrap();
    assert!(journal.contains("reverted backup="), "{journal}");
}

#[test]
fn relaxed_raw_keeps_the_admins_rules_through_apply() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("rawtx");
    load(&pbx.ns, EXISTING);
    let sb = Sandbox::debian();
    let answers = sb.answers("mode = \"relaxed-raw\"\n[network]\ninterface = \"ens3\"\n");
    for _ in 0..2 {
        let out = sb.apply_now(&pbx.ns, &answers);
        assert_ok(&out);
    }
    let live = firewall(&pbx.ns);
    assert!(
        live.contains("--dport 8080 -j ACCEPT") && live.contains(":DOCKER"),
        "{live}"
    );
    assert_eq!(
        live.matches("-A PREROUTING -i ens3 -j SIPRAW").count(),
        2,
        "one hook per family, never doubled:\n{live}"
    );
    let v4 = std::fs::read_to_string(sb.path("/etc/iptables/rules.v4")).unwrap();
    assert!(
        v4.contains("*raw") && v4.contains("*filter"),
        "the admin's table was lost from rules.v4:\n{v4}"
    );
}

/// Answers with the SSH banner the way a real sshd would, for every connection.
fn banner_server(ns: &str) {
    let listener = within(ns, || std::net::TcpListener::bind("0.0.0.0:22").unwrap());
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let _ = std::io::Write::write_all(&mut s, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
            std::thread::spawn(move || {
                let mut buf = [0u8; 64];
                while let Ok(n) = std::io::Read::read(&mut s, &mut buf) {
                    if n == 0 || std::io::Write::write_all(&mut s, &buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
}

#[test]
fn ssh_on_22_keeps_answering_through_a_strict_apply() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("ssh22");
    let admin = lab.host("admin", "enp1s0");
    banner_server(&pbx.ns);
    // A session open before the apply, like the admin's own.
    let mut open = within(&admin.ns, || TcpStream::connect("10.77.0.1:22").unwrap());
    open.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut buf = [0u8; 64];
    let _ = std::io::Read::read(&mut open, &mut buf);

    let sb = Sandbox::debian();
    let child = sb.spawn_apply(&pbx.ns, &sb.answers(STRICT), 60);
    sb.wait_for_guard();
    assert!(
        ssh_banner(&admin.ns, 22),
        "a new SSH connection on 22 failed during the window"
    );
    std::io::Write::write_all(&mut open, b"ping").unwrap();
    let n = std::io::Read::read(&mut open, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"ping", "the open session broke");
    assert!(sb.confirm_from_new_session(&pbx.ns).status.success());
    let (code, out) = wait_exit(child, Duration::from_secs(30));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        ssh_banner(&admin.ns, 22),
        "SSH on 22 stopped answering after confirm"
    );
    assert!(
        !firewall(&pbx.ns).contains("--dport 22 -j RLMSET"),
        "port 22 is trapped while SSH lives there"
    );
}

#[test]
fn confirm_from_the_same_session_is_refused() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("same");
    let sb = Sandbox::debian();
    let child = sb.spawn_apply(&pbx.ns, &sb.answers(STRICT), 30);
    sb.wait_for_guard();
    let same = sb.run(&pbx.ns, &["confirm"]);
    assert_eq!(same.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&same.stderr).contains("NEW connection"));
    // A second apply while one is pending is refused too.
    let second = sb.run(
        &pbx.ns,
        &[
            "apply",
            "--yes",
            "--answers",
            sb.answers(STRICT).to_str().unwrap(),
        ],
    );
    assert_eq!(
        second.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(sb.confirm_from_new_session(&pbx.ns).status.success());
    assert_eq!(wait_exit(child, Duration::from_secs(30)).0, Some(0));
}

#[test]
fn an_interrupted_apply_is_detected_and_rollback_offered() {
    let sb = Sandbox::debian();
    // The pid of a process that has ended: the apply that crashed, and its
    // guard (armed, so the host may be half-changed).
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    sb.write(
        "/var/lib/asterisk-harden/pending.toml",
        &format!(
            "backup_id = \"2026-01-01T000000Z\"\nstate = \"applying\"\nstarted = 1\napply_pid = {pid}\n\
             guard_pid = {pid}\n[session]\nsid = 1\n"
        ),
        0o600,
    );
    // As root, in a namespace of its own: were the refusal ever to fail,
    // the rules would load there, never into this machine's firewall.
    let ns = nix::unistd::geteuid().is_root().then(EmptyNs::new);
    let mut cmd = match &ns {
        Some(ns) => in_ns(&ns.0, bin().to_str().unwrap()),
        None => Command::new(bin()),
    };
    let out = cmd
        .arg("--root")
        .arg(sb.root())
        .args(["apply", "--yes", "--answers"])
        .arg(sb.answers(STRICT))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("interrupted") && err.contains("rollback --backup 2026-01-01T000000Z"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn phones_known_to_xt_recent_stay_known_after_the_switch_to_ipset() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("migrate");
    let phone = lab.host("phone", "enp1s0");
    // The article's hand-made rules: the phone is on xt_recent's MYSIP.
    load(
        &pbx.ns,
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m recent --rcheck --name MYSIP -j ACCEPT\nCOMMIT\n",
    );
    run_checked(in_ns(&pbx.ns, "sh").args([
        "-c",
        &format!("echo +{} > /proc/net/xt_recent/MYSIP", phone.ip),
    ]));
    let sb = Sandbox::debian();
    let out = sb.apply_now(&pbx.ns, &sb.answers(STRICT));
    assert_ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("of xt_recent list MYSIP moved to its ipset set"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(recent_list(&pbx.ns, "MYSIP").contains(&phone.ip));
    // Known without naming the hostname again.
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&phone, "OPTIONS", PBX_IP, "Yealink SIP-T46S");
    assert_eq!(
        sources(&drain(&inbox, Duration::from_millis(600))),
        [phone.ip.as_str()],
        "the phone was forgotten in the switch"
    );
}

/// FORWARD is left as it was (policy and rules, now and in rules.v4) unless
/// the answers say `network.forward = "drop"`; the review says which.
#[test]
fn forward_is_left_as_it_was_unless_dropping_is_chosen() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("fwd");
    let live_rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A FORWARD -i wg0 -o ens3 -j ACCEPT\nCOMMIT\n";
    load(&pbx.ns, live_rules);
    let sb = Sandbox::debian();
    sb.write("/etc/iptables/rules.v4", live_rules, 0o640);
    let base = format!(
        "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n"
    );
    let plan = sb.run_plain(&["plan", "--answers", sb.answers(&base).to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&plan.stdout)
            .contains("Forwarded traffic (containers, VPNs, routing): left as it is"),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
    let out = sb.apply_now(&pbx.ns, &sb.answers(&base));
    assert_ok(&out);
    let live = firewall(&pbx.ns);
    assert!(
        live.contains(":FORWARD DROP") && live.contains("-A FORWARD -i wg0 -o ens3 -j ACCEPT"),
        "FORWARD was not left as it was:\n{live}"
    );
    let persisted = std::fs::read_to_string(sb.path("/etc/iptables/rules.v4")).unwrap();
    assert!(
        persisted.contains(":FORWARD DROP")
            && persisted.contains("-A FORWARD -i wg0 -o ens3 -j ACCEPT"),
        "rules.v4 lost FORWARD:\n{persisted}"
    );
    let test = restore(&pbx.ns, "iptables-restore", &["--test"], &persisted);
    assert_ok(&test);

    // Chosen: everything forwarded is dropped, and the review says so.
    load(
        &pbx.ns,
        "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -i wg0 -j ACCEPT\nCOMMIT\n",
    );
    let drop = sb.answers(&base.replace("[network]\n", "[network]\nforward = \"drop\"\n"));
    let out = sb.apply_now(&pbx.ns, &drop);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Forwarded traffic: all dropped"));
    let live = firewall(&pbx.ns);
    assert!(
        live.contains(":FORWARD DROP") && !live.contains("-A FORWARD"),
        "{live}"
    );
}
