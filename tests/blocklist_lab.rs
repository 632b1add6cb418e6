//! Blocklists against a live firewall in a namespace lab: a list served
//! over HTTP from a lab namespace is imported and its sources' real
//! traffic is dropped; a trusted address, the admin's own address and a
//! local network inside listed CIDRs still get in (and the import says
//! so); a refresh after the list changed follows it without reloading a
//! rule (the drop rule's counter keeps counting); a second list from a file
//! overlaps the first, and removing the first takes out exactly its
//! entries; the lists come back after a simulated reboot; the hostile
//! lists under tests/hostile/blocklists/ are refused whole, nothing loaded.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::sandbox::Sandbox;
use common::*;

const WINDOW: Duration = Duration::from_millis(500);
const UA: &str = "Yealink SIP-T46S";
const SERVER_IP: &str = "10.77.0.100";

/// A tiny HTTP server inside a lab namespace: `/list.txt` answers the
/// current text, anything else 404. Stopped on drop.
struct ListServer {
    text: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
}

impl ListServer {
    fn start(ns: &str, text: &str) -> Self {
        let listener: TcpListener =
            within(ns, || TcpListener::bind((SERVER_IP, 8000)).expect("bind"));
        listener.set_nonblocking(true).unwrap();
        let text = Arc::new(Mutex::new(text.to_string()));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, s) = (text.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                conn.set_nonblocking(false).unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut buf = [0u8; 4096];
                let n = conn.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                let reply = if request.starts_with("GET /list.txt ") {
                    let body = t.lock().unwrap().clone();
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                } else {
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .into()
                };
                let _ = conn.write_all(reply.as_bytes());
            }
        });
        Self { text, stop }
    }

    fn serve(&self, text: &str) {
        *self.text.lock().unwrap() = text.to_string();
    }
}

impl Drop for ListServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn tool(sb: &Sandbox, ns: &str, ssh_from: Option<&str>, args: &[&str]) -> Output {
    let mut c: Command = sb.command(ns, args);
    c.env("ASTERISK_HARDEN_LISTS", "ipset")
        .env_remove("SSH_CONNECTION")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY");
    if let Some(from) = ssh_from {
        c.env("SSH_CONNECTION", format!("{from} 50000 {PBX_IP} 22"));
    }
    c.stdin(Stdio::null()).output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "{}", output_text(out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Which of `hosts` reach the PBX's SIP port now (one OPTIONS each).
fn reaching<'a>(inbox: &std::net::UdpSocket, hosts: &[&'a Host]) -> Vec<&'a str> {
    drain(inbox, Duration::from_millis(50));
    for h in hosts {
        send_sip(h, "OPTIONS", PBX_IP, UA);
    }
    let got = drain(inbox, WINDOW);
    let mut seen: Vec<&str> = hosts
        .iter()
        .map(|h| h.ip.as_str())
        .filter(|ip| got.iter().any(|(s, _)| s == ip))
        .collect();
    seen.sort();
    seen
}

