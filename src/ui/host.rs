//! What the wizard knows about the host before it asks anything: the
//! preflight shown on the first screen, the admin's session, the ports in use,
//! the answers applied last time. `HostView::read` fills it from the host
//! probe (read-only, without its match test) and the previous answers.

use std::net::IpAddr;

use crate::answers::{Answers, AnswersFile, HostDefaults};
use crate::plan::{ANSWERS_FILE, Distro};
use crate::probe::{Facts, MatchTest, probe};
use crate::root::Root;
use crate::transaction;

/// What the probe found, for the first screen: facts, and the warnings that
/// need a decision before anything is planned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preflight {
    /// (what, what was found)
    pub lines: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// Where an apply would land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyTarget {
    /// This host (the wizard runs as root).
    Host,
    /// The demo's throwaway network namespace, named.
    DemoNamespace(String),
    /// Nothing can be applied from here; the reason, for the admin.
    Unavailable(String),
}

/// Everything the wizard reads about the host, gathered once at start.
#[derive(Debug, Clone, PartialEq)]
pub struct HostView {
    pub root: Root,
    /// What the probe found: the plan is made from these, not a second look.
    pub facts: Facts,
    pub defaults: HostDefaults,
    pub preflight: Preflight,
    /// The address the admin's SSH session comes from (offered as trusted).
    pub admin_address: Option<IpAddr>,
    /// Someone has an authorized SSH key (key-only login is refused without).
    pub authorized_keys: bool,
    /// iax.conf defines peers or users: chan_iax2 must keep loading.
    pub iax_in_use: bool,
    pub asterisk_installed: bool,
    /// This server's own names: a SIP hostname equal to one is guessable.
    pub server_names: Vec<String>,
    /// TCP ports something listens on now (an SSH port must be free).
    pub listening: Vec<u16>,
    /// The answers applied last time: the defaults of this run.
    pub previous: Option<AnswersFile>,
    /// Defaults when there are no previous answers (the demo's prefill).
    pub prefill: Option<AnswersFile>,
    /// The random high port offered when moving SSH.
    pub offered_port: u16,
    pub is_root: bool,
    /// The demo's sandbox box, not a real host.
    pub demo: bool,
    pub target: ApplyTarget,
    /// The `confirm` command a second session types (the demo adds its root).
    pub confirm_command: String,
}

impl HostView {
    /// Read the host under `root` (read-only).
    pub fn read(root: &Root) -> Self {
        let facts = probe(root, MatchTest::Skip);
        let defaults = HostDefaults::from_facts(&facts);
        let is_root = nix::unistd::geteuid().is_root();
        let listening = if root.is_system() {
            crate::ssh::listening::listening_ports()
        } else {
            Vec::new()
        };
        let (previous, previous_problem) = previous_answers(root, &defaults);
        let mut view = Self {
            root: root.clone(),
            facts: facts.clone(),
            preflight: Preflight::default(),
            admin_address: facts
                .ssh
                .admin_address
                .as_deref()
                .and_then(|a| a.parse().ok()),
            authorized_keys: facts.ssh.authorized_keys,
            iax_in_use: !facts.asterisk.iax_peers.is_empty(),
            asterisk_installed: facts.asterisk.installed,
            server_names: server_names(root),
            offered_port: random_high_port(&listening),
            listening,
            previous,
            prefill: None,
            is_root,
            demo: false,
            target: if is_root {
                ApplyTarget::Host
            } else {
                ApplyTarget::Unavailable(
                    "applying needs root: run `sudo asterisk-harden`, or save the answers and run `sudo asterisk-harden apply --answers FILE`"
                        .into(),
                )
            },
            confirm_command: "sudo asterisk-harden confirm".into(),
            defaults,
        };
        view.preflight = preflight(&view, &facts, previous_problem);
        view
    }

    /// The answers the wizard starts from.
    pub fn starting_answers(&self) -> AnswersFile {
        self.previous
            .clone()
            .or_else(|| self.prefill.clone())
            .unwrap_or_default()
    }

    pub fn can_apply(&self) -> bool {
        !matches!(self.target, ApplyTarget::Unavailable(_))
    }

    pub fn port_in_use(&self, port: u16) -> bool {
        self.listening.contains(&port)
    }
}

