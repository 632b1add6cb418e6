//! The demo box, and the line mode driven by piped lines on it: the same
//! steps, defaults and checks. The line mode's tests live here, not in
//! `ui::plain`, because the demo box is built on top of the UI (the UI
//! never imports the demo).

use super::*;
use crate::ui::plain::prompter::LinePrompter;
use crate::ui::plain::{run, text};
use crate::ui::{Finished, Outcome};

fn demo_host(dir: &std::path::Path) -> HostView {
    crate::demo::write_box(dir).unwrap();
    crate::demo::host_view(
        &Root::new(dir),
        ApplyTarget::Unavailable("dry run: test".into()),
        String::new(),
    )
}

/// Feed `input` lines; return how it ended and everything printed.
fn drive(host: &HostView, input: &str) -> (Finished, String) {
    let mut prompter = LinePrompter::new(input.as_bytes(), Vec::new());
    let mut out = Vec::new();
    let finished = run(host, &mut prompter, &mut out);
    let mut all = String::from_utf8(out).unwrap();
    all.push_str(&String::from_utf8(prompter.into_output()).unwrap());
    (finished, all)
}

// Prompts with Enter alone: welcome, move SSH?, key-only?, trust admin?,
// hostname, trunks, mode, Zoiper?, rate limits?, edit Asterisk?, modules,
// AMI?, FOP?: 13 Enters reach the review.
const TO_REVIEW: &str = "\n\n\n\n\n\n\n\n\n\n\n\n\n";

#[test]
fn enter_alone_reaches_the_review_and_quits_with_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let host = demo_host(dir.path());
    let before = std::fs::read_to_string(dir.path().join("etc/ssh/sshd_config")).unwrap();
    // Review menu (no apply in a dry run): 1 save, 2 back, 3 quit; then yes.
    let (finished, out) = drive(&host, &format!("{TO_REVIEW}3\ny\n"));
    assert_eq!(finished.outcome, Outcome::Quit);
    assert!(
        out.contains("What will happen (nothing has changed yet)"),
        "{out}"
    );
    assert!(
        out.contains("+++ b/etc/asterisk-harden/answers.toml"),
        "{out}"
    );
    assert!(out.contains("IPv4 rules loaded now"), "{out}");
    assert!(out.contains("pbx-demo-7f3k.example.net"));
    assert!(out.contains("dry run: test"), "why applying is not offered");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("etc/ssh/sshd_config")).unwrap(),
        before
    );
    assert!(!dir.path().join("var").exists(), "no backup, no state");
}

#[test]
fn invalid_values_are_asked_again_and_back_works() {
    let dir = tempfile::tempdir().unwrap();
    let host = demo_host(dir.path());
    // Welcome; move SSH: yes; port 10022 (RTP) refused, then 2222; key-only
    // yes (no keys: refused by the step), trust yes → the SSH step repeats:
    // move yes, port 2222, key-only no, trust yes; hostname: a space refused,
    // then "<" goes back to SSH, whose four answers take their defaults.
    let input = "\ny\n10022\n2222\ny\n\ny\n\nn\n\npbx demo.example.net\n<\n\n\n\n\n";
    let (_, out) = drive(&host, input);
    assert!(
        out.contains("it is inside the RTP range 10000:20000"),
        "{out}"
    );
    assert!(out.contains("no authorized SSH key was found"), "{out}");
    assert!(out.contains("a space is not allowed"), "{out}");
    assert!(
        out.matches("Move SSH to another port?").count() >= 3,
        "the SSH step came back after `<`: {out}"
    );
}

#[test]
fn the_review_can_save_answers_for_other_servers() {
    let dir = tempfile::tempdir().unwrap();
    let host = demo_host(dir.path());
    let file = dir.path().join("other-server.toml");
    let input = format!("{TO_REVIEW}1\n{}\n3\ny\n", file.display());
    let (finished, out) = drive(&host, &input);
    assert_eq!(finished.outcome, Outcome::Quit);
    assert!(
        out.contains("sudo asterisk-harden apply --answers"),
        "{out}"
    );
    let saved = std::fs::read_to_string(&file).unwrap();
    let answers =
        crate::answers::Answers::parse(&saved, &file, &crate::answers::HostDefaults::article())
            .unwrap();
    assert_eq!(
        answers.sip.hostname.unwrap().as_str(),
        "pbx-demo-7f3k.example.net"
    );
}

#[test]
fn status_reads_the_live_kernel_not_fake_data() {
    let dir = tempfile::tempdir().unwrap();
    let host = demo_host(dir.path());
    let (finished, out) = drive(&host, "3\n2\n4\n");
    assert_eq!(finished.outcome, Outcome::Quit);
    assert!(
        out.contains("None of asterisk-harden's rules are loaded here yet")
            || out.contains("cannot read the firewall"),
        "{out}"
    );
    assert!(out.contains("There are no backups yet"));
}

#[test]
fn the_zoiper_question_is_asked_in_strict_mode_only() {
    let dir = tempfile::tempdir().unwrap();
    let host = demo_host(dir.path());
    // welcome, move SSH?, key-only?, trust admin?, hostname, trunks, then
    // mode 2 (relaxed-open): rate limits?, edit Asterisk?, modules, AMI?,
    // FOP? follow with no Zoiper question; then quit at the review.
    let (finished, out) = drive(&host, "\n\n\n\n\n\n2\n\n\n\n\n\n3\ny\n");
    assert_eq!(finished.outcome, Outcome::Quit);
    assert!(out.contains("Load the relaxed-open ruleset"), "{out}");
    assert!(!out.contains(text::ZOIPER), "{out}");
    let (_, strict) = drive(&host, &format!("{TO_REVIEW}3\ny\n"));
    assert!(strict.contains(text::ZOIPER));
}

/// Another change still waits for confirmation: the wizard's apply is
/// refused, says so and why, changes nothing, and ends with the CLI's exit 2
/// (not "the apply failed; everything was restored" and 1).
#[test]
fn an_apply_refused_because_a_change_is_pending_exits_2_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let host = crate::demo::box_with_a_pending_change(dir.path());
    let before = std::fs::read_to_string(dir.path().join("etc/ssh/sshd_config")).unwrap();
    // Review menu: 1 apply (then yes to the question).
    let (finished, out) = drive(&host, &format!("{TO_REVIEW}1\ny\n"));
    assert_eq!(finished.outcome, Outcome::Refused, "{out}");
    assert_eq!(finished.outcome.exit_code(), 2);
    let said = finished.farewell.join("\n");
    assert!(
        said.contains(crate::ui::done::REFUSED) && said.contains("still waiting for confirmation"),
        "{said}"
    );
    assert!(!said.contains("everything was restored"), "{said}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("etc/ssh/sshd_config")).unwrap(),
        before,
        "a refused apply changed a file"
    );
}

#[test]
fn the_box_is_a_debian_asterisk_host() {
    let dir = sandbox().unwrap();
    let root = Root::new(dir.path());
    let view = host_view(
        &root,
        ApplyTarget::Unavailable("dry run".into()),
        String::new(),
    );
    assert!(view.asterisk_installed && !view.iax_in_use);
    assert_eq!(
        crate::plan::Distro::detect(&root),
        crate::plan::Distro::Debian
    );
    assert!(
        std::fs::read_to_string(root.path("/etc/ssh/sshd_config"))
            .unwrap()
            .contains("Include /etc/ssh/sshd_config.d/*.conf")
    );
    let w = crate::ui::wizard::Wizard::new(&view);
    assert!(w.validate().is_ok(), "the prefill is valid as it is");
}
