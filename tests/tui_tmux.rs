//! The demo in a real terminal (tmux): it draws its first screen within 2 s,
//! survives a resize, reaches the review with Enter alone, quits with exit 0
//! and the terminal restored, and changes nothing on the host: its
//! /etc/ssh/sshd_config, its firewall (`iptables-save`, only read here,
//! never loaded) and its namespaces are the same before and after. The same
//! for `demo --plain`, answering every inquire prompt with Enter.

mod common;

use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::bin;

/// The line mode's prompts after the SSH move question, in order.
const PLAIN_PROMPTS: [&str; 11] = [
    "Key-only login",
    "Always accept your address",
    "Secret SIP hostname",
    "SIP trunk providers",
    "Mode",
    "Also admit Zoiper",
    "REGISTER/INVITE rate limits",
    "Edit modules.conf and manager.conf?",
    "Modules to stop loading",
    "Keep AMI",
    "Flash Operator Panel",
];

/// One demo at a time: each checks the host's namespaces before and after.
static SERIAL: Mutex<()> = Mutex::new(());

fn allowed() -> bool {
    let root = nix::unistd::geteuid().is_root();
    let tmux = Command::new("tmux").arg("-V").output().is_ok();
    if root && tmux {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("this test needs root and tmux, and CI=true: run scripts/test.sh as root");
    }
    eprintln!("skipped: needs root (the demo's namespace) and tmux");
    false
}

