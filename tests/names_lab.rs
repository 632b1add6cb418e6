//! Trunk names that move: the addresses of a trunk given as a name live in
//! the ah-TRUNKS set; `names refresh` (what the 5-minute timer runs)
//! follows the namespace's hosts file without reloading a rule (the trunk
//! rule's counter keeps counting), and a name that stops resolving keeps
//! its last address and is flagged in `status`.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::sandbox::Sandbox;
use common::*;

const TRUNK: &str = "trunk.lab.example";
const HOST: &str = "pbx-names.example.net";
const WINDOW: Duration = Duration::from_millis(600);
const UA: &str = "Provider SBC";

/// /etc/netns/NS/{hosts,resolv.conf}, which `ip netns exec` shows the
/// namespace as its own; no DNS server answers there. Removed on drop.
struct NetnsEtc(PathBuf);

impl NetnsEtc {
    fn new(ns: &str) -> Self {
        let dir = PathBuf::from("/etc/netns").join(ns);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("resolv.conf"),
            "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
        )
        .unwrap();
        NetnsEtc(dir)
    }

    fn hosts(&self, entries: &str) {
        std::fs::write(
            self.0.join("hosts"),
            format!("127.0.0.1 localhost\n{entries}"),
        )
        .unwrap();
    }
}

impl Drop for NetnsEtc {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Packets the raw table accepted from the trunk-name set.
fn trunk_hits(ns: &str) -> u64 {
    raw_set_rule_packets(ns, "ah-TRUNKS", "ACCEPT")
}

fn stdout(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", output_text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_trunk_name_that_moves_is_followed_without_a_reload() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("names");
    let old = lab.host("trunk1", "enp1s0");
    let new = lab.host("trunk2", "eno1");
    let etc = NetnsEtc::new(&pbx.ns);
    etc.hosts(&format!("{} {TRUNK}\n", old.ip));
    let sb = Sandbox::debian();
    let answers = sb.answers(&format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         [sip]\nhostname = \"{HOST}\"\ntrunks = [\"{TRUNK}\"]\n"
    ));
    stdout(&sb.apply_now(&pbx.ns, &answers));
    assert_eq!(
        recent_list(&pbx.ns, "TRUNKS"),
        std::slice::from_ref(&old.ip)
    );
    let timer = std::fs::read_to_string(sb.path("/etc/systemd/system/asterisk-harden-names.timer"))
        .unwrap();
    assert!(timer.contains("OnUnitActiveSec=5min"), "{timer}");
    let service =
        std::fs::read_to_string(sb.path("/etc/systemd/system/asterisk-harden-names.service"))
            .unwrap();
    assert!(service.contains(" names refresh"), "{service}");

    // The trunk's INVITE never names the secret hostname: it gets in as the trunk.
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&old, "INVITE", PBX_IP, UA);
    send_sip(&new, "INVITE", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [old.ip.as_str()]);
    let before = trunk_hits(&pbx.ns);
    assert!(before > 0);

    // The provider moves: one refresh later the new address is the trunk,
    // the old one is not, and the same rule kept counting (no reload).
    etc.hosts(&format!("{} {TRUNK}\n", new.ip));
    let said = stdout(&sb.run(&pbx.ns, &["names", "refresh"]));
    assert!(
        said.contains(&format!("{TRUNK} resolves to {}", new.ip)),
        "{said}"
    );
    send_sip(&old, "INVITE", PBX_IP, UA);
    send_sip(&new, "INVITE", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [new.ip.as_str()]);
    assert!(
        trunk_hits(&pbx.ns) > before,
        "the trunk rule's counter was reset: rules reloaded"
    );

    // The name stops resolving: its last address stays, and status says so.
    etc.hosts("");
    let said = stdout(&sb.run(&pbx.ns, &["names", "refresh"]));
    assert!(
        said.contains(&format!("{TRUNK} does not resolve")) && said.contains(&new.ip),
        "{said}"
    );
    send_sip(&new, "INVITE", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [new.ip.as_str()]);
    let status = stdout(&sb.run(&pbx.ns, &["status"]));
    assert!(
        status.contains(&format!("the trunk name {TRUNK} has not resolved since"))
            && status.contains(&format!("its last addresses {} stay accepted", new.ip)),
        "{status}"
    );
}

