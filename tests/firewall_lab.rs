//! The rules in a real kernel: each test builds its own namespaces, loads the
//! rendered rules into the PBX namespace with the real iptables-restore, and
//! sends real traffic from phones and scanners.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;

const HOST: &str = "pbx-lab7.example.net";
const WINDOW: Duration = Duration::from_millis(600);

fn strict_answers(extra_sip: &str) -> String {
    format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         [sip]\nhostname = \"{HOST}\"\n{extra_sip}"
    )
}

#[test]
fn strict_admits_phones_that_name_the_hostname_and_bans_svmap() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("strict");
    let phone = lab.host("phone", "enp1s0");
    let stranger = lab.host("stranger", "enp1s0");
    let scanner = lab.host("scan", "eno1");
    // A host from a private range the server is not in: a bogon for this PBX.
    let outsider = lab.attach("outsider", "eth0", "172.16.9.2");
    lab.add_address(&pbx, "ens3", "172.16.9.1/24");
    load(&pbx.ns, &render(&strict_answers(""), "ipv4"));
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&phone, "REGISTER", PBX_IP, "Yealink SIP-T46S");
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "a REGISTER without the hostname got in"
    );

    send_sip(&phone, "REGISTER", HOST, "Yealink SIP-T46S");
    assert_eq!(
        sources(&drain(&inbox, WINDOW)),
        [phone.ip.as_str()],
        "the hostname REGISTER was dropped"
    );
    // Known now: its later requests need not name the hostname.
    send_sip(&phone, "OPTIONS", PBX_IP, "Yealink SIP-T46S");
    assert_eq!(
        sources(&drain(&inbox, WINDOW)),
        [phone.ip.as_str()],
        "a known phone's later request was dropped"
    );
    assert!(recent_list(&pbx.ns, "MYSIP").contains(&phone.ip));

    // Another source without the hostname stays out.
    send_sip(&stranger, "INVITE", PBX_IP, "Grandstream");
    assert!(drain(&inbox, WINDOW).is_empty(), "a stranger got in");

    // svmap finds nothing and lands on BADSIP.
    let report = svmap(&scanner);
    assert!(!report.contains(PBX_IP), "svmap found the PBX:\n{report}");
    assert!(
        recent_list(&pbx.ns, "BADSIP").contains(&scanner.ip),
        "svmap not banned:\n{report}"
    );
    assert!(drain(&inbox, WINDOW).is_empty());
    // Banned: even a request naming the hostname is dropped now.
    send_sip(&scanner, "REGISTER", HOST, "Yealink SIP-T46S");
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "a banned scanner got in with the hostname"
    );
    assert!(!recent_list(&pbx.ns, "MYSIP").contains(&scanner.ip));

    // A bogon source is dropped even with the hostname; the lab's own network is not.
    let o = udp_sender(&outsider.ns);
    send_udp(
        &o,
        "172.16.9.1",
        5060,
        &sip_request("REGISTER", HOST, &outsider.ip, "Yealink"),
    );
    assert!(drain(&inbox, WINDOW).is_empty(), "a bogon source got in");
}

#[test]
fn relaxed_open_admits_plain_phones_but_not_scanners() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("open");
    let phone = lab.host("phone", "enp1s0");
    let svmap_host = lab.host("svmap", "eno1");
    let sipsak_host = lab.host("sipsak", "eno2");
    let crafted = lab.host("crafted", "eno3");
    let answers = format!(
        "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n"
    );
    load(&pbx.ns, &render(&answers, "ipv4"));
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&phone, "REGISTER", PBX_IP, "Yealink SIP-T46S");
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);

    let report = svmap(&svmap_host);
    assert!(!report.contains(PBX_IP), "svmap found the PBX:\n{report}");
    let out = in_ns(&sipsak_host.ns, "sipsak")
        .args(["-s", &format!("sip:100@{PBX_IP}"), "-D", "1"])
        .output()
        .unwrap();
    send_sip(&crafted, "OPTIONS", PBX_IP, "friendly-scanner");
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "a scanner got through: sipsak said {out:?}"
    );
    let banned = recent_list(&pbx.ns, "BADSIP");
    for h in [&svmap_host, &sipsak_host, &crafted] {
        assert!(banned.contains(&h.ip), "{} not banned: {banned:?}", h.ns);
    }
    // Once banned, an ordinary-looking request is dropped too.
    send_sip(&crafted, "REGISTER", PBX_IP, "Yealink SIP-T46S");
    assert!(drain(&inbox, WINDOW).is_empty(), "a banned source got in");
    // The phone still works.
    send_sip(&phone, "OPTIONS", PBX_IP, "Yealink SIP-T46S");
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);
}

