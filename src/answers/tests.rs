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
    let err = parse("mode = \"strict\"\n[sip]\nhostnme = \"a.example\"\n").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("hostnme"), "{text}");
    assert!(matches!(err, AnswersError::Syntax { .. }));
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
        sip_ports: PortRange::parse("5160").unwrap(),
        rtp_ports: PortRange::parse("12000:14000").unwrap(),
        tls_port: 5161,
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
