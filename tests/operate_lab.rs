//! ban, unban, allow, release and trust against a live firewall in a
//! namespace lab with real traffic, in both list stores (ipset sets and the
//! xt_recent fallback), persisted across a simulated reboot; refusals for
//! the admin's own address, trusted sources and trunks, and bad input.

mod common;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::sandbox::Sandbox;
use common::*;

const HOST: &str = "pbx-ops.example.net";
const WINDOW: Duration = Duration::from_millis(600);
const UA: &str = "Yealink SIP-T46S";

fn strict_answers(sb: &Sandbox, trusted: &str) -> std::path::PathBuf {
    sb.answers(&format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\ntrusted = [\"{trusted}\"]\n\
         [sip]\nhostname = \"{HOST}\"\ntrunks = [\"10.77.0.250\"]\n"
    ))
}

/// `asterisk-harden --root SANDBOX args...` in `ns`, with the list store
/// forced and no SSH session unless `ssh_from` says where it comes from.
fn tool(sb: &Sandbox, ns: &str, store: &str, ssh_from: Option<&str>, args: &[&str]) -> Output {
    let mut c: Command = sb.command(ns, args);
    c.env("ASTERISK_HARDEN_LISTS", store)
        .env_remove("SSH_CONNECTION");
    if let Some(from) = ssh_from {
        c.env("SSH_CONNECTION", format!("{from} 50000 {PBX_IP} 22"));
    }
    c.stdin(Stdio::null()).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", output_text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &Output, says: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", output_text(out));
    assert!(err.contains(says), "{err}");
}

/// A reboot: rules, sets and lists gone; then what boot does (the lists
/// unit and netfilter-persistent, in the order the store needs: sets
/// before the rules that name them, xt_recent lists after the rules that
/// make them).
fn simulate_reboot(sb: &Sandbox, ns: &str, store: &str) {
    for tool in ["iptables", "ip6tables"] {
        for table in ["raw", "filter"] {
            run_checked(in_ns(ns, tool).args(["-t", table, "-F"]));
            run_checked(in_ns(ns, tool).args(["-t", table, "-X"]));
        }
    }
    run_checked(in_ns(ns, "ipset").arg("destroy"));
    for list in ["BADSIP", "MYSIP", "RLM"] {
        assert!(
            recent_list(ns, list).is_empty(),
            "{list} survived the flush"
        );
    }
    let v4 = std::fs::read_to_string(sb.path("/etc/iptables/rules.v4")).unwrap();
    if store == "ipset" {
        ok(&tool(sb, ns, store, None, &["lists", "restore"]));
        let out = restore_as_is(ns, "iptables-restore", &v4);
        assert_ok(&out);
    } else {
        let out = restore_as_is(ns, "iptables-restore", &v4);
        assert_ok(&out);
        ok(&tool(sb, ns, store, None, &["lists", "restore"]));
    }
}

