//! SSH as it is now: sshd's effective ports (`sshd -T`, never grepping),
//! socket activation, the unit's real name, SELinux, the admin's own
//! session, and whether key-only login would lock anyone out.

use serde::Serialize;

use crate::root::Root;
use crate::ssh;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SshFacts {
    /// Ports per `sshd -T`.
    pub ports: Vec<u16>,
    /// Other ports sshd listens on (ListenAddress, live sockets of sshd).
    pub listening: Vec<u16>,
    /// Why the ports are unknown, in sshd's words.
    pub ports_error: Option<String>,
    /// ssh.socket is installed and enabled (Ubuntu 22.10+).
    pub socket_activated: bool,
    /// "ssh.service" (Debian/Ubuntu) or "sshd.service" (RHEL), from the unit files present.
    pub unit: Option<String>,
    /// SELinux is enforcing (a new port needs semanage).
    pub selinux_enforcing: bool,
    /// The admin's address, from SSH_CONNECTION or the parent sshd's socket.
    pub admin_address: Option<String>,
    /// The account that logs in (SUDO_USER, else root) has an authorized key.
    pub authorized_keys: bool,
    pub source: String,
}

pub fn probe(root: &Root) -> SshFacts {
    let (ports, ports_error) = if root.path(ssh::config::MAIN_CONFIG).exists() {
        match ssh::effective_ports(root) {
            Ok(p) => (p, None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        }
    } else {
        (Vec::new(), Some("no /etc/ssh/sshd_config".into()))
    };
    let socket_activated = root.has_unit("ssh.socket")
        && root
            .path("/etc/systemd/system/sockets.target.wants/ssh.socket")
            .symlink_metadata()
            .is_ok();
    let unit = ["ssh.service", "sshd.service"]
        .into_iter()
        .find(|u| root.has_unit(u))
        .map(str::to_string);
    let user = std::env::var("SUDO_USER").unwrap_or_else(|_| "root".into());
    let listening = if ports.is_empty() {
        Vec::new()
    } else {
        ssh::other_listening_ports(root)
    };
    SshFacts {
        ports,
        listening,
        ports_error,
        socket_activated,
        unit,
        selinux_enforcing: ssh::selinux::enforcing(root),
        admin_address: ssh::session::admin_address().map(|a| a.to_string()),
        authorized_keys: ssh::has_authorized_key(root, &user),
        source: "sshd -T -f /etc/ssh/sshd_config; systemd unit files; /etc/selinux/config; SSH_CONNECTION".into(),
    }
}
