//! `status` and `lists save|restore` against a live firewall in a namespace
//! lab, with a real phone and a real scanner (svmap).

mod common;

use std::time::Duration;

use common::sandbox::Sandbox;
use common::*;

const HOST: &str = "pbx-status.example.net";
const WINDOW: Duration = Duration::from_millis(600);

fn answers(sb: &Sandbox) -> std::path::PathBuf {
    sb.answers(&format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n[sip]\nhostname = \"{HOST}\"\n"
    ))
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A reboot: the kernel's rules, sets and lists gone; then what boot does.
/// The lists unit runs first (it creates the ipset sets from
/// /etc/asterisk-harden/ipsets and fills them), then netfilter-persistent
/// loads the persisted rules, which name those sets. Returns the unit's output.
fn simulate_reboot(sb: &Sandbox, ns: &str) -> std::process::Output {
    for tool in ["iptables", "ip6tables"] {
        for table in ["raw", "filter"] {
            run_checked(in_ns(ns, tool).args(["-t", table, "-F"]));
            run_checked(in_ns(ns, tool).args(["-t", table, "-X"]));
        }
    }
    run_checked(in_ns(ns, "ipset").arg("destroy"));
    assert!(recent_list(ns, "BADSIP").is_empty() && recent_list(ns, "MYSIP").is_empty());
    let restored = sb.run(ns, &["lists", "restore"]);
    let v4 = std::fs::read_to_string(sb.path("/etc/iptables/rules.v4")).unwrap();
    let out = restore_as_is(ns, "iptables-restore", &v4);
    assert!(
        out.status.success(),
        "the boot rules did not load after the lists unit: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    restored
}

#[test]
fn status_names_scanners_and_phones_and_lists_survive_a_reboot() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("status");
    let phone = lab.host("phone", "enp1s0");
    let scanner = lab.host("scan", "eno1");
    let sb = Sandbox::debian();
    let out = sb.apply_now(&pbx.ns, &answers(&sb));
    assert_ok(&out);
    let inbox = udp_listener(&pbx.ns, 5060);
    send_sip(&phone, "REGISTER", HOST, "Yealink SIP-T46S");
    assert_eq!(sources(&drain(&inbox, WINDOW)), [phone.ip.as_str()]);
    svmap(&scanner);

    let json = sb.run(&pbx.ns, &["status", "--json"]);
    assert_ok(&json);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["mode"], "strict");
    let addresses = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["address"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(addresses("banned_scanners").contains(&scanner.ip), "{v}");
    assert!(addresses("known_phones").contains(&phone.ip), "{v}");
    assert!(
        v["drops"]["scanner_user_agent"].as_u64().unwrap() > 0,
        "{v}"
    );
    // Bans and phones are ipset sets here: a million each, never evicted,
    // and a ban lasts until removed (no time to show); a trap has a timeout.
    assert_eq!(v["list_store"], "ipset", "{v}");
    assert_eq!(v["list_capacity"], 1_048_576, "{v}");
    assert!(v["banned_scanners"][0].get("expires_in").is_none(), "{v}");
    let plain = stdout(&sb.run(&pbx.ns, &["status"]));
    assert!(
        plain.contains(&scanner.ip)
            && plain.contains(&phone.ip)
            && plain.contains("Mode in force: strict"),
        "{plain}"
    );

    let saved = sb.run(&pbx.ns, &["lists", "save"]);
    assert_ok(&saved);
    let restored = simulate_reboot(&sb, &pbx.ns);
    assert_ok(&restored);
    assert!(
        stdout(&restored).contains("restored BADSIP: 1 added"),
        "{}",
        stdout(&restored)
    );
    // Restoring again adds nothing: no duplicates.
    let again = stdout(&sb.run(&pbx.ns, &["lists", "restore"]));
    assert!(
        again.contains("restored BADSIP: 0 added, 1 already there"),
        "{again}"
    );

    // The scanner is banned again: even an ordinary request naming the hostname is dropped.
    send_sip(&scanner, "REGISTER", HOST, "Yealink SIP-T46S");
    assert!(
        drain(&inbox, WINDOW).is_empty(),
        "the restored ban did not hold"
    );
    // The phone is known again: a request without the hostname gets in.
    send_sip(&phone, "OPTIONS", PBX_IP, "Yealink SIP-T46S");
    assert_eq!(
        sources(&drain(&inbox, WINDOW)),
        [phone.ip.as_str()],
        "the phone was forgotten"
    );
}

