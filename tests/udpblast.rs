//! The benchmark's sender, smoke-tested in a namespace of its own: it sends
//! for the time asked and what it sends arrives.

mod common;

use std::process::Command;

use common::*;

#[test]
fn the_sender_sends_and_the_packets_arrive() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("blast");
    let phone = lab.host("phone", "enp1s0");
    let inbox = udp_listener(&pbx.ns, 10000);
    let out = run_checked(in_ns(&phone.ns, env!("CARGO_BIN_EXE_ah-udpblast")).args([
        "send",
        &phone.ip,
        &format!("{PBX_IP}:10000"),
        "rtp",
        "0.2",
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    let sent: u64 = text.split_whitespace().next().unwrap().parse().unwrap();
    assert!(sent > 100, "{text}");
    assert!(
        !drain(&inbox, std::time::Duration::from_millis(300)).is_empty(),
        "nothing arrived"
    );
    let usage = Command::new(env!("CARGO_BIN_EXE_ah-udpblast"))
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn the_race_sends_from_each_namespace_and_reports_each() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("race");
    let a = lab.host("a", "enp1s0");
    let b = lab.host("b", "enp2s0");
    let inbox_a = udp_listener(&pbx.ns, 10000);
    let inbox_b = udp_listener(&pbx.ns, 10004);
    // The PBX answers a's fixed port first, as the bench does for phones.
    run_checked(in_ns(&pbx.ns, env!("CARGO_BIN_EXE_ah-udpblast")).args([
        "answer",
        &format!("{PBX_IP}:10001"),
        &format!("{}:10002", a.ip),
    ]));
    let out = run_checked(Command::new(env!("CARGO_BIN_EXE_ah-udpblast")).args([
        "race",
        "rtp",
        "0.3",
        &format!("{},{}:10002,{PBX_IP}:10000", a.ns, a.ip),
        &format!("{},{},{PBX_IP}:10004", b.ns, b.ip),
    ]));
    let text = String::from_utf8_lossy(&out.stdout);
    let sent: Vec<u64> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(sent.len(), 2, "{text}");
    assert!(sent.iter().all(|n| *n > 100), "{text}");
    for (inbox, host) in [(&inbox_a, &a), (&inbox_b, &b)] {
        let got = drain(inbox, std::time::Duration::from_millis(300));
        assert!(
            sources(&got).contains(&host.ip.as_str()),
            "nothing from {}",
            host.ip
        );
    }
}
