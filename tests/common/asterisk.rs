//! A real Asterisk for the lab (../shared/asterisk-lab): started inside the
//! PBX namespace on a sandbox's etc/asterisk (the files the tool edits), its
//! logs in the sandbox's var/log/asterisk, stopped on drop. Phones are sipp
//! with the scenarios in tests/fixtures/sipp/.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::sandbox::Sandbox;
use super::{Host, PBX_IP, in_ns, lab_allowed, output_text};

pub const HOW_TO_GET_ONE: &str = "install the lab's Asterisk with `sudo ../shared/asterisk-lab/install.sh` \
     (it goes to /opt/asterisk-lab), or point ASTERISK_HARDEN_TEST_ASTERISK at an asterisk binary of that build";

/// The lab's Asterisk binary: ASTERISK_HARDEN_TEST_ASTERISK, `asterisk` on
/// PATH, or the lab installer's default place.
fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ASTERISK_HARDEN_TEST_ASTERISK") {
        return Some(PathBuf::from(p));
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("asterisk"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let lab = PathBuf::from("/opt/asterisk-lab/sbin/asterisk");
        lab.is_file().then_some(lab)
    })
}

/// The Asterisk binary when this test may run one. Off root, or without an
/// Asterisk, it skips with a line saying how to get one, except under
/// CI=true, where a test that cannot run fails.
pub fn asterisk_allowed() -> Option<PathBuf> {
    if !lab_allowed() {
        return None;
    }
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let found = find().filter(|p| {
        // The lab's build carries its instance script; a distribution's
        // Asterisk would need configs this harness does not write.
        p.parent()
            .and_then(Path::parent)
            .is_some_and(|prefix| prefix.join("bin/asterisk-lab-instance").is_file())
    });
    match found {
        Some(p) => Some(p),
        None if ci => panic!("no lab Asterisk and CI=true: {HOW_TO_GET_ONE}"),
        None => {
            eprintln!("skipped: no lab Asterisk here; {HOW_TO_GET_ONE}");
            None
        }
    }
}

pub struct Pbx {
    pub binary: PathBuf,
    pub conf: PathBuf,
    pub ns: String,
    /// The instance's runtime root (run/, lib/, spool/): sandbox/run/ast.
    state: PathBuf,
    /// sandbox/var/log/asterisk.
    pub log_dir: PathBuf,
    child: Option<Child>,
}

impl Pbx {
    /// Render the lab configs into `sandbox`'s etc/asterisk (files already
    /// there are kept), then start Asterisk in namespace `ns`.
    pub fn start(binary: &Path, sandbox: &Sandbox, ns: &str) -> Pbx {
        let prefix = binary.parent().and_then(Path::parent).unwrap();
        let state = sandbox.path("/run/ast");
        let etc = sandbox.path("/etc/asterisk");
        let out = Command::new(prefix.join("bin/asterisk-lab-instance"))
            .arg(&state)
            .arg(&etc)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "asterisk-lab-instance: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let conf = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        // Logs where a Debian box keeps them, so the tool's fail2ban facts
        // see the real log.
        let log_dir = sandbox.path("/var/log/asterisk");
        std::fs::create_dir_all(&log_dir).unwrap();
        let text = std::fs::read_to_string(&conf).unwrap();
        let text: String = text
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("astlogdir") {
                    format!("astlogdir => {}\n", log_dir.display())
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(&conf, text).unwrap();
        let mut pbx = Pbx {
            binary: binary.to_path_buf(),
            conf,
            ns: ns.to_string(),
            state,
            log_dir,
            child: None,
        };
        pbx.boot();
        pbx
    }

    fn boot(&mut self) {
        let console = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.state.join("console.out"))
            .unwrap();
        let child = in_ns(&self.ns, self.binary.to_str().unwrap())
            .arg("-C")
            .arg(&self.conf)
            .args(["-f", "-n"])
            .stdin(Stdio::null())
            .stdout(console.try_clone().unwrap())
            .stderr(console)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            if self.state.join("run/asterisk.ctl").exists()
                && self.rx("core waitfullybooted").contains("fully booted")
            {
                return;
            }
            if let Some(c) = self.child.as_mut()
                && c.try_wait().unwrap().is_some()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "Asterisk did not boot:\n{}",
            std::fs::read_to_string(self.state.join("console.out")).unwrap_or_default()
        );
    }

    /// `asterisk -C CONF -rx COMMAND`, its stdout and stderr.
    pub fn rx(&self, command: &str) -> String {
        let out = Command::new(&self.binary)
            .arg("-C")
            .arg(&self.conf)
            .args(["-rx", command])
            .output()
            .unwrap();
        output_text(&out)
    }

    /// Stop (`core stop now`, then signals) and wait for the process.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = self.rx("core stop now");
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    pub fn restart(&mut self) {
        self.stop();
        self.boot();
    }

    pub fn security_log(&self) -> String {
        std::fs::read_to_string(self.log_dir.join("security")).unwrap_or_default()
    }

    pub fn messages_log(&self) -> String {
        std::fs::read_to_string(self.log_dir.join("messages")).unwrap_or_default()
    }

    /// Every log line (security and messages) that names `ip`.
    pub fn log_lines_naming(&self, ip: &str) -> Vec<String> {
        let quoted = [format!("/{ip}/"), format!("'{ip}:"), format!("{ip}'")];
        [self.security_log(), self.messages_log()]
            .iter()
            .flat_map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
            .filter(|l| quoted.iter().any(|q| l.contains(q.as_str())))
            .collect()
    }

    /// The PATH under which the tool finds this asterisk.
    pub fn path_env(&self) -> String {
        format!(
            "{}:{}",
            self.binary.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }
}

