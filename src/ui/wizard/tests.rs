use super::*;
use crate::answers::HostDefaults;
use crate::root::Root;
use crate::ui::host::{ApplyTarget, Preflight};

fn host() -> HostView {
    // A host with no programs: its facts are the probe's of an empty box.
    let root = Root::new("/nonexistent-sandbox")
        .with_runner(std::sync::Arc::new(crate::exec::Scripted::new()));
    HostView {
        facts: crate::probe::probe(&root, crate::probe::MatchTest::Skip),
        root,
        defaults: HostDefaults::article(),
        preflight: Preflight::default(),
        admin_address: Some("203.0.113.7".parse().unwrap()),
        authorized_keys: false,
        iax_in_use: false,
        asterisk_installed: true,
        server_names: vec!["voip1.example.net".into(), "voip1".into()],
        listening: vec![22, 5038, 8080],
        previous: None,
        prefill: None,
        offered_port: 40022,
        is_root: false,
        demo: false,
        target: ApplyTarget::Unavailable("test".into()),
        confirm_command: "sudo asterisk-harden confirm".into(),
    }
}

fn at(step: Step, host: &HostView) -> Wizard {
    let mut w = Wizard::new(host);
    w.step = step;
    w
}

#[test]
fn steps_go_forward_and_back_in_order() {
    let mut s = Step::Welcome;
    let mut seen = vec![s];
    while s != Step::Done {
        s = s.next();
        seen.push(s);
    }
    assert_eq!(seen, Step::ALL);
    assert_eq!(Step::Review.back(), Step::Asterisk);
    assert_eq!(Step::Ssh.back(), Step::Welcome);
    assert_eq!(Step::Welcome.back(), Step::Welcome);
    assert_eq!(Step::Apply.back(), Step::Apply, "no way back once applying");
    assert_eq!(Step::Ssh.number(), 2);
}

#[test]
fn safe_defaults_keep_ssh_and_trust_the_admin() {
    let w = Wizard::new(&host());
    assert!(!w.form.move_ssh, "SSH stays where it is by default");
    assert_eq!(w.form.ssh_port, "40022", "a random high port is offered");
    assert!(!w.form.key_only);
    assert!(
        w.form.trust_admin,
        "the admin's address is offered as trusted"
    );
    assert_eq!(w.form.mode, Mode::Strict);
    assert!(w.form.manage_asterisk && w.form.manager_localhost && w.form.disable_fop);
    assert!(w.form.modules.iter().all(|m| m.noload));
    let file = w.answers_file();
    assert_eq!(
        file.network.unwrap().trusted.unwrap(),
        vec!["203.0.113.7".to_string()]
    );
    assert_eq!(file.ssh.unwrap().port, None);
}

#[test]
fn iax_in_use_keeps_chan_iax2() {
    let mut h = host();
    h.iax_in_use = true;
    let w = Wizard::new(&h);
    let iax = w
        .form
        .modules
        .iter()
        .find(|m| m.name == "chan_iax2.so")
        .unwrap();
    assert!(!iax.noload);
}

#[test]
fn welcome_to_review_needs_a_hostname_in_strict_mode() {
    let h = host();
    let mut w = Wizard::new(&h);
    assert_eq!(w.advance(), Ok(Step::Ssh));
    assert_eq!(w.advance(), Ok(Step::Hostname));
    assert_eq!(
        w.advance(),
        Ok(Step::Mode),
        "an empty hostname is fine until the mode needs it"
    );
    let errors = w.advance().unwrap_err();
    assert_eq!(errors[0].field, Some(Field::Mode));
    assert!(errors[0].reason.contains("strict mode"), "{errors:?}");
    assert_eq!(w.step, Step::Mode, "a refused step stays put");
    w.toggle(Field::Zoiper);
    assert_eq!(
        w.advance(),
        Ok(Step::Asterisk),
        "the Zoiper option is enough"
    );
    assert_eq!(w.advance(), Ok(Step::Review));
    assert_eq!(
        w.advance(),
        Ok(Step::Review),
        "only a confirmation leaves the review"
    );
    assert_eq!(w.back(), Step::Asterisk);
}

#[test]
fn invalid_hostname_is_refused_on_its_field() {
    let h = host();
    let mut w = at(Step::Hostname, &h);
    *w.text_mut(Field::Hostname).unwrap() = "pbx example".into();
    let e = w.field_error(Field::Hostname).unwrap();
    assert!(e.reason.contains("a space"), "{e:?}");
    assert!(w.advance().is_err());
    *w.text_mut(Field::Hostname).unwrap() = "203.0.113.9".into();
    assert!(
        w.field_error(Field::Hostname)
            .unwrap()
            .reason
            .contains("IP address")
    );
    *w.text_mut(Field::Hostname).unwrap() = "pbx-7f3k.example.net".into();
    assert_eq!(w.field_error(Field::Hostname), None);
    assert_eq!(w.advance(), Ok(Step::Mode));
    assert!(w.touched());
}

