//! The day-two units, enabled and started on confirm when the plan wrote
//! them: the responsive service (`[responsive] enabled = true`) and the
//! trunk names' timer. Apart from boot.rs, which enables the rules' loader.

use crate::plan::names::NAMES_TIMER;
use crate::plan::responsive::WATCH_UNIT;
use crate::root::Root;

/// What was done, or what to do, for each unit that is installed.
pub fn enable(root: &Root) -> Vec<String> {
    let mut said = retire_watch(root);
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
        let _ = root.runner().run("systemctl", &["daemon-reload"], None);
        said.push(
            match root
                .runner()
                .run_checked("systemctl", &["enable", "--now", unit], None)
            {
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

/// `[responsive]` turned off: manager.conf no longer has the watcher's AMI
/// user, so its unit (which restarts every 2 s) is stopped, disabled and
/// removed. Returns what was done.
fn retire_watch(root: &Root) -> Vec<String> {
    let unit = root.path(WATCH_UNIT);
    let manager = std::fs::read_to_string(root.path(crate::plan::MANAGER_CONF)).unwrap_or_default();
    if !unit.exists() || crate::plan::responsive::has_watch_user(&manager) {
        return Vec::new();
    }
    let name = "asterisk-harden-watch.service";
    if root.is_system() {
        let _ = root
            .runner()
            .run("systemctl", &["disable", "--now", name], None);
    }
    if let Err(e) = std::fs::remove_file(&unit) {
        return vec![format!(
            "could not remove {} ({e}): [responsive] is off, remove it yourself",
            unit.display()
        )];
    }
    if root.is_system() {
        let _ = root.runner().run("systemctl", &["daemon-reload"], None);
    }
    vec![if root.is_system() {
        format!("stopped, disabled and removed {name}: [responsive] is off (its AMI user is gone)")
    } else {
        format!(
            "sandbox root: removed {name} ([responsive] is off; a real host would stop and disable it first)"
        )
    }]
}