#[test]
fn corrupt_saved_lists_are_refused_with_file_and_line() {
    let sb = Sandbox::debian();
    sb.write(
        "/var/lib/asterisk-harden/lists/BADSIP",
        "# saved\n10.0.0.9\n10.0.0.300\n",
        0o600,
    );
    let out = std::process::Command::new(bin())
        .arg("--root")
        .arg(sb.root())
        .args(["lists", "restore"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("lists/BADSIP:3:") && err.contains("10.0.0.300"),
        "{err}"
    );
}

#[test]
fn status_without_our_rules_says_how_to_apply() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("nostatus");
    let sb = Sandbox::debian();
    let out = sb.run(&pbx.ns, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("asterisk-harden apply"));
}

/// One SYN to a trap port (a connect given up before the kernel retries).
fn one_syn(ns: &str, port: u16) {
    let addr: std::net::SocketAddr = format!("{PBX_IP}:{port}").parse().unwrap();
    within(ns, move || {
        let _ = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300));
    });
}

/// The packets of the rules that drop for one cause, as the kernel counts
/// them (`iptables-save -c`), summed over `lines` that contain every needle.
fn kernel_count(ns: &str, needles: &[&str]) -> u64 {
    let out = in_ns(ns, "iptables-save").arg("-c").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| needles.iter().all(|n| l.contains(n)))
        .filter_map(|l| l.strip_prefix('[')?.split(':').next()?.parse::<u64>().ok())
        .sum()
}

fn drops_count_each_packet_once(lists: &str) {
    let (mut lab, pbx) = Lab::new(&format!("drops-{}", &lists[..3]));
    let scanner = lab.host("scan", "eno1");
    let knocker = lab.host("knock", "eno2");
    let sb = Sandbox::debian();
    let out = sb
        .command(&pbx.ns, &["apply", "--yes", "--no-confirm", "--answers"])
        .arg(answers(&sb))
        .env("ASTERISK_HARDEN_LISTS", lists)
        .output()
        .unwrap();
    assert_ok(&out);
    // 1 packet with a scanner's signature, then 4 ordinary ones (one even
    // naming the hostname) from the same, now banned, source.
    send_sip(&scanner, "OPTIONS", PBX_IP, "friendly-scanner");
    for host_part in [PBX_IP, PBX_IP, PBX_IP, HOST] {
        send_sip(&scanner, "REGISTER", host_part, "Yealink SIP-T46S");
    }
    // 1 knock on VNC's trap port, then 3 SIP packets from the trapped source.
    one_syn(&knocker.ns, 5900);
    for _ in 0..3 {
        send_sip(&knocker, "REGISTER", HOST, "Yealink SIP-T46S");
    }
    std::thread::sleep(Duration::from_millis(300));
    let json = sb
        .command(&pbx.ns, &["status", "--json"])
        .env("ASTERISK_HARDEN_LISTS", lists)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let drops = &v["drops"];
    assert_eq!(drops["scanner_user_agent"], 1, "{drops:#}");
    // With ipset the second packet copies the ban onto QUIET (a ban drop,
    // in BANNED) and the last three drop at the QUIET lookup; xt_recent
    // keeps no copy.
    let expected: (u64, u64) = if lists == "ipset" { (1, 3) } else { (4, 0) };
    assert_eq!(drops["banned_source"], expected.0, "{drops:#}");
    assert_eq!(drops["quieted_or_banned"], expected.1, "{drops:#}");
    assert_eq!(drops["port_scan_trap"], 1, "{drops:#}");
    assert_eq!(drops["trapped_source"], 3, "{drops:#}");
    // The same numbers as the kernel's own counters on the dropping rules.
    assert_eq!(kernel_count(&pbx.ns, &["-A BADSIP", "-j DROP"]), 1);
    assert_eq!(kernel_count(&pbx.ns, &["-A DPTS", "--dport 5900"]), 1);
    let banned = kernel_count(&pbx.ns, &["-A SIPRAW", "BADSIP", "-j DROP"])
        + kernel_count(&pbx.ns, &["-A BANNED", "-j DROP"]);
    let quick = kernel_count(&pbx.ns, &["-A SIPRAW", "QUIET", "-j DROP"]);
    assert_eq!(
        (banned, quick),
        expected,
        "the kernel's count of banned-source drops and of QUIET drops"
    );
}

