use super::*;

#[test]
fn hostnames() {
    assert!(Hostname::parse("pbx-7f3k.example.net").is_ok());
    for bad in [
        "",
        "pbx",
        "pbx .example.net",
        "pbx\".example.net",
        "a..b",
        "-a.b",
        "a-.b",
        "1.2.3.4",
        "pbx.example.net.",
        "pbx\n.example.net",
        "pbx;x.example",
    ] {
        assert!(Hostname::parse(bad).is_err(), "{bad:?} accepted");
    }
    assert!(Hostname::parse(&format!("{}.net", "a".repeat(64))).is_err());
    assert!(
        Hostname::parse(&(["abc"; 70].join("."))).is_err(),
        "> 253 chars"
    );
}

#[test]
fn user_agents() {
    assert!(UserAgent::parse("Zoiper").is_ok());
    assert!(UserAgent::parse("Z 5.6.6 v2").is_ok());
    for bad in [
        "Zo\"iper",
        "Zoi\nper",
        "Z",
        " Zoiper",
        "Zoiperé",
        &"x".repeat(65),
    ] {
        assert!(UserAgent::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn interfaces() {
    for ok in ["ens3", "enp0s31f6", "ens+", "bond0.100", "br-lan"] {
        assert!(Interface::parse(ok).is_ok(), "{ok} refused");
    }
    for bad in [
        "",
        "eth 0",
        "a/b",
        "sixteen-chars-xx",
        "-i",
        "e+th",
        "lo",
        "eth0:1",
        "!eth0",
        "+",
        "l+",
        "lo+",
    ] {
        assert!(Interface::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn interfaces_against_the_host() {
    let host = ["lo".to_string(), "ens3".to_string(), "ens4".to_string()];
    let i = |s: &str| Interface::parse(s).unwrap();
    assert!(i("ens+").on_host(&host, Some("ens3")).is_none());
    assert!(i("ens4").on_host(&host, Some("ens3")).is_none());
    let r = i("eth+").on_host(&host, Some("ens3")).unwrap();
    assert!(
        r.reason.contains("ens3, ens4") && r.reason.contains("default route goes through ens3")
    );
    assert!(r.hint.contains("\"ens3\""));
    assert!(i("eth0").on_host(&host, None).is_some());
    assert!(
        i("eth0").on_host(&[], None).is_none(),
        "unknown host: no verdict"
    );
    assert!(i("e+").matches("eth0") && !i("eth0").matches("eth01"));
}

#[test]
fn wide_networks() {
    let n = |s: &str| network(s).unwrap();
    let r = too_wide(&n("0.0.0.0/1"), "network").unwrap();
    assert!(
        r.reason.contains("half") && r.reason.contains("2,147,483,648"),
        "{}",
        r.reason
    );
    assert!(r.hint.contains("allow_wide = true under [network]"));
    assert!(
        too_wide(&n("2000::/3"), "sip")
            .unwrap()
            .reason
            .contains("1/8 of the whole IPv6")
    );
    assert!(too_wide(&n("10.0.0.0/8"), "network").is_none());
    assert!(too_wide(&n("2001:db8::/16"), "network").is_none());
    assert!(too_wide(&n("2001::/15"), "network").is_some());
}

#[test]
fn asterisk_modules() {
    for ok in [
        "chan_iax2",
        "chan_iax2.so",
        "res_config_sqlite.so",
        "app_dial",
    ] {
        assert!(AsteriskModule::parse(ok).is_ok(), "{ok} refused");
    }
    assert_eq!(
        AsteriskModule::parse("chan_iax2").unwrap().to_string(),
        "chan_iax2.so"
    );
    for bad in [
        "",
        ".so",
        "chan_iax2.so\n#exec /bin/touch /tmp/x",
        "chan_iax2.so\n[general]\nload => evil.so",
        "../../../tmp/evil",
        "chan\0iax2",
        "chan iax2",
        "CHAN_IAX2.SO",
        "chan-iax2",
        "2chan",
        &"a".repeat(65),
    ] {
        assert!(AsteriskModule::parse(bad).is_err(), "{bad:?} accepted");
    }
    assert!(
        AsteriskModule::parse("CHAN_IAX2")
            .unwrap_err()
            .hint
            .contains("\"chan_iax2.so\"")
    );
}

#[test]
fn port_ranges() {
    assert_eq!(
        PortRange::parse("5060:5082").unwrap().to_string(),
        "5060:5082"
    );
    assert_eq!(PortRange::parse("5060").unwrap().to_string(), "5060");
    for bad in ["0", "5082:5060", "1:70000", "5060-5082", "x", ""] {
        assert!(PortRange::parse(bad).is_err(), "{bad:?} accepted");
    }
    assert!(port(0).is_err() && port(65536).is_err() && port(-1).is_err());
    assert_eq!(port(2222).unwrap(), 2222);
}

#[test]
fn networks() {
    assert_eq!(network("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
    assert_eq!(
        network("203.0.113.7").unwrap().to_string(),
        "203.0.113.7/32"
    );
    assert_eq!(
        network("2001:db8::7").unwrap().to_string(),
        "2001:db8::7/128"
    );
    assert!(network("0.0.0.0/0").is_err());
    assert!(network("10.0.0.0/33").is_err());
    assert!(matches!(
        Trunk::parse("sip.provider.example"),
        Ok(Trunk::Name(_))
    ));
    assert!(matches!(
        Trunk::parse("198.51.100.0/24"),
        Ok(Trunk::Network(_))
    ));
    assert!(Trunk::parse("sip provider").is_err());
}
