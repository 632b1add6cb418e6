//! A network-namespace lab: a switch namespace with a bridge, and hosts (a PBX,
//! phones, scanners) each joined to it by a veth pair. Nothing is created in
//! the machine's own namespace; every namespace is deleted when the `Lab` is
//! dropped, on success and on panic alike.

#![allow(dead_code)]

pub mod asterisk;
pub mod faults;
pub mod sandbox;

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const PBX_IP: &str = "10.77.0.1";
pub const LAB_NET: &str = "10.77.0.0/24";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Namespaces of earlier test runs that were killed (SIGKILL, a timeout)
/// before their `Drop` ran: `ahlab-PID-...` whose PID is gone. Deleted once
/// per test process, before it makes its own.
fn reap_stale_namespaces() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
            return;
        };
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Some(name) = line.split_whitespace().next() else {
                continue;
            };
            let pid = name
                .strip_prefix("ahlab-")
                .and_then(|rest| rest.split('-').next())
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(pid) = pid
                && pid != std::process::id()
                && !Path::new(&format!("/proc/{pid}")).exists()
            {
                let _ = Command::new("ip").args(["netns", "del", name]).status();
            }
        }
    });
}

/// Whether this test may build a lab. Off root it skips, except under CI,
/// where a test that cannot run must fail, not pass silently.
pub fn lab_allowed() -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "this test needs root (network namespaces) and CI=true: run scripts/test.sh as root"
        );
    }
    eprintln!("skipped: needs root for network namespaces");
    false
}

/// A program's stdout then stderr, as text.
pub fn output_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_asterisk-harden"))
}

/// Fail the test unless `out` is a success, showing what the program printed.
#[track_caller]
pub fn assert_ok(out: &Output) {
    assert!(out.status.success(), "{}", output_text(out));
}

/// Whether something answering like sshd ("SSH-2.0-...") listens on the
/// PBX's `port`, as seen from namespace `ns`.
pub fn ssh_banner(ns: &str, port: u16) -> bool {
    within(ns, move || {
        let addr = format!("{PBX_IP}:{port}").parse().unwrap();
        let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
            return false;
        };
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut buf = [0u8; 64];
        matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"SSH-2.0"))
    })
}