fn lists_by_hand(store: &str) {
    let (mut lab, pbx) = Lab::new(&format!("ops-{}", &store[..3]));
    let phone = lab.host("phone", "enp1s0");
    let scanner = lab.host("scan", "eno1");
    let knocker = lab.host("knock", "eno2");
    let trusted = lab.host("trust", "eno3");
    let admin = lab.host("admin", "eno4");
    let sb = Sandbox::debian();
    let out = sb
        .command(&pbx.ns, &["apply", "--yes", "--no-confirm", "--answers"])
        .arg(strict_answers(&sb, &trusted.ip))
        .env("ASTERISK_HARDEN_LISTS", store)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    ok(&out);
    let inbox = udp_listener(&pbx.ns, 5060);
    let t = |ssh: Option<&str>, args: &[&str]| tool(&sb, &pbx.ns, store, ssh, args);

    // allow: a phone that never named the hostname gets the fast path.
    send_sip(&phone, "OPTIONS", PBX_IP, UA);
    assert!(drain(&inbox, WINDOW).is_empty(), "strict let a stranger in");
    let said = ok(&t(
        None,
        &["allow", &phone.ip, "--reason", "desk phone in room 12"],
    ));
    assert!(said.contains("put on the known phones (MYSIP)"), "{said}");
    send_sip(&phone, "OPTIONS", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);

    // ban: even a request naming the hostname is dropped; a banned known
    // phone leaves the fast path too.
    let said = ok(&t(
        None,
        &["ban", &scanner.ip, "--reason", "toll fraud in the CDRs"],
    ));
    assert!(said.contains("put on the ban list (BADSIP)"), "{said}");
    send_sip(&scanner, "REGISTER", HOST, UA);
    assert!(drain(&inbox, WINDOW).is_empty(), "a banned source got in");
    ok(&t(None, &["ban", &phone.ip]));
    send_sip(&phone, "OPTIONS", PBX_IP, UA);
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "a banned phone kept the fast path"
    );
    assert!(!recent_list(&pbx.ns, "MYSIP").contains(&phone.ip));
    if store == "ipset" {
        // The banned packet copied the ban onto QUIET (one lookup for its
        // SIP and RTP from now on); unban must lift the copy too.
        assert!(recent_list(&pbx.ns, "QUIET").contains(&phone.ip));
    }

    // unban: back to an ordinary source, which the hostname admits.
    let said = ok(&t(None, &["unban", &phone.ip]));
    assert!(said.contains("taken off the ban list"), "{said}");
    send_sip(&phone, "REGISTER", HOST, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);
    let said = ok(&t(None, &["unban", &phone.ip]));
    assert!(
        said.contains("was not on the ban list (BADSIP): nothing to do"),
        "{said}"
    );

    // release: a source that knocked on a trap port gets back in.
    send_sip(&knocker, "REGISTER", HOST, UA);
    assert_eq!(drain(&inbox, WINDOW).len(), 1);
    assert!(!tcp_send(&knocker.ns, PBX_IP, 5900, "RFB 003.008\n"));
    assert!(recent_list(&pbx.ns, "RLM").contains(&knocker.ip));
    send_sip(&knocker, "REGISTER", HOST, UA);
    assert!(drain(&inbox, WINDOW).is_empty(), "the trap did not hold");
    let said = ok(&t(None, &["release", &knocker.ip]));
    assert!(said.contains("taken off the trap (RLM)"), "{said}");
    send_sip(&knocker, "REGISTER", HOST, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [knocker.ip.as_str()]);

    // Refusals: exit 2, the reason, nothing changed.
    let banned_before = recent_list(&pbx.ns, "BADSIP");
    refused(
        &t(None, &["ban", &trusted.ip]),
        "is trusted (network.trusted has",
    );
    refused(
        &t(None, &["ban", "10.77.0.250"]),
        "is a SIP trunk (sip.trunks has 10.77.0.250",
    );
    refused(
        &t(Some(&admin.ip), &["ban", &admin.ip]),
        "is your own address",
    );
    refused(&t(None, &["ban", "10.77.0.0/24"]), "not networks");
    refused(&t(None, &["ban", "10.77.0.300"]), "\"10.77.0.300\"");
    refused(&t(None, &["ban", "127.0.0.1"]), "loopback");
    let hostile = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hostile-addresses.txt"
    ))
    .unwrap();
    for line in hostile.lines().filter(|l| !l.is_empty()) {
        refused(&t(None, &["ban", "--", line]), "what to do");
    }
    assert_eq!(recent_list(&pbx.ns, "BADSIP"), banned_before);
    send_sip(&trusted, "OPTIONS", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [trusted.ip.as_str()]);

    // status says why, and the actions log has the story.
    let status = ok(&t(None, &["status", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    let why = v["banned_scanners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["address"] == scanner.ip.as_str())
        .map(|e| e["why"].as_str().unwrap_or_default().to_string());
    assert!(why.unwrap().starts_with("toll fraud in the CDRs ("), "{v}");
    let log = std::fs::read_to_string(sb.path("/var/lib/asterisk-harden/actions.log")).unwrap();
    assert!(
        log.contains(&format!(
            "ban {}: {} put on the ban list (BADSIP) (toll fraud in the CDRs)",
            scanner.ip, scanner.ip
        )),
        "{log}"
    );

    // Everything done by hand survives a reboot.
    simulate_reboot(&sb, &pbx.ns, store);
    send_sip(&scanner, "REGISTER", HOST, UA);
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "the ban was lost at reboot"
    );
    send_sip(&phone, "OPTIONS", PBX_IP, UA);
    assert_eq!(
        sources(&drain(&inbox, WINDOW)),
        [phone.ip.as_str()],
        "the phone was forgotten"
    );
    assert!(
        !recent_list(&pbx.ns, "RLM").contains(&knocker.ip),
        "the release was lost"
    );
}

#[test]
fn ban_unban_allow_release_with_ipset() {
    if !lab_allowed() {
        return;
    }
    lists_by_hand("ipset");
}

#[test]
fn ban_unban_allow_release_with_xt_recent() {
    if !lab_allowed() {
        return;
    }
    lists_by_hand("xt_recent");
}

#[test]
fn trust_goes_through_the_transaction() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("trust");
    let office = lab.host("office", "enp1s0");
    let sb = Sandbox::debian();
    ok(&sb.apply_now(&pbx.ns, &strict_answers(&sb, "10.77.0.200")));
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&office, "OPTIONS", PBX_IP, UA);
    assert!(drain(&inbox, WINDOW).is_empty());
    ok(&sb.run(&pbx.ns, &["ban", &office.ip]));
    refused(
        &sb.run(&pbx.ns, &["trust", "0.0.0.0/0", "--yes", "--no-confirm"]),
        "whole Internet",
    );
    let said = ok(&sb.run(&pbx.ns, &["trust", &office.ip, "--yes", "--no-confirm"]));
    assert!(
        said.contains("+trusted = [") || said.contains(&office.ip),
        "{said}"
    );
    let answers = std::fs::read_to_string(sb.path("/etc/asterisk-harden/answers.toml")).unwrap();
    assert!(
        answers.contains(&format!("\"{}/32\"", office.ip)),
        "{answers}"
    );
    send_sip(&office, "OPTIONS", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [office.ip.as_str()]);
    // Its ban was lifted, not left to mislead.
    assert!(said.contains("taken off the ban list"), "{said}");
    assert!(!recent_list(&pbx.ns, "BADSIP").contains(&office.ip));
    // Now it can never be banned; trusting it again changes nothing.
    refused(&sb.run(&pbx.ns, &["ban", &office.ip]), "is trusted");
    let again = ok(&sb.run(&pbx.ns, &["trust", &office.ip, "--yes", "--no-confirm"]));
    assert!(again.contains("already trusted"), "{again}");
}
