//! What the tool sees on this host, read-only. Its findings become the
//! defaults of the wizard and of a minimal answers file, and its warnings
//! name what would fight the rules and what to do about it.
//!
//! `probe --json` prints `Facts` with these stable keys: `system` (distro,
//! name, version, container, source), `firewall` (backend, matches_work,
//! matches_error, matches_untested, foreign_chains, ufw_enabled, firewalld_enabled,
//! nftables_service_enabled, rules_files), `network` (interface,
//! default_routes, interfaces, addresses, private_networks, global_ipv6, source), `ssh`
//! (ports, listening, ports_error, socket_activated, unit, selinux_enforcing,
//! admin_address, authorized_keys, source), `asterisk` (installed, version,
//! transports, rtp, iax_peers, ami_bindaddr, freepbx, freepbx_firewall,
//! unreadable), `warnings` (each `{ "about", "what_to_do" }`).

mod defaults;
pub mod firewall;
pub mod network;
mod report;
pub mod ssh;
pub mod system;

use serde::Serialize;

pub use report::report;

use crate::asterisk::AsteriskFacts;
use crate::root::Root;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub about: String,
    pub what_to_do: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facts {
    pub system: system::SystemFacts,
    pub firewall: firewall::FirewallFacts,
    pub network: network::NetworkFacts,
    pub ssh: ssh::SshFacts,
    pub asterisk: AsteriskFacts,
    pub warnings: Vec<Warning>,
}

fn warn(about: impl Into<String>, what_to_do: impl Into<String>) -> Warning {
    Warning {
        about: about.into(),
        what_to_do: what_to_do.into(),
    }
}

/// What would fight the rules, or break under them.
fn warnings(f: &Facts) -> Vec<Warning> {
    let mut w = Vec::new();
    let fw = &f.firewall;
    if fw.ufw_enabled {
        w.push(warn(
            "ufw is enabled (/etc/ufw/ufw.conf): it rewrites iptables at boot and on every `ufw` command",
            "disable it (ufw disable) before applying, or use mode = \"relaxed-raw\" beside it",
        ));
    }
    if fw.firewalld_enabled {
        w.push(warn(
            "firewalld is enabled: it owns the firewall and will replace these rules",
            "systemctl disable --now firewalld; systemctl mask firewalld; dnf install iptables-services",
        ));
    }
    if fw.nftables_service_enabled {
        w.push(warn(
            "nftables.service is enabled: its config starts with `flush ruleset`, which wipes these rules at boot",
            "systemctl disable nftables, or remove the flush from /etc/nftables.conf",
        ));
    }
    if fw.foreign_chains.iter().any(|c| c.starts_with("DOCKER")) {
        w.push(warn(
            "Docker's chains are loaded: they are kept with their jumps, but the article sets FORWARD to DROP",
            "check your containers after applying; Docker re-adds its rules when it restarts",
        ));
    }
    if fw.foreign_chains.iter().any(|c| c.starts_with("f2b-")) {
        w.push(warn(
            "fail2ban's chains are loaded: they are kept, and fail2ban must see them after every load",
            "after applying, run: systemctl restart fail2ban",
        ));
    }
    if matches!(fw.matches_work, Some(false)) {
        w.push(warn(
            format!(
                "the string or recent match does not work here ({}): typical of OpenVZ/LXC containers",
                fw.matches_error.as_deref().unwrap_or("refused")
            ),
            "the article's rules cannot run on this host; ask your provider for a KVM VPS",
        ));
    }
    for file in &fw.rules_files {
        w.push(warn(
            format!("{file} exists and will be replaced on confirm (it is backed up first)"),
            "nothing, unless you keep rules there by hand: then use mode = \"relaxed-raw\"",
        ));
    }
    if f.asterisk.freepbx_firewall {
        w.push(warn(
            "FreePBX's Firewall module is installed: it manages iptables itself and will fight these rules",
            "disable it in FreePBX (Admin > Module Admin) before applying, or keep it and do not apply",
        ));
    }
    if f.network.interface.is_none() {
        w.push(warn(
            "no default route: the Internet-facing interface is unknown",
            "set network.interface in the answers; until then every interface but lo is protected",
        ));
    }
    if f.network.global_ipv6 {
        w.push(warn(
            "the host has a global IPv6 address: SIP and SSH are reachable over IPv6 too",
            "nothing: the IPv6 rules are loaded alongside the IPv4 ones",
        ));
    }
    w
}

/// Whether to load a test ruleset (in a throwaway network namespace) to see
/// if the string and recent matches work: the `probe` command does; reading
/// defaults for `render` or `plan` does not, which saves the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchTest {
    Run,
    Skip,
}

/// Read the host (never changes it).
pub fn probe(root: &Root, test: MatchTest) -> Facts {
    let mut facts = Facts {
        system: system::probe(root),
        firewall: firewall::probe(root, test == MatchTest::Run),
        network: network::probe(root.runner()),
        ssh: ssh::probe(root),
        asterisk: AsteriskFacts::probe(root),
        warnings: Vec::new(),
    };
    facts.warnings = warnings(&facts);
    facts
}