impl Drop for Pbx {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A phone (sipp) in `host`'s namespace; `hostname` resolves to the PBX
/// there, as DNS would tell a real phone.
pub struct Phone<'a> {
    pub host: &'a Host,
    pub user: &'a str,
    pub password: &'a str,
    pub user_agent: &'a str,
    work: tempfile::TempDir,
}

pub const SIPP_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sipp");

/// What a sipp run did.
pub struct SippRun {
    pub success: bool,
    pub output: String,
}

impl<'a> Phone<'a> {
    pub fn new(host: &'a Host, user: &'a str, password: &'a str, user_agent: &'a str) -> Self {
        let work = tempfile::tempdir().unwrap();
        // 1 s of PCMU silence: Echo() returns it whatever it contains.
        std::fs::write(work.path().join("echo.ulaw"), vec![0xffu8; 8000]).unwrap();
        Phone {
            host,
            user,
            password,
            user_agent,
            work,
        }
    }

    fn sipp(&self, scenario: &str, service: &str, domain: &str, extra: &[&str]) -> SippRun {
        let out: Output = in_ns(&self.host.ns, "sipp")
            .current_dir(self.work.path())
            .arg(format!("{PBX_IP}:5060"))
            .arg("-sf")
            .arg(format!("{SIPP_DIR}/{scenario}"))
            .args(["-s", service, "-au", self.user, "-ap", self.password])
            .args(["-key", "user", self.user, "-key", "domain", domain])
            .args(["-key", "ua", self.user_agent])
            .args(["-i", &self.host.ip, "-m", "1", "-nostdin"])
            .args(["-timeout", "8s", "-timeout_error", "-recv_timeout", "4s"])
            .args(extra)
            .stdin(Stdio::null())
            .output()
            .expect("sipp (Debian's sip-tester)");
        SippRun {
            success: out.status.success(),
            output: output_text(&out),
        }
    }

    /// REGISTER with digest auth to `domain` (the secret hostname or the IP).
    pub fn register(&self, domain: &str) -> SippRun {
        self.sipp("register.xml", self.user, domain, &["-p", "5070"])
    }

    /// Call `extension`, stream RTP for `millis`, hang up.
    pub fn call(&self, extension: &str, domain: &str, millis: u32) -> SippRun {
        self.sipp(
            "call-echo.xml",
            extension,
            domain,
            &["-p", "5072", "-d", &millis.to_string()],
        )
    }
}

/// `/etc/netns/NS/hosts`, which `ip netns exec` shows the namespace as its
/// /etc/hosts: removed on drop.
pub struct HostsEntry(PathBuf);

impl HostsEntry {
    pub fn new(ns: &str, name: &str, ip: &str) -> Self {
        let dir = PathBuf::from("/etc/netns").join(ns);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("hosts"),
            format!("127.0.0.1 localhost\n{ip} {name}\n"),
        )
        .unwrap();
        HostsEntry(dir)
    }
}

impl Drop for HostsEntry {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Counts UDP packets arriving in `ns` from the PBX's RTP ports (a rule with
/// no target in the namespace's INPUT chain: it only counts).
pub fn count_rtp_from_pbx(ns: &str, lo: u16, hi: u16) -> impl Fn() -> u64 {
    let ports = format!("{lo}:{hi}");
    let status = in_ns(ns, "iptables")
        .args(["-A", "INPUT", "-p", "udp", "-s", PBX_IP, "--sport", &ports])
        .status()
        .unwrap();
    assert!(status.success());
    let ns = ns.to_string();
    move || {
        let out = in_ns(&ns, "iptables")
            .args(["-nvxL", "INPUT"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find(|l| l.contains(PBX_IP) && l.contains("spts:"))
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }
}

/// An AMI login from namespace `ns` to `ip`:5038; the transcript, or the
/// connection error.
pub fn ami_login(ns: &str, ip: &str, user: &str, secret: &str) -> String {
    let script = "exec 3<>/dev/tcp/$1/5038 || exit 1\n\
                  printf 'Action: Login\\r\\nUsername: %s\\r\\nSecret: %s\\r\\n\\r\\nAction: Logoff\\r\\n\\r\\n' \"$2\" \"$3\" >&3\n\
                  timeout 3 cat <&3";
    let out = in_ns(ns, "timeout")
        .args(["8", "bash", "-c", script, "_", ip, user, secret])
        .output()
        .unwrap();
    output_text(&out).replace('\r', "")
}
