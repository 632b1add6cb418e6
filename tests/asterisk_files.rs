//! modules.conf and manager.conf edits on real-world shapes, checked
//! exactly (tests/snapshots/), and the Asterisk step through plan, apply and
//! rollback against a sandbox root.

mod common;

use std::path::Path;

use asterisk_harden::asterisk::{manager, modules};
use common::sandbox::{Sandbox, firewall};
use common::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/asterisk")
            .join(name),
    )
    .unwrap()
}

fn article() -> Vec<asterisk_harden::answers::AsteriskModule> {
    modules::ARTICLE_NOLOAD
        .iter()
        .map(|(m, _)| asterisk_harden::answers::AsteriskModule::parse(m).unwrap())
        .collect()
}

#[test]
fn modules_conf_shapes() {
    for name in [
        "modules-sample.conf",
        "modules-crlf-include.conf",
        "modules-load-conflict.conf",
        "modules-later-global.conf",
    ] {
        let before = fixture(name);
        let edit = modules::ensure_noload(&before, &article()).unwrap();
        insta::assert_snapshot!(name, edit.text.replace('\r', "<CR>"));
        assert_eq!(
            modules::ensure_noload(&edit.text, &article()).unwrap().text,
            edit.text,
            "{name}: not idempotent"
        );
        assert_eq!(
            edit.text.contains("\r\n"),
            before.contains("\r\n"),
            "{name}: line endings changed"
        );
    }
}

#[test]
fn manager_conf_shapes() {
    let plain = manager::bind_localhost(&fixture("manager-plain.conf")).unwrap();
    insta::assert_snapshot!("manager-plain.conf", plain.text);
    assert!(
        plain.text.contains("secret = mysecret"),
        "another section changed"
    );
    // FreePBX's generated file is never edited: its custom file appends to [general].
    let custom = manager::append_general_bind("").unwrap();
    assert_eq!(custom.text, "[general](+)\nbindaddr = 127.0.0.1\n");
}

fn asterisk_answers(sb: &Sandbox, noload: &str) -> std::path::PathBuf {
    sb.answers(&format!(
        "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\n\
         [asterisk]\nnoload = [{noload}]\nmanager_localhost = true\ndisable_fop = true\n"
    ))
}

#[test]
fn plan_apply_and_rollback_of_the_asterisk_step() {
    if !lab_allowed() {
        return;
    }
    let (_lab, pbx) = Lab::new("astfiles");
    let sb = Sandbox::debian();
    sb.write(
        "/etc/asterisk/modules.conf",
        &fixture("modules-load-conflict.conf"),
        0o640,
    );
    sb.write(
        "/etc/asterisk/manager.conf",
        &fixture("manager-plain.conf"),
        0o640,
    );
    sb.write(
        "/etc/amportal.conf",
        "AMPDBUSER=asteriskuser\nFOPRUN=TRUE\n",
        0o660,
    );
    let files_before = sb.files();
    let fw_before = firewall(&pbx.ns);
    let answers = asterisk_answers(
        &sb,
        "\"chan_iax2.so\", \"pbx_dundi.so\", \"chan_skinny.so\"",
    );

    let plan = sb.run(&pbx.ns, &["plan", "--answers", answers.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert_ok(&plan);
    for expected in [
        "--- a/etc/asterisk/modules.conf",
        "-load => chan_iax2.so   ; IAX trunk, long gone",
        "+;load => chan_iax2.so   ; IAX trunk, long gone ; disabled by asterisk-harden: noload chan_iax2.so below",
        "+noload => chan_skinny.so",
        "-bindaddr = 0.0.0.0",
        "+bindaddr = 127.0.0.1",
        "+FOPDISABLE=TRUE",
        "take effect at the next restart",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from the plan:\n{text}"
        );
    }
    assert_eq!(sb.files(), files_before, "plan changed a file");

    let out = sb.apply_now(&pbx.ns, &answers);
    assert_ok(&out);
    let modules_after = std::fs::read_to_string(sb.path("/etc/asterisk/modules.conf")).unwrap();
    insta::assert_snapshot!("applied-modules.conf", modules_after);
    let manager_after = std::fs::read_to_string(sb.path("/etc/asterisk/manager.conf")).unwrap();
    assert_eq!(
        manager_after,
        fixture("manager-plain.conf").replace("bindaddr = 0.0.0.0", "bindaddr = 127.0.0.1")
    );
    let mode = |p: &str| {
        std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(sb.path(p)).unwrap().permissions(),
        ) & 0o777
    };
    assert_eq!(
        (
            mode("/etc/asterisk/modules.conf"),
            mode("/etc/amportal.conf")
        ),
        (0o640, 0o660),
        "modes not kept"
    );

    // The same answers again change nothing in /etc/asterisk.
    let again = sb.run(&pbx.ns, &["plan", "--answers", answers.to_str().unwrap()]);
    assert!(
        !String::from_utf8_lossy(&again.stdout).contains("/etc/asterisk/modules.conf"),
        "not idempotent"
    );

    let first = std::fs::read_dir(sb.path("/var/backups/asterisk-harden"))
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    let rb = sb.run(
        &pbx.ns,
        &[
            "rollback",
            "--yes",
            "--backup",
            &first.file_name().to_string_lossy(),
        ],
    );
    assert_ok(&rb);
    assert_eq!(
        sb.files(),
        files_before,
        "rollback did not restore the Asterisk files byte for byte"
    );
    assert_eq!(firewall(&pbx.ns), fw_before);
}

#[test]
fn freepbx_generated_manager_conf_is_left_to_freepbx() {
    let sb = Sandbox::debian();
    sb.write(
        "/etc/asterisk/manager.conf",
        &fixture("manager-freepbx.conf"),
        0o644,
    );
    sb.write("/etc/asterisk/manager_custom.conf", "", 0o644);
    let out = sb.run_plain(&[
        "plan",
        "--answers",
        asterisk_answers(&sb, "").to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_ok(&out);
    assert!(
        !text.contains("a/etc/asterisk/manager.conf"),
        "the generated file would be edited:\n{text}"
    );
    assert!(
        text.contains("+++ b/etc/asterisk/manager_custom.conf") && text.contains("+[general](+)"),
        "{text}"
    );
}

#[test]
fn refusals_change_nothing() {
    let sb = Sandbox::debian();
    sb.write(
        "/etc/asterisk/modules.conf",
        "[modules\nautoload=yes\n",
        0o644,
    );
    let files = sb.files();
    let out = sb.run_plain(&[
        "plan",
        "--answers",
        asterisk_answers(&sb, "\"chan_mgcp.so\"").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("/etc/asterisk/modules.conf: line 1") && err.contains("no closing"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    sb.write(
        "/etc/asterisk/modules.conf",
        "[modules]\nautoload=yes\n",
        0o644,
    );
    sb.write(
        "/etc/asterisk/iax.conf",
        "[general]\n[office]\ntype=friend\nhost=dynamic\n",
        0o644,
    );
    let out = sb.run_plain(&[
        "plan",
        "--answers",
        asterisk_answers(&sb, "\"chan_iax2.so\"").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("iax.conf defines office"), "{err}");
    let _ = files;
}

#[test]
fn no_asterisk_means_the_step_is_skipped() {
    let sb = Sandbox::debian();
    let out = sb.run_plain(&[
        "plan",
        "--answers",
        asterisk_answers(&sb, "\"chan_mgcp.so\"").to_str().unwrap(),
    ]);
    assert_ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("no /etc/asterisk here: the Asterisk step is skipped")
    );
}
