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
