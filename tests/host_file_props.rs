//! No host file can crash the tool: the parsers of pjsip.conf, sip.conf,
//! rtp.conf, iax.conf, manager.conf, modules.conf and sshd_config get
//! arbitrary text and arbitrary bytes, and everything built from what they
//! found (defaults, answers, the ruleset, the plan) must come out without a
//! panic. Bytes that are not UTF-8 are never rewritten.

use std::path::Path;

use asterisk_harden::answers::{Answers, AsteriskModule, HostDefaults};
use asterisk_harden::asterisk::{AsteriskFacts, manager, modules};
use asterisk_harden::plan::{PlanError, PlanInput, paths_to_read, plan};
use asterisk_harden::probe::{Facts, system};
use asterisk_harden::root::Root;
use asterisk_harden::ruleset::{Family, build, render};
use asterisk_harden::ssh::{SshSettings, SshdFiles, apply_settings, changes};
use proptest::prelude::*;

/// Lines that look like the real thing, with the values parsers trip on.
fn config_line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("0.0.0.0:0".to_string()),
        Just("[::]:0".to_string()),
        Just("0.0.0.0:99999".to_string()),
        Just("[::".to_string()),
        Just("tls".to_string()),
        Just("transport".to_string()),
        Just("0".to_string()),
        Just("65536".to_string()),
        Just("-1".to_string()),
        Just(":".to_string()),
        Just("]".to_string()),
        "[ -~]{0,12}",
        any::<String>(),
    ];
    let key = prop_oneof![
        Just("type"),
        Just("protocol"),
        Just("bind"),
        Just("bindport"),
        Just("udpbindaddr"),
        Just("rtpstart"),
        Just("rtpend"),
        Just("bindaddr"),
        Just("register"),
        Just("noload"),
        Just("load"),
        Just("Port"),
        Just("ListenAddress"),
        Just("Include"),
        Just("Match"),
    ];
    prop_oneof![
        (
            key,
            prop_oneof![Just(" = "), Just("=>"), Just("="), Just(" ")],
            value
        )
            .prop_map(|(k, sep, v)| format!("{k}{sep}{v}")),
        "\\[[ -~]{0,10}\\]?(\\((!|\\+)\\))?",
        Just(";--".to_string()),
        Just("--;".to_string()),
        Just("#include pjsip.conf".to_string()),
        Just("#include ../../../etc/passwd".to_string()),
        Just("#exec /bin/true".to_string()),
        any::<String>(),
    ]
}

/// A whole PJSIP transport or chan_sip/rtp.conf `[general]`, with a bind
/// or port that may be 0, out of range or malformed.
fn block() -> impl Strategy<Value = String> {
    let bind = prop_oneof![
        Just("0.0.0.0:0"),
        Just("[::]:0"),
        Just("0.0.0.0"),
        Just("0.0.0.0:5061"),
        Just("0.0.0.0:65536"),
        Just("[::]"),
        Just(":"),
    ];
    let protocol = prop_oneof![
        Just("udp"),
        Just("tcp"),
        Just("tls"),
        Just("ws"),
        Just("TLS")
    ];
    let port = prop_oneof![Just("0"), Just("5060"), Just("70000"), Just("-1"), Just("")];
    prop_oneof![
        (protocol, bind)
            .prop_map(|(p, b)| format!("[transport-{p}]\ntype=transport\nprotocol={p}\nbind={b}")),
        (port.clone(), port).prop_map(|(a, b)| format!(
            "[general]\nbindport={a}\nrtpstart={a}\nrtpend={b}\n[peer]\ntype=friend"
        )),
    ]
}

fn config_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop_oneof![3 => config_line(), 1 => block()], 0..30),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    )
        .prop_map(|(lines, eol)| lines.join(eol))
}

/// Text or raw bytes (Latin-1 comments, NULs, broken UTF-8).
fn config_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        config_text().prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..400),
        config_text().prop_map(|t| {
            let mut b = t.into_bytes();
            b.extend_from_slice(b"\n; caf\xe9 f\xfcr\n");
            b
        }),
    ]
}

