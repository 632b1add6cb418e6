//! The self-test's throwaway lab: a PBX namespace whose interface carries the
//! name the rules expect, and a client namespace for the phones and scanners,
//! joined by a veth pair. Named after this process, deleted when dropped.
//! Nothing is created in, loaded into, or sent through the machine's own
//! namespace.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddrV4, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::exec::{ExecError, Runner};
use crate::root::Root;

/// The lab's own network (inside its namespaces only).
pub const NET: &str = "10.254.77.0/24";
pub const PBX: Ipv4Addr = Ipv4Addr::new(10, 254, 77, 1);
/// Client addresses: .10 is the phone, .11 a stranger, .20 and up scanners.
pub fn client(n: u8) -> Ipv4Addr {
    Ipv4Addr::new(10, 254, 77, n)
}

pub struct Lab {
    pub pbx: String,
    pub clients: String,
    /// Whose programs build, use and delete it.
    root: Root,
}

fn ip(runner: &dyn Runner, args: &[&str]) -> Result<(), ExecError> {
    runner.run_checked("ip", args, None).map(|_| ())
}

impl Lab {
    /// `pbx_if`: the interface name the rules match (`-i`).
    pub fn create(
        root: &Root,
        pbx_if: &str,
        client_addresses: &[Ipv4Addr],
    ) -> Result<Self, ExecError> {
        let id = std::process::id();
        let ip = |args: &[&str]| ip(root.runner(), args);
        let lab = Self {
            root: root.clone(),
            pbx: format!("ah-selftest-{id}-pbx"),
            clients: format!("ah-selftest-{id}-clients"),
        };
        ip(&["netns", "add", &lab.pbx])?;
        ip(&["netns", "add", &lab.clients])?;
        for ns in [&lab.pbx, &lab.clients] {
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
        }
        ip(&[
            "-n",
            &lab.pbx,
            "link",
            "add",
            pbx_if,
            "type",
            "veth",
            "peer",
            "name",
            "uplink0",
            "netns",
            &lab.clients,
        ])?;
        ip(&[
            "-n",
            &lab.pbx,
            "addr",
            "add",
            &format!("{PBX}/24"),
            "dev",
            pbx_if,
        ])?;
        ip(&["-n", &lab.pbx, "link", "set", pbx_if, "up"])?;
        for a in client_addresses {
            ip(&[
                "-n",
                &lab.clients,
                "addr",
                "add",
                &format!("{a}/24"),
                "dev",
                "uplink0",
            ])?;
        }
        ip(&["-n", &lab.clients, "link", "set", "uplink0", "up"])?;
        Ok(lab)
    }

    /// iptables-restore (or ip6tables-restore) inside the PBX namespace,
    /// after the ipset sets the rules name.
    pub fn load(&self, tool: &str, rules: &str) -> Result<(), ExecError> {
        let sets = crate::ruleset::restore_file::set_lines(rules);
        if !sets.is_empty() {
            self.root.runner().run_checked(
                "ip",
                &["netns", "exec", &self.pbx, "ipset", "restore", "-exist"],
                Some(sets.as_bytes()),
            )?;
        }
        self.root
            .runner()
            .run_checked(
                "ip",
                &["netns", "exec", &self.pbx, tool],
                Some(rules.as_bytes()),
            )
            .map(|_| ())
    }

    /// The addresses on a list (its IPv4 ipset set, else its xt_recent
    /// list) in the PBX namespace.
    pub fn recent(&self, list: &str) -> Vec<String> {
        let set = crate::ruleset::set_name(list, crate::ruleset::Family::Ipv4);
        if let Ok(r) = self.root.runner().run(
            "ip",
            &["netns", "exec", &self.pbx, "ipset", "save", &set],
            None,
        ) && r.success
        {
            return crate::sets::parse_save(&set, &r.stdout)
                .members
                .into_iter()
                .map(|m| m.address)
                .collect();
        }
        let path = format!("/proc/net/xt_recent/{list}");
        self.root
            .runner()
            .run("ip", &["netns", "exec", &self.pbx, "cat", &path], None)
            .map(|r| crate::recent::addresses(&r.stdout))
            .unwrap_or_default()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in [&self.clients, &self.pbx] {
            let _ = self.root.runner().run("ip", &["netns", "del", ns], None);
        }
    }
}

/// Make a UDP socket inside namespace `ns`, bound to `addr`. The namespace
/// switch happens on a thread of its own, so this process stays where it is;
/// the socket keeps the namespace it was made in.
pub fn socket_in(ns: &str, addr: SocketAddrV4) -> std::io::Result<UdpSocket> {
    let path = Path::new("/run/netns").join(ns);
    std::thread::spawn(move || -> std::io::Result<UdpSocket> {
        let file = File::open(&path)?;
        nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET)
            .map_err(std::io::Error::from)?;
        UdpSocket::bind(addr)
    })
    .join()
    .map_err(|_| std::io::Error::other("the namespace thread panicked"))?
}

/// The sources of the datagrams that arrive within `window`.
pub fn arrivals(sock: &UdpSocket, window: Duration) -> Vec<Ipv4Addr> {
    let _ = sock.set_read_timeout(Some(Duration::from_millis(50)));
    let end = Instant::now() + window;
    let mut buf = [0u8; 2048];
    let mut seen = Vec::new();
    while Instant::now() < end {
        if let Ok((_, std::net::SocketAddr::V4(from))) = sock.recv_from(&mut buf) {
            seen.push(*from.ip());
        }
    }
    seen
}
