//! Every screen of the full-screen wizard, drawn with ratatui's TestBackend
//! at 80x24 (the smallest supported) and 120x40, and compared with the
//! snapshots in tests/snapshots/. Driven by the same key presses a person
//! makes, against the demo's sandbox box (a dry run: nothing is applied).

use asterisk_harden::demo;
use asterisk_harden::operate::Action as OperateAction;
use asterisk_harden::root::Root;
use asterisk_harden::status::{Drops, Entry, Status};
use asterisk_harden::transaction::SecondSession;
use asterisk_harden::ui::Outcome;
use asterisk_harden::ui::actions::{Action, BannerProof, Confirm};
use asterisk_harden::ui::host::{ApplyTarget, HostView};
use asterisk_harden::ui::tui::keys::Key;
use asterisk_harden::ui::tui::screens::apply::{ApplyView, Waiting};
use asterisk_harden::ui::tui::screens::status::StatusState;
use asterisk_harden::ui::tui::{App, Modal, Theme};
use asterisk_harden::ui::wizard::Step;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::widgets::Widget;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

struct Fixture {
    _dir: tempfile::TempDir,
    host: HostView,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    demo::write_box(dir.path()).unwrap();
    // A box whose only program is ipset: the probe finds no network (no
    // `ip`), so no machine's interfaces reach a snapshot, and no root is needed.
    let programs = asterisk_harden::exec::Scripted::new().answers("ipset", &["list", "-n"], "");
    let root = Root::new(dir.path()).with_runner(std::sync::Arc::new(programs));
    let mut host = demo::host_view(
        &root,
        ApplyTarget::Unavailable(
            "dry run: not root, so nothing is loaded (sudo asterisk-harden demo loads the rules into a throwaway network namespace)"
                .into(),
        ),
        String::new(),
    );
    // The sandbox's temp path must not reach a snapshot.
    host.is_root = false;
    Fixture { _dir: dir, host }
}

fn app(f: &Fixture) -> App {
    App::new(f.host.clone(), Theme::new(false))
}

fn press(app: &mut App, keys: &[KeyCode]) {
    for k in keys {
        app.handle_key(KeyEvent::new(*k, KeyModifiers::NONE));
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, &[KeyCode::Char(c)]);
    }
}

fn clear(app: &mut App, n: usize) {
    press(app, &vec![KeyCode::Backspace; n]);
}

fn draw(widget: impl Widget, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(widget, frame.area()))
        .unwrap();
    terminal.backend().to_string()
}

fn snapshot(name: &str, app: &App) {
    for size in SIZES {
        insta::assert_snapshot!(format!("{name}-{}x{}", size.0, size.1), draw(app, size));
    }
}

use KeyCode::{Enter, Esc, Tab};

#[test]
fn welcome() {
    let f = fixture();
    snapshot("01-welcome", &app(&f));
}

#[test]
fn ssh_and_its_errors() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[Enter]);
    assert_eq!(a.wizard().step, Step::Ssh);
    snapshot("02-ssh", &a);
    press(&mut a, &[KeyCode::Char(' '), Tab]);
    clear(&mut a, 5);
    typed(&mut a, "10022");
    snapshot("02-ssh-port-in-rtp-range", &a);
    press(&mut a, &[Enter]);
    assert_eq!(a.wizard().step, Step::Ssh, "a refused port keeps the step");
    clear(&mut a, 5);
    typed(&mut a, "5038");
    snapshot("02-ssh-port-in-use", &a);
    clear(&mut a, 4);
    typed(&mut a, "2222");
    press(&mut a, &[Tab, KeyCode::Char(' ')]);
    snapshot("02-ssh-key-only-without-keys", &a);
}

#[test]
fn hostname_and_its_errors() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[Enter, Enter]);
    assert_eq!(a.wizard().step, Step::Hostname);
    snapshot("03-hostname", &a);
    clear(&mut a, 40);
    typed(&mut a, "pbx demo.example.net");
    snapshot("03-hostname-invalid", &a);
    clear(&mut a, 40);
    typed(&mut a, "pbx.example.net");
    press(&mut a, &[Tab]);
    typed(&mut a, "sip.provider.example, 198.51.100.0/33");
    snapshot("03-hostname-guessable-and-bad-trunk", &a);
}