fn sandbox(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Root) {
    let tmp = tempfile::tempdir().unwrap();
    let root = Root::new(tmp.path());
    for (path, bytes) in files {
        let p = root.path(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    (tmp, root)
}

fn facts(root: &Root) -> Facts {
    Facts {
        system: system::probe(root),
        firewall: Default::default(),
        network: Default::default(),
        ssh: Default::default(),
        asterisk: AsteriskFacts::probe(root),
        warnings: Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The Asterisk files the probe reads: whatever they hold, the defaults
    /// they give are valid answers and the ruleset builds and renders.
    #[test]
    fn asterisk_files_never_crash_the_probe_or_the_ruleset(
        pjsip in config_bytes(),
        sip in config_bytes(),
        rtp in config_bytes(),
        iax in config_bytes(),
        manager_conf in config_bytes(),
    ) {
        let (_t, root) = sandbox(&[
            ("/etc/asterisk/pjsip.conf", &pjsip),
            ("/etc/asterisk/sip.conf", &sip),
            ("/etc/asterisk/rtp.conf", &rtp),
            ("/etc/asterisk/iax.conf", &iax),
            ("/etc/asterisk/manager.conf", &manager_conf),
        ]);
        let facts = facts(&root);
        prop_assert!(facts.asterisk.transports.iter().all(|t| t.port != 0));
        let defaults = HostDefaults::from_facts(&facts);
        let answers = Answers::parse("mode = \"relaxed-open\"\n", Path::new("a"), &defaults);
        // The host's own ports may clash (then the admin is told); never a panic.
        if let Ok(answers) = answers {
            let spec = asterisk_harden::plan::firewall_spec(
                &answers,
                &[],
                asterisk_harden::ruleset::ListStore::XtRecent,
            );
            for family in [Family::Ipv4, Family::Ipv6] {
                let text = render(&build(&spec, family));
                prop_assert!(text.contains("COMMIT"));
            }
        }
    }

    /// modules.conf and manager.conf edits: any text in, no panic out, and
    /// the edit of an edit changes nothing.
    #[test]
    fn modules_and_manager_edits_take_any_text(text in config_text()) {
        let wanted: Vec<AsteriskModule> = ["chan_iax2", "pbx_dundi.so"]
            .iter()
            .map(|m| AsteriskModule::parse(m).unwrap())
            .collect();
        if let Ok(e) = modules::ensure_noload(&text, &wanted) {
            let again = modules::ensure_noload(&e.text, &wanted).unwrap();
            prop_assert_eq!(&again.text, &e.text);
        }
        if let Ok(e) = manager::bind_localhost(&text) {
            prop_assert!(manager::bind_localhost(&e.text).is_ok());
        }
        let _ = manager::append_general_bind(&text);
    }

    /// sshd_config and a drop-in: read, edited for a move, flattened.
    #[test]
    fn sshd_config_takes_any_bytes(main in config_bytes(), dropin in config_bytes()) {
        let mut main_bytes = b"Include /etc/ssh/sshd_config.d/*.conf\n".to_vec();
        main_bytes.extend_from_slice(&main);
        let (_t, root) = sandbox(&[
            ("/etc/ssh/sshd_config", &main_bytes),
            ("/etc/ssh/sshd_config.d/50-x.conf", &dropin),
        ]);
        match SshdFiles::read(&root) {
            Ok(Some(files)) => {
                let settings = SshSettings {
                    ports: vec![22, 2222],
                    key_only: true,
                    legacy_root_login_name: false,
                };
                let moved = apply_settings(&files, &settings);
                let _ = changes(&files, &moved);
                let _ = moved.flatten();
            }
            Ok(None) => prop_assert!(false, "the file is there"),
            Err(e) => prop_assert!(e.to_string().contains("not UTF-8"), "{e}"),
        }
    }

    /// The files the plan edits: bytes that are not UTF-8 are refused with
    /// the file's name, never rewritten.
    #[test]
    fn the_plan_never_rewrites_bytes_it_cannot_read(
        manager_conf in config_bytes(),
        modules_conf in config_bytes(),
    ) {
        let (_t, root) = sandbox(&[
            ("/etc/debian_version", b"12.8\n"),
            ("/etc/asterisk/manager.conf", &manager_conf),
            ("/etc/asterisk/modules.conf", &modules_conf),
        ]);
        let answers = Answers::parse(
            "mode = \"relaxed-open\"\n[asterisk]\nnoload = [\"chan_iax2.so\"]\n",
            Path::new("a"),
            &HostDefaults::article(),
        )
        .unwrap();
        // A host without programs: the files are what is under test.
        let root = root.with_runner(std::sync::Arc::new(asterisk_harden::exec::Scripted::new()));
        let facts = asterisk_harden::probe::probe(&root, asterisk_harden::probe::MatchTest::Skip);
        let host = PlanInput::read(&root, &facts, &paths_to_read(&answers)).unwrap();
        match plan(&answers, &[], &host) {
            Ok(p) => {
                for f in p.changed_files() {
                    prop_assert!(!host.not_text.contains_key(&f.path), "{}", f.path.display());
                }
            }
            Err(PlanError::NotText(e)) => prop_assert!(e.to_string().contains("not UTF-8")),
            Err(PlanError::Asterisk(e)) => {
                prop_assert!(e.to_string().contains("what to do"), "{e}");
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
