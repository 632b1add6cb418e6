//! The demo's throwaway network namespace: created with `ip netns add`,
//! deleted when dropped, so the firewall the demo loads never reaches the
//! machine's own namespace.

use std::path::Path;

use crate::exec::{self, ExecError};

pub struct Namespace {
    name: String,
}

impl Namespace {
    /// A fresh namespace named after this process, with loopback up.
    pub fn create() -> Result<Self, ExecError> {
        let name = format!("asterisk-harden-demo-{}", std::process::id());
        exec::run_checked("ip", &["netns", "add", &name], None)?;
        let ns = Self { name };
        exec::run_checked("ip", &["-n", &ns.name, "link", "set", "lo", "up"], None)?;
        Ok(ns)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = exec::run("ip", &["netns", "del", &self.name], None);
    }
}

/// Whether this process runs in a network namespace other than the
/// machine's own (pid 1's): the demo loads rules only then.
pub fn in_private_namespace() -> bool {
    let ours = std::fs::read_link("/proc/self/ns/net");
    let init = std::fs::read_link(Path::new("/proc/1/ns/net"));
    matches!((ours, init), (Ok(a), Ok(b)) if a != b)
}