fn sets(ns: &str) -> Vec<String> {
    let out = run_checked(in_ns(ns, "ipset").args(["list", "-n"]));
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

fn block_drops(ns: &str) -> u64 {
    raw_set_rule_packets(ns, "ah-BLOCK", "DROP")
}

/// A reboot: rules and sets gone (a list:set holds its members: flushed
/// first, or ipset refuses to destroy them); then what boot does: the sets
/// unit, the lists unit, the rules.
fn simulate_reboot(sb: &Sandbox, ns: &str) {
    for tool in ["iptables", "ip6tables"] {
        run_checked(in_ns(ns, tool).args(["-t", "raw", "-F"]));
        run_checked(in_ns(ns, tool).args(["-t", "raw", "-X"]));
    }
    run_checked(in_ns(ns, "ipset").arg("flush"));
    run_checked(in_ns(ns, "ipset").arg("destroy"));
    assert!(sets(ns).is_empty());
    let sets_file = sb.path("/etc/asterisk-harden/ipsets");
    run_checked(
        in_ns(ns, "ipset")
            .args(["-exist", "-file"])
            .arg(&sets_file)
            .arg("restore"),
    );
    ok(&tool(sb, ns, None, &["lists", "restore"]));
    let v4 = std::fs::read_to_string(sb.path("/etc/iptables/rules.v4")).unwrap();
    let out = restore(ns, "iptables-restore", &["--noflush"], &v4);
    assert!(out.status.success(), "{}", output_text(&out));
}

#[test]
fn a_blocklist_over_http_is_imported_refreshed_and_removed_exactly() {
    if !lab_allowed() {
        return;
    }
    let (mut lab, pbx) = Lab::new("block");
    let server = lab.attach("web", "eth0", SERVER_IP);
    let bad1 = lab.attach("bad1", "eth0", "10.77.0.210");
    let bad2 = lab.attach("bad2", "eth0", "10.77.0.150");
    let bad3 = lab.attach("bad3", "eth0", "10.77.0.160");
    let trusted = lab.attach("trust", "eth0", "10.77.0.201");
    let admin = lab.attach("admin", "eth0", "10.77.0.202");
    let lan = lab.attach("lan", "eth0", "10.77.0.2");
    let all = [&bad1, &bad2, &bad3, &trusted, &admin, &lan, &server];
    let sb = Sandbox::debian();
    // relaxed-raw: only the raw table is ours, so no bogon drop stands in
    // for the blocklist's: what is dropped here, the list dropped.
    let answers = sb.answers(
        "mode = \"relaxed-raw\"\n[network]\ninterface = \"ens3\"\n\
         local_nets = [\"10.77.0.0/25\"]\ntrusted = [\"10.77.0.201\"]\n",
    );
    ok(&tool(
        &sb,
        &pbx.ns,
        None,
        &[
            "apply",
            "--yes",
            "--no-confirm",
            "--answers",
            answers.to_str().unwrap(),
        ],
    ));
    let inbox = udp_listener(&pbx.ns, 5060);
    let mut everyone: Vec<&str> = all.iter().map(|h| h.ip.as_str()).collect();
    everyone.sort();
    assert_eq!(reaching(&inbox, &all), everyone, "before any list");

    let web = ListServer::start(&server.ns, "");
    web.serve(
        "# lab blocklist, version 1\n10.77.0.192/26 ; the bad block\n10.77.0.150\n\
         10.77.0.0/27   # inside the local network: never loaded\n",
    );
    let url = format!("http://{SERVER_IP}:8000/list.txt");
    let said = ok(&tool(
        &sb,
        &pbx.ns,
        Some(&admin.ip),
        &["blocklist", "add", "lab", &url],
    ));
    assert!(
        said.contains("Blocklist lab: 3 networks (3 IPv4, 0 IPv6) from http://10.77.0.100:8000/list.txt; 2 loaded"),
        "{said}"
    );
    for spared in [
        "10.77.0.201/32 (trusted: network.trusted has 10.77.0.201/32) stays reachable inside 10.77.0.192/26",
        "10.77.0.202/32 (your own address: this SSH session comes from it) stays reachable inside 10.77.0.192/26",
        "10.77.0.0/27 not loaded: 10.77.0.0/25 (a local network: network.local_nets has 10.77.0.0/25)",
    ] {
        assert!(said.contains(spared), "missing {spared:?} in:\n{said}");
    }
    assert!(
        sb.path("/etc/systemd/system/asterisk-harden-blocklists.timer")
            .exists(),
        "no refresh timer"
    );
    let mut got = reaching(&inbox, &all);
    got.sort();
    assert_eq!(
        got,
        [
            "10.77.0.100",
            "10.77.0.160",
            "10.77.0.2",
            "10.77.0.201",
            "10.77.0.202"
        ],
        "listed sources must be dropped, protected ones must get in"
    );
    let drops = block_drops(&pbx.ns);
    eprintln!("import said:\n{said}\nblocklist drop rule: {drops} packets");
    assert!(drops >= 2, "the blocklist rule counted {drops}");
    let status = ok(&tool(&sb, &pbx.ns, None, &["status"]));
    assert!(
        status
            .lines()
            .any(|l| l.ends_with("from sources on a blocklist") && !l.trim().starts_with("0 ")),
        "{status}"
    );

    // The list changes: .150 leaves, .160 joins; one refresh follows it,
    // the same rule goes on counting (nothing reloaded).
    web.serve("10.77.0.192/26\n10.77.0.160\n");
    // The timer runs without a session: the admin's address is remembered.
    let said = ok(&tool(&sb, &pbx.ns, None, &["blocklist", "refresh"]));
    assert!(said.contains("lab: 2 networks (+1 -1)"), "{said}");
    let got = reaching(&inbox, &all);
    assert_eq!(
        got,
        [
            "10.77.0.100",
            "10.77.0.150",
            "10.77.0.2",
            "10.77.0.201",
            "10.77.0.202"
        ]
    );
    let after_refresh = block_drops(&pbx.ns);
    eprintln!("refresh said: {said}blocklist drop rule: {drops} -> {after_refresh} packets");
    assert!(
        after_refresh > drops,
        "the blocklist rule's counter was reset: rules reloaded"
    );

    // A second list, from a file, overlapping the first on .210.
    let file = sb.path("/srv/own-list.txt");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "10.77.0.210\n").unwrap();
    ok(&tool(
        &sb,
        &pbx.ns,
        Some(&admin.ip),
        &["blocklist", "add", "own", file.to_str().unwrap()],
    ));
    let listed = ok(&tool(&sb, &pbx.ns, None, &["blocklist", "list"]));
    assert!(
        listed.contains(&url) && listed.contains("own-list.txt"),
        "{listed}"
    );

    // A refresh that fails keeps the list and is flagged.
    web.serve("<html>moved</html>\n");
    let out = tool(
        &sb,
        &pbx.ns,
        Some(&admin.ip),
        &["blocklist", "refresh", "lab"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("its last good entries stay loaded"));
    assert!(!reaching(&inbox, &[&bad3]).contains(&bad3.ip.as_str()));
    let status = ok(&tool(&sb, &pbx.ns, None, &["status"]));
    assert!(
        status.contains("the blocklist lab has not refreshed since"),
        "{status}"
    );
    web.serve("10.77.0.192/26\n10.77.0.160\n");

    // Everything survives a reboot.
    simulate_reboot(&sb, &pbx.ns);
    assert_eq!(
        reaching(&inbox, &all),
        [
            "10.77.0.100",
            "10.77.0.150",
            "10.77.0.2",
            "10.77.0.201",
            "10.77.0.202"
        ],
        "after the reboot"
    );

    // A list that fell out of ah-BLOCK (the rules re-made it, e.g. after a
    // rollback) is named by status, and a refresh puts it back.
    run_checked(in_ns(&pbx.ns, "ipset").args(["del", "ah-BLOCK", "ah-bl-lab"]));
    let status = ok(&tool(&sb, &pbx.ns, None, &["status"]));
    assert!(
        status.contains("the blocklist lab is not in the kernel's set of lists"),
        "{status}"
    );
    assert!(reaching(&inbox, &[&bad3]).contains(&bad3.ip.as_str()));
    ok(&tool(&sb, &pbx.ns, None, &["blocklist", "refresh"]));
    assert!(!reaching(&inbox, &[&bad3]).contains(&bad3.ip.as_str()));

    // Removing "lab" takes out exactly its entries: .210 stays blocked by "own".
    let said = ok(&tool(&sb, &pbx.ns, None, &["blocklist", "remove", "lab"]));
    assert!(
        said.contains("its 2 networks are no longer blocked"),
        "{said}"
    );
    assert_eq!(
        reaching(&inbox, &all),
        [
            "10.77.0.100",
            "10.77.0.150",
            "10.77.0.160",
            "10.77.0.2",
            "10.77.0.201",
            "10.77.0.202"
        ]
    );
    assert!(
        !sets(&pbx.ns).iter().any(|s| s.starts_with("ah-bl-lab")),
        "{:?}",
        sets(&pbx.ns)
    );
    ok(&tool(&sb, &pbx.ns, None, &["blocklist", "remove", "own"]));
    assert_eq!(reaching(&inbox, &all), everyone, "after the last removal");
    assert!(
        !sb.path("/etc/systemd/system/asterisk-harden-blocklists.timer")
            .exists(),
        "the timer outlived the last list"
    );

    // Hostile lists: refused whole (exit 2, the line named), nothing loaded.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/blocklists");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for f in files {
        let out = tool(
            &sb,
            &pbx.ns,
            None,
            &["blocklist", "add", "hostile", f.to_str().unwrap()],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: {}",
            f.display(),
            output_text(&out)
        );
        assert!(
            err.contains("line ") || err.contains("not UTF-8"),
            "{}: {err}",
            f.display()
        );
        assert!(err.contains("nothing was loaded"), "{err}");
        assert!(
            !sets(&pbx.ns).iter().any(|s| s.starts_with("ah-bl-")),
            "{}",
            f.display()
        );
    }
    let big = sb.path("/srv/big.txt");
    std::fs::write(&big, "10.77.0.210\n".repeat(1_500_000)).unwrap();
    let out = tool(
        &sb,
        &pbx.ns,
        None,
        &["blocklist", "add", "big", big.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 16 MiB"));
    let missing = format!("http://{SERVER_IP}:8000/gone.txt");
    let out = tool(&sb, &pbx.ns, None, &["blocklist", "add", "gone", &missing]);
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the server answered HTTP 404"));
    assert!(
        !sb.path("/etc/asterisk-harden/blocklists.toml").exists()
            || ok(&tool(&sb, &pbx.ns, None, &["blocklist", "list"])).contains("No blocklists")
    );
    drop(web);
}
