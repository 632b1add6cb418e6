//! Every Asterisk-facing claim against a running PBX: the lab's real
//! Asterisk (PJSIP) runs in the PBX namespace on the sandbox's etc/asterisk,
//! the tool applies its rules there, and real phones (sipp with digest auth
//! and RTP) and real scanners (sipvicious) talk to it through them. Without
//! the lab's Asterisk these tests skip and say how to get it (under CI=true
//! they fail).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use asterisk_harden::asterisk::cli_output::{self, pjsip_contacts};
use common::asterisk::*;
use common::sandbox::{Sandbox, firewall};
use common::*;

const HOST: &str = "pbx-lab7.example.net";
const ZOIPER_5: &str = "Z 5.6.6 v2.10.20.5";

fn text(out: &Output) -> String {
    output_text(out)
}

/// A lab whose PBX namespace runs the lab's Asterisk on a sandbox root.
/// Fields drop in order: Asterisk stops before its sandbox and namespace go.
struct Bench {
    pbx: Pbx,
    sandbox: Sandbox,
    pbx_host: Host,
    lab: Lab,
}

impl Bench {
    /// None (skipped) without root or a lab Asterisk.
    fn new(tag: &str) -> Option<Bench> {
        let asterisk = asterisk_allowed()?;
        let (lab, pbx_host) = Lab::new(tag);
        let sandbox = Sandbox::debian();
        let pbx = Pbx::start(&asterisk, &sandbox, &pbx_host.ns);
        Some(Bench {
            pbx,
            sandbox,
            pbx_host,
            lab,
        })
    }
}

