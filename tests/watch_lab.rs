//! `watch` against the lab's real Asterisk (PJSIP) in relaxed-open: apply
//! writes its AMI user, the watcher follows the security events, a phone
//! that registers is a known phone within a second, five wrong passwords
//! ban a source within a second (its next packets dropped in the raw
//! table), a trusted source is never banned, the watcher reconnects after
//! an Asterisk restart, and `status` says why.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use common::asterisk::*;
use common::sandbox::Sandbox;
use common::*;

const UA: &str = "Yealink SIP-T46S";

/// The watcher, killed (by its own pid) when dropped; its lines on a channel.
struct Watcher {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Watcher {
    fn start(sb: &Sandbox, pbx: &Pbx) -> Self {
        let mut child = sb
            .command(&pbx.ns, &["watch"])
            .env("PATH", pbx.path_env())
            .env_remove("SSH_CONNECTION")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        Watcher {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Wait for a line containing `text` (counting from the start).
    fn wait_for(&mut self, text: &str, nth: usize, within: Duration) {
        let end = Instant::now() + within;
        while self.seen.iter().filter(|l| l.contains(text)).count() < nth {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(_) => panic!(
                    "the watcher never said {text:?} ({nth}):\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// When `ip` first shows on `list`, polling every 5 ms for up to `within`.
fn on_list_at(ns: &str, list: &str, ip: &str, within: Duration) -> Option<SystemTime> {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if recent_list(ns, list).iter().any(|a| a == ip) {
            return Some(SystemTime::now());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// The EventTV of the last security event `event` naming `ip` in Asterisk's
/// security log: when Asterisk decided.
fn event_time(pbx: &Pbx, event: &str, ip: &str) -> SystemTime {
    let log = pbx.security_log();
    let line = log
        .lines()
        .rfind(|l| {
            l.contains(&format!("SecurityEvent=\"{event}\"")) && l.contains(&format!("/{ip}/"))
        })
        .unwrap_or_else(|| panic!("no {event} from {ip} in the security log:\n{log}"));
    let tv = line
        .split("EventTV=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    humantime::parse_rfc3339(&tv.replace("+0000", "Z")).unwrap()
}

/// Packets the raw table dropped as banned (the BADSIP set's drop rule).
fn banned_drops(ns: &str) -> u64 {
    raw_set_rule_packets(ns, "ah-BADSIP", "DROP")
}

fn ms(later: SystemTime, earlier: SystemTime) -> u128 {
    later
        .duration_since(earlier)
        .unwrap_or_default()
        .as_millis()
}

#[test]
fn watch_learns_phones_and_bans_guessers_from_the_real_asterisk() {
    let Some(asterisk) = asterisk_allowed() else {
        return;
    };
    let (mut lab, pbx_host) = Lab::new("watch");
    let phone_host = lab.host("phone", "enp1s0");
    let guesser_host = lab.host("guess", "eno1");
    let office = lab.host("office", "eno2");
    let late_guesser = lab.host("late", "eno3");
    let sb = Sandbox::debian();
    let mut pbx = Pbx::start(&asterisk, &sb, &pbx_host.ns);
    let answers = sb.answers(&format!(
        "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\ntrusted = [\"{}\"]\n\
         [sip]\n[responsive]\nenabled = true\n",
        office.ip
    ));
    let out = sb
        .command(
            &pbx_host.ns,
            &["apply", "--yes", "--no-confirm", "--answers"],
        )
        .arg(&answers)
        .env("PATH", pbx.path_env())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_ok(&out);
    let secret_text =
        std::fs::read_to_string(sb.path("/etc/asterisk-harden/ami-watch.secret")).unwrap();
    assert!(
        !output_text(&out).contains(secret_text.trim()),
        "apply printed the watcher's secret"
    );
    // Its own AMI user: security events only, the secret 0600.
    let manager = std::fs::read_to_string(sb.path("/etc/asterisk/manager.conf")).unwrap();
    assert!(
        manager.contains("[asterisk-harden-watch]")
            && manager.contains("read = security\nwrite =\n"),
        "{manager}"
    );
    let secret = sb.path("/etc/asterisk-harden/ami-watch.secret");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        sb.path("/etc/systemd/system/asterisk-harden-watch.service")
            .exists()
    );

    let mut w = Watcher::start(&sb, &pbx);
    w.wait_for("connected to AMI", 1, Duration::from_secs(10));

    // An unknown phone with the right password: a known phone within 1 s.
    let phone = Phone::new(&phone_host, "6001", "6001secret", UA);
    assert!(phone.register(PBX_IP).success);
    let listed = on_list_at(
        &pbx_host.ns,
        "MYSIP",
        &phone_host.ip,
        Duration::from_secs(3),
    )
    .expect("the phone never became known");
    let known_ms = ms(listed, event_time(&pbx, "SuccessfulAuth", &phone_host.ip));
    eprintln!("LATENCY known phone: {known_ms} ms from Asterisk's SuccessfulAuth to the MYSIP set");
    assert!(known_ms < 1000, "{known_ms} ms");

    // Five wrong passwords from another address: banned within 1 s.
    let guesser = Phone::new(&guesser_host, "6002", "wrong-password", UA);
    for _ in 0..5 {
        assert!(!guesser.register(PBX_IP).success);
    }
    let banned = on_list_at(
        &pbx_host.ns,
        "BADSIP",
        &guesser_host.ip,
        Duration::from_secs(3),
    )
    .expect("the guesser was never banned");
    let ban_ms = ms(
        banned,
        event_time(&pbx, "ChallengeResponseFailed", &guesser_host.ip),
    );
    eprintln!("LATENCY ban: {ban_ms} ms from the 5th ChallengeResponseFailed to the BADSIP set");
    assert!(ban_ms < 1000, "{ban_ms} ms");
    // Its next packets are dropped in the raw table: the right password
    // gets no answer, and the ban rule counts them.
    let drops = banned_drops(&pbx_host.ns);
    let same = Phone::new(&guesser_host, "6002", "6002secret", UA);
    assert!(
        !same.register(PBX_IP).success,
        "a banned source still registers"
    );
    assert!(
        banned_drops(&pbx_host.ns) > drops,
        "the raw table did not drop it"
    );

    // A trusted source guessing 20 times is never banned.
    let clumsy = Phone::new(&office, "6002", "wrong-password", UA);
    for _ in 0..20 {
        assert!(!clumsy.register(PBX_IP).success);
    }
    w.wait_for(
        &format!("not banned: {}", office.ip),
        1,
        Duration::from_secs(5),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(!recent_list(&pbx_host.ns, "BADSIP").contains(&office.ip));
    let right = Phone::new(&office, "6002", "6002secret", UA);
    assert!(
        right.register(PBX_IP).success,
        "the trusted office was cut off"
    );

    // Asterisk restarts: the watcher reconnects and still acts.
    pbx.restart();
    w.wait_for("connected to AMI", 2, Duration::from_secs(20));
    let late = Phone::new(&late_guesser, "6001", "not-it", UA);
    for _ in 0..5 {
        assert!(!late.register(PBX_IP).success);
    }
    assert!(
        on_list_at(
            &pbx_host.ns,
            "BADSIP",
            &late_guesser.ip,
            Duration::from_secs(3)
        )
        .is_some(),
        "after the restart the watcher no longer bans"
    );

    // status says why each address is where it is.
    let out = sb
        .command(&pbx_host.ns, &["status"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&out.stdout).into_owned();
    eprintln!("{status}");
    assert!(
        status.contains("why: 5 failed registrations as 6002 within 60 s, last at "),
        "{status}"
    );
    assert!(
        status.contains("why: authenticated as 6001 (PJSIP) at "),
        "{status}"
    );
    assert!(
        status.contains(&phone_host.ip) && status.contains(&guesser_host.ip),
        "{status}"
    );

    // [responsive] turned off: the watcher's AMI user and unit go, nothing else.
    let secret = secret_text.trim().to_string();
    assert!(
        ami_login(&pbx_host.ns, "127.0.0.1", "asterisk-harden-watch", &secret)
            .contains("Authentication accepted")
    );
    let off = sb.answers(&format!(
        "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\ntrusted = [\"{}\"]\n[sip]\n",
        office.ip
    ));
    let out = sb
        .command(
            &pbx_host.ns,
            &["apply", "--yes", "--no-confirm", "--answers"],
        )
        .arg(&off)
        .env("PATH", pbx.path_env())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(
        output_text(&out).contains("removed asterisk-harden-watch.service"),
        "{}",
        output_text(&out)
    );
    let after = std::fs::read_to_string(sb.path("/etc/asterisk/manager.conf")).unwrap();
    assert!(!after.contains("[asterisk-harden-watch]"), "{after}");
    assert!(
        !sb.path("/etc/systemd/system/asterisk-harden-watch.service")
            .exists()
    );
    assert!(
        !ami_login(&pbx_host.ns, "127.0.0.1", "asterisk-harden-watch", &secret)
            .contains("Authentication accepted"),
        "the watcher's AMI user still logs in"
    );
}