#[test]
fn guessable_hostnames_warn_without_blocking() {
    let h = host();
    let mut w = at(Step::Hostname, &h);
    w.form.hostname = "pbx.example.net".into();
    assert!(w.warnings(Step::Hostname)[0].1.contains("\"pbx.\""));
    w.form.hostname = "voip1.example.net".into();
    assert!(
        w.warnings(Step::Hostname)[0]
            .1
            .contains("server's own name")
    );
    w.form.hostname = "pbx-7f3k.example.net".into();
    assert!(w.warnings(Step::Hostname).is_empty());
    w.form.hostname = "sip2.example.net".into();
    assert_eq!(w.warnings(Step::Hostname).len(), 1);
    assert!(
        w.errors(Step::Hostname).is_empty(),
        "a warning never blocks"
    );
}

#[test]
fn ssh_port_is_checked_live() {
    let h = host();
    let mut w = at(Step::Ssh, &h);
    w.toggle(Field::SshMove);
    assert_eq!(w.fields(Step::Ssh)[1], Field::SshPort);
    for (typed, expect) in [
        ("10022", "RTP range"),
        ("5070", "SIP ports"),
        ("8080", "in use"),
        ("70000", "not a port"),
        ("22x", "not a port number"),
    ] {
        w.form.ssh_port = typed.into();
        let e = w
            .field_error(Field::SshPort)
            .unwrap_or_else(|| panic!("{typed} accepted"));
        assert!(e.reason.contains(expect), "{typed}: {e:?}");
        assert_eq!(w.errors(Step::Ssh).len(), 1, "one message per field");
    }
    w.form.ssh_port = "2222".into();
    assert!(w.errors(Step::Ssh).is_empty());
    assert_eq!(w.answers_file().ssh.unwrap().port, Some(2222));
}

#[test]
fn key_only_is_refused_without_keys() {
    let mut h = host();
    let mut w = at(Step::Ssh, &h);
    w.toggle(Field::KeyOnly);
    assert!(
        w.field_error(Field::KeyOnly)
            .unwrap()
            .reason
            .contains("lock you out")
    );
    h.authorized_keys = true;
    let mut w = at(Step::Ssh, &h);
    w.toggle(Field::KeyOnly);
    assert!(w.errors(Step::Ssh).is_empty());
}

#[test]
fn the_form_becomes_valid_answers() {
    let h = host();
    let mut w = Wizard::new(&h);
    w.form.hostname = "pbx-7f3k.example.net".into();
    w.form.trunks = "198.51.100.0/28, 192.0.2.5".into();
    w.toggle(Field::Zoiper);
    w.toggle(Field::RateLimit);
    w.cycle_mode(1);
    assert_eq!(w.form.mode, Mode::RelaxedOpen);
    w.cycle_mode(-1);
    w.toggle(Field::Module(0));
    let a = w.validate().unwrap();
    assert_eq!(a.mode, Mode::Strict);
    assert_eq!(a.sip.trunks.len(), 2);
    assert_eq!(a.sip.user_agents[0].as_str(), "Zoiper");
    assert!(a.sip.rate_limit);
    let ast = a.asterisk.unwrap();
    assert!(!ast.noload.iter().any(|m| m.name() == "chan_skinny"));
    assert_eq!(ast.noload.len(), DEFAULT_NOLOAD.len() - 1);
    assert_eq!(a.network.trusted[0].to_string(), "203.0.113.7/32");
}

#[test]
fn previous_answers_are_the_defaults_and_survive_untouched() {
    let mut h = host();
    h.previous = Some(
        toml::from_str(
            "mode = \"relaxed-open\"\n[network]\ninterface = \"ens3\"\ntrusted = [\"192.0.2.1\"]\n\
             [ssh]\nport = 2222\n[sip]\nuser_agents = [\"Zoiper\", \"Linphone\"]\nports = \"5060:5070\"\n",
        )
        .unwrap(),
    );
    let w = Wizard::new(&h);
    assert!(w.form.move_ssh && w.form.ssh_port == "2222");
    assert!(w.form.zoiper);
    assert!(
        !w.form.trust_admin,
        "not trusted last time: not trusted now"
    );
    assert!(
        !w.form.manage_asterisk,
        "absent last time: Asterisk files untouched"
    );
    let file = w.answers_file();
    assert_eq!(file.mode, Some(Mode::RelaxedOpen));
    let net = file.network.unwrap();
    assert_eq!(net.interface.as_deref(), Some("ens3"));
    assert_eq!(net.trusted.unwrap(), vec!["192.0.2.1".to_string()]);
    let sip = file.sip.unwrap();
    assert_eq!(sip.ports.as_deref(), Some("5060:5070"));
    assert_eq!(
        sip.user_agents.unwrap(),
        vec!["Linphone".to_string(), "Zoiper".to_string()]
    );
}

#[test]
fn trunk_problems_are_listed() {
    assert!(trunk_problems("sip.provider.example, 198.51.100.0/24").is_empty());
    assert_eq!(trunk_problems("bad_name, 10.0.0.0/33").len(), 2);
}