/// The tool, in the PBX namespace, finding the lab's asterisk on PATH.
fn tool(sandbox: &Sandbox, pbx: &Pbx, args: &[&str]) -> Output {
    sandbox
        .command(&pbx.ns, args)
        .env("PATH", pbx.path_env())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn apply(sandbox: &Sandbox, pbx: &Pbx, answers: &Path) -> String {
    let out = tool(
        sandbox,
        pbx,
        &[
            "apply",
            "--yes",
            "--no-confirm",
            "--answers",
            answers.to_str().unwrap(),
        ],
    );
    let t = text(&out);
    assert!(out.status.success(), "apply failed:\n{t}");
    t
}

fn answers(mode: &str, sip: &str, rest: &str) -> String {
    format!(
        "mode = \"{mode}\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\n\
         [sip]\n{sip}\n{rest}"
    )
}

fn contacts(pbx: &Pbx) -> Vec<cli_output::Contact> {
    pjsip_contacts(&pbx.rx("pjsip show contacts"))
}

fn run_in(ns: &str, program: &str, args: &[&str]) -> String {
    let out = in_ns(ns, program)
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    text(&out)
}

#[test]
fn strict_phone_registers_and_calls_with_the_hostname_and_scanners_leave_no_trace() {
    let Some(mut bench) = Bench::new("astrict") else {
        return;
    };
    let Bench {
        pbx,
        sandbox,
        pbx_host,
        lab,
    } = &mut bench;
    let phone_host = lab.host("phone", "enp1s0");
    let by_ip_host = lab.host("byip", "enp1s0");
    let svmap_host = lab.host("svmap", "eno1");
    let svwar_host = lab.host("svwar", "eno2");
    let svcrack_host = lab.host("svcrack", "eno3");
    apply(
        sandbox,
        pbx,
        &sandbox.answers(&answers("strict", &format!("hostname = \"{HOST}\""), "")),
    );

    let phone = Phone::new(
        &phone_host,
        "6001",
        "6001secret",
        "Yealink SIP-T46S 66.86.0.15",
    );
    let reg = phone.register(HOST);
    assert!(reg.success, "the phone did not register:\n{}", reg.output);
    let c = contacts(pbx);
    assert!(
        c.iter()
            .any(|c| c.aor == "6001" && c.uri.contains(&format!("@{}:", phone_host.ip))),
        "6001 is not in `pjsip show contacts`: {c:?}"
    );

    // A call to 600 (Answer, Echo) with 3 s of RTP at 50 packets a second:
    // what comes back proves media flows both ways through the rules.
    let returned = count_rtp_from_pbx(&phone_host.ns, 10000, 20000);
    let call = phone.call("600", HOST, 3000);
    assert!(call.success, "the call to 600 failed:\n{}", call.output);
    let back = returned();
    assert!(
        back >= 100,
        "only {back} RTP packets came back from Echo() (150 sent)"
    );

    // The same phone told the bare IP never reaches Asterisk.
    let by_ip = Phone::new(
        &by_ip_host,
        "6002",
        "6002secret",
        "Yealink SIP-T46S 66.86.0.15",
    );
    let reg = by_ip.register(PBX_IP);
    assert!(!reg.success, "a REGISTER to the bare IP got an answer");
    let seen = pbx.log_lines_naming(&by_ip_host.ip);
    assert!(seen.is_empty(), "Asterisk saw the bare-IP phone: {seen:?}");

    // sipvicious finds nothing, even with the right password in svcrack's
    // dictionary, and Asterisk never hears of the scanners.
    let report = svmap(&svmap_host);
    assert!(!report.contains(PBX_IP), "svmap found the PBX:\n{report}");
    let report = run_in(
        &svwar_host.ns,
        "svwar",
        &[
            "--force",
            "-e6000-6003",
            "-m",
            "REGISTER",
            "-t",
            "0.3",
            PBX_IP,
        ],
    );
    assert!(
        !report.contains("| 600"),
        "svwar found extensions:\n{report}"
    );
    let dictionary = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(dictionary.path(), "1234\n6001secret\n").unwrap();
    let report = run_in(
        &svcrack_host.ns,
        "svcrack",
        &[
            "-u",
            "6001",
            "-d",
            dictionary.path().to_str().unwrap(),
            "-t",
            "0.3",
            PBX_IP,
        ],
    );
    assert!(
        !report.contains("6001secret"),
        "svcrack cracked 6001:\n{report}"
    );
    for scanner in [&svmap_host, &svwar_host, &svcrack_host] {
        let seen = pbx.log_lines_naming(&scanner.ip);
        assert!(seen.is_empty(), "Asterisk logged {}: {seen:?}", scanner.ns);
    }
    let live = firewall(&pbx_host.ns);
    assert!(
        live.contains(":SIPRAW"),
        "the rules are not loaded:\n{live}"
    );
}

#[test]
fn relaxed_open_phone_registers_by_ip_and_sipvicious_is_still_banned() {
    let Some(mut bench) = Bench::new("astopen") else {
        return;
    };
    let Bench {
        pbx,
        sandbox,
        pbx_host,
        lab,
    } = &mut bench;
    let phone_host = lab.host("phone", "enp1s0");
    let scanner = lab.host("svmap", "eno1");
    apply(
        sandbox,
        pbx,
        &sandbox.answers(&answers("relaxed-open", "", "")),
    );

    let phone = Phone::new(
        &phone_host,
        "6002",
        "6002secret",
        "Grandstream GXP2170 1.0.11.3",
    );
    let reg = phone.register(PBX_IP);
    assert!(reg.success, "the phone did not register:\n{}", reg.output);
    assert!(
        contacts(pbx).iter().any(|c| c.aor == "6002"),
        "6002 is not in `pjsip show contacts`"
    );
    let report = svmap(&scanner);
    assert!(!report.contains(PBX_IP), "svmap found the PBX:\n{report}");
    assert!(
        pbx.log_lines_naming(&scanner.ip).is_empty(),
        "Asterisk logged the scanner"
    );
    let banned = recent_list(&pbx_host.ns, "BADSIP");
    assert!(banned.contains(&scanner.ip), "svmap not banned: {banned:?}");
}

#[test]
fn zoiper_option_registers_zoiper_5_without_the_hostname() {
    let Some(mut bench) = Bench::new("astzoi") else {
        return;
    };
    let Bench {
        pbx,
        sandbox,
        pbx_host: _,
        lab,
    } = &mut bench;
    let zoiper_host = lab.host("zoiper", "enp1s0");
    let other_host = lab.host("linphone", "enp1s0");
    apply(
        sandbox,
        pbx,
        &sandbox.answers(&answers(
            "strict",
            &format!("hostname = \"{HOST}\"\nuser_agents = [\"Zoiper\"]"),
            "",
        )),
    );
    let zoiper = Phone::new(&zoiper_host, "6001", "6001secret", ZOIPER_5);
    let reg = zoiper.register(PBX_IP);
    assert!(reg.success, "Zoiper 5 did not register:\n{}", reg.output);
    assert!(contacts(pbx).iter().any(|c| c.aor == "6001"));
    let other = Phone::new(
        &other_host,
        "6002",
        "6002secret",
        "Linphone/5.2.0 (belle-sip/5.2.0)",
    );
    assert!(
        !other.register(PBX_IP).success,
        "a non-Zoiper client registered without the hostname"
    );
}

const AMI_ACCEPTED: &str = "Authentication accepted";

#[test]
fn apply_moves_ami_to_localhost_and_rollback_puts_it_back() {
    let Some(mut bench) = Bench::new("astami") else {
        return;
    };
    let Bench {
        pbx,
        sandbox,
        pbx_host,
        lab,
    } = &mut bench;
    let admin = lab.host("admin", "enp1s0");
    let before = sandbox.files();
    // relaxed-raw leaves the filter table alone, so only AMI's own bind
    // address can keep the other namespace out.
    assert!(
        ami_login(&admin.ns, PBX_IP, "labadmin", "labsecret").contains(AMI_ACCEPTED),
        "the lab's AMI should answer from outside before the change"
    );
    let out = apply(
        sandbox,
        pbx,
        &sandbox.answers(&answers(
            "relaxed-raw",
            "",
            "[asterisk]\nmanager_localhost = true\n",
        )),
    );
    assert!(
        out.contains("AMI reloaded: listening on 127.0.0.1:5038 only"),
        "{out}"
    );
    let local = ami_login(&pbx_host.ns, "127.0.0.1", "labadmin", "labsecret");
    assert!(local.contains(AMI_ACCEPTED), "AMI on 127.0.0.1: {local}");
    let outside = ami_login(&admin.ns, PBX_IP, "labadmin", "labsecret");
    assert!(
        !outside.contains(AMI_ACCEPTED),
        "AMI still answers outside: {outside}"
    );
    let ami = cli_output::ami_settings(&pbx.rx("manager show settings"));
    assert_eq!(ami.bind_address.as_deref(), Some("127.0.0.1"));

    let out = tool(sandbox, pbx, &["rollback", "--yes"]);
    assert!(out.status.success(), "rollback failed:\n{}", text(&out));
    assert!(
        text(&out).contains("AMI reloaded: listening on 0.0.0.0:5038"),
        "rollback does not say where AMI listens:\n{}",
        text(&out)
    );
    assert!(
        ami_login(&admin.ns, PBX_IP, "labadmin", "labsecret").contains(AMI_ACCEPTED),
        "rollback did not put AMI back on all addresses:\n{}",
        text(&out)
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(sandbox.files(), before, "the files are not as they were");
}

fn module_loaded(pbx: &Pbx, module: &str) -> bool {
    cli_output::loaded_modules(&pbx.rx(&format!("module show like {module}")))
        .iter()
        .any(|m| m.name == module)
}

fn udp_listening(ns: &str, port: u16) -> bool {
    run_in(ns, "ss", &["-lnu"]).contains(&format!(":{port} "))
}

#[test]
fn noload_keeps_present_modules_out_after_a_restart_and_names_absent_ones() {
    let Some(mut bench) = Bench::new("astmod") else {
        return;
    };
    let Bench {
        pbx,
        sandbox,
        pbx_host,
        lab: _,
    } = &mut bench;
    let present = ["chan_iax2", "pbx_dundi", "chan_unistim"];
    let absent = ["chan_sip", "chan_skinny", "chan_mgcp"];
    for m in present {
        assert!(module_loaded(pbx, m), "{m} should run in the lab before");
    }
    assert!(
        udp_listening(&pbx_host.ns, 4569),
        "IAX2 should listen before"
    );
    let list: Vec<String> = present
        .iter()
        .chain(absent.iter())
        .map(|m| format!("\"{m}.so\""))
        .collect();
    let answers = sandbox.answers(&answers(
        "relaxed-raw",
        "",
        &format!("[asterisk]\nnoload = [{}]\n", list.join(", ")),
    ));
    let plan = tool(
        sandbox,
        pbx,
        &["plan", "--answers", answers.to_str().unwrap()],
    );
    let plan = text(&plan);
    let kept = plan
        .lines()
        .find(|l| l.contains("modules kept out from the next Asterisk start"))
        .unwrap_or_else(|| panic!("no modules line in the plan:\n{plan}"));
    let claimed = kept
        .split("not in this Asterisk")
        .next()
        .unwrap_or_default()
        .to_string();
    for m in absent {
        assert!(
            !claimed.contains(&format!("{m}.so")),
            "{m} is claimed as kept out: {kept}"
        );
        assert!(
            kept.contains(&format!("{m}.so")),
            "{m} is not named: {kept}"
        );
    }
    for m in present {
        assert!(claimed.contains(&format!("{m}.so")), "{m} missing: {kept}");
    }
    apply(sandbox, pbx, &answers);
    pbx.restart();
    for m in present {
        assert!(!module_loaded(pbx, m), "{m} is loaded after the restart");
    }
    assert!(
        !udp_listening(&pbx_host.ns, 4569),
        "IAX2's port 4569 is still open"
    );
    assert!(module_loaded(pbx, "chan_pjsip"), "PJSIP should still run");
}

#[test]
fn the_fail2ban_jail_bans_a_password_guesser_from_the_real_log() {
    if !Path::new("/etc/fail2ban/jail.conf").exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "fail2ban is missing: scripts/test.sh installs it"
        );
        eprintln!("skipped: fail2ban is not installed");
        return;
    }
    let Some(mut bench) = Bench::new("astf2b") else {
        return;
    };
    let Bench {
        pbx,
        sandbox,
        pbx_host,
        lab,
    } = &mut bench;
    let guesser_host = lab.host("guesser", "enp1s0");
    run_checked(
        std::process::Command::new("cp")
            .args(["-a", "/etc/fail2ban"])
            .arg(sandbox.path("/etc/fail2ban")),
    );
    sandbox.write("/var/log/auth.log", "", 0o640);
    apply(
        sandbox,
        pbx,
        &sandbox.answers(&answers("relaxed-open", "", "[fail2ban]\nenabled = true\n")),
    );
    let jail = std::fs::read_to_string(sandbox.path("/etc/fail2ban/jail.d/asterisk-harden.local"))
        .unwrap();
    assert!(jail.contains("[asterisk]\nenabled = true"), "{jail}");

    // A real fail2ban in the PBX namespace, on the tool's jail, reading the
    // lab Asterisk's real log (where a Debian box keeps it).
    let f2b = Fail2ban::start(sandbox, &pbx_host.ns);
    let guesser = Phone::new(
        &guesser_host,
        "6002",
        "wrong-password",
        "Grandstream GXP2170",
    );
    // Debian's asterisk jail bans at 10 failures (maxretry) in 10 minutes.
    for _ in 0..11 {
        assert!(!guesser.register(PBX_IP).success);
    }
    let banned = f2b.wait_for_ban("asterisk", &guesser_host.ip);
    assert!(
        banned,
        "fail2ban did not ban {}:\n{}\n{}",
        guesser_host.ip,
        f2b.status("asterisk"),
        std::fs::read_to_string(sandbox.path("/var/log/fail2ban.log")).unwrap_or_default()
    );
    let failures = pbx
        .messages_log()
        .lines()
        .filter(|l| l.contains(&guesser_host.ip) && l.contains("Failed to authenticate"))
        .count();
    assert!(failures >= 10, "the real log has {failures} failures");
    // Banned: the right password from that address no longer gets an answer.
    let same = Phone::new(&guesser_host, "6002", "6002secret", "Grandstream GXP2170");
    assert!(
        !same.register(PBX_IP).success,
        "the banned source still registers"
    );
}

