//! The files a plan writes, and where the rules persist on each distro.

use std::path::PathBuf;

use crate::ruleset::ListStore;

use crate::probe::system::Distro;

/// The sets' definitions (`ipset restore` text), written on confirm.
pub const SETS_FILE: &str = "/etc/asterisk-harden/ipsets";

/// When a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// During apply, before the rules load; reverted if not confirmed.
    Apply,
    /// On confirm: persistence, so a reboot never loads an unproven change.
    Confirm,
}

/// What must happen once a file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AfterWrite {
    Nothing,
    /// sshd re-reads its configuration (and the result is verified).
    ReloadSshd,
    /// Asterisk re-reads manager.conf (`module reload manager`), verified
    /// in `manager show settings`.
    ReloadAmi,
    /// fail2ban re-reads its jails (the file passed `fail2ban-client -t`
    /// before it was written).
    ReloadFail2ban,
    /// The same, and the file is made immutable (FreePBX boxes).
    ReloadFail2banImmutable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The host path, as on a real system.
    pub path: PathBuf,
    pub before: Option<String>,
    pub after: String,
    pub stage: Stage,
    /// Why the tool writes it, for the review.
    pub why: String,
    pub after_write: AfterWrite,
}

impl FileChange {
    pub fn changes(&self) -> bool {
        self.before.as_deref() != Some(self.after.as_str())
    }
}

pub const ANSWERS_FILE: &str = "/etc/asterisk-harden/answers.toml";

/// Where the boot loader of the rules reads them: (IPv4, IPv6).
pub fn persistence_paths(distro: Distro) -> (PathBuf, PathBuf) {
    match distro {
        Distro::Rhel => (
            "/etc/sysconfig/iptables".into(),
            "/etc/sysconfig/ip6tables".into(),
        ),
        Distro::Debian | Distro::Unknown => (
            "/etc/iptables/rules.v4".into(),
            "/etc/iptables/rules.v6".into(),
        ),
    }
}

/// The units that keep the phone and ban lists across reboots
/// (assets/systemd/), with the path of this very binary: (host path, text).
/// ipset sets must exist before the rules that name them load: with ipset,
/// asterisk-harden-sets.service creates them with `ipset` alone (so the
/// rules still load at boot once this package is removed), and the lists
/// unit refills them before the rules loader too. xt_recent lists exist
/// only once their rules do, so then the lists unit runs after. The lists
/// units are skipped at boot when the binary is gone.
pub fn list_units(exe: &std::path::Path, lists: ListStore) -> Vec<(PathBuf, String)> {
    let bin = exe.display().to_string();
    let order = match lists {
        ListStore::Ipset => {
            "DefaultDependencies=no\n\
             After=local-fs.target asterisk-harden-sets.service\n\
             Before=network-pre.target netfilter-persistent.service iptables.service ip6tables.service shutdown.target\n\
             Wants=network-pre.target\n\
             Conflicts=shutdown.target"
        }
        ListStore::XtRecent => {
            "After=netfilter-persistent.service iptables.service ip6tables.service\n\
             Wants=netfilter-persistent.service"
        }
    };
    let sets = (
        SETS_UNIT,
        include_str!("../../assets/systemd/asterisk-harden-sets.service"),
    );
    let lists_units = [
        (
            "asterisk-harden-lists.service",
            include_str!("../../assets/systemd/asterisk-harden-lists.service"),
        ),
        (
            "asterisk-harden-lists-save.service",
            include_str!("../../assets/systemd/asterisk-harden-lists-save.service"),
        ),
        (
            "asterisk-harden-lists-save.timer",
            include_str!("../../assets/systemd/asterisk-harden-lists-save.timer"),
        ),
    ];
    (lists == ListStore::Ipset)
        .then_some(sets)
        .into_iter()
        .chain(lists_units)
        .map(|(name, text)| {
            (
                PathBuf::from("/etc/systemd/system").join(name),
                text.replace("@BIN@", &bin).replace("@ORDER@", order),
            )
        })
        .collect()
}

/// The distribution's service that loads saved rules at boot.
pub fn distro_loader_units(distro: Distro) -> &'static [&'static str] {
    match distro {
        Distro::Rhel => &["iptables.service", "ip6tables.service"],
        Distro::Debian | Distro::Unknown => &["netfilter-persistent.service"],
    }
}

/// Ours, where the distribution's loader is not installed: loads the saved
/// rules at boot with iptables-restore alone.
pub const RULES_UNIT: &str = "asterisk-harden-rules.service";

/// The rules loader unit for `distro`'s persistence paths.
pub fn rules_unit(distro: Distro) -> (PathBuf, String) {
    let (v4, v6) = persistence_paths(distro);
    (
        PathBuf::from("/etc/systemd/system").join(RULES_UNIT),
        include_str!("../../assets/systemd/asterisk-harden-rules.service")
            .replace("@V4@", &v4.display().to_string())
            .replace("@V6@", &v6.display().to_string()),
    )
}

/// Creates the ipset sets at boot, with nothing but ipset.
pub const SETS_UNIT: &str = "asterisk-harden-sets.service";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_filled_and_the_sets_need_only_ipset() {
        let exe = std::path::Path::new("/usr/sbin/asterisk-harden");
        let units = list_units(exe, ListStore::Ipset);
        let names: Vec<String> = units
            .iter()
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names[0], SETS_UNIT, "{names:?}");
        for (path, text) in &units {
            assert!(
                !text.contains('@'),
                "{} not filled:\n{text}",
                path.display()
            );
        }
        let sets = &units[0].1;
        assert!(!sets.contains("asterisk-harden lists"), "{sets}");
        assert!(sets.contains("ExecStart=ipset -exist -file /etc/asterisk-harden/ipsets restore"));
        assert!(sets.contains("Before=network-pre.target netfilter-persistent.service"));
        for (_, text) in &units[1..] {
            if text.contains("ExecStart=/usr/sbin/asterisk-harden") {
                assert!(
                    text.contains("ConditionFileIsExecutable=/usr/sbin/asterisk-harden"),
                    "{text}"
                );
            }
        }
        let xt = list_units(exe, ListStore::XtRecent);
        assert!(xt.iter().all(|(p, _)| !p.ends_with(SETS_UNIT)));
        assert!(xt[0].1.contains("After=netfilter-persistent.service"));
    }
}