#[test]
fn mode_and_strict_without_a_hostname() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[Enter, Enter, Enter]);
    assert_eq!(a.wizard().step, Step::Mode);
    snapshot("04-mode", &a);
    press(&mut a, &[Esc]);
    clear(&mut a, 40);
    press(&mut a, &[Enter, Enter]);
    assert_eq!(a.wizard().step, Step::Mode, "strict needs the hostname");
    snapshot("04-mode-strict-without-hostname", &a);
}

#[test]
fn asterisk() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[Enter, Enter, Enter, Enter]);
    assert_eq!(a.wizard().step, Step::Asterisk);
    snapshot("05-asterisk", &a);
}

#[test]
fn review_scrolls_and_refuses_to_apply_in_a_dry_run() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[Enter, Enter, Enter, Enter, Enter]);
    assert_eq!(
        a.wizard().step,
        Step::Review,
        "Enter alone reaches the review"
    );
    snapshot("06-review", &a);
    press(&mut a, &[KeyCode::PageDown, KeyCode::PageDown]);
    snapshot("06-review-scrolled", &a);
    press(&mut a, &[Enter]);
    assert!(matches!(a.modal(), Some(Modal::Message(_))));
    snapshot("06-review-apply-needs-root", &a);
    press(&mut a, &[Esc, KeyCode::Char('s')]);
    snapshot("06-review-save-answers", &a);
}

#[test]
fn help_and_quit_are_modals() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[Enter, KeyCode::Char(' '), KeyCode::Char('?')]);
    assert_eq!(a.modal(), Some(&Modal::Help));
    snapshot("09-help", &a);
    press(&mut a, &[Esc, KeyCode::Char('q')]);
    assert_eq!(
        a.modal(),
        Some(&Modal::ConfirmQuit),
        "something was entered"
    );
    snapshot("09-confirm-quit", &a);
    press(&mut a, &[KeyCode::Char('n')]);
    assert!(a.finished().is_none());
    press(&mut a, &[KeyCode::Char('q'), KeyCode::Char('y')]);
    assert_eq!(
        a.finished().map(|f| f.outcome.exit_code()),
        Some(0),
        "quitting before applying is exit 0"
    );
}

#[test]
fn quitting_untouched_needs_no_confirmation() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[KeyCode::Char('q')]);
    assert!(a.finished().is_some());
}

#[test]
fn revert_and_status_from_the_first_screen() {
    let f = fixture();
    let mut a = app(&f);
    press(&mut a, &[KeyCode::Down, Enter]);
    snapshot("10-revert-no-backups", &a);
    press(&mut a, &[Esc, KeyCode::Down, Enter]);
    // Opening the view read this machine's kernel; the snapshot uses fixed readings.
    *a.status_mut() = StatusState::default();
    a.status_mut().record(Ok(not_loaded()));
    snapshot("11-status", &a);
    *a.status_mut() = StatusState::default();
    for (i, total) in [0u64, 4, 9, 30, 31].iter().enumerate() {
        a.status_mut().record(Ok(live_status(*total, i)));
    }
    snapshot("12-status-live", &a);
}

fn not_loaded() -> Status {
    Status {
        mode: None,
        drops: Drops::default(),
        banned_scanners: vec![],
        known_phones: vec![],
        trapped_sources: vec![],
        quieted_strangers: vec![],
        list_store: "ipset".into(),
        list_capacity: 1_048_576,
        warnings: vec![],
    }
}

fn entry(address: &str, last_seen: &str) -> Entry {
    Entry {
        address: address.into(),
        last_seen: Some(last_seen.into()),
        expires_in: None,
        why: None,
        last_seen_jiffies: 0,
    }
}

fn live_status(total: u64, bans: usize) -> Status {
    Status {
        mode: Some("strict".into()),
        drops: Drops {
            scanner_user_agent: total / 3,
            banned_source: total - total / 3,
            ..Drops::default()
        },
        banned_scanners: (0..bans)
            .map(|i| entry(&format!("198.51.100.{}", 40 + i), "2026-11-25T04:05:12Z"))
            .collect(),
        known_phones: vec![entry("203.0.113.7", "2026-11-25T04:04:58Z")],
        trapped_sources: vec![],
        quieted_strangers: vec![],
        list_store: "ipset".into(),
        list_capacity: 1_048_576,
        warnings: vec![],
    }
}