#[test]
fn drops_count_each_packet_once_with_ipset() {
    if !lab_allowed() {
        return;
    }
    drops_count_each_packet_once("ipset");
}

#[test]
fn drops_count_each_packet_once_with_xt_recent() {
    if !lab_allowed() {
        return;
    }
    drops_count_each_packet_once("xt_recent");
}

#[test]
fn status_shows_a_pending_confirmation_and_no_store_when_nothing_is_loaded() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("pending");
    let sb = Sandbox::debian();
    let empty = sb.run(&pbx.ns, &["status", "--json"]);
    assert_eq!(empty.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&empty)).unwrap();
    assert_eq!(v["list_store"], "none", "{v:#}");
    assert_eq!(v["list_capacity"], 0);
    assert!(v["pending"].is_null());

    let apply = sb.spawn_apply(&pbx.ns, &answers(&sb), 60);
    sb.wait_for_guard();
    let json = sb.run(&pbx.ns, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let left = v["pending"]["seconds_left"].as_u64().unwrap_or(0);
    assert!(left > 0 && left <= 60, "{v:#}");
    assert_eq!(v["pending"]["state"], "waiting");
    let plain = stdout(&sb.run(&pbx.ns, &["status"]));
    assert!(
        plain.starts_with("A change is waiting for confirmation"),
        "{plain}"
    );
    assert!(sb.confirm_from_new_session(&pbx.ns).status.success());
    let _ = common::sandbox::wait_exit(apply, Duration::from_secs(20));
    let after = sb.run(&pbx.ns, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&after)).unwrap();
    assert!(v["pending"].is_null(), "{v:#}");
}

/// The ExecStart command lines of a unit file.
fn exec_starts(unit: &str) -> Vec<Vec<String>> {
    unit.lines()
        .filter_map(|l| l.strip_prefix("ExecStart="))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// Where no netfilter-persistent is installed, the tool writes its own
/// loader unit; a reboot (everything flushed, then the units' commands in
/// boot order) brings back the same rules and sets.
#[test]
fn without_netfilter_persistent_our_unit_loads_the_rules_at_boot() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("bootunit");
    let sb = Sandbox::debian();
    let out = sb.apply_now(&pbx.ns, &answers(&sb));
    assert_ok(&out);
    assert!(
        stdout(&out).contains("would enable asterisk-harden-rules.service"),
        "{}",
        stdout(&out)
    );
    let units = sb.path("/etc/systemd/system");
    let rules_unit = std::fs::read_to_string(units.join("asterisk-harden-rules.service"))
        .expect("no loader unit written where netfilter-persistent is missing");
    let before = common::sandbox::firewall(&pbx.ns);
    for tool in ["iptables", "ip6tables"] {
        for table in ["raw", "filter"] {
            run_checked(in_ns(&pbx.ns, tool).args(["-t", table, "-F"]));
            run_checked(in_ns(&pbx.ns, tool).args(["-t", table, "-X"]));
        }
    }
    run_checked(in_ns(&pbx.ns, "ipset").arg("destroy"));
    assert_ne!(common::sandbox::firewall(&pbx.ns), before);
    // Boot order: the sets unit (ipset hosts), then ours.
    let sets_unit =
        std::fs::read_to_string(units.join("asterisk-harden-sets.service")).unwrap_or_default();
    let root = sb.root().display().to_string();
    for command in exec_starts(&sets_unit)
        .into_iter()
        .chain(exec_starts(&rules_unit))
    {
        let args: Vec<String> = command
            .iter()
            .map(|a| {
                if a.starts_with("/etc/") {
                    format!("{root}{a}")
                } else {
                    a.clone()
                }
            })
            .collect();
        run_checked(in_ns(&pbx.ns, &args[0]).args(&args[1..]));
    }
    assert_eq!(
        common::sandbox::firewall(&pbx.ns),
        before,
        "the boot units did not bring the rules and sets back"
    );
}