#[test]
fn zoiper_option_admits_zoiper_3_and_5_only() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("zoiper");
    let z3 = lab.host("z3", "enp1s0");
    let z5 = lab.host("z5", "enp1s0");
    let other = lab.host("linphone", "enp1s0");
    let answers = format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         [sip]\nuser_agents = [\"Zoiper\"]\n"
    );
    load(&pbx.ns, &render(&answers, "ipv4"));
    let inbox = udp_listener(&pbx.ns, 5060);
    for (host, ua) in [(&z3, "Zoiper rev.5415"), (&z5, "Z 5.6.6 v2.10.20.5")] {
        send_sip(host, "REGISTER", PBX_IP, ua);
        assert_eq!(
            sources(&drain(&inbox, WINDOW)),
            [host.ip.as_str()],
            "{ua} was dropped"
        );
    }
    send_sip(
        &other,
        "REGISTER",
        PBX_IP,
        "Linphone/5.2.0 (belle-sip/5.2.0)",
    );
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "a non-Zoiper client got in"
    );
}

#[test]
fn relaxed_raw_keeps_the_admins_filter_rules() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("raw");
    let phone = lab.host("phone", "enp1s0");
    let scanner = lab.host("scan", "eno1");
    let admin_rules = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
        -A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n\
        -A INPUT -p udp -m udp --dport 5060 -j ACCEPT\nCOMMIT\n";
    load(&pbx.ns, admin_rules);
    let filter_before = save_table(&pbx.ns, "filter");
    let ours = render(
        "mode = \"relaxed-raw\"\n[network]\ninterface = \"ens3\"\n",
        "ipv4",
    );
    assert!(
        !ours.contains("*filter") && !ours.contains("NEWSIP"),
        "relaxed-raw must be raw only:\n{ours}"
    );
    let out = restore(&pbx.ns, "iptables-restore", &["--noflush"], &ours);
    assert_ok(&out);
    assert_eq!(
        save_table(&pbx.ns, "filter"),
        filter_before,
        "the admin's filter rules changed"
    );

    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&phone, "REGISTER", PBX_IP, "Yealink SIP-T46S");
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);
    let report = svmap(&scanner);
    assert!(!report.contains(PBX_IP), "svmap found the PBX:\n{report}");
    assert!(recent_list(&pbx.ns, "BADSIP").contains(&scanner.ip));
}

