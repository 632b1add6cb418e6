use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<Answers, AnswersError> {
    Answers::parse(text, Path::new("answers.toml"), &HostDefaults::article())
}

fn problems(text: &str) -> Vec<InvalidValue> {
    match parse(text) {
        Err(AnswersError::Invalid(p)) => p,
        other => panic!("expected refusals, got {other:?}"),
    }
}

#[test]
fn minimal_strict_file_takes_the_article_defaults() {
    let a = parse("mode = \"strict\"\n[sip]\nhostname = \"pbx-7f3k.example.net\"\n").unwrap();
    assert_eq!(a.sip.ports.to_string(), "5060:5082");
    assert_eq!(a.sip.rtp.to_string(), "10000:20000");
    assert_eq!(a.ssh.final_port(), 22);
    assert!(a.network.interface.is_none());
    assert!(a.asterisk.is_none() && a.fail2ban.is_none());
}

#[test]
fn misspelt_keys_are_errors() {
    let p = problems("mode = \"strict\"\n[sip]\nhostnme = \"a.example\"\n");
    assert_eq!(p[0].key, "sip.hostnme");
    assert!(p[0].reason.contains("unknown key"), "{}", p[0].reason);
    assert!(
        p[0].hint.contains("did you mean hostname?"),
        "{}",
        p[0].hint
    );
    let err = parse("mode = \"strcit\"\n").unwrap_err().to_string();
    assert!(
        err.contains("strcit") && err.contains("relaxed-open"),
        "{err}"
    );
}

#[test]
fn strict_needs_a_hostname_or_a_user_agent() {
    let p = problems("mode = \"strict\"\n");
    assert_eq!(p[0].key, "sip.hostname");
    assert!(parse("mode = \"strict\"\n[sip]\nuser_agents = [\"Zoiper\"]\n").is_ok());
    assert!(parse("mode = \"relaxed-open\"\n").is_ok());
}

#[test]
fn every_bad_value_is_reported_with_key_value_and_hint() {
    let p = problems(
        r#"
mode = "strict"
[network]
interface = "eth 0"
local_nets = ["10.0.0.0/33"]
trusted = ["0.0.0.0/0"]
[ssh]
port = 5070
[sip]
hostname = "pbx .example.net"
user_agents = ["Zo\"iper"]
ports = "5082:5060"
rtp = "10000:70000"
"#,
    );
    let keys: Vec<&str> = p.iter().map(|i| i.key.as_str()).collect();
    for key in [
        "network.interface",
        "network.local_nets[0]",
        "network.trusted[0]",
        "sip.ports",
        "sip.rtp",
        "sip.hostname",
        "sip.user_agents[0]",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert!(p.iter().all(|i| !i.hint.is_empty() && !i.reason.is_empty()));
}

#[test]
fn ssh_port_must_not_collide() {
    let base = "mode = \"relaxed-open\"\n[ssh]\nport = ";
    for (port, why) in [
        (5061, "SIP"),
        (15000, "RTP"),
        (3389, "trap"),
        (0, "not a port"),
        (70000, "not a port"),
    ] {
        let p = problems(&format!("{base}{port}\n"));
        assert_eq!(p[0].key, "ssh.port");
        assert!(p[0].reason.contains(why), "{port}: {}", p[0].reason);
    }
    assert_eq!(
        parse(&format!("{base}2222\n")).unwrap().ssh.final_port(),
        2222
    );
    assert_eq!(parse(&format!("{base}22\n")).unwrap().ssh.final_port(), 22);
}

#[test]
fn sip_and_rtp_may_not_overlap() {
    let p = problems("mode = \"relaxed-open\"\n[sip]\nports = \"5060:12000\"\n");
    assert_eq!(p[0].key, "sip.rtp");
}

#[test]
fn host_defaults_fill_what_the_file_leaves_out() {
    let host = HostDefaults {
        interface: Some(Interface::parse("ens3").unwrap()),
        local_nets: vec!["10.0.0.0/8".parse().unwrap()],
        ssh_port: 2200,
        sshd_ports: vec![2200],
        sip_ports: PortRange::parse("5160").unwrap(),
        rtp_ports: PortRange::parse("12000:14000").unwrap(),
        tls_port: 5161,
        interfaces: Vec::new(),
        refuse_foreign_interface: false,
    };
    let a = Answers::parse(
        "[sip]\nhostname = \"x1.example.net\"\n",
        Path::new("a"),
        &host,
    )
    .unwrap();
    assert_eq!(a.network.interface.unwrap().as_str(), "ens3");
    assert_eq!(a.ssh.final_port(), 2200);
    assert_eq!(a.sip.rtp.to_string(), "12000:14000");
    assert_eq!(a.network.local_nets, host.local_nets);
}

#[test]
fn saved_answers_read_back_the_same() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/examples/strict.toml"
    ))
    .unwrap();
    let a = parse(&text).unwrap();
    let again = parse(&a.to_toml()).unwrap();
    assert_eq!(a, again);
}

#[test]
fn wrong_types_and_unknown_keys_are_all_reported_in_words() {
    let p = problems(
        "mode = \"strict\"\nextra = 1\n[ssh]\nport = \"abc\"\nkey_only = \"yes\"\n\
         [sip]\nhostname = \"pbx-7f3k.example.net\"\ntls_port = 50.5\ntrunks = [1]\n[network]\nlocal_nets = \"10.0.0.0/8\"\n",
    );
    let keys: Vec<&str> = p.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "extra",
            "network.local_nets",
            "ssh.port",
            "ssh.key_only",
            "sip.trunks[0]",
            "sip.tls_port"
        ]
    );
    let port = &p[2];
    assert!(
        port.reason.contains("this is text, but a whole number"),
        "{}",
        port.reason
    );
    let all = AnswersError::Invalid(p.clone()).to_string();
    assert!(
        !all.contains("i64") && !all.contains("invalid type"),
        "{all}"
    );
}

