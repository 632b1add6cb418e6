//! Making the persisted rules load at boot: netfilter-persistent on the
//! Debian family, iptables-services on the RHEL family. Where the package is
//! missing, say exactly what to install instead of failing the confirm.

use crate::plan::Distro;
use crate::root::Root;

/// Ours: restore the lists at boot, save them at shutdown and every 5
/// minutes.
const LIST_UNITS: [&str; 2] = [
    "asterisk-harden-lists.service",
    "asterisk-harden-lists-save.timer",
];

/// The units to enable: the lists', and the sets' where the plan wrote it
/// (ipset hosts).
fn our_units(root: &Root) -> Vec<&'static str> {
    let sets = root
        .path("/etc/systemd/system")
        .join(crate::plan::SETS_UNIT)
        .exists();
    sets.then_some(crate::plan::SETS_UNIT)
        .into_iter()
        .chain(LIST_UNITS)
        .collect()
}

struct Loader {
    units: &'static [&'static str],
    install: &'static str,
}

fn loader(distro: Distro) -> Loader {
    match distro {
        Distro::Rhel => Loader {
            units: &["iptables.service", "ip6tables.service"],
            install: "dnf install iptables-services; then stop and mask firewalld (systemctl disable --now firewalld; systemctl mask firewalld)",
        },
        Distro::Debian | Distro::Unknown => Loader {
            units: &["netfilter-persistent.service"],
            install: "apt-get install iptables-persistent",
        },
    }
}

/// The units that load the saved rules at boot here: the distribution's
/// where installed, else ours (written by the plan where the distribution's
/// is missing); or why there are none.
fn boot_units(root: &Root) -> Result<Vec<&'static str>, String> {
    let l = loader(Distro::detect(root));
    let missing: Vec<&str> = l
        .units
        .iter()
        .copied()
        .filter(|u| !root.has_unit(u))
        .collect();
    if missing.is_empty() {
        return Ok(l.units.to_vec());
    }
    if root.has_unit(crate::plan::RULES_UNIT) {
        return Ok(vec![crate::plan::RULES_UNIT]);
    }
    Err(format!(
        "{} is not installed (the rules are saved; `{}` makes them load at boot)",
        missing.join(", "),
        l.install
    ))
}

/// What will load the saved rules at the next boot (the loader's units,
/// installed and, on the real system, enabled), or why nothing will: the
/// only ground for saying "loads at boot".
pub fn boot_loader(root: &Root) -> Result<String, String> {
    let units = boot_units(root)?;
    if !root.is_system() {
        return Err(format!(
            "a sandbox root does not boot: on a real host {} would load the rules",
            units.join(" and ")
        ));
    }
    let disabled: Vec<&str> = units
        .iter()
        .copied()
        .filter(|u| {
            !root
                .runner()
                .run("systemctl", &["is-enabled", u], None)
                .is_ok_and(|r| r.stdout.trim() == "enabled")
        })
        .collect();
    if disabled.is_empty() {
        Ok(units.join(" and "))
    } else {
        Err(format!(
            "{} is not enabled (systemctl enable {} makes the saved rules load at boot)",
            disabled.join(", "),
            disabled.join(" ")
        ))
    }
}

/// Enable the boot loader of the rules; returns what was done or what to do.
pub fn enable(root: &Root) -> String {
    let units = match boot_units(root) {
        Ok(u) => u,
        Err(why) => return format!("nothing loads the saved rules at boot yet: {why}"),
    };
    if !root.is_system() {
        return format!("sandbox root: would enable {}", units.join(" and "));
    }
    let ours = our_units(root);
    let mut args = vec!["enable"];
    args.extend(&units);
    args.extend(&ours);
    let _ = root.runner().run("systemctl", &["daemon-reload"], None);
    match root.runner().run_checked("systemctl", &args, None) {
        Ok(_) => format!(
            "enabled {} and {}: the rules and the phone/scanner lists come back at boot",
            units.join(" and "),
            ours.join(" and ")
        ),
        Err(e) => format!(
            "could not enable {} ({e}): run systemctl enable {} yourself",
            units.join(" and "),
            units.join(" ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_to_install_when_the_loader_is_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        std::fs::create_dir_all(root.path("/etc")).unwrap();
        std::fs::write(root.path("/etc/debian_version"), "12\n").unwrap();
        assert!(enable(&root).contains("apt-get install iptables-persistent"));
        assert!(boot_loader(&root).is_err());
        // Ours, where the distribution's loader is missing.
        std::fs::create_dir_all(root.path("/etc/systemd/system")).unwrap();
        std::fs::write(
            root.path("/etc/systemd/system/asterisk-harden-rules.service"),
            "",
        )
        .unwrap();
        assert!(enable(&root).contains("would enable asterisk-harden-rules.service"));
        assert!(
            boot_loader(&root)
                .unwrap_err()
                .contains("asterisk-harden-rules.service would load")
        );
        std::fs::remove_file(root.path("/etc/systemd/system/asterisk-harden-rules.service"))
            .unwrap();
        std::fs::create_dir_all(root.path("/lib/systemd/system")).unwrap();
        std::fs::write(
            root.path("/lib/systemd/system/netfilter-persistent.service"),
            "",
        )
        .unwrap();
        assert!(enable(&root).contains("would enable netfilter-persistent.service"));
        std::fs::remove_file(root.path("/etc/debian_version")).unwrap();
        std::fs::write(root.path("/etc/redhat-release"), "Rocky\n").unwrap();
        assert!(enable(&root).contains("iptables-services"));
    }
}