pub fn run_checked(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub struct Host {
    pub ns: String,
    pub ip: String,
}

pub struct Lab {
    namespaces: Vec<String>,
    switch: String,
    prefix: String,
    next_ip: u8,
}

impl Lab {
    /// A switch and a PBX whose interface is named like a modern server's (ens3).
    pub fn new(tag: &str) -> (Lab, Host) {
        reap_stale_namespaces();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let prefix = format!("ahlab-{}-{n}-{tag}", std::process::id());
        let switch = format!("{prefix}-sw");
        let mut lab = Lab {
            namespaces: Vec::new(),
            switch: switch.clone(),
            prefix,
            next_ip: 2,
        };
        lab.add_ns(&switch);
        lab.ip(&switch, &["link", "add", "br0", "type", "bridge"]);
        lab.ip(&switch, &["link", "set", "br0", "up"]);
        let pbx = lab.attach("pbx", "ens3", PBX_IP);
        (lab, pbx)
    }

    fn add_ns(&mut self, name: &str) {
        run_checked(Command::new("ip").args(["netns", "add", name]));
        self.namespaces.push(name.to_string());
        self.ip(name, &["link", "set", "lo", "up"]);
    }

    pub fn ip(&self, ns: &str, args: &[&str]) {
        run_checked(Command::new("ip").arg("-n").arg(ns).args(args));
    }

    /// A host on the lab network with its own address.
    pub fn host(&mut self, role: &str, ifname: &str) -> Host {
        let ip = format!("10.77.0.{}", self.next_ip);
        self.next_ip += 1;
        self.attach(role, ifname, &ip)
    }

    /// A host with a given address (e.g. from a range that is not local).
    pub fn attach(&mut self, role: &str, ifname: &str, ip: &str) -> Host {
        let ns = format!("{}-{role}", self.prefix);
        self.add_ns(&ns);
        let port = format!("p{}", self.namespaces.len());
        let sw = self.switch.clone();
        self.ip(
            &sw,
            &[
                "link", "add", &port, "type", "veth", "peer", "name", ifname, "netns", &ns,
            ],
        );
        self.ip(&sw, &["link", "set", &port, "master", "br0", "up"]);
        self.ip(&ns, &["addr", "add", &format!("{ip}/24"), "dev", ifname]);
        self.ip(&ns, &["link", "set", ifname, "up"]);
        Host {
            ns,
            ip: ip.to_string(),
        }
    }

    /// Add an address (and so a connected network) to a host's interface.
    pub fn add_address(&self, host: &Host, ifname: &str, cidr: &str) {
        self.ip(&host.ns, &["addr", "add", cidr, "dev", ifname]);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in self.namespaces.iter().rev() {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// An `iptables-restore` shim in `dir` (put first on PATH): the bash script
/// `script(real)` made around the real program's path.
pub fn restore_shim(dir: &Path, script: impl Fn(&str) -> String) {
    let real = Command::new("sh")
        .args([
            "-c",
            "command -v iptables-restore || echo /usr/sbin/iptables-restore",
        ])
        .output()
        .unwrap();
    let real = String::from_utf8_lossy(&real.stdout).trim().to_string();
    let p = dir.join("iptables-restore");
    std::fs::write(&p, script(&real)).unwrap();
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

/// Run a command inside a host's namespace.
pub fn in_ns(ns: &str, program: &str) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", ns, program]);
    c
}

/// Run `cmd` with `input` on its stdin; its output.
pub fn feed(mut cmd: Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `ipset restore -exist` of `text` inside a namespace.
pub fn ipset_restore(ns: &str, text: &str) {
    let mut cmd = in_ns(ns, "ipset");
    cmd.args(["restore", "-exist"]);
    let out = feed(cmd, text);
    assert!(
        out.status.success(),
        "ipset restore failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Feed rules to iptables-restore as they are: sets they name must exist.
pub fn restore_as_is(ns: &str, tool: &str, rules: &str) -> Output {
    feed(in_ns(ns, tool), rules)
}

/// Feed rules to iptables-restore (or ip6tables-restore) inside a namespace,
/// after creating the ipset sets their header names (as apply does).
pub fn restore(ns: &str, tool: &str, extra: &[&str], rules: &str) -> Output {
    let sets = asterisk_harden::ruleset::restore_file::set_lines(rules);
    if !sets.is_empty() {
        ipset_restore(ns, &sets);
    }
    let mut cmd = in_ns(ns, tool);
    cmd.args(extra);
    feed(cmd, rules)
}

pub fn load(ns: &str, rules: &str) {
    let out = restore(ns, "iptables-restore", &[], rules);
    assert!(
        out.status.success(),
        "iptables-restore failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A namespace with nothing in it (no routes, no addresses): the probe
/// finds nothing there, so output depends on the answers alone.
pub struct EmptyNs(pub String);

impl EmptyNs {
    pub fn new() -> Self {
        reap_stale_namespaces();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("ahlab-{}-{n}-empty", std::process::id());
        run_checked(Command::new("ip").args(["netns", "add", &name]));
        Self(name)
    }
}

impl Drop for EmptyNs {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// Render the rules for an answers file with the real binary, on an empty
/// host: an empty root and an empty network namespace, so that the probe's
/// defaults are the article's and the output is the same on every machine.
pub fn render(answers: &str, family: &str) -> String {
    render_with_env(answers, family, &[])
}

/// `render` with environment variables set (e.g. ASTERISK_HARDEN_LISTS).
pub fn render_with_env(answers: &str, family: &str, env: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answers.toml");
    std::fs::write(&path, answers).unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let ns = EmptyNs::new();
    let out = run_checked(
        in_ns(&ns.0, bin().to_str().unwrap())
            .envs(env.iter().copied())
            .arg("--root")
            .arg(&root)
            .args(["render", "--family", family, "--answers"])
            .arg(&path),
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A host with nothing on it but the ipset program (a kernel that answers
/// `ipset list -n`), its programs scripted: what `render` sees in an empty
/// root and an empty network namespace, without root and without a host.
pub fn empty_host(root: &Path) -> asterisk_harden::root::Root {
    let programs = asterisk_harden::exec::Scripted::new().answers("ipset", &["list", "-n"], "");
    asterisk_harden::root::Root::new(root).with_runner(std::sync::Arc::new(programs))
}

/// The rules `render` prints for `answers` on an empty host, made
/// in-process (no root, no namespace): the probe, the answers' checks and
/// the rules are the library's own, the programs the probe runs scripted.
pub fn render_here(answers: &str, family: &str) -> String {
    use asterisk_harden::answers::{Answers, HostDefaults};
    use asterisk_harden::probe::{MatchTest, probe};
    use asterisk_harden::ruleset::{Family, build, render};
    let dir = tempfile::tempdir().unwrap();
    let root = empty_host(dir.path());
    let facts = probe(&root, MatchTest::Skip);
    let answers = Answers::parse(
        answers,
        Path::new("answers.toml"),
        &HostDefaults::from_facts(&facts),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let trunks = asterisk_harden::resolve::resolve_trunks(&answers.sip.trunks).unwrap();
    let spec = asterisk_harden::plan::firewall_spec(
        &answers,
        &trunks,
        facts.firewall.list_store().unwrap(),
    );
    let family = match family {
        "ipv4" => Family::Ipv4,
        "ipv6" => Family::Ipv6,
        other => panic!("no family {other}"),
    };
    render(&build(&spec, family))
}

/// Run `f` with this thread's network namespace switched to `ns`. Sockets made
/// inside stay in that namespace for life, so the test process can be a phone,
/// a scanner and a PBX at once. A fresh thread keeps the switch from leaking.
pub fn within<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = Path::new("/run/netns").join(ns);
    std::thread::spawn(move || {
        let file = File::open(&path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        f()
    })
    .join()
    .expect("namespace thread panicked")
}

pub fn udp_listener(ns: &str, port: u16) -> UdpSocket {
    let s = within(ns, move || {
        UdpSocket::bind(("0.0.0.0", port)).expect("bind")
    });
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    s
}

/// What arrived within `window`, as (source address, text).
pub fn drain(sock: &UdpSocket, window: Duration) -> Vec<(String, String)> {
    let mut got = Vec::new();
    let end = Instant::now() + window;
    let mut buf = [0u8; 4096];
    while Instant::now() < end {
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            got.push((
                from.ip().to_string(),
                String::from_utf8_lossy(&buf[..n]).into_owned(),
            ));
        }
    }
    got
}

pub fn udp_sender(ns: &str) -> UdpSocket {
    within(ns, || UdpSocket::bind("0.0.0.0:0").expect("bind"))
}

pub fn send_udp(sock: &UdpSocket, to: &str, port: u16, text: &str) {
    let addr: SocketAddr = format!("{to}:{port}").parse().unwrap();
    sock.send_to(text.as_bytes(), addr).expect("send");
}

pub fn tcp_listener(ns: &str, port: u16) -> TcpListener {
    let l = within(ns, move || {
        TcpListener::bind(("0.0.0.0", port)).expect("bind")
    });
    l.set_nonblocking(true).unwrap();
    l
}

/// Connect from `ns` and send `text`; true if the handshake completed.
pub fn tcp_send(ns: &str, to: &str, port: u16, text: &str) -> bool {
    let addr: SocketAddr = format!("{to}:{port}").parse().unwrap();
    let text = text.to_string();
    within(ns, move || {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(mut s) => {
                let _ = s.write_all(text.as_bytes());
                // Keep the connection open long enough for the server to read.
                std::thread::sleep(Duration::from_millis(50));
                std::mem::forget(s);
                true
            }
            Err(_) => false,
        }
    })
}

/// What the listener received within `window`, as (source address, text).
pub fn tcp_drain(l: &TcpListener, window: Duration) -> Vec<(String, String)> {
    let mut got = Vec::new();
    let end = Instant::now() + window;
    while Instant::now() < end {
        match l.accept() {
            Ok((mut s, from)) => {
                s.set_read_timeout(Some(Duration::from_millis(500)))
                    .unwrap();
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).unwrap_or(0);
                got.push((
                    from.ip().to_string(),
                    String::from_utf8_lossy(&buf[..n]).into_owned(),
                ));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    got
}

/// A SIP request as a phone sends it.
pub fn sip_request(method: &str, host_part: &str, from_ip: &str, user_agent: &str) -> String {
    format!(
        "{method} sip:{host_part} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {from_ip}:5060;branch=z9hG4bK-lab{n}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:100@{host_part}>;tag=lab\r\n\
         To: <sip:100@{host_part}>\r\n\
         Call-ID: lab-{n}@{from_ip}\r\n\
         CSeq: 1 {method}\r\n\
         Contact: <sip:100@{from_ip}:5060>\r\n\
         User-Agent: {user_agent}\r\n\
         Content-Length: 0\r\n\r\n",
        n = COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// The addresses on a list inside a namespace: both ipset sets of the list
/// (ah-LIST, ah-LIST6) where the rules use ipset, else its xt_recent list.
pub fn recent_list(ns: &str, list: &str) -> Vec<String> {
    use asterisk_harden::ruleset::{Family, set_name};
    let mut in_sets = None;
    for set in [Family::Ipv4, Family::Ipv6].map(|f| set_name(list, f)) {
        let out = in_ns(ns, "ipset").args(["save", &set]).output().unwrap();
        if out.status.success() {
            let members =
                asterisk_harden::sets::parse_save(&set, &String::from_utf8_lossy(&out.stdout))
                    .members;
            in_sets
                .get_or_insert_with(Vec::new)
                .extend(members.into_iter().map(|m| m.address));
        }
    }
    if let Some(addresses) = in_sets {
        return addresses;
    }
    let out = in_ns(ns, "cat")
        .arg(format!("/proc/net/xt_recent/{list}"))
        .output()
        .unwrap();
    asterisk_harden::recent::addresses(&String::from_utf8_lossy(&out.stdout))
}

pub fn sources(got: &[(String, String)]) -> Vec<&str> {
    got.iter().map(|(s, _)| s.as_str()).collect()
}

/// Send one SIP request over UDP from `from` to the PBX.
pub fn send_sip(from: &Host, method: &str, host_part: &str, user_agent: &str) {
    let sock = udp_sender(&from.ns);
    send_udp(
        &sock,
        PBX_IP,
        5060,
        &sip_request(method, host_part, &from.ip, user_agent),
    );
}

/// Run svmap against the PBX from a scanner namespace; returns its output.
pub fn svmap(scanner: &Host) -> String {
    let out = in_ns(&scanner.ns, "svmap")
        .args(["-t", "0.5", "-p", "5060", PBX_IP])
        .output()
        .expect("svmap");
    output_text(&out)
}

/// Packets counted by the raw-table rules that match `source_set` (as
/// `--match-set SET src`) and jump to `target`.
pub fn raw_set_rule_packets(ns: &str, source_set: &str, target: &str) -> u64 {
    let out = run_checked(in_ns(ns, "iptables-save").args(["-c", "-t", "raw"]));
    let needle = format!("--match-set {source_set} src");
    let tail = format!("-j {target}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(&needle) && l.ends_with(&tail))
        .filter_map(|l| l.strip_prefix('[')?.split(':').next()?.parse::<u64>().ok())
        .sum()
}
