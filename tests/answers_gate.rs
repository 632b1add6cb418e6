//! The answers gate against the host: module names checked against the
//! modules this Asterisk really has, and host files that are not UTF-8 kept
//! byte for byte when the tool has no business editing them.

mod common;

use std::path::Path;

use common::sandbox::Sandbox;
use common::{Lab, lab_allowed};

/// The lab's real Asterisk (see /work/shared/asterisk-lab): 308 modules.
const LAB_MODULES: &str = "/opt/asterisk-lab/lib/asterisk/modules";

fn noload_plan(sb: &Sandbox) -> String {
    let answers = sb.answers(
        "mode = \"relaxed-open\"\n[asterisk]\n\
         noload = [\"chan_iax2.so\", \"chan_iaxx2\"]\nmanager_localhost = false\n",
    );
    let out = sb.run_plain(&["plan", "--answers", answers.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_noload_of_a_module_this_asterisk_lacks_is_named() {
    // A module directory in the sandbox, where Debian puts it.
    let sb = Sandbox::debian();
    sb.write(
        "/etc/asterisk/modules.conf",
        "[modules]\nautoload=yes\n",
        0o640,
    );
    for m in ["chan_iax2.so", "chan_pjsip.so"] {
        sb.write(&format!("/usr/lib/asterisk/modules/{m}"), "", 0o644);
    }
    let out = noload_plan(&sb);
    assert!(
        out.contains("not in this Asterisk, so nothing to keep out: chan_iaxx2.so"),
        "{out}"
    );
    assert!(
        out.contains("noload => chan_iaxx2.so"),
        "still written: {out}"
    );

    // The lab's real Asterisk, named by asterisk.conf's astmoddir.
    if !Path::new(LAB_MODULES).is_dir() {
        eprintln!("skipped the real-Asterisk half: no {LAB_MODULES}");
        return;
    }
    let sb = Sandbox::debian();
    sb.write(
        "/etc/asterisk/modules.conf",
        "[modules]\nautoload=yes\n",
        0o640,
    );
    sb.write(
        "/etc/asterisk/asterisk.conf",
        &format!("[directories](!)\nastmoddir => {LAB_MODULES}\n"),
        0o644,
    );
    let inside = sb.path(LAB_MODULES);
    std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(LAB_MODULES, &inside).unwrap();
    let out = noload_plan(&sb);
    assert!(
        out.contains("not in this Asterisk, so nothing to keep out: chan_iaxx2.so")
            && !out.contains("nothing to keep out: chan_iax2.so"),
        "{out}"
    );
}

#[test]
fn a_latin1_manager_conf_is_kept_byte_for_byte_and_refused_for_editing() {
    if !lab_allowed() {
        return;
    }
    let latin1: &[u8] =
        b"[general]\n; Zugang f\xfcr die Zentrale\nenabled = yes\nbindaddr = 0.0.0.0\n";
    let (_lab, pbx) = Lab::new("latin1");
    let sb = Sandbox::debian();
    let manager = sb.path("/etc/asterisk/manager.conf");
    std::fs::create_dir_all(manager.parent().unwrap()).unwrap();
    std::fs::write(&manager, latin1).unwrap();
    sb.write(
        "/etc/asterisk/modules.conf",
        "[modules]\nautoload=yes\n",
        0o640,
    );

    // Editing it is refused, naming the file and the line, before anything changes.
    let edit = sb.answers(
        "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\n[asterisk]\nmanager_localhost = true\n",
    );
    let before = sb.files();
    let out = sb.run(
        &pbx.ns,
        &[
            "apply",
            "--yes",
            "--no-confirm",
            "--answers",
            edit.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("manager.conf is not UTF-8 text (line 2") && err.contains("what to do"),
        "{err}"
    );
    assert_eq!(sb.files(), before, "nothing changed");

    // Another Asterisk edit goes ahead and leaves it alone, byte for byte.
    let other = sb.answers(
        "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\n[asterisk]\nnoload = [\"chan_iax2.so\"]\nmanager_localhost = false\n",
    );
    let out = sb.apply_now(&pbx.ns, &other);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(std::fs::read(&manager).unwrap(), latin1);
    let modules = std::fs::read_to_string(sb.path("/etc/asterisk/modules.conf")).unwrap();
    assert!(modules.contains("noload => chan_iax2.so"), "{modules}");
}
