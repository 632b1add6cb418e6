//! `(answers, resolved trunks) -> Plan`: everything the tool would change,
//! decided without touching the host. Pure, so every front end and every test
//! sees the same value.

mod asterisk;
mod fail2ban;
mod files;
mod input;
pub mod names;
pub mod responsive;
mod ssh;

use std::path::PathBuf;

use ipnet::IpNet;

pub use crate::probe::system::Distro;
pub use asterisk::{AsteriskPlanError, MANAGER_CONF};
pub use files::{
    ANSWERS_FILE, AfterWrite, FileChange, RULES_UNIT, SETS_FILE, SETS_UNIT, Stage,
    distro_loader_units, list_units, persistence_paths, rules_unit,
};
pub use input::{PlanInput, PlanInputError};
pub use ssh::{SshPlan, SshPlanError};

use crate::answers::{Answers, Mode, Trunk};
use crate::assets::assets;
use crate::ruleset::restore_file::RestoreFile;
use crate::ruleset::{Family, FirewallSpec, ListStore, Ruleset, build, render, render_sets};

/// A trunk with the addresses it stands for (a name resolved at the edge).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedTrunk {
    pub trunk: Trunk,
    pub nets: Vec<IpNet>,
}

impl ResolvedTrunk {
    /// A trunk given as a network needs no resolving.
    pub fn literal(trunk: &Trunk) -> Option<Self> {
        match trunk {
            Trunk::Network(n) => Some(Self {
                trunk: trunk.clone(),
                nets: vec![*n],
            }),
            Trunk::Name(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub mode: Mode,
    pub firewall: FirewallSpec,
    pub ipv4: Ruleset,
    pub ipv6: Ruleset,
    /// Every file the apply writes, with its text before and after.
    pub files: Vec<FileChange>,
    /// Set when SSH moves or goes key-only.
    pub ssh: Option<SshPlan>,
    /// The rules during the confirmation window, when they differ from the
    /// final ones (both SSH ports accepted): (IPv4, IPv6).
    pub window: Option<(Ruleset, Ruleset)>,
    /// Things the admin should know that are not file changes.
    pub notes: Vec<String>,
}

/// Why no plan could be made: each leaves the host untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Ssh(#[from] SshPlanError),
    #[error(transparent)]
    Asterisk(#[from] AsteriskPlanError),
    #[error(
        "{0}: asterisk-harden must edit it, and will not rewrite bytes it cannot read\n    what to do: {hint}; nothing was changed",
        hint = .0.hint()
    )]
    NotText(crate::hostfile::ReadError),
}

impl Plan {
    /// The rules loaded at apply: the window's (both SSH ports) if SSH
    /// moves, else the final ones.
    pub fn first_load(&self, family: Family) -> &Ruleset {
        match (&self.window, family) {
            (Some((v4, _)), Family::Ipv4) => v4,
            (Some((_, v6)), Family::Ipv6) => v6,
            (None, _) => self.ruleset(family),
        }
    }

