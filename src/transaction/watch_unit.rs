//! The day-two units, enabled and started on confirm when the plan wrote
//! them: the responsive service (`[responsive] enabled = true`) and the
//! trunk names' timer. Apart from boot.rs, which enables the rules' loader.

use crate::exec;
use crate::plan::names::NAMES_TIMER;
use crate::plan::responsive::WATCH_UNIT;
use crate::root::Root;

/// What was done, or what to do, for each unit that is installed.
pub fn enable(root: &Root) -> Vec<String> {
    let mut said = Vec::new();
    for (path, unit, what) in [
        (
            WATCH_UNIT,
            "asterisk-harden-watch.service",
            "Asterisk's security events are followed",
        ),
        (
            NAMES_TIMER,
            "asterisk-harden-names.timer",
            "trunk names are resolved again every 5 minutes",
        ),
    ] {
        if !root.path(path).exists() {
            continue;
        }
        if !root.is_system() {
            said.push(format!("sandbox root: would enable and start {unit}"));
            continue;
        }
        let _ = exec::run("systemctl", &["daemon-reload"], None);
        said.push(
            match exec::run_checked("systemctl", &["enable", "--now", unit], None) {
                Ok(_) => format!("enabled and started {unit}: {what}"),
                Err(e) => {
                    format!(
                        "could not enable {unit} ({e}): run systemctl enable --now {unit} yourself"
                    )
                }
            },
        );
    }
    said
}
