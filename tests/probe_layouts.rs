//! The probe over captured files of three real layouts (tests/fixtures/probe/):
//! Debian 12, Ubuntu 24.04 (ssh.socket, cloud-init drop-in, ufw) and a
//! Rocky-like box (firewalld, SELinux enforcing, /etc/sysconfig/iptables).
//! Read-only on this machine: the match test is skipped.

use std::path::Path;

use asterisk_harden::plan::Distro;
use asterisk_harden::probe::{MatchTest, probe};
use asterisk_harden::root::Root;

/// Copy a fixture tree (symlinks kept) into a temp root.
fn layout(name: &str) -> (tempfile::TempDir, Root) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/probe")
        .join(name);
    let tmp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", src.display()))
        .arg(tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    let root = Root::new(tmp.path());
    (tmp, root)
}

#[test]
fn debian_12() {
    let (_t, root) = layout("debian12");
    let f = probe(&root, MatchTest::Skip);
    assert_eq!(f.system.distro, Distro::Debian);
    assert_eq!(f.system.version.as_deref(), Some("12"));
    assert_eq!(f.ssh.unit.as_deref(), Some("ssh.service"));
    assert!(!f.ssh.socket_activated && !f.ssh.selinux_enforcing);
    assert!(!f.firewall.ufw_enabled && !f.firewall.firewalld_enabled);
    assert!(!f.asterisk.installed);
}

#[test]
fn ubuntu_24_04_with_ssh_socket_and_ufw() {
    let (_t, root) = layout("ubuntu2404");
    let f = probe(&root, MatchTest::Skip);
    assert_eq!(f.system.distro, Distro::Debian);
    assert_eq!(f.system.version.as_deref(), Some("24.04"));
    assert!(
        f.ssh.socket_activated,
        "ssh.socket enabled via sockets.target.wants"
    );
    assert!(f.firewall.ufw_enabled);
    assert!(
        f.warnings
            .iter()
            .any(|w| w.about.contains("ufw") && w.what_to_do.contains("ufw disable"))
    );
}

#[test]
fn rocky_with_firewalld_and_selinux() {
    let (_t, root) = layout("rocky9");
    let f = probe(&root, MatchTest::Skip);
    assert_eq!(f.system.distro, Distro::Rhel);
    assert_eq!(f.ssh.unit.as_deref(), Some("sshd.service"));
    assert!(f.ssh.selinux_enforcing);
    assert!(f.firewall.firewalld_enabled);
    assert_eq!(f.firewall.rules_files, ["/etc/sysconfig/iptables"]);
    let about: Vec<&str> = f.warnings.iter().map(|w| w.about.as_str()).collect();
    assert!(about.iter().any(|a| a.contains("firewalld")), "{about:?}");
    assert!(
        about.iter().any(|a| a.contains("/etc/sysconfig/iptables")),
        "{about:?}"
    );
}
