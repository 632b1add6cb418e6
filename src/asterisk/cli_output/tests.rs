//! Against the real texts (tests/fixtures/asterisk-output/), not against what
//! the output might look like.

use super::*;

fn real(name: &str) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/asterisk-output/"
    );
    std::fs::read_to_string(format!("{path}{name}")).unwrap()
}

#[test]
fn manager_show_settings_as_printed_by_asterisk() {
    let all = ami_settings(&real("manager-show-settings.txt"));
    assert_eq!(all.enabled, Some(true));
    assert_eq!(all.bind_address.as_deref(), Some("0.0.0.0"));
    assert_eq!(all.port, Some(5038));
    let local = ami_settings(&real("manager-show-settings-localhost.txt"));
    assert_eq!(local.bind_address.as_deref(), Some("127.0.0.1"));
    // The TLS line ("TLS Bindaddress: Disabled") is not AMI's TCP address.
    assert_eq!(
        ami_settings("  TLS Bindaddress:   Disabled\n").bind_address,
        None
    );
    // Older wording, and IPv6.
    let v6 = ami_settings("  Bind Address:  [::1]:5038\n");
    assert_eq!(
        (v6.bind_address.as_deref(), v6.port),
        (Some("::1"), Some(5038))
    );
    assert_eq!(ami_settings(&real("not-running.txt")).bind_address, None);
}

#[test]
fn core_show_settings_names_the_directories() {
    let s = core_settings(&real("core-show-settings.txt"));
    assert_eq!(s.version.as_deref(), Some("GIT-master-f0c1c1a7b7"));
    assert!(s.config_dir.as_deref().unwrap().ends_with("/etc/asterisk"));
    assert!(
        s.config_file
            .as_deref()
            .unwrap()
            .ends_with("/etc/asterisk/asterisk.conf")
    );
    assert_eq!(
        s.module_dir.as_deref(),
        Some("/opt/asterisk-lab/lib/asterisk/modules")
    );
}

#[test]
fn module_show_like_before_and_after_noload() {
    let before = loaded_modules(&real("module-show-like-chan_iax2-before-noload.txt"));
    assert_eq!(
        before,
        [LoadedModule {
            name: "chan_iax2".into(),
            running: true
        }]
    );
    assert!(loaded_modules(&real("module-show-like-chan_iax2-after-noload.txt")).is_empty());
    let pjsip = loaded_modules(&real("module-show-like-pjsip.txt"));
    assert_eq!(pjsip.len(), 52, "the listing says 52 modules loaded");
    let notify = pjsip.iter().find(|m| m.name == "res_pjsip_notify").unwrap();
    assert!(!notify.running, "`Not Running` is not running");
    // A description cut at 40 columns runs into the next column.
    assert!(
        pjsip
            .iter()
            .any(|m| m.name == "res_pjsip_dialog_info_body_generator" && m.running)
    );
}

#[test]
fn pjsip_transports_and_contacts() {
    for file in [
        "pjsip-show-transports.txt",
        "pjsip-show-transports-full.txt",
    ] {
        let t = pjsip_transports(&real(file));
        assert_eq!(t.len(), 2, "{file}");
        assert_eq!(
            (t[0].id.as_str(), t[0].protocol.as_str(), t[0].port),
            ("transport-tcp", "tcp", Some(5060))
        );
        assert_eq!(t[1].bind_address, "0.0.0.0");
    }
    let c = pjsip_contacts(&real("pjsip-show-contacts.txt"));
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].aor, "6001");
    assert_eq!(c[0].uri, "sip:6001@10.77.0.2:5060");
    assert_eq!(c[0].status, "NonQual");
}

#[test]
fn rtp_settings_and_noise() {
    assert_eq!(
        rtp_range(&real("rtp-show-settings.txt")),
        Some((10000, 20000))
    );
    let noisy = "No ethernet interface found for seeding global EID. You will have to set it manually.\n  TCP Bindaddress: 127.0.0.1:5038\n";
    assert_eq!(without_noise(noisy), "  TCP Bindaddress: 127.0.0.1:5038\n");
    assert!(not_running(&real("not-running.txt")));
    assert!(!not_running(&real("core-show-version.txt")));
}
