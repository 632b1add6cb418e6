//! The probe in a namespace that looks like a modern server (ens3, a default
//! route, a DOCKER chain) over a sandbox /etc (rtp.conf 12000-14000, a PJSIP
//! transport on 5160, ufw enabled): `probe --json` reports each, and a
//! minimal answers file renders rules with those values that load in a real
//! kernel and let a phone on the server's own network in.

mod common;

use std::time::Duration;

use common::sandbox::Sandbox;
use common::*;

const HOST: &str = "pbx-probe.example.net";

fn sandbox() -> Sandbox {
    let sb = Sandbox::debian();
    sb.write(
        "/etc/os-release",
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
        0o644,
    );
    sb.write(
        "/etc/asterisk/rtp.conf",
        "[general]\nrtpstart=12000\nrtpend=14000\n",
        0o644,
    );
    sb.write(
        "/etc/asterisk/pjsip.conf",
        "[transport-udp]\ntype=transport\nprotocol=udp\nbind=0.0.0.0:5160\n\n[transport-tcp]\ntype=transport\nprotocol=tcp\nbind=0.0.0.0:5160\n",
        0o644,
    );
    sb.write(
        "/etc/ufw/ufw.conf",
        "# /etc/ufw/ufw.conf\nENABLED=yes\nLOGLEVEL=low\n",
        0o644,
    );
    sb
}

#[test]
fn probe_reports_the_host_and_its_defaults_make_working_rules() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("probe");
    let phone = lab.host("phone", "enp1s0");
    lab.ip(
        &pbx.ns,
        &[
            "route",
            "add",
            "default",
            "via",
            "10.77.0.254",
            "dev",
            "ens3",
        ],
    );
    run_checked(in_ns(&pbx.ns, "iptables").args(["-N", "DOCKER"]));
    let sb = sandbox();

    let out = sb.run(&pbx.ns, &["probe", "--json"]);
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["network"]["interface"], "ens3", "{v}");
    assert_eq!(v["network"]["private_networks"][0], "10.77.0.0/24");
    assert_eq!(v["asterisk"]["rtp"][0], 12000);
    assert_eq!(v["asterisk"]["rtp"][1], 14000);
    assert_eq!(v["asterisk"]["transports"][0]["port"], 5160);
    assert_eq!(v["firewall"]["ufw_enabled"], true);
    assert!(
        v["firewall"]["foreign_chains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "DOCKER"),
        "{v}"
    );
    assert_eq!(v["firewall"]["matches_work"], true);
    assert_eq!(v["system"]["distro"], "debian");
    let warnings = v["warnings"].to_string();
    assert!(
        warnings.contains("ufw") && warnings.contains("Docker"),
        "{warnings}"
    );
    // The match test leaves no trace.
    assert!(
        !String::from_utf8_lossy(&run_checked(&mut in_ns(&pbx.ns, "iptables-save")).stdout)
            .contains("AH-PROBE")
    );
    let plain = String::from_utf8_lossy(&sb.run(&pbx.ns, &["probe"]).stdout).into_owned();
    for (what, source) in [
        ("ens3", "ip -j route"),
        ("12000-14000", "/etc/asterisk/rtp.conf:2"),
        ("5160", "/etc/asterisk/pjsip.conf:4"),
    ] {
        assert!(
            plain.contains(what) && plain.contains(source),
            "{what} [{source}] missing:\n{plain}"
        );
    }

    // A minimal answers file takes everything else from the probe.
    let answers = sb.answers(&format!(
        "mode = \"strict\"\n[sip]\nhostname = \"{HOST}\"\n"
    ));
    let rules = String::from_utf8(
        run_checked(sb.command(&pbx.ns, &["render", "--answers"]).arg(&answers)).stdout,
    )
    .unwrap();
    assert!(rules.contains("-A PREROUTING -i ens3 -j SIPRAW"), "{rules}");
    assert!(
        rules.contains("--dport 12000:14000 -j ACCEPT"),
        "RTP range not from rtp.conf"
    );
    assert!(
        rules.contains("-p udp --dport 5160 -j UDPSIP"),
        "SIP port not from pjsip.conf"
    );
    assert!(
        rules.contains("-A INPUT -p tcp --dport 22 -j ACCEPT"),
        "the current SSH port is not accepted"
    );
    assert!(
        !rules.contains("-A BOGONS -s 10.0.0.0/8 -j DROP")
            || rules.contains("-A BOGONS -s 10.77.0.0/24 -j RETURN")
    );

    load(&pbx.ns, &rules);
    let inbox = udp_listener(&pbx.ns, 5160);
    let sock = udp_sender(&phone.ns);
    send_udp(
        &sock,
        PBX_IP,
        5160,
        &sip_request("REGISTER", HOST, &phone.ip, "Yealink SIP-T46S"),
    );
    assert_eq!(
        sources(&drain(&inbox, Duration::from_millis(600))),
        [phone.ip.as_str()],
        "the local phone was dropped"
    );
}