fn save_table(ns: &str, table: &str) -> String {
    let out = run_checked(in_ns(ns, "iptables-save").args(["-t", table]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn tcp_sip_data_is_dropped_until_the_hostname_is_seen() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("tcp");
    let phone = lab.host("phone", "enp1s0");
    let stranger = lab.host("stranger", "enp1s0");
    load(&pbx.ns, &render(&strict_answers(""), "ipv4"));
    let listener = tcp_listener(&pbx.ns, 5060);

    // The handshake is accepted (so the first segment can be inspected)...
    assert!(tcp_send(
        &stranger.ns,
        PBX_IP,
        5060,
        &sip_request("REGISTER", PBX_IP, &stranger.ip, "Yealink")
    ));
    // ...but nothing without the hostname reaches Asterisk.
    assert!(
        tcp_drain(&listener, Duration::from_millis(1500)).is_empty(),
        "TCP data without the hostname got in"
    );

    assert!(tcp_send(
        &phone.ns,
        PBX_IP,
        5060,
        &sip_request("REGISTER", HOST, &phone.ip, "Yealink")
    ));
    let got = tcp_drain(&listener, Duration::from_millis(1500));
    assert_eq!(sources(&got), [phone.ip.as_str()]);
    assert!(got[0].1.contains(&format!("sip:{HOST}")));
}

#[test]
fn tls_handshake_completes_only_with_the_hostname_as_sni() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("tls");
    let phone = lab.host("phone", "enp1s0");
    let stranger = lab.host("stranger", "enp1s0");
    load(&pbx.ns, &render(&strict_answers(""), "ipv4"));
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("key.pem"), dir.path().join("cert.pem"));
    run_checked(
        Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "1",
            ])
            .args(["-subj", &format!("/CN={HOST}"), "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert),
    );
    let mut server = in_ns(&pbx.ns, "openssl")
        .args(["s_server", "-quiet", "-accept", "5061", "-cert"])
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("s_server");
    std::thread::sleep(Duration::from_millis(500));
    let handshake = |host: &Host, sni: &str| -> bool {
        let out = Command::new("timeout")
            .args([
                "5", "ip", "netns", "exec", &host.ns, "openssl", "s_client", "-brief",
            ])
            .args(["-connect", &format!("{PBX_IP}:5061"), "-servername", sni])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr).contains("CONNECTION ESTABLISHED")
    };
    let wrong = handshake(&stranger, "other.example.net");
    let right = handshake(&phone, HOST);
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        !wrong,
        "a TLS client with the wrong SNI completed its handshake"
    );
    assert!(
        right,
        "a TLS phone naming the hostname in its SNI could not connect"
    );
    assert!(recent_list(&pbx.ns, "MYSIP").contains(&phone.ip));
}

/// A known phone that knocks on a trap port (VNC, 5900) is dropped on every
/// port, fast path included, and cannot buy its way back with the hostname.
fn trap_holds_against_a_known_phone(lists: &str) {
    let (mut lab, pbx) = Lab::new(&format!("trap-{}", &lists[..3]));
    let phone = lab.host("phone", "enp1s0");
    let knocker = lab.host("knock", "eno1");
    let rules = render_with_env(
        &strict_answers(""),
        "ipv4",
        &[("ASTERISK_HARDEN_LISTS", lists)],
    );
    load(&pbx.ns, &rules);
    let inbox = udp_listener(&pbx.ns, 5060);
    for h in [&phone, &knocker] {
        send_sip(h, "REGISTER", HOST, "Yealink SIP-T46S");
    }
    assert_eq!(
        drain(&inbox, WINDOW).len(),
        2,
        "the phones were not admitted"
    );

    assert!(
        !tcp_send(&knocker.ns, PBX_IP, 5900, "RFB 003.008\n"),
        "the trap port answered"
    );
    assert!(recent_list(&pbx.ns, "RLM").contains(&knocker.ip));
    assert!(
        !recent_list(&pbx.ns, "MYSIP").contains(&knocker.ip),
        "a trapped source is still a known phone"
    );
    send_sip(&knocker, "OPTIONS", PBX_IP, "Yealink SIP-T46S");
    send_sip(&knocker, "REGISTER", HOST, "Yealink SIP-T46S");
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "a trapped phone got in ({lists})"
    );
    assert!(!recent_list(&pbx.ns, "MYSIP").contains(&knocker.ip));
    // The other phone is untouched.
    send_sip(&phone, "OPTIONS", PBX_IP, "Yealink SIP-T46S");
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);
}

#[test]
fn a_port_scan_trap_drops_even_a_known_phone() {
    if !lab_allowed() {
        return;
    }
    trap_holds_against_a_known_phone("ipset");
}

#[test]
fn a_port_scan_trap_drops_even_a_known_phone_with_xt_recent() {
    if !lab_allowed() {
        return;
    }
    trap_holds_against_a_known_phone("xt_recent");
}
