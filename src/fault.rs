//! A test hook, and nothing else: `ASTERISK_HARDEN_FAULT=STEP` makes the
//! binary kill itself with SIGKILL when it reaches STEP (a step of apply,
//! the guard or confirm, see `transaction`), the way a power cut, an OOM
//! kill or `kill -9` would. The fault-injection suite (tests/
//! transaction_faults.rs) uses it to prove that every step can be cut
//! without losing the firewall or locking the admin out.
//!
//! Only the binary arms it (main.rs), and only for a sandbox root
//! (`--root DIR`): on the real system (`/`) the variable is ignored.

use std::sync::OnceLock;

static ARMED: OnceLock<String> = OnceLock::new();

/// The environment variable naming the step to die at.
pub const VAR: &str = "ASTERISK_HARDEN_FAULT";

/// Arm the hook from the environment (called once, by the binary).
pub fn arm_from_env(root: &crate::root::Root) {
    if root.is_system() {
        return;
    }
    if let Ok(step) = std::env::var(VAR)
        && !step.is_empty()
    {
        let _ = ARMED.set(step);
    }
}

/// A step: dies here (SIGKILL, no cleanup, no destructors) when armed for it.
pub fn point(step: &str) {
    if ARMED.get().is_some_and(|s| s == step) {
        let _ = nix::sys::signal::kill(nix::unistd::getpid(), nix::sys::signal::Signal::SIGKILL);
        // SIGKILL cannot be blocked or caught; this is never reached.
        std::process::abort();
    }
}
