//! The firewall side: which iptables backend, whether the matches the rules
//! need work here, and what would fight a hand-written ruleset.

use serde::Serialize;

use crate::exec::Runner;
use crate::root::Root;
use crate::ruleset::ListStore;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FirewallFacts {
    /// "nf_tables", "legacy", or absent when iptables is missing.
    pub backend: Option<String>,
    /// The string match, the recent match and the raw table work (tested in
    /// a throwaway network namespace); absent when not tested.
    pub matches_work: Option<bool>,
    /// Why the matches failed, in iptables' words.
    pub matches_error: Option<String>,
    /// Why the matches were not tested (not root, no network namespace).
    pub matches_untested: Option<String>,
    /// Other tools' chains in the live rules: "DOCKER", "f2b-sshd", "ufw-...".
    pub foreign_chains: Vec<String>,
    pub ufw_enabled: bool,
    pub firewalld_enabled: bool,
    pub nftables_service_enabled: bool,
    /// Boot rules files (not written by asterisk-harden) that exist and
    /// will be replaced on confirm.
    pub rules_files: Vec<String>,
    /// Where the phone, ban and trap lists will live.
    pub lists: ListStore,
    /// `ASTERISK_HARDEN_LISTS` named no list store: `lists` is the
    /// detected one, and a plan refuses to be made until it is fixed.
    #[serde(skip)]
    pub lists_refused: Option<ListStoreError>,
}

impl FirewallFacts {
    /// Where the lists live, refused while `ASTERISK_HARDEN_LISTS` names
    /// no list store (rules for a guessed store would be wrong).
    pub fn list_store(&self) -> Result<ListStore, ListStoreError> {
        match &self.lists_refused {
            Some(refused) => Err(refused.clone()),
            None => Ok(self.lists),
        }
    }
}

/// `ASTERISK_HARDEN_LISTS` is set to something that is not a list store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{LISTS_ENV}={value:?} is not a list store\n    what to do: set it to ipset or xt_recent, or unset it to detect"
)]
pub struct ListStoreError {
    pub value: String,
}

/// Overrides the detection: `ipset` or `xt_recent` (e.g. to keep tools that
/// read /proc/net/xt_recent working).
pub const LISTS_ENV: &str = "ASTERISK_HARDEN_LISTS";

/// Where this host's lists go: `ASTERISK_HARDEN_LISTS` if set, else detected.
pub fn list_store(runner: &dyn Runner) -> Result<ListStore, ListStoreError> {
    match std::env::var(LISTS_ENV) {
        Ok(v) if v == "ipset" => Ok(ListStore::Ipset),
        Ok(v) if v == "xt_recent" => Ok(ListStore::XtRecent),
        Ok(value) => Err(ListStoreError { value }),
        Err(_) => Ok(detect_list_store(runner)),
    }
}

/// ipset where the host has it: the `ipset` program, and (as root) a kernel
/// that answers `ipset list -n`. Without root the kernel cannot be asked, so
/// the program's presence decides (a render for this host, not a load).
pub fn detect_list_store(runner: &dyn Runner) -> ListStore {
    if runner.find("ipset").is_none() {
        return ListStore::XtRecent;
    }
    if !nix::unistd::geteuid().is_root() {
        return ListStore::Ipset;
    }
    match runner.run("ipset", &["list", "-n"], None) {
        Ok(r) if r.success => ListStore::Ipset,
        _ => ListStore::XtRecent,
    }
}

/// "(nf_tables)" or "(legacy)" in `iptables -V`.
pub fn backend(version: &str) -> Option<String> {
    let inner = version.split('(').nth(1)?.split(')').next()?;
    Some(inner.to_string())
}