fn waiting() -> Waiting {
    Waiting {
        backup_id: "2026-11-25T040512Z".into(),
        deadline: 0,
        left: 97,
        port: 2222,
        session: SecondSession {
            login: Some("ssh -p 2222 admin@192.0.2.10".into()),
            confirm: "sudo asterisk-harden confirm".into(),
        },
        banner: Ok(BannerProof {
            banner: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3".into(),
        }),
    }
}

fn progress() -> Vec<String> {
    [
        "backup written: /var/backups/asterisk-harden/2026-11-25T040512Z",
        "rules tested (iptables-restore --test)",
        "wrote /etc/asterisk-harden/answers.toml",
        "IPv4 rules loaded",
        "IPv6 rules loaded",
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn apply_second_session_screen() {
    let theme = Theme::new(false);
    let progress = progress();
    let mut w = waiting();
    for size in SIZES {
        let view = ApplyView {
            progress: &progress,
            waiting: Some(&w),
            theme: &theme,
        };
        insta::assert_snapshot!(
            format!("07-apply-waiting-{}x{}", size.0, size.1),
            draw(&view, size)
        );
    }
    w.banner = Err("nothing answers on 127.0.0.1:2222 (Connection refused)".into());
    let view = ApplyView {
        progress: &progress,
        waiting: Some(&w),
        theme: &theme,
    };
    insta::assert_snapshot!("07-apply-waiting-no-banner-80x24", draw(&view, (80, 24)));
}

#[test]
fn done_screen() {
    // The Done screen the app draws after a kept change of the demo's
    // review: its key lines (next step, backup, rollback, status, selftest)
    // come first, so 80x24 shows them without scrolling.
    let f = fixture();
    let mut app = app(&f);
    press(&mut app, &[KeyCode::Enter; 5]);
    app.show_done(Outcome::Kept {
        backup_id: "2026-11-25T040512Z".into(),
    });
    for size in SIZES {
        let screen = draw(&app, size);
        for key_line in [
            "Next: point your phones at pbx-demo-7f3k.example.net",
            "Backup 2026-11-25T040512Z",
            "sudo asterisk-harden rollback --backup 2026-11-25T040512Z",
            "sudo asterisk-harden status",
            "sudo asterisk-harden selftest",
        ] {
            assert!(
                screen.contains(key_line),
                "{key_line:?} is not on the {size:?} Done screen:\n{screen}"
            );
        }
        insta::assert_snapshot!(format!("08-done-{}x{}", size.0, size.1), screen);
    }
}

#[test]
fn quitting_after_a_revert_says_what_happened() {
    let f = fixture();
    let mut app = app(&f);
    press(&mut app, &[KeyCode::Enter; 5]);
    app.show_done(Outcome::Reverted);
    press(&mut app, &[KeyCode::Char('q')]);
    let finished = app
        .finished()
        .expect("q on the Done screen ends the wizard");
    assert_eq!(finished.outcome, Outcome::Reverted);
    assert_eq!(finished.outcome.exit_code(), 3);
    assert!(
        !finished
            .farewell
            .iter()
            .any(|l| l.contains("Nothing was changed")),
        "{:?}",
        finished.farewell
    );
    assert!(finished.farewell[0].contains("everything was restored"));
}

/// Each screen state the keys test visits: a name, and how to get there.
type Visit = (&'static str, fn(&Fixture) -> App);

fn states() -> Vec<Visit> {
    fn at(f: &Fixture, keys: &[KeyCode]) -> App {
        let mut a = app(f);
        press(&mut a, keys);
        a
    }
    fn status(f: &Fixture, reading: Status) -> App {
        let mut a = at(f, &[KeyCode::Down, KeyCode::Down, Enter]);
        *a.status_mut() = StatusState::default();
        a.status_mut().record(Ok(reading));
        a
    }
    vec![
        ("welcome", |f| app(f)),
        ("ssh, a toggle", |f| at(f, &[Enter])),
        ("ssh, a text field", |f| {
            at(f, &[Enter, KeyCode::Char(' '), Tab])
        }),
        ("hostname, a text field", |f| at(f, &[Enter, Enter])),
        ("mode, a choice", |f| at(f, &[Enter, Enter, Enter])),
        ("asterisk", |f| at(f, &[Enter, Enter, Enter, Enter])),
        ("review", |f| at(f, &[Enter; 5])),
        ("apply, the window open", |f| {
            let mut a = at(f, &[Enter; 5]);
            let mut w = waiting();
            // Probing again asks a port nothing listens on, not sshd.
            w.port = 9;
            a.show_window(progress(), w);
            a
        }),
        ("done", |f| {
            let mut a = at(f, &[Enter; 5]);
            a.show_done(Outcome::Reverted);
            a
        }),
        ("revert, no backups", |f| at(f, &[KeyCode::Down, Enter])),
        ("status, nothing to act on", |f| status(f, not_loaded())),
        ("status, an entry selected", |f| {
            status(f, live_status(9, 3))
        }),
    ]
}

/// A key press for a listed key (text: the letter x).
fn event(k: Key) -> KeyEvent {
    match k {
        Key::Code(KeyCode::BackTab) => KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
        Key::Code(c) => KeyEvent::new(c, KeyModifiers::NONE),
        Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        Key::Typed => KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
    }
}

/// Every printable character, the editing and moving keys, F1-F12, Ctrl
/// with every letter, Alt with a few.
fn every_key() -> Vec<KeyEvent> {
    use KeyCode::*;
    let none = KeyModifiers::NONE;
    let mut keys: Vec<KeyEvent> = (' '..='~').map(|c| KeyEvent::new(Char(c), none)).collect();
    for code in [
        Enter, Esc, Tab, Backspace, Delete, Insert, Up, Down, Left, Right, Home, End, PageUp,
        PageDown,
    ] {
        keys.push(KeyEvent::new(code, none));
    }
    keys.push(KeyEvent::new(BackTab, KeyModifiers::SHIFT));
    keys.extend((1..=12).map(|n| KeyEvent::new(F(n), none)));
    keys.extend(('a'..='z').map(|c| KeyEvent::new(Char(c), KeyModifiers::CONTROL)));
    keys.extend(
        "xq?"
            .chars()
            .map(|c| KeyEvent::new(Char(c), KeyModifiers::ALT)),
    );
    keys
}

#[test]
fn every_key_a_screen_handles_is_listed_and_every_listed_key_is_handled() {
    let f = fixture();
    let (mut handled, mut ignored) = (0, 0);
    for (name, make) in states() {
        let listed = make(&f).listed_keys();
        handled += listed.len();
        assert!(!listed.is_empty(), "{name}: no keys at all");
        // Listed: handled (on a fresh screen each, as a key changes it).
        for k in &listed {
            let mut a = make(&f);
            assert!(
                a.handle_key(event(*k)),
                "{name}: {k:?} is listed but not handled"
            );
        }
        // Not listed: ignored, and the screen stays exactly as it was.
        let mut a = make(&f);
        for key in every_key() {
            if listed.iter().any(|k| k.matches(&key)) {
                continue;
            }
            let before = draw(&a, (80, 24));
            assert!(
                !a.handle_key(key),
                "{name}: {key:?} is handled but not listed"
            );
            assert_eq!(
                draw(&a, (80, 24)),
                before,
                "{name}: {key:?} changed the screen"
            );
            assert!(
                a.modal().is_none() && a.finished().is_none(),
                "{name}: {key:?}"
            );
            ignored += 1;
        }
    }
    println!(
        "{} screen states: {handled} listed keys handled, {ignored} other presses ignored",
        states().len()
    );
}

#[test]
fn the_footer_and_the_help_name_every_key_they_list() {
    let f = fixture();
    for (name, make) in states() {
        for hint in make(&f).keys() {
            for k in hint.keys.iter().filter(|k| **k != Key::Typed) {
                assert!(
                    hint.label.contains(&k.name()),
                    "{name}: {:?} does not name {}",
                    hint.label,
                    k.name()
                );
            }
        }
    }
}

/// The Status screen on a live reading, as root on the host (the only place
/// the lists can change): nothing here answers yes, so nothing is changed.
fn live_status_app(f: &Fixture) -> App {
    let mut host = f.host.clone();
    host.target = ApplyTarget::Host;
    let mut a = App::new(host, Theme::new(false));
    press(&mut a, &[KeyCode::Down, KeyCode::Down, Enter]);
    *a.status_mut() = StatusState::default();
    a.status_mut().record(Ok(live_status(9, 3)));
    a
}

#[test]
fn status_acts_on_the_selected_entry_after_asking() {
    let f = fixture();
    let mut a = live_status_app(&f);
    press(&mut a, &[KeyCode::Down]);
    assert_eq!(
        a.status_mut().selected.as_ref().map(|s| s.address.as_str()),
        Some("198.51.100.41")
    );
    snapshot("13-status-selected", &a);
    press(&mut a, &[KeyCode::Char('u')]);
    let Some(Modal::Confirm(q)) = a.modal() else {
        panic!("unban asks first: {:?}", a.modal());
    };
    assert_eq!(
        q.action(),
        &Action::Operate {
            action: OperateAction::Unban,
            address: "198.51.100.41".parse().unwrap(),
        }
    );
    snapshot("13-status-confirm-unban", &a);
    press(&mut a, &[KeyCode::Char('n')]);
    assert!(a.modal().is_none(), "n answers no");

    // The known phone is in a trusted network: a ban is refused, with why.
    let answers = f._dir.path().join("etc/asterisk-harden/answers.toml");
    std::fs::create_dir_all(answers.parent().unwrap()).unwrap();
    std::fs::write(
        &answers,
        "mode = \"relaxed-open\"\n[network]\ninterface = \"eth0\"\ntrusted = [\"203.0.113.0/24\"]\n",
    )
    .unwrap();
    press(&mut a, &[KeyCode::Down, KeyCode::Down, KeyCode::Char('b')]);
    let Some(Modal::Message(lines)) = a.modal() else {
        panic!("a trusted address is refused: {:?}", a.modal());
    };
    let said = lines.join("\n");
    assert!(
        said.contains("refused: 203.0.113.7 is trusted (network.trusted has 203.0.113.0/24)"),
        "{said}"
    );
    snapshot("13-status-ban-refused", &a);
}

#[test]
fn status_trust_leads_to_the_review_of_the_answers() {
    let f = fixture();
    let mut host = f.host.clone();
    host.target = ApplyTarget::Host;
    // The answers applied last time: the demo's.
    host.previous = host.prefill.clone();
    let mut a = App::new(host, Theme::new(false));
    press(&mut a, &[KeyCode::Down, KeyCode::Down, Enter]);
    *a.status_mut() = StatusState::default();
    a.status_mut().record(Ok(live_status(9, 3)));
    press(&mut a, &[KeyCode::Up, KeyCode::Char('t')]);
    let phone: std::net::IpAddr = "203.0.113.7".parse().unwrap();
    assert_eq!(
        a.modal(),
        Some(&Modal::Confirm(Confirm::ask(Action::Trust {
            address: phone
        })))
    );
    snapshot("13-status-confirm-trust", &a);
    // What `y` hands to the loop, run here (nothing is applied: the review).
    press(&mut a, &[KeyCode::Char('y')]);
    a.execute(Confirm::ask(Action::Trust { address: phone }).accept());
    assert_eq!(a.wizard().step, Step::Review);
    let review = draw(&a, (160, 400));
    assert!(
        review.contains("+trusted = [\"203.0.113.7/32\"]"),
        "{review}"
    );
}

/// The full-screen wizard ends a refused apply as `--plain` does (the same
/// `ui::done::not_applied`): another change still waits for confirmation,
/// so nothing changes, the Done screen says it was refused and why, and the
/// exit code is the CLI's 2.
#[test]
fn a_refused_apply_is_said_and_exits_2_as_in_the_line_mode() {
    use asterisk_harden::ui::actions::{Action, Confirm};
    let dir = tempfile::tempdir().unwrap();
    let host = demo::box_with_a_pending_change(dir.path());
    let mut a = App::new(host, Theme::new(false));
    press(&mut a, &[Enter, Enter, Enter, Enter, Enter]);
    assert_eq!(a.wizard().step, Step::Review);
    a.execute(Confirm::ask(Action::Apply).accept());
    let screen = draw(&a, (120, 40));
    assert!(
        screen.contains("The apply was refused; nothing was changed."),
        "{screen}"
    );
    assert!(
        screen.contains("still waiting for confirmation"),
        "{screen}"
    );
    press(&mut a, &[KeyCode::Char('q')]);
    let finished = a.finished().expect("q on the Done screen ends the wizard");
    assert_eq!(finished.outcome, Outcome::Refused);
    assert_eq!(finished.outcome.exit_code(), 2);
}