/// fail2ban-server in a namespace with its socket and database in the sandbox.
struct Fail2ban {
    conf: PathBuf,
    ns: String,
}

impl Fail2ban {
    fn start(sandbox: &Sandbox, ns: &str) -> Self {
        let run = sandbox.path("/run/fail2ban");
        std::fs::create_dir_all(&run).unwrap();
        sandbox.write(
            "/etc/fail2ban/fail2ban.local",
            &format!(
                "[Definition]\nsocket = {0}/fail2ban.sock\npidfile = {0}/fail2ban.pid\ndbfile = :memory:\nlogtarget = {1}\n",
                run.display(),
                sandbox.path("/var/log/fail2ban.log").display()
            ),
            0o644,
        );
        sandbox.write(
            "/etc/fail2ban/jail.d/zz-lab.local",
            &format!(
                "[DEFAULT]\nbackend = polling\n[sshd]\nlogpath = {}\n[asterisk]\nlogpath = {}\n",
                sandbox.path("/var/log/auth.log").display(),
                sandbox.path("/var/log/asterisk/messages").display()
            ),
            0o644,
        );
        let f = Fail2ban {
            conf: sandbox.path("/etc/fail2ban"),
            ns: ns.to_string(),
        };
        let out = f.client(&["-b", "start"]);
        assert!(out.status.success(), "fail2ban: {}", text(&out));
        f
    }

