//! The plan made in-process, without root and without a host: the demo box
//! as the files, a scripted host for the programs. The host is probed once:
//! reading the plan's input runs no probe again (no list-store detection,
//! no second look at Asterisk), only `ssh -V` for the option names.

use std::path::Path;
use std::sync::Arc;

use asterisk_harden::answers::{Answers, HostDefaults};
use asterisk_harden::exec::Scripted;
use asterisk_harden::plan::{PlanInput, paths_to_read, plan};
use asterisk_harden::probe::{MatchTest, probe};
use asterisk_harden::review::{Review, Seen, review_text};
use asterisk_harden::root::Root;
use asterisk_harden::ruleset::ListStore;

#[test]
fn the_plan_is_made_from_one_probe_without_root() {
    let dir = tempfile::tempdir().unwrap();
    asterisk_harden::demo::write_box(dir.path()).unwrap();
    let programs = Arc::new(
        Scripted::new()
            .answers("ipset", &["list", "-n"], "")
            .answers(
                "ssh",
                &["-V"],
                "OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15\n",
            ),
    );
    let root = Root::new(dir.path()).with_runner(programs.clone());
    let facts = probe(&root, MatchTest::Skip);
    let probed = programs.calls().len();
    let answers = Answers::parse(
        "mode = \"strict\"\n[sip]\nhostname = \"pbx-7f3k.example.net\"\n[asterisk]\nnoload = [\"chan_iax2.so\"]\n",
        Path::new("answers.toml"),
        &HostDefaults::from_facts(&facts),
    )
    .unwrap();
    let input = PlanInput::read(&root, &facts, &paths_to_read(&answers)).unwrap();
    assert_eq!(
        programs.calls()[probed..],
        ["ssh -V"],
        "reading the plan's input probed the host again"
    );
    assert_eq!(input.lists, ListStore::Ipset, "the probe's list store");
    assert_eq!(input.openssh, Some((9, 2)));
    let plan = plan(&answers, &[], &input).unwrap();
    let text = review_text(&Review::new(plan, Seen::NotRoot));
    for expected in [
        "+noload => chan_iax2.so",
        "pbx-7f3k.example.net",
        "== IPv4 rules loaded now (raw and filter) ==",
        "not root: the host checks apply makes first",
    ] {
        assert!(text.contains(expected), "{expected:?} missing:\n{text}");
    }
}