/// User chains of other tools in `iptables-save` output.
pub fn foreign_chains(save: &str) -> Vec<String> {
    const OURS: [&str; 17] = [
        "PHONE",
        "QUIETSET",
        "RAWBOGONS",
        "SIPRAW",
        "NEWSIP",
        "BADSIP",
        "TCPSIP",
        "UDPSIP",
        "SIPTCPGATE",
        "ICMPALL",
        "ICMP6",
        "IPSPF",
        "BOGONS",
        "ASIP",
        "DPTS",
        "RLMSET",
        "INPUT",
    ];
    let mut chains: Vec<String> = save
        .lines()
        .filter_map(|l| l.strip_prefix(':'))
        .filter(|l| l.contains(" - "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| !OURS.contains(c))
        .map(str::to_string)
        .collect();
    chains.dedup();
    chains
}

fn unit_enabled(root: &Root, unit: &str) -> bool {
    [
        "multi-user.target.wants",
        "sysinit.target.wants",
        "network-pre.target.wants",
    ]
    .iter()
    // A wants/ entry is a symlink to a host path: in a sandbox its
    // target is elsewhere, so the link itself is what counts.
    .any(|w| {
        root.path("/etc/systemd/system")
            .join(w)
            .join(unit)
            .symlink_metadata()
            .is_ok()
    })
}

fn ufw_enabled(root: &Root) -> bool {
    crate::hostfile::read_lossy(&root.path("/etc/ufw/ufw.conf")).is_some_and(|t| {
        t.lines().any(|l| {
            l.trim()
                .strip_prefix("ENABLED=")
                .is_some_and(|v| v.trim_matches(['"', '\'']) == "yes")
        })
    })
}

/// The test ruleset: one rule with each match the article's rules need, in
/// a chain of the raw table.
const MATCH_TEST: &str = "*raw\n:AH-PROBE - [0:0]\n\
    -A AH-PROBE -m string --string probe --algo bm -j RETURN\n\
    -A AH-PROBE -m recent --rcheck --name AHPROBE -j RETURN\n\
    COMMIT\n";

/// Whether the string and recent matches and the raw table work on this
/// kernel: the test ruleset is loaded by `iptables-restore` inside a network
/// namespace of its own (`unshare --net`), which the kernel deletes when
/// that one process exits, killed or not. The host's firewall is never
/// touched, whatever tools are installed (a cleanup in the host's own
/// namespace needed `nft` to remove the raw table that iptables-nft creates,
/// and left it behind where nft was missing).
/// `Err(reason)` when it could not be tested.
fn matches_work(runner: &dyn Runner) -> Result<Result<(), String>, String> {
    if !nix::unistd::geteuid().is_root() {
        return Err("needs root".into());
    }
    let Some(restore) = runner.find("iptables-restore") else {
        return Err("iptables-restore is not installed".into());
    };
    let restore = restore.display().to_string();
    let ran = runner
        .run(
            "unshare",
            &["--net", "--", &restore],
            Some(MATCH_TEST.as_bytes()),
        )
        .map_err(|e| format!("no throwaway network namespace: {e}"))?;
    let stderr = ran.stderr.trim();
    if ran.success {
        Ok(Ok(()))
    } else if stderr.starts_with("unshare:") {
        Err(format!("no throwaway network namespace here ({stderr})"))
    } else {
        Ok(Err(stderr.to_string()))
    }
}

pub fn probe(root: &Root, test_matches: bool) -> FirewallFacts {
    let runner = root.runner();
    let backend = runner
        .run("iptables", &["-V"], None)
        .ok()
        .and_then(|r| backend(&r.stdout));
    let save = runner
        .run("iptables-save", &[], None)
        .map(|r| r.stdout)
        .unwrap_or_default();
    let tested = if test_matches {
        matches_work(runner)
    } else {
        Err("skipped".into())
    };
    let lists = list_store(runner);
    let rules_files = [
        "/etc/iptables/rules.v4",
        "/etc/iptables/rules.v6",
        "/etc/sysconfig/iptables",
        "/etc/sysconfig/ip6tables",
    ]
    .iter()
    // Ours from an earlier apply is not the admin's: no warning for it.
    .filter(|p| {
        crate::hostfile::read_lossy(&root.path(p))
            .is_some_and(|t| !t.starts_with("# asterisk-harden "))
    })
    .map(|p| p.to_string())
    .collect();
    FirewallFacts {
        backend,
        matches_work: tested.as_ref().ok().map(Result::is_ok),
        matches_error: tested.as_ref().ok().cloned().and_then(Result::err),
        matches_untested: tested.err(),
        foreign_chains: foreign_chains(&save),
        ufw_enabled: ufw_enabled(root),
        firewalld_enabled: unit_enabled(root, "firewalld.service"),
        nftables_service_enabled: unit_enabled(root, "nftables.service"),
        rules_files,
        lists: lists.clone().unwrap_or_else(|_| detect_list_store(runner)),
        lists_refused: lists.err(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_backend_and_foreign_chains() {
        assert_eq!(
            backend("iptables v1.8.9 (nf_tables)\n").as_deref(),
            Some("nf_tables")
        );
        assert_eq!(
            backend("iptables v1.8.7 (legacy)\n").as_deref(),
            Some("legacy")
        );
        let save = "*filter\n:INPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n:DOCKER-USER - [0:0]\n:f2b-sshd - [0:0]\n:ASIP - [0:0]\nCOMMIT\n";
        assert_eq!(foreign_chains(save), ["DOCKER", "DOCKER-USER", "f2b-sshd"]);
    }
}
