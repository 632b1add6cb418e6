//! The demo's throwaway network namespace: created with `ip netns add`,
//! deleted when dropped, so the firewall the demo loads never reaches the
//! machine's own namespace.

use std::path::Path;

use crate::exec::ExecError;
use crate::root::Root;

/// The namespace of the demo whose outer process is `pid`.
pub fn name_for(pid: u32) -> String {
    format!("asterisk-harden-demo-{pid}")
}

pub struct Namespace {
    name: String,
    /// Whose programs create and delete it.
    root: Root,
}

impl Namespace {
    /// A fresh namespace named after this process that looks like a small
    /// server to the probe: loopback, and `ens3` with a documentation address
    /// and a default route. ens3 is one end of a veth pair whose other end
    /// stays in the same namespace (dummy interfaces are not in every
    /// kernel): nothing can leave it.
    pub fn create(root: &Root) -> Result<Self, ExecError> {
        let runner = root.runner();
        let name = name_for(std::process::id());
        runner.run_checked("ip", &["netns", "add", &name], None)?;
        let ns = Self {
            name,
            root: root.clone(),
        };
        let ip = |args: &[&str]| {
            let mut all = vec!["-n", ns.name.as_str()];
            all.extend_from_slice(args);
            runner.run_checked("ip", &all, None).map(|_| ())
        };
        ip(&["link", "set", "lo", "up"])?;
        ip(&[
            "link", "add", "ens3", "type", "veth", "peer", "name", "uplink0",
        ])?;
        ip(&["link", "set", "uplink0", "up"])?;
        ip(&["addr", "add", "203.0.113.10/24", "dev", "ens3"])?;
        ip(&["link", "set", "ens3", "up"])?;
        ip(&[
            "route",
            "add",
            "default",
            "via",
            "203.0.113.1",
            "dev",
            "ens3",
        ])?;
        Ok(ns)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = self
            .root
            .runner()
            .run("ip", &["netns", "del", &self.name], None);
    }
}

/// Whether this process runs inside the namespace `name` made by
/// `ip netns add` (its /run/netns file is our own network namespace): the
/// demo loads rules only then, never into the machine's own namespace.
pub fn is_current(name: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return false;
    }
    let theirs = std::fs::metadata(Path::new("/run/netns").join(name));
    let ours = std::fs::metadata("/proc/self/ns/net");
    matches!((theirs, ours), (Ok(a), Ok(b)) if a.ino() == b.ino() && a.dev() == b.dev())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machines_own_namespace_is_not_a_demo_namespace() {
        assert!(!is_current("no-such-namespace"));
        assert!(!is_current("../../proc/self/ns/net"));
    }
}
