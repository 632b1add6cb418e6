//! Issue 9's capacity: bans by the hundred thousand, none forgotten. With
//! ipset the lists are `hash:ip` sets of a million; with xt_recent (the
//! fallback where ipset is missing) they keep 100 and evict the oldest.

mod common;

use std::time::Duration;

use common::*;

const HOST: &str = "pbx-scale.example.net";
const WINDOW: Duration = Duration::from_millis(600);
const BANS: u32 = 100_000;

fn strict() -> String {
    format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         [sip]\nhostname = \"{HOST}\"\n"
    )
}

/// `BANS` addresses (10.128.0.0 upwards: never a lab host) as `ipset restore` lines.
fn bulk_bans(set: &str) -> String {
    let mut text = String::new();
    for i in 0..BANS {
        let [_, b, c, d] = (0x0a80_0000u32 + i).to_be_bytes();
        text.push_str(&format!("add {set} 10.{b}.{c}.{d}\n"));
    }
    text
}

#[test]
fn a_hundred_thousand_bans_are_kept_and_the_first_still_holds() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("scale");
    let phone = lab.host("phone", "enp1s0");
    let first = lab.host("first", "eno1");
    let last = lab.host("last", "eno2");
    load(&pbx.ns, &render(&strict(), "ipv4"));
    let inbox = udp_listener(&pbx.ns, 5060);

    // The first scanner is banned, then a hundred thousand more after it.
    send_sip(&first, "OPTIONS", PBX_IP, "friendly-scanner");
    assert!(recent_list(&pbx.ns, "BADSIP").contains(&first.ip));
    ipset_restore(&pbx.ns, &bulk_bans("ah-BADSIP"));
    // And one more, banned by the rules themselves with the set this full.
    svmap(&last);

    let banned = recent_list(&pbx.ns, "BADSIP");
    assert_eq!(
        banned.len(),
        BANS as usize + 2,
        "bans were lost (evicted or refused)"
    );
    assert!(
        banned.contains(&first.ip) && banned.contains(&last.ip),
        "the oldest or the newest ban is missing"
    );
    // Both still dropped, even naming the hostname; the phone still gets in.
    for scanner in [&first, &last] {
        send_sip(scanner, "REGISTER", HOST, "Yealink SIP-T46S");
    }
    assert!(drain(&inbox, WINDOW).is_empty(), "a banned scanner got in");
    send_sip(&phone, "REGISTER", HOST, "Yealink SIP-T46S");
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);
}

#[test]
fn without_ipset_the_xt_recent_fallback_still_protects() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("fallback");
    let phone = lab.host("phone", "enp1s0");
    let scanner = lab.host("scan", "eno1");
    let rules = render_with_env(&strict(), "ipv4", &[("ASTERISK_HARDEN_LISTS", "xt_recent")]);
    assert!(
        !rules.contains("--match-set") && rules.contains("--name BADSIP"),
        "{rules}"
    );
    assert!(rules.contains("xt_recent keeps at most ip_list_tot addresses"));
    load(&pbx.ns, &rules);
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&phone, "REGISTER", HOST, "Yealink SIP-T46S");
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);
    svmap(&scanner);
    send_sip(&scanner, "REGISTER", HOST, "Yealink SIP-T46S");
    assert!(drain(&inbox, WINDOW).is_empty(), "a banned scanner got in");
    // The lists are xt_recent's, and no set was needed.
    let proc = in_ns(&pbx.ns, "cat")
        .arg("/proc/net/xt_recent/BADSIP")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&proc.stdout).contains(&scanner.ip));
    let sets = in_ns(&pbx.ns, "ipset")
        .args(["list", "-n"])
        .output()
        .unwrap();
    assert!(sets.stdout.is_empty(), "{sets:?}");
}

#[test]
fn a_bad_list_store_override_is_refused_by_name() {
    if !lab_allowed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.toml");
    std::fs::write(&answers, strict()).unwrap();
    let out = std::process::Command::new(bin())
        .env("ASTERISK_HARDEN_LISTS", "bogus")
        .arg("--root")
        .arg(dir.path())
        .args(["render", "--answers"])
        .arg(&answers)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ASTERISK_HARDEN_LISTS=\"bogus\"") && err.contains("ipset or xt_recent"),
        "{err}"
    );
}