/// A tmux server of this test's own (-L), killed on every way out.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str, width: u16, height: u16) -> Self {
        Self::start_as(&width.to_string(), command, width, height)
    }

    /// A server of its own named `tag`: a second terminal is a second
    /// server (tmux 3.3's new-window with window-size manual kills the server).
    fn start_as(tag: &str, command: &str, width: u16, height: u16) -> Self {
        // Never a name used before in this run: a server being killed
        // by the last test must not be the one the next test talks to.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let t = Self {
            socket: format!("ah-test-{}-{tag}-{n}", std::process::id()),
        };
        t.run(&[
            "new-session",
            "-d",
            "-s",
            "demo",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            command,
        ]);
        t.run(&["set-option", "-g", "window-size", "manual"]);
        t
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "demo:0"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "demo:0"];
        args.extend(keys);
        self.run(&args);
    }

    /// Wait until `pred` holds for the screen; the screen, or a panic
    /// showing it.
    fn wait_for(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if started.elapsed() > limit {
                panic!("no {what} within {limit:?}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, Duration::from_secs(10), |s| s.contains(text))
    }

    /// Wait for an inquire prompt being asked: "? text" near the bottom
    /// (an answered one reads "> text answer").
    fn wait_prompt(&self, text: &str) {
        self.wait_for(text, Duration::from_secs(10), |s| {
            let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
            lines
                .iter()
                .rev()
                .take(12)
                .any(|l| l.starts_with("? ") && l.contains(text))
        });
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// What the host must still have afterwards: sshd_config, both firewalls
/// as `*-save` prints them (counters and timestamps aside), the namespaces.
fn host_state() -> String {
    let read = |prog: &str, args: &[&str]| {
        Command::new(prog)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_else(|e| format!("{prog}: {e}"))
    };
    let firewall = |tool: &str| {
        read(tool, &[])
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| match l.find(" [") {
                Some(i) if l.starts_with(':') => l[..i].to_string(),
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "== sshd_config\n{}\n== iptables\n{}\n== ip6tables\n{}\n== netns\n{}",
        std::fs::read_to_string("/etc/ssh/sshd_config").unwrap_or_default(),
        firewall("iptables-save"),
        firewall("ip6tables-save"),
        // Only the demo's: other tests on this machine make their own labs.
        read("ip", &["netns", "list"])
            .lines()
            .filter(|l| l.starts_with("asterisk-harden-demo-"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// The host's state once no demo namespace is left (a demo that was
/// interrupted by a failed test may still be cleaning up).
fn settled_host_state() -> String {
    let started = Instant::now();
    loop {
        let state = host_state();
        if !state.contains("asterisk-harden-demo-") || started.elapsed() > Duration::from_secs(5) {
            return state;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The host after the demo, line by line against before (only the lines
/// that differ are shown).
fn assert_unchanged(before: &str) {
    let after = host_state();
    if before != after {
        let diff = similar::TextDiff::from_lines(before, &after)
            .unified_diff()
            .header("before", "after")
            .to_string();
        panic!("the demo changed the host:\n{diff}");
    }
}

/// The shell line tmux runs: the demo, then how it ended and the tty's modes.
fn command(args: &str) -> String {
    format!(
        "{} {args}; echo exit=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-*icanon\\|-*echo'; sleep 60",
        bin().display()
    )
}

fn assert_restored(t: &Tmux) {
    let screen = t.wait_text("exit=");
    assert!(screen.contains("exit=0"), "exit code:\n{screen}");
    // Both modes printed (grep writes them one after the other).
    let modes = t.wait_for("stty", Duration::from_secs(5), |s| {
        let shown = |mode: &str| {
            s.lines()
                .any(|l| l.trim() == mode || l.trim() == format!("-{mode}"))
        };
        shown("icanon") && shown("echo")
    });
    assert!(
        modes.lines().any(|l| l.trim() == "icanon") && modes.lines().any(|l| l.trim() == "echo"),
        "the terminal is left in raw mode:\n{modes}"
    );
    assert_eq!(
        t.run(&["display-message", "-p", "-t", "demo:0", "#{alternate_on}"])
            .trim(),
        "0",
        "still on the alternate screen"
    );
}

#[test]
fn full_screen_demo_in_a_real_terminal() {
    if !allowed() {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = settled_host_state();
    let started = Instant::now();
    let t = Tmux::start(&command("demo"), 100, 30);
    t.wait_for("the first screen", Duration::from_secs(2), |s| {
        s.contains("Step 1 of 8: Welcome") && s.contains("Harden this server")
    });
    assert!(started.elapsed() < Duration::from_secs(2));

    t.run(&["resize-window", "-t", "demo", "-x", "80", "-y", "24"]);
    let small = t.wait_for("a redraw at 80x24", Duration::from_secs(3), |s| {
        s.lines().nth(1).is_some_and(|l| l.chars().count() == 80)
            && s.contains("Harden this server")
    });
    assert!(small.lines().count() <= 24);
    t.run(&["resize-window", "-t", "demo", "-x", "100", "-y", "30"]);
    t.wait_for("a redraw at 100x30", Duration::from_secs(3), |s| {
        s.lines().nth(1).is_some_and(|l| l.chars().count() == 100)
    });

    for step in [
        "Step 2 of 8: SSH",
        "Step 3 of 8: SIP hostname",
        "Step 4 of 8: Mode",
        "Step 5 of 8: Asterisk",
        "Step 6 of 8: Review",
    ] {
        t.keys(&["Enter"]);
        t.wait_text(step);
    }
    t.wait_text("What will happen (nothing has changed yet)");
    t.keys(&["q"]);
    t.wait_text("Quit the wizard?");
    t.keys(&["y"]);
    assert_restored(&t);
    drop(t);
    assert_unchanged(&before);
}

#[test]
fn plain_demo_in_a_real_terminal() {
    if !allowed() {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = settled_host_state();
    let t = Tmux::start(&command("demo --plain"), 100, 30);
    for prompt in ["What do you want to do?", "Move SSH to another port?"]
        .into_iter()
        .chain(PLAIN_PROMPTS)
    {
        t.wait_prompt(prompt);
        t.keys(&["Enter"]);
    }
    t.wait_for("the review's menu", Duration::from_secs(10), |s| {
        s.contains("Quit without changing anything")
    });
    let review = t.run(&["capture-pane", "-p", "-t", "demo", "-S", "-2000"]);
    assert!(
        review.contains("What will happen (nothing has changed yet)"),
        "{review}"
    );
    t.keys(&["Down", "Down", "Down", "Enter"]);
    t.wait_prompt("Quit? What you entered is lost.");
    t.keys(&["y", "Enter"]);
    assert_restored(&t);
    drop(t);
    assert_unchanged(&before);
}

/// The demo's headline flow at 80x24: move SSH, apply, confirm from a
/// second terminal with the command the Apply screen shows (one line, run as
/// printed), and the Done screen with the backup and how to roll back.
#[test]
fn demo_moves_ssh_and_is_confirmed_from_a_second_terminal_at_80x24() {
    if !allowed() {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = settled_host_state();
    let t = Tmux::start(&command("demo"), 80, 24);
    t.wait_text("Step 1 of 8: Welcome");
    t.keys(&["Enter"]);
    t.wait_text("Step 2 of 8: SSH");
    t.keys(&["Space"]);
    t.wait_text("New SSH port");
    for step in [
        "Step 3 of 8: SIP hostname",
        "Step 4 of 8: Mode",
        "Step 5 of 8: Asterisk",
        "Step 6 of 8: Review",
    ] {
        t.keys(&["Enter"]);
        t.wait_text(step);
    }
    t.keys(&["Enter"]);
    t.wait_text("Apply these changes now?");
    t.keys(&["y"]);
    let window = t.wait_for("the confirmation window", Duration::from_secs(30), |s| {
        s.contains(" s left") && s.contains("demo --confirm")
    });
    let command_line = window
        .lines()
        .find(|l| l.contains("demo --confirm"))
        .unwrap()
        .trim_matches(|c: char| c == '│' || c.is_whitespace())
        .to_string();
    assert!(
        command_line
            .rsplit(' ')
            .next()
            .is_some_and(|pid| pid.parse::<u32>().is_ok()),
        "the confirm command is not whole on one line: {command_line:?}\n{window}"
    );
    let backup_id = window
        .split("from backup ")
        .nth(1)
        .and_then(|rest| {
            rest.split(|c: char| c.is_whitespace() || c == '│')
                .find(|w| !w.is_empty())
        })
        .map(|id| id.trim_end_matches('.').to_string())
        .unwrap_or_else(|| panic!("no backup id on the Apply screen:\n{window}"));
    let second = Tmux::start_as(
        "second",
        &format!("{command_line}; echo confirm-exit=$?; sleep 60"),
        80,
        24,
    );
    let confirm_out = second.wait_text("confirm-exit=");
    assert!(confirm_out.contains("confirm-exit=0"), "{confirm_out}");
    drop(second);
    let done = t.wait_text("Step 8 of 8: Done");
    for key_line in [
        format!("Backup {backup_id}"),
        format!("rollback --backup {backup_id}"),
        "Next: point your phones at".to_string(),
    ] {
        assert!(
            done.contains(&key_line),
            "{key_line:?} not on the 80x24 Done screen:\n{done}"
        );
    }
    t.keys(&["Enter"]);
    assert_restored(&t);
    drop(t);
    assert_unchanged(&before);
}

/// The same flow in line mode: move SSH, apply, confirm from a second
/// terminal with the printed command, and the Done lines.
#[test]
fn plain_demo_moves_ssh_and_is_confirmed_from_a_second_terminal() {
    if !allowed() {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = settled_host_state();
    let t = Tmux::start(&command("demo --plain"), 100, 30);
    t.wait_prompt("What do you want to do?");
    t.keys(&["Enter"]);
    t.wait_prompt("Move SSH to another port?");
    t.keys(&["y", "Enter"]);
    for prompt in std::iter::once("New SSH port").chain(PLAIN_PROMPTS) {
        t.wait_prompt(prompt);
        t.keys(&["Enter"]);
    }
    t.wait_for("the review's menu", Duration::from_secs(10), |s| {
        s.contains("Apply these changes (asks once more)")
    });
    t.keys(&["Enter"]);
    t.wait_prompt("Apply now?");
    t.keys(&["y", "Enter"]);
    t.wait_prompt("Confirm from this session instead?");
    let screen = t.run(&["capture-pane", "-p", "-t", "demo:0", "-S", "-200"]);
    let command_line = screen
        .lines()
        .find(|l| l.contains("demo --confirm"))
        .unwrap_or_else(|| panic!("no confirm command:\n{screen}"))
        .trim()
        .to_string();
    t.keys(&["Enter"]);
    t.wait_text("waiting for");
    let second = Tmux::start_as(
        "second-plain",
        &format!("{command_line}; echo confirm-exit=$?; sleep 60"),
        100,
        30,
    );
    let out = second.wait_text("confirm-exit=");
    assert!(out.contains("confirm-exit=0"), "{out}");
    drop(second);
    let done = t.wait_text("Done: The change is kept");
    assert!(
        done.contains("Roll back: sudo asterisk-harden rollback --backup"),
        "{done}"
    );
    assert_restored(&t);
    drop(t);
    assert_unchanged(&before);
}

/// A trunk name that takes seconds to resolve (the demo's namespace has no
/// way out, so the lookup waits for its timeout): the screen says what it is
/// doing at once instead of freezing, then shows the answer.
#[test]
fn preparing_the_review_says_so_while_a_trunk_name_resolves() {
    if !allowed() {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = settled_host_state();
    let t = Tmux::start(&command("demo"), 100, 30);
    t.wait_text("Step 1 of 8: Welcome");
    t.keys(&["Enter"]);
    t.wait_text("Step 2 of 8: SSH");
    t.keys(&["Enter"]);
    t.wait_text("Step 3 of 8: SIP hostname");
    t.keys(&["Tab"]);
    t.run(&[
        "send-keys",
        "-t",
        "demo:0",
        "-l",
        "sip.provider-lab.example",
    ]);
    t.wait_text("sip.provider-lab.example");
    t.keys(&["Enter"]);
    t.wait_text("Step 4 of 8: Mode");
    t.keys(&["Enter"]);
    t.wait_text("Step 5 of 8: Asterisk");
    t.keys(&["Enter"]);
    t.wait_for("the busy message", Duration::from_secs(1), |s| {
        s.contains("Preparing the review") || s.contains("Step 6 of 8: Review")
    });
    t.wait_for("the review", Duration::from_secs(30), |s| {
        s.contains("Step 6 of 8: Review")
    });
    t.keys(&["q"]);
    t.wait_text("Quit the wizard?");
    t.keys(&["y"]);
    assert_restored(&t);
    drop(t);
    assert_unchanged(&before);
}

/// Press ↓ on the Status screen until `address` is the selected entry.
fn select(t: &Tmux, address: &str) {
    let marked = format!("› {address} ");
    for _ in 0..10 {
        if t.screen().contains(&marked) {
            return;
        }
        t.keys(&["Down"]);
        std::thread::sleep(Duration::from_millis(300));
    }
    panic!("{address} never got selected:\n{}", t.screen());
}

/// Ask for `key` on the selected entry: the question names the address and
/// the action; `y` carries it out and the screen says what changed.
fn act(t: &Tmux, key: &str, question: &str, said: &str) {
    t.keys(&[key]);
    t.wait_text(question);
    t.wait_text("n / Esc not now");
    t.keys(&["y"]);
    t.wait_text(said);
}

#[test]
fn status_screen_bans_unbans_releases_and_trusts_the_selected_entry() {
    if !allowed() || !common::lab_allowed() {
        return;
    }
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    use common::sandbox::Sandbox;
    use common::*;
    const HOST: &str = "pbx-tui.example.net";
    const UA: &str = "Yealink SIP-T46S";
    let window = Duration::from_millis(600);
    let (mut lab, pbx) = Lab::new("tui-ops");
    let phone = lab.host("phone", "enp1s0");
    let knocker = lab.host("knock", "eno2");
    let trusted = lab.host("trust", "eno3");
    let sb = Sandbox::debian();
    let answers = sb.answers(&format!(
        "mode = \"strict\"\n[network]\ninterface = \"ens3\"\nlocal_nets = [\"{LAB_NET}\"]\ntrusted = [\"{}\"]\n\
         [sip]\nhostname = \"{HOST}\"\n",
        trusted.ip
    ));
    let out = sb.apply_now(&pbx.ns, &answers);
    assert!(out.status.success(), "{}", output_text(&out));
    // On the lists before the TUI opens: a known phone, a trusted source
    // that is also a known phone, a port scanner in the trap.
    for who in [&phone.ip, &trusted.ip] {
        let out = sb.run(&pbx.ns, &["allow", who]);
        assert!(out.status.success(), "{}", output_text(&out));
    }
    assert!(!tcp_send(&knocker.ns, PBX_IP, 5900, "RFB 003.008\n"));
    assert!(recent_list(&pbx.ns, "RLM").contains(&knocker.ip));
    let inbox = udp_listener(&pbx.ns, 5060);

    let t = Tmux::start_as(
        "status",
        &format!(
            "env -u SSH_CONNECTION ip netns exec {} {} --root {}; echo exit=$?; sleep 60",
            pbx.ns,
            bin().display(),
            sb.root().display()
        ),
        120,
        40,
    );
    t.wait_text("Harden this server");
    t.keys(&["Down", "Down", "Enter"]);
    t.wait_text("Known phones (2)");
    t.wait_text("Trapped port scanners (1)");

    // ban: on the ban list (and off the known phones), its packets dropped.
    select(&t, &phone.ip);
    act(
        &t,
        "b",
        &format!("Ban {}?", phone.ip),
        &format!("{} put on the ban list (BADSIP)", phone.ip),
    );
    assert!(recent_list(&pbx.ns, "BADSIP").contains(&phone.ip));
    assert!(!recent_list(&pbx.ns, "MYSIP").contains(&phone.ip));
    send_sip(&phone, "REGISTER", HOST, UA);
    assert!(drain(&inbox, window).is_empty(), "a banned phone got in");

    // unban: the selection followed it to the ban list; it gets back in.
    t.wait_text("Banned scanners, newest first (1)");
    select(&t, &phone.ip);
    act(
        &t,
        "u",
        &format!("Unban {}?", phone.ip),
        &format!("{} taken off the ban list (BADSIP)", phone.ip),
    );
    assert!(!recent_list(&pbx.ns, "BADSIP").contains(&phone.ip));
    send_sip(&phone, "REGISTER", HOST, UA);
    assert_eq!(sources(&drain(&inbox, window)), [phone.ip.as_str()]);

    // release: out of the trap, and through again.
    select(&t, &knocker.ip);
    act(
        &t,
        "r",
        &format!("Release {} from the trap?", knocker.ip),
        &format!("{} taken off the trap (RLM)", knocker.ip),
    );
    assert!(!recent_list(&pbx.ns, "RLM").contains(&knocker.ip));
    send_sip(&knocker, "REGISTER", HOST, UA);
    assert_eq!(sources(&drain(&inbox, window)), [knocker.ip.as_str()]);

    // A trusted source is never banned: refused with the reason, unasked.
    select(&t, &trusted.ip);
    t.keys(&["b"]);
    t.wait_text(&format!("refused: {} is trusted", trusted.ip));
    assert!(!t.screen().contains("n / Esc not now"));
    t.keys(&["Escape"]);
    assert!(!recent_list(&pbx.ns, "BADSIP").contains(&trusted.ip));

    // trust: into the answers through the review and the confirmation
    // window, and once kept its ban is lifted.
    let out = sb.run(&pbx.ns, &["ban", &knocker.ip]);
    assert!(out.status.success(), "{}", output_text(&out));
    t.wait_text("Banned scanners, newest first (1)");
    select(&t, &knocker.ip);
    t.keys(&["t"]);
    t.wait_text(&format!("Trust {}?", knocker.ip));
    t.keys(&["y"]);
    t.wait_text("Step 6 of 8: Review");
    t.keys(&["Enter"]);
    t.wait_text("n / Esc");
    t.keys(&["y"]);
    // The window is open once the screen counts down and the guard is armed.
    t.wait_for("the confirmation window", Duration::from_secs(60), |s| {
        s.contains("Step 7 of 8") && s.contains(" s left")
    });
    sb.wait_for_guard();
    let out = sb.confirm_from_new_session(&pbx.ns);
    assert!(out.status.success(), "{}", output_text(&out));
    t.wait_for("the Done screen", Duration::from_secs(10), |s| {
        s.contains(&format!("{} taken off the ban list (BADSIP)", knocker.ip))
    });
    assert!(!recent_list(&pbx.ns, "BADSIP").contains(&knocker.ip));
    let applied = std::fs::read_to_string(sb.path("/etc/asterisk-harden/answers.toml")).unwrap();
    assert!(
        applied.contains(&format!("\"{}/32\"", knocker.ip)),
        "{applied}"
    );

    t.keys(&["Enter"]);
    let screen = t.wait_text("exit=");
    assert!(screen.contains("exit=0"), "{screen}");
    let log = std::fs::read_to_string(sb.path("/var/lib/asterisk-harden/actions.log")).unwrap();
    assert!(
        log.contains(&format!(
            "ban {}: {} put on the ban list (BADSIP)",
            phone.ip, phone.ip
        )) && log.contains("by hand, in the Status screen"),
        "{log}"
    );
}