#[test]
fn ssh_in_force_is_never_covered_by_sip_tls_or_rtp() {
    // SSH stays on 22: the SIP gate must not cover it.
    for (answers, key) in [
        ("[sip]\ntls_port = 22\n", "sip.tls_port"),
        ("[sip]\nports = \"1:9999\"\n", "sip.ports"),
        ("[sip]\nports = \"5060\"\nrtp = \"10:5000\"\n", "sip.rtp"),
    ] {
        let p = problems(&format!("mode = \"relaxed-open\"\n{answers}"));
        assert_eq!(p[0].key, key, "{answers}");
        assert!(
            p[0].reason.contains("port 22, where sshd listens now"),
            "{}",
            p[0].reason
        );
        assert!(
            p[0].reason.contains("ssh.port"),
            "names both keys: {}",
            p[0].reason
        );
    }
    // Moving SSH: the old port stays in force during the window.
    let p = problems("mode = \"relaxed-open\"\n[ssh]\nport = 2222\n[sip]\nports = \"1:100\"\n");
    assert_eq!(p[0].key, "sip.ports");
    assert!(p[0].reason.contains("ssh.port = 2222"), "{}", p[0].reason);
    // Every port sshd listens on counts.
    let host = HostDefaults {
        sshd_ports: vec![22, 4422],
        ..HostDefaults::article()
    };
    let err = Answers::parse(
        "mode = \"relaxed-open\"\n[sip]\nports = \"4000:4500\"\n",
        Path::new("a"),
        &host,
    )
    .unwrap_err();
    assert!(err.to_string().contains("port 4422"), "{err}");
    // The new port against the SIP keys names them.
    let p = problems("mode = \"relaxed-open\"\n[ssh]\nport = 5061\n");
    assert!(p[0].reason.contains("sip.ports"), "{}", p[0].reason);
}

#[test]
fn wide_trusted_and_trunk_networks_need_allow_wide() {
    for (answers, key) in [
        (
            "[network]\ntrusted = [\"0.0.0.0/1\", \"128.0.0.0/1\"]\n",
            "network.trusted[0]",
        ),
        (
            "[network]\ntrusted = [\"2000::/3\"]\n",
            "network.trusted[0]",
        ),
        ("[sip]\ntrunks = [\"0.0.0.0/1\"]\n", "sip.trunks[0]"),
    ] {
        let p = problems(&format!("mode = \"relaxed-open\"\n{answers}"));
        assert_eq!(p[0].key, key, "{answers}");
        assert!(p[0].reason.contains("of the whole IPv"), "{}", p[0].reason);
        assert!(p[0].hint.contains("allow_wide = true"), "{}", p[0].hint);
    }
    let a = parse(
        "mode = \"relaxed-open\"\n[network]\nallow_wide = true\ntrusted = [\"0.0.0.0/1\"]\n\
         [sip]\nallow_wide = true\ntrunks = [\"2000::/3\"]\n",
    )
    .unwrap();
    assert!(a.network.allow_wide && a.sip.allow_wide);
    assert_eq!(parse(&a.to_toml()).unwrap(), a, "allow_wide is saved");
    assert!(
        problems(
            "mode = \"relaxed-open\"\n[network]\nallow_wide = true\ntrusted = [\"0.0.0.0/0\"]\n"
        )[0]
        .reason
        .contains("whole Internet")
    );
}

#[test]
fn noload_takes_module_names_only() {
    let p = problems(
        "mode = \"relaxed-open\"\n[asterisk]\nnoload = [\"chan_iax2.so\\n#exec /bin/touch /tmp/x\", \"chan_skinny\", \"../../x\", \"\"]\n",
    );
    let keys: Vec<&str> = p.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "asterisk.noload[0]",
            "asterisk.noload[2]",
            "asterisk.noload[3]"
        ]
    );
    assert!(p[0].reason.contains("a line break"), "{}", p[0].reason);
}

#[test]
fn long_values_are_cut_short_in_messages() {
    let long = "x".repeat(100_000);
    let err = parse(&format!(
        "mode = \"relaxed-open\"\n[sip]\nports = \"{long}\"\n"
    ))
    .unwrap_err();
    let text = err.to_string();
    assert!(text.len() < 1000, "{} bytes", text.len());
    assert!(text.contains("100000 characters in all"), "{text}");
    let err = parse(&format!("mode = \"relaxed-open\"\n{long} = \n")).unwrap_err();
    assert!(err.to_string().len() < 2000, "syntax errors too");
}

#[test]
fn an_interface_this_host_lacks_is_refused_only_when_asked() {
    let mut host = HostDefaults {
        interfaces: vec!["lo".into(), "ens3".into()],
        interface: Some(Interface::parse("ens3").unwrap()),
        ..HostDefaults::article()
    };
    let text = "mode = \"relaxed-open\"\n[network]\ninterface = \"eth+\"\n";
    assert!(Answers::parse(text, Path::new("a"), &host).is_ok());
    host.refuse_foreign_interface = true;
    let err = Answers::parse(text, Path::new("a"), &host)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("network.interface") && err.contains("ens3"),
        "{err}"
    );
}