    pub fn ruleset(&self, family: Family) -> &Ruleset {
        match family {
            Family::Ipv4 => &self.ipv4,
            Family::Ipv6 => &self.ipv6,
        }
    }
}

pub fn firewall_spec(
    answers: &Answers,
    trunks: &[ResolvedTrunk],
    lists: ListStore,
) -> FirewallSpec {
    let mut notes = Vec::new();
    for t in trunks {
        if let Trunk::Name(name) = &t.trunk {
            let addrs: Vec<String> = t.nets.iter().map(|n| n.addr().to_string()).collect();
            notes.push(format!("trunk {name} resolved to {}", addrs.join(", ")));
        }
    }
    for t in &answers.network.trusted_names {
        let addrs: Vec<String> = t.addresses.iter().map(ToString::to_string).collect();
        notes.push(format!(
            "trusted {} resolved to {}",
            t.name,
            addrs.join(", ")
        ));
    }
    let named_trusted = answers
        .network
        .trusted_names
        .iter()
        .flat_map(|t| t.addresses.iter().copied());
    let mut phone_agents: Vec<String> = Vec::new();
    for agent in &answers.sip.user_agents {
        for pattern in assets().client_patterns(agent.as_str()) {
            if !phone_agents.contains(&pattern) {
                phone_agents.push(pattern);
            }
        }
    }
    FirewallSpec {
        mode: answers.mode,
        interface: answers.network.interface.clone(),
        local_nets: answers.network.local_nets.clone(),
        // Trusted names like trunk names: a set with ipset, fixed rules
        // with xt_recent.
        trusted: answers
            .network
            .trusted
            .iter()
            .copied()
            .chain(
                named_trusted
                    .clone()
                    .filter(|_| lists == ListStore::XtRecent)
                    .map(IpNet::from),
            )
            .collect(),
        named_trusted: named_trusted
            .filter(|_| lists == ListStore::Ipset)
            .collect(),
        forward: answers.network.forward,
        // With ipset, the addresses of trunk names live in a set that
        // `names refresh` keeps current; otherwise one rule per address.
        trunks: trunks
            .iter()
            .filter(|t| lists == ListStore::XtRecent || matches!(t.trunk, Trunk::Network(_)))
            .flat_map(|t| t.nets.iter().copied())
            .collect(),
        named_trunks: trunks
            .iter()
            .filter(|t| lists == ListStore::Ipset && matches!(t.trunk, Trunk::Name(_)))
            .flat_map(|t| t.nets.iter().map(|n| n.addr()))
            .collect(),
        ssh_ports: vec![answers.ssh.final_port()],
        sip_ports: answers.sip.ports,
        rtp_ports: answers.sip.rtp,
        tls_port: answers.sip.tls_port,
        hostname: answers.sip.hostname.clone(),
        phone_agents,
        rate_limit: answers.sip.rate_limit,
        quiet_seconds: answers.sip.quiet_seconds,
        lists,
        notes,
    }
}

impl Plan {
    /// The iptables tables a load replaces (relaxed-raw: raw only, beside the
    /// admin's filter rules).
    pub fn tables(&self) -> &'static [&'static str] {
        match self.mode {
            Mode::RelaxedRaw => &["raw"],
            _ => &["raw", "filter"],
        }
    }

    /// Whether the load keeps the tables' other rules (`--noflush`).
    pub fn noflush(&self) -> bool {
        self.mode == Mode::RelaxedRaw
    }

    /// The files that differ from what is on disk.
    pub fn changed_files(&self) -> impl Iterator<Item = &FileChange> {
        self.files.iter().filter(|f| f.changes())
    }
}

/// The host files `plan` needs to see (read them with `PlanInput::read`).
pub fn paths_to_read(_answers: &Answers) -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from(ANSWERS_FILE)];
    paths.extend(
        list_units(std::path::Path::new("/"), ListStore::Ipset)
            .into_iter()
            .map(|(p, _)| p),
    );
    paths.push(rules_unit(Distro::Debian).0);
    paths.extend(asterisk::paths());
    paths.push(PathBuf::from(crate::fail2ban::DROPIN));
    paths.push(PathBuf::from(SETS_FILE));
    paths.extend(responsive::paths());
    paths.extend(names::paths());
    for d in [Distro::Debian, Distro::Rhel] {
        let (v4, v6) = persistence_paths(d);
        paths.push(v4);
        paths.push(v6);
    }
    paths
}