    fn client(&self, args: &[&str]) -> Output {
        in_ns(&self.ns, "fail2ban-client")
            .arg("-c")
            .arg(&self.conf)
            .args(args)
            .output()
            .unwrap()
    }

    fn status(&self, jail: &str) -> String {
        text(&self.client(&["status", jail]))
    }

    fn wait_for_ban(&self, jail: &str, ip: &str) -> bool {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while std::time::Instant::now() < end {
            if self.status(jail).contains(ip) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
        false
    }
}

impl Drop for Fail2ban {
    fn drop(&mut self) {
        let _ = self.client(&["stop"]);
    }
}

#[test]
fn probe_reports_the_running_asterisk() {
    let Some(mut bench) = Bench::new("astprobe") else {
        return;
    };
    let Bench {
        pbx,
        sandbox,
        pbx_host: _,
        lab: _,
    } = &mut bench;
    let out = text(&tool(sandbox, pbx, &["probe"]));
    let version = pbx.rx("core show version");
    let version = version.split_whitespace().nth(1).unwrap();
    for want in [
        format!("Asterisk {version}"),
        "running                      yes".to_string(),
        "transport-udp udp 0.0.0.0:5060  [pjsip show transports]".to_string(),
        "transport-tcp tcp 0.0.0.0:5060  [pjsip show transports]".to_string(),
        "10000-20000  [rtp show settings]".to_string(),
        "0.0.0.0:5038  [manager show settings]".to_string(),
        "chan_iax2.so".to_string(),
    ] {
        assert!(out.contains(&want), "probe does not say {want:?}:\n{out}");
    }
    // What the files say agrees with what the running Asterisk says.
    let json = tool(sandbox, pbx, &["probe", "--json"]);
    let facts: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let a = &facts["asterisk"];
    assert_eq!(a["rtp"][0], a["live"]["rtp"][0], "{a:#}");
    assert_eq!(a["rtp"][1], a["live"]["rtp"][1], "{a:#}");
    let ports = |list: &serde_json::Value| -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["protocol"].as_str().unwrap().to_string(),
                    t["port"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(ports(&a["transports"]), ports(&a["live"]["transports"]));
    assert_eq!(a["ami_bindaddr"], a["live"]["ami"]["bind_address"]);
    assert!(
        a["modules"]["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "chan_pjsip"),
        "{a:#}"
    );
}

/// The lab build's directory (PREFIX), found without root: the hygiene
/// check only reads its sample configs.
fn lab_prefix() -> Option<PathBuf> {
    let from_env = std::env::var_os("ASTERISK_HARDEN_TEST_ASTERISK").map(PathBuf::from);
    let binary = from_env.unwrap_or_else(|| PathBuf::from("/opt/asterisk-lab/sbin/asterisk"));
    let prefix = binary.parent()?.parent()?.to_path_buf();
    prefix
        .join("share/asterisk-lab/samples")
        .is_dir()
        .then_some(prefix)
}

#[test]
fn hygiene_on_asterisks_own_samples_raises_only_what_they_really_do() {
    let Some(prefix) = lab_prefix() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no lab Asterisk and CI=true: {HOW_TO_GET_ONE}"
        );
        eprintln!("skipped: no lab Asterisk samples; {HOW_TO_GET_ONE}");
        return;
    };
    let samples = prefix.join("share/asterisk-lab/samples");
    let sandbox = Sandbox::debian();
    for name in [
        "pjsip.conf",
        "extensions.conf",
        "manager.conf",
        "modules.conf",
        "rtp.conf",
    ] {
        let text = std::fs::read_to_string(samples.join(format!("{name}.sample"))).unwrap();
        sandbox.write(&format!("/etc/asterisk/{name}"), &text, 0o640);
    }
    assert!(
        problems(&sandbox).is_empty(),
        "the samples define no endpoint (all commented out), so there is nothing to find"
    );

    // basic-pbx, a whole office: its extensions inherit type=endpoint from a
    // template and none of its 15 has an acl or permit; its trunk endpoint has no
    // inbound auth either (a From of "dcs-endpoint" is let in); no dialplan
    // limits calls. Its passwords are random 15-character strings: not weak.
    let basic = Sandbox::debian();
    copy_dir(&samples.join("basic-pbx"), &basic);
    let found = problems(&basic);
    let no_acl = found
        .iter()
        .filter(|p| p.ends_with("has no acl/permit: reachable from any address"))
        .count();
    assert_eq!(no_acl, 15, "{found:#?}");
    assert!(
        found
            .contains(&"endpoint [dcs-endpoint] has no inbound auth and no acl/permit".to_string()),
        "{found:#?}"
    );
    assert!(found.contains(&"PJSIP has no per-endpoint call limit".to_string()));
    assert_eq!(found.len(), 17, "nothing else: {found:#?}");

    // The same office with a GROUP_COUNT() limit in its dialplan.
    let ext = std::fs::read_to_string(basic.path("/etc/asterisk/extensions.conf")).unwrap();
    basic.write(
        "/etc/asterisk/extensions.conf",
        &format!("{ext}\n[limits]\nexten => _X.,1,Set(GROUP()=${{CHANNEL(endpoint)}})\n same => n,GotoIf($[${{GROUP_COUNT()}} > 2]?full)\n"),
        0o640,
    );
    assert!(!problems(&basic).contains(&"PJSIP has no per-endpoint call limit".to_string()));
}

fn copy_dir(dir: &Path, sandbox: &Sandbox) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Ok(text) = std::fs::read_to_string(e.path()) {
            sandbox.write(&format!("/etc/asterisk/{name}"), &text, 0o640);
        }
    }
}