const OFFICE: &str = "office.lab.example";

/// Packets the raw table accepted from the trusted-name set.
fn trusted_hits(ns: &str) -> u64 {
    raw_set_rule_packets(ns, "ah-TRUSTED", "ACCEPT")
}

#[test]
fn a_trusted_name_that_moves_is_followed_without_a_reload() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("trustn");
    let old = lab.host("office1", "enp1s0");
    let new = lab.host("office2", "eno1");
    let etc = NetnsEtc::new(&pbx.ns);
    etc.hosts(&format!("{} {OFFICE}\n", old.ip));
    let sb = Sandbox::debian();
    let answers = sb.answers(&format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\ntrusted = [\"{OFFICE}\"]\n\
         [sip]\nhostname = \"{HOST}\"\n"
    ));
    let applied = sb.apply_now(&pbx.ns, &answers);
    stdout(&applied);
    assert!(
        String::from_utf8_lossy(&applied.stderr)
            .contains(&format!("trusted {OFFICE} resolved to {}", old.ip)),
        "{}",
        output_text(&applied)
    );
    assert_eq!(
        recent_list(&pbx.ns, "TRUSTED"),
        std::slice::from_ref(&old.ip)
    );
    assert!(
        sb.path("/etc/systemd/system/asterisk-harden-names.timer")
            .exists()
    );
    let saved = std::fs::read_to_string(sb.path("/etc/asterisk-harden/answers.toml")).unwrap();
    assert!(
        saved.contains(OFFICE),
        "the name must be kept as a name:\n{saved}"
    );

    // Strict mode: only the trusted office gets in without the hostname.
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&old, "OPTIONS", PBX_IP, UA);
    send_sip(&new, "OPTIONS", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [old.ip.as_str()]);
    let before = trusted_hits(&pbx.ns);
    assert!(before > 0);

    // The office's address changes: one refresh (what the 5-minute timer
    // runs) later the new address is trusted, the old one is not, and the
    // same rule kept counting (no reload).
    etc.hosts(&format!("{} {OFFICE}\n", new.ip));
    let said = stdout(&sb.run(&pbx.ns, &["names", "refresh"]));
    assert!(
        said.contains(&format!("{OFFICE} resolves to {}", new.ip))
            && said.contains(&format!("{} is no longer a trusted name's address", old.ip)),
        "{said}"
    );
    send_sip(&old, "OPTIONS", PBX_IP, UA);
    send_sip(&new, "OPTIONS", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [new.ip.as_str()]);
    let after = trusted_hits(&pbx.ns);
    eprintln!("ah-TRUSTED accept rule: {before} -> {after} packets across the refresh");
    assert!(
        after > before,
        "the trusted rule's counter was reset: rules reloaded"
    );

    // The name stops resolving: its last address stays trusted (and can
    // never be banned), and status says so.
    etc.hosts("");
    let said = stdout(&sb.run(&pbx.ns, &["names", "refresh"]));
    assert!(
        said.contains(&format!("{OFFICE} does not resolve")) && said.contains(&new.ip),
        "{said}"
    );
    send_sip(&new, "OPTIONS", PBX_IP, UA);
    assert_eq!(sources(&drain(&inbox, WINDOW)), [new.ip.as_str()]);
    let ban = sb
        .command(&pbx.ns, &["ban", &new.ip])
        .env("ASTERISK_HARDEN_LISTS", "ipset")
        .env_remove("SSH_CONNECTION")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(ban.status.code(), Some(2), "{}", output_text(&ban));
    assert!(String::from_utf8_lossy(&ban.stderr).contains("is trusted"));
    let status = stdout(&sb.run(&pbx.ns, &["status"]));
    assert!(
        status.contains(&format!("the trusted name {OFFICE} has not resolved since"))
            && status.contains(&format!("its last addresses {} stay accepted", new.ip)),
        "{status}"
    );
}
