//! The quiet list in a real kernel: a stranger that keeps sending SIP
//! without the hostname loses its UDP SIP and RTP for a short while, at the
//! cost of one lookup per packet, and nothing else changes: other phones
//! register, SSH from the quieted address works (a real sshd), a trusted
//! source is never quieted, and the entry expires.

mod common;

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use common::*;

const HOST: &str = "pbx-quiet.example.net";
const WINDOW: Duration = Duration::from_millis(600);
/// Short, so the test sees the entry expire (the answers' sip.quiet_seconds).
const QUIET_SECONDS: u64 = 3;

/// A real sshd on port 22 in a namespace, with a throwaway host key.
struct Sshd(Child);

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sshd(ns: &str, dir: &Path) -> Sshd {
    std::fs::create_dir_all("/run/sshd").unwrap();
    let key = dir.join("host_ed25519");
    run_checked(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key),
    );
    let sshd = ["/usr/sbin/sshd", "/sbin/sshd"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("sshd");
    let child = in_ns(ns, sshd)
        .args([
            "-D",
            "-e",
            "-f",
            "/dev/null",
            "-p",
            "22",
            "-o",
            "PidFile=none",
            "-o",
            "UsePAM=no",
            "-h",
        ])
        .arg(&key)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start sshd");
    Sshd(child)
}