fn preflight(view: &HostView, facts: &Facts, previous_problem: Option<String>) -> Preflight {
    let root = &view.root;
    let system = facts
        .system
        .name
        .clone()
        .unwrap_or_else(|| match facts.system.distro {
            Distro::Debian => "Debian family".into(),
            Distro::Rhel => "RHEL family".into(),
            Distro::Unknown => "unknown: the rules persist in /etc/iptables".into(),
        });
    let mut lines = vec![("System".to_string(), system)];
    lines.push((
        "Interface".into(),
        match &facts.network.interface {
            Some(i) => format!("{i} has the default route: the rules protect it"),
            None => "no default route: the rules cover every interface but lo".into(),
        },
    ));
    if !facts.network.private_networks.is_empty() {
        let nets: Vec<String> = facts
            .network
            .private_networks
            .iter()
            .map(|n| n.to_string())
            .collect();
        lines.push((
            "Own networks".into(),
            format!("{}: never dropped as bogons", nets.join(", ")),
        ));
    }
    lines.push((
        "Asterisk".into(),
        if facts.asterisk.installed {
            let ports: Vec<String> = facts
                .asterisk
                .transports
                .iter()
                .map(|t| format!("{:?} {}", t.protocol, t.port))
                .collect();
            format!(
                "/etc/asterisk: SIP {}; RTP {}",
                if ports.is_empty() {
                    "default ports".into()
                } else {
                    ports.join(", ")
                },
                view.defaults.rtp_ports
            )
        } else {
            "no /etc/asterisk: the Asterisk step changes nothing".into()
        },
    ));
    lines.push((
        "SSH session".into(),
        match view.admin_address {
            Some(a) => format!(
                "yours comes from {a}; SSH listens on {}",
                view.defaults.ssh_port
            ),
            None => format!(
                "none seen (console, or sudo dropped SSH_CONNECTION); SSH listens on {}",
                view.defaults.ssh_port
            ),
        },
    ));
    lines.push((
        "Last answers".into(),
        match (&view.previous, &previous_problem) {
            (Some(_), _) => format!("{ANSWERS_FILE}: used as this run's defaults"),
            (None, Some(_)) => format!("{ANSWERS_FILE} is not valid: ignored"),
            (None, None) => "none: the safe defaults".into(),
        },
    ));
    lines.push((
        "Privileges".into(),
        if view.is_root {
            "root".into()
        } else {
            "not root: every step and the review work; applying needs root".into()
        },
    ));

    let mut warnings = Vec::new();
    if let Some(p) = previous_problem {
        warnings.push(format!("{ANSWERS_FILE} was not used: {p}"));
    }
    if let Err(e) = transaction::ensure_no_pending(root) {
        warnings.push(first_line(&e.to_string()));
    }
    for w in &facts.warnings {
        warnings.push(format!("{}: {}", w.about, w.what_to_do));
    }
    Preflight { lines, warnings }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

fn server_names(root: &Root) -> Vec<String> {
    let name = crate::hostfile::read_lossy(&root.path("/etc/hostname")).unwrap_or_default();
    let name = name.trim().to_ascii_lowercase();
    if name.is_empty() {
        return Vec::new();
    }
    let mut names = vec![name.clone()];
    if let Some((short, _)) = name.split_once('.') {
        names.push(short.to_string());
    }
    names
}

/// A high port outside the SIP and RTP ranges, not a trap, not in use.
fn random_high_port(listening: &[u16]) -> u16 {
    use std::hash::{BuildHasher, Hasher};
    let mut seed = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    loop {
        let port = 20001 + (seed % (65535 - 20001)) as u16;
        if !listening.contains(&port) && !crate::assets::assets().is_trap_port(port) {
            return port;
        }
        seed = seed.rotate_left(7) ^ 0x9e37_79b9_7f4a_7c15;
    }
}

/// The answers file applied last time, if it is still valid.
fn previous_answers(root: &Root, defaults: &HostDefaults) -> (Option<AnswersFile>, Option<String>) {
    let Ok(Some(text)) = crate::hostfile::read_text(&root.path(ANSWERS_FILE)) else {
        return (None, None);
    };
    let file: AnswersFile = match toml::from_str(&text) {
        Ok(f) => f,
        Err(e) => return (None, Some(first_line(&e.to_string()))),
    };
    match Answers::validate(&file, defaults) {
        Ok(_) => (Some(file), None),
        Err(e) => (
            None,
            Some(e.to_string().lines().nth(1).unwrap_or("").trim().into()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_sandbox_without_touching_the_system() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        std::fs::create_dir_all(root.path("/etc/asterisk")).unwrap();
        std::fs::write(root.path("/etc/debian_version"), "12.8\n").unwrap();
        std::fs::write(
            root.path("/etc/asterisk/iax.conf"),
            "[general]\nbindport=4569\n\n[office]\ntype=friend\n",
        )
        .unwrap();
        std::fs::write(root.path("/etc/hostname"), "pbx.example.net\n").unwrap();
        let view = HostView::read(&root);
        assert!(view.asterisk_installed && view.iax_in_use);
        assert_eq!(view.server_names, ["pbx.example.net", "pbx"]);
        assert!(view.listening.is_empty(), "a sandbox has no sockets");
        assert!((20001..=65535).contains(&view.offered_port));
        assert_eq!(view.preflight.lines[0].1, "Debian family");
        assert!(!view.authorized_keys);
    }

    #[test]
    fn invalid_previous_answers_are_ignored_with_a_warning() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        std::fs::create_dir_all(root.path("/etc/asterisk-harden")).unwrap();
        std::fs::write(root.path(ANSWERS_FILE), "mode = \"strict\"\n").unwrap();
        let view = HostView::read(&root);
        assert!(view.previous.is_none());
        assert!(
            view.preflight.warnings[0].contains("was not used"),
            "{:?}",
            view.preflight.warnings
        );
    }
}
