//! fail2ban in step with the rules (a jail drop-in checked by the real
//! fail2ban-client -t, its chains alive after a load with fail2ban running in
//! the lab), and Asterisk's SIP hygiene findings with file and line and no
//! secret printed.

mod common;

use std::path::Path;
use std::process::Command;

use asterisk_harden::fail2ban::{Fail2banFacts, dropin, validate};
use asterisk_harden::root::Root;
use common::sandbox::{Sandbox, firewall};
use common::*;

/// A sandbox with Debian's fail2ban configuration and log files of its own.
fn with_fail2ban() -> Option<Sandbox> {
    if !Path::new("/etc/fail2ban/jail.conf").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "fail2ban is missing: scripts/test.sh installs it"
        );
        eprintln!("skipped: fail2ban is not installed");
        return None;
    }
    let sb = Sandbox::debian();
    std::fs::create_dir_all(sb.path("/etc")).unwrap();
    run_checked(
        Command::new("cp")
            .args(["-a", "/etc/fail2ban"])
            .arg(sb.path("/etc/fail2ban")),
    );
    sb.write("/var/log/auth.log", "", 0o640);
    sb.write("/var/log/asterisk/messages", "", 0o640);
    Some(sb)
}

#[test]
fn the_jail_dropin_passes_fail2ban_client_t_for_moved_and_unmoved_ssh() {
    let Some(sb) = with_fail2ban() else { return };
    let root = Root::new(sb.root());
    let facts = Fail2banFacts::read(&root);
    assert!(facts.installed && facts.ssh_log_file && facts.asterisk_log);
    for port in [22, 2222] {
        let text = dropin(&facts, port, "5060:5082", &["203.0.113.7/32".to_string()]);
        validate(&root, &text).unwrap_or_else(|e| panic!("port {port}: {e}\n{text}"));
    }
    let broken = "[sshd]\nenabled = true\nfilter = no-such-filter\n";
    let err = validate(&root, broken).unwrap_err().to_string();
    assert!(err.contains("fail2ban rejects"), "{err}");
}

#[test]
fn fail2bans_chains_survive_an_apply_with_fail2ban_running() {
    if !lab_allowed() {
        return;
    }
    let Some(sb) = with_fail2ban() else { return };
    let (_lab, pbx) = Lab::new("f2b");
    // fail2ban's own settings for the lab: socket and logs inside the sandbox.
    let run = sb.path("/run/fail2ban");
    std::fs::create_dir_all(&run).unwrap();
    sb.write(
        "/etc/fail2ban/fail2ban.local",
        &format!(
            "[Definition]\nsocket = {0}/fail2ban.sock\npidfile = {0}/fail2ban.pid\ndbfile = :memory:\nlogtarget = {1}\n",
            run.display(),
            sb.path("/var/log/fail2ban.log").display()
        ),
        0o644,
    );
    sb.write(
        "/etc/fail2ban/jail.d/zz-lab.local",
        &format!(
            "[DEFAULT]\nbackend = polling\n[sshd]\nlogpath = {}\n[asterisk]\nlogpath = {}\n",
            sb.path("/var/log/auth.log").display(),
            sb.path("/var/log/asterisk/messages").display()
        ),
        0o644,
    );
    let conf = sb.path("/etc/fail2ban");
    let client = |args: &[&str]| -> std::process::Output {
        in_ns(&pbx.ns, "fail2ban-client")
            .arg("-c")
            .arg(&conf)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(client(&["-b", "start"]).status.success());
    struct Stop<'a>(&'a dyn Fn(&[&str]) -> std::process::Output);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            let _ = (self.0)(&["stop"]);
        }
    }
    let _stop = Stop(&client);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        client(&["set", "sshd", "banip", "198.51.100.9"])
            .status
            .success()
    );
    assert!(
        firewall(&pbx.ns).contains(":f2b-sshd"),
        "the lab's fail2ban made no chain"
    );

    let answers = sb.answers(&format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         [sip]\nhostname = \"pbx-f2b.example.net\"\n[fail2ban]\nenabled = true\n"
    ));
    let out = sb.apply_now(&pbx.ns, &answers);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("fail2ban: its chains are in place"), "{text}");
    let live = firewall(&pbx.ns);
    assert!(
        live.contains(":f2b-sshd") && live.contains("198.51.100.9"),
        "fail2ban's chain or ban is gone:\n{live}"
    );
    assert!(live.contains(":SIPRAW"), "our rules are not loaded");
    let jail =
        std::fs::read_to_string(sb.path("/etc/fail2ban/jail.d/asterisk-harden.local")).unwrap();
    assert!(
        jail.contains("[sshd]\nenabled = true\nport = 22\n") && jail.contains("[asterisk]"),
        "{jail}"
    );
    let status = client(&["status"]);
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("asterisk"),
        "the asterisk jail did not start"
    );
}

#[test]
fn sip_hygiene_findings_name_file_and_line_and_never_a_secret() {
    let sb = Sandbox::debian();
    let fixture = |n: &str| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/asterisk")
                .join(n),
        )
        .unwrap()
    };
    sb.write("/etc/asterisk/sip.conf", &fixture("sip-guests.conf"), 0o640);
    sb.write(
        "/etc/asterisk/pjsip.conf",
        &fixture("pjsip-open.conf"),
        0o640,
    );
    let answers =
        sb.answers("mode = \"relaxed-open\"\n[asterisk]\nnoload = []\nmanager_localhost = false\n");
    let out = sb.run_plain(&["plan", "--answers", answers.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_ok(&out);
    for expected in [
        "/etc/asterisk/sip.conf:3: chan_sip accepts guest calls",
        "/etc/asterisk/sip.conf:1: chan_sip tells scanners which extensions exist",
        "/etc/asterisk/sip.conf:6: [100] accepts registrations from any address",
        "/etc/asterisk/sip.conf:8: [100] has a weak password (not shown)",
        "/etc/asterisk/sip.conf:6: [100] has no call-limit",
        "/etc/asterisk/pjsip.conf:6: an [anonymous] endpoint accepts calls from anyone",
        "/etc/asterisk/pjsip.conf:10: endpoint [200] has no acl/permit",
        "/etc/asterisk/pjsip.conf:20: auth [200-auth] has a weak password (not shown)",
        "toll fraud",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
    assert!(
        !text.contains("[office] accepts") && !text.contains("endpoint [201]"),
        "a protected peer was flagged"
    );
    for secret in ["1234", "200200", "Vq7-xN2p!Lr8&kZ4w"] {
        assert!(
            !text.contains(&format!("= {secret}")) && !text.contains(&format!("={secret}")),
            "a secret was printed"
        );
    }
}
