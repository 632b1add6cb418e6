//! The responsive service's unit, enabled and started on confirm when the
//! plan wrote it (`[responsive] enabled = true`). Apart from boot.rs, which
//! enables the rules' loader.

use crate::exec;
use crate::plan::responsive::WATCH_UNIT;
use crate::root::Root;

const UNIT: &str = "asterisk-harden-watch.service";

/// What was done, or what to do; `None` when there is no such unit.
pub fn enable(root: &Root) -> Option<String> {
    if !root.path(WATCH_UNIT).exists() {
        return None;
    }
    if !root.is_system() {
        return Some(format!("sandbox root: would enable and start {UNIT}"));
    }
    let _ = exec::run("systemctl", &["daemon-reload"], None);
    Some(
        match exec::run_checked("systemctl", &["enable", "--now", UNIT], None) {
            Ok(_) => format!("enabled and started {UNIT}: Asterisk's security events are followed"),
            Err(e) => {
                format!("could not enable {UNIT} ({e}): run systemctl enable --now {UNIT} yourself")
            }
        },
    )
}