/// sshd's banner reaches `ns` (the handshake and the first data both pass).
fn ssh_banner(ns: &str) -> bool {
    within(ns, move || {
        for _ in 0..20 {
            let addr = format!("{PBX_IP}:22").parse().unwrap();
            if let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut buf = [0u8; 64];
                return matches!(std::io::Read::read(&mut s, &mut buf), Ok(n) if buf[..n].starts_with(b"SSH-2.0"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    })
}

/// What a password guesser that hides its signature sends: an ordinary user
/// agent, the server's address instead of the hostname, over and over.
fn flood(from: &Host, n: usize) {
    let sock = udp_sender(&from.ns);
    for _ in 0..n {
        send_udp(
            &sock,
            PBX_IP,
            5060,
            &sip_request("REGISTER", PBX_IP, &from.ip, "Grandstream GXP2170"),
        );
    }
}

fn rtp(from: &Host) {
    send_udp(
        &udp_sender(&from.ns),
        PBX_IP,
        10000,
        "\u{80}\0\0\u{1}rtp-ish payload",
    );
}

fn quiet_holds(lists: &str) {
    let (mut lab, pbx) = Lab::new(&format!("quiet-{}", &lists[..3]));
    let stranger = lab.host("stranger", "enp1s0");
    let phone = lab.host("phone", "eno1");
    let trusted = lab.host("trusted", "eth0");
    let answers = format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         trusted = [\"{}/32\"]\n[sip]\nhostname = \"{HOST}\"\nquiet_seconds = {QUIET_SECONDS}\n",
        trusted.ip
    );
    load(
        &pbx.ns,
        &render_with_env(&answers, "ipv4", &[("ASTERISK_HARDEN_LISTS", lists)]),
    );
    let dir = tempfile::tempdir().unwrap();
    let _sshd = start_sshd(&pbx.ns, dir.path());
    let sip = udp_listener(&pbx.ns, 5060);
    let media = udp_listener(&pbx.ns, 10000);

    // Before: a stranger's RTP reaches the PBX (strict mode keeps RTP open).
    rtp(&stranger);
    assert_eq!(
        sources(&drain(&media, WINDOW)),
        [stranger.ip.as_str()],
        "RTP from a stranger did not arrive before"
    );
    flood(&stranger, 3);
    assert!(
        !recent_list(&pbx.ns, "QUIET").contains(&stranger.ip),
        "quieted after 3 requests ({lists})"
    );

    flood(&stranger, 30);
    assert!(
        drain(&sip, WINDOW).is_empty(),
        "SIP without the hostname got in"
    );
    assert!(
        recent_list(&pbx.ns, "QUIET").contains(&stranger.ip),
        "the flooding stranger was not quieted ({lists})"
    );
    // `status` lists it, with the time it has left.
    let listed = quieted_in_status(&pbx.ns);
    assert_eq!(
        listed.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        [stranger.ip.as_str()],
        "status --json quieted_strangers ({lists})"
    );
    assert!(
        (1..=QUIET_SECONDS).contains(&listed[0].1),
        "{listed:?} ({lists})"
    );
    // Quiet: its RTP, and even its hostname, are dropped now.
    rtp(&stranger);
    assert!(
        drain(&media, WINDOW).is_empty(),
        "a quieted stranger's RTP got in ({lists})"
    );
    send_sip(&stranger, "REGISTER", HOST, "Grandstream GXP2170");
    assert!(
        drain(&sip, WINDOW).is_empty(),
        "a quieted stranger got in with the hostname"
    );

    // A phone from another address still registers.
    send_sip(&phone, "REGISTER", HOST, "Yealink SIP-T46S");
    assert_eq!(
        sources(&drain(&sip, WINDOW)),
        [phone.ip.as_str()],
        "a phone could not register beside a quieted stranger"
    );
    // SSH from the quieted address still works (a real sshd's banner).
    assert!(
        ssh_banner(&stranger.ns),
        "SSH from a quieted address failed ({lists})"
    );

    // A trusted source is never quieted, however it sends.
    flood(&trusted, 40);
    assert_eq!(
        drain(&sip, WINDOW).len(),
        40,
        "a trusted source's SIP was dropped"
    );
    assert!(
        !recent_list(&pbx.ns, "QUIET").contains(&trusted.ip),
        "a trusted source was quieted ({lists})"
    );

    // The entry expires: the stranger's RTP arrives again.
    std::thread::sleep(Duration::from_secs(QUIET_SECONDS + 1));
    if lists == "ipset" {
        assert!(
            !recent_list(&pbx.ns, "QUIET").contains(&stranger.ip),
            "the quiet entry did not expire"
        );
    }
    rtp(&stranger);
    assert_eq!(
        sources(&drain(&media, WINDOW)),
        [stranger.ip.as_str()],
        "still quiet after {QUIET_SECONDS} s ({lists})"
    );

    // Quieted again, then lifted by hand: `unban` takes it off the quiet
    // list (what `u` does on the Status screen), its RTP arrives at once.
    flood(&stranger, 30);
    assert_eq!(
        quieted_in_status(&pbx.ns).len(),
        1,
        "not quieted again ({lists})"
    );
    let root = tempfile::tempdir().unwrap();
    let out = in_ns(&pbx.ns, bin().to_str().unwrap())
        .arg("--root")
        .arg(root.path())
        .args(["unban", &stranger.ip])
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("taken off the quiet list (QUIET)"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    rtp(&stranger);
    assert_eq!(
        sources(&drain(&media, WINDOW)),
        [stranger.ip.as_str()],
        "still quiet after unban ({lists})"
    );

    // A ban (made here by hand, as `ban`, the watcher or a boot restore
    // would) is copied onto QUIET by the banned source's next packet, and
    // the copy outlives a quiet entry: its RTP stays dropped.
    if lists == "ipset" {
        assert_ok(
            &in_ns(&pbx.ns, "ipset")
                .args(["add", "ah-BADSIP", &stranger.ip])
                .output()
                .unwrap(),
        );
        send_sip(&stranger, "OPTIONS", PBX_IP, "Grandstream GXP2170");
        assert!(drain(&sip, WINDOW).is_empty(), "a banned source got in");
        std::thread::sleep(Duration::from_secs(QUIET_SECONDS + 1));
        assert!(
            recent_list(&pbx.ns, "QUIET").contains(&stranger.ip),
            "the ban's copy on QUIET expired like a quiet entry"
        );
        rtp(&stranger);
        assert!(
            drain(&media, WINDOW).is_empty(),
            "a banned source's RTP got in"
        );
        // The copy is a ban, not a quieted stranger.
        assert!(quieted_in_status(&pbx.ns).is_empty());
    }
}

/// `status --json`'s quieted strangers: (address, seconds left).
fn quieted_in_status(ns: &str) -> Vec<(String, u64)> {
    let root = tempfile::tempdir().unwrap();
    let out = in_ns(ns, bin().to_str().unwrap())
        .arg("--root")
        .arg(root.path())
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert_ok(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["quieted_strangers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["address"].as_str().unwrap().to_string(),
                e["expires_in"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_flooding_stranger_is_quieted_and_nothing_else() {
    if !lab_allowed() {
        return;
    }
    quiet_holds("ipset");
}

#[test]
fn a_flooding_stranger_is_quieted_and_nothing_else_with_xt_recent() {
    if !lab_allowed() {
        return;
    }
    quiet_holds("xt_recent");
}