pub fn plan(
    answers: &Answers,
    trunks: &[ResolvedTrunk],
    host: &PlanInput,
) -> Result<Plan, PlanError> {
    let firewall = firewall_spec(answers, trunks, host.lists);
    let ipv4 = build(&firewall, Family::Ipv4);
    let ipv6 = build(&firewall, Family::Ipv6);
    let mut files = vec![change(
        host,
        ANSWERS_FILE.into(),
        answers.to_toml(),
        Stage::Apply,
        "the answers applied: the next run's defaults",
    )];
    let ssh = ssh::ssh_plan(answers, host.sshd.as_ref(), host.openssh).map_err(|e| {
        // No sshd config seen because it is not UTF-8: say that, not "missing".
        match host
            .not_text
            .iter()
            .find(|(p, _)| p.starts_with("/etc/ssh"))
        {
            Some((_, unreadable)) => PlanError::NotText(unreadable.clone()),
            None => PlanError::Ssh(e),
        }
    })?;
    let mut window = None;
    if let Some((ssh_plan, ssh_files)) = &ssh {
        files.extend(ssh_files.iter().cloned());
        if ssh_plan.window_ports != ssh_plan.final_ports {
            let spec = FirewallSpec {
                ssh_ports: ssh_plan.window_ports.clone(),
                ..firewall.clone()
            };
            window = Some((build(&spec, Family::Ipv4), build(&spec, Family::Ipv6)));
        }
    }
    let (asterisk_files, mut notes) = asterisk::asterisk_changes(answers, host)?;
    files.extend(asterisk_files);
    responsive::responsive_changes(answers, host, &mut files, &mut notes);
    names::names_changes(&firewall, host, &mut files);
    let (fail2ban_files, fail2ban_notes) = fail2ban::fail2ban_changes(answers, host);
    files.extend(fail2ban_files);
    notes.extend(fail2ban_notes);
    for f in &host.hygiene {
        notes.push(format!(
            "{}: {} ({}). What to do: {}",
            f.at, f.problem, f.why, f.what_to_do
        ));
    }
    let (v4_path, v6_path) = persistence_paths(host.distro);
    for (path, rules) in [(v4_path, &ipv4), (v6_path, &ipv6)] {
        let after = persisted_rules(answers.mode, host.text(&path), rules);
        files.push(change(
            host,
            path,
            after,
            Stage::Confirm,
            "the rules loaded at boot (written on confirm)",
        ));
    }
    if host.lists == ListStore::Ipset {
        let sets = ipv4.sets.iter().chain(&ipv6.sets);
        files.push(change(
            host,
            SETS_FILE.into(),
            format!(
                "# asterisk-harden: the ipset sets its rules name, created at boot before the rules load\n{}",
                render_sets(sets)
            ),
            Stage::Confirm,
            "the phone, ban and trap sets, created at boot before the rules (written on confirm)",
        ));
    }
    // No distribution loader here: our own unit loads the saved rules at
    // boot, so "loads at boot" is true wherever the tool says it.
    if !host.boot_loader_installed {
        let (path, text) = rules_unit(host.distro);
        files.push(change(
            host,
            path,
            text,
            Stage::Confirm,
            "loads the saved rules at boot with iptables-restore (no netfilter-persistent or iptables-services here)",
        ));
    }
    for (path, text) in list_units(&host.exe, host.lists) {
        let why = if path.ends_with(SETS_UNIT) {
            "creates the sets at boot before the rules load, with ipset alone"
        } else {
            "keeps the phone and scanner lists across reboots"
        };
        files.push(change(host, path, text, Stage::Confirm, why));
    }
    // The safety net: a file that is not UTF-8 is never rewritten.
    if let Some(e) = files
        .iter()
        .filter(|f| f.changes())
        .find_map(|f| host.not_text.get(&f.path))
    {
        return Err(PlanError::NotText(e.clone()));
    }
    Ok(Plan {
        mode: answers.mode,
        firewall,
        ipv4,
        ipv6,
        files,
        ssh: ssh.map(|(p, _)| p),
        window,
        notes,
    })
}

fn change(host: &PlanInput, path: PathBuf, after: String, stage: Stage, why: &str) -> FileChange {
    FileChange {
        before: host.text(&path).map(str::to_string),
        path,
        after,
        stage,
        why: why.to_string(),
        after_write: AfterWrite::Nothing,
    }
}

/// The boot rules file: our model, not `iptables-save` (which would capture
/// Docker's rules). relaxed-raw replaces only the raw table in the admin's file.
fn persisted_rules(mode: Mode, before: Option<&str>, rules: &Ruleset) -> String {
    let ours = render(rules);
    match mode {
        Mode::RelaxedRaw => {
            let raw = RestoreFile::parse(&ours)
                .table("raw")
                .cloned()
                .expect("relaxed-raw renders a raw table");
            let existing = RestoreFile::parse(before.unwrap_or_default());
            existing.with_table(raw).render()
        }
        // FORWARD as the rules.v4 being replaced had it: a boot leaves it
        // as it was, as the load does (unless the admin chose to drop it).
        _ => match before {
            Some(old) => crate::ruleset::restore_file::carry_undeclared_builtins(&ours, old),
            None => ours,
        },
    }
}