fn problems(sandbox: &Sandbox) -> Vec<String> {
    let root = asterisk_harden::root::Root::new(sandbox.root());
    asterisk_harden::asterisk::hygiene::findings(&root)
        .into_iter()
        .map(|f| f.problem)
        .collect()
}

#[test]
fn the_file_parsers_read_every_sample_config_of_this_asterisk() {
    let Some(prefix) = lab_prefix() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no lab Asterisk and CI=true: {HOW_TO_GET_ONE}"
        );
        eprintln!("skipped: no lab Asterisk samples; {HOW_TO_GET_ONE}");
        return;
    };
    use asterisk_harden::asterisk::{conf::Conf, manager, modules};
    let samples = prefix.join("share/asterisk-lab/samples");
    let mut read = 0;
    let mut failures = Vec::new();
    for e in std::fs::read_dir(&samples).unwrap().flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        if !e.file_name().to_string_lossy().ends_with(".conf.sample") {
            continue;
        }
        // A shell file read by ast_coredumper, not by Asterisk's parser.
        if e.file_name() == "ast_debug_tools.conf.sample" {
            continue;
        }
        match Conf::parse(&text) {
            Ok(conf) if conf.render() == text => read += 1,
            Ok(_) => failures.push(format!("{}: not kept byte for byte", e.path().display())),
            Err(err) => failures.push(format!("{}: {err}", e.path().display())),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(read >= 99, "only {read} of the 99 sample configs read");

    // The edits on the real samples: only the lines they own change.
    let sample =
        |name: &str| std::fs::read_to_string(samples.join(format!("{name}.conf.sample"))).unwrap();
    let modules_conf = sample("modules");
    let edit = modules::ensure_noload(
        &modules_conf,
        &[asterisk_harden::answers::AsteriskModule::parse("chan_iax2.so").unwrap()],
    )
    .unwrap();
    let added: Vec<&str> = similar_lines(&modules_conf, &edit.text);
    assert_eq!(added, ["noload => chan_iax2.so"], "{}", edit.text);
    let manager_conf = sample("manager");
    let edit = manager::bind_localhost(&manager_conf).unwrap();
    let active: Vec<&str> = edit
        .text
        .lines()
        .filter(|l| l.trim_start().starts_with("bindaddr"))
        .collect();
    assert_eq!(active, ["bindaddr = 127.0.0.1"], "{}", edit.text);
}

/// Lines of `after` that are not in `before` (the samples have no duplicates
/// of the lines an edit adds).
fn similar_lines<'a>(before: &str, after: &'a str) -> Vec<&'a str> {
    let old: std::collections::HashSet<&str> = before.lines().collect();
    after.lines().filter(|l| !old.contains(l)).collect()
}
