//! The refresh timer: written and enabled by the first `blocklist add`,
//! disabled and deleted by the last `blocklist remove` (no transaction:
//! the timer changes no rule).

use std::path::Path;

use super::BlocklistError;
use crate::root::Root;

pub const SERVICE: &str = "/etc/systemd/system/asterisk-harden-blocklists.service";
pub const TIMER: &str = "/etc/systemd/system/asterisk-harden-blocklists.timer";
const TIMER_UNIT: &str = "asterisk-harden-blocklists.timer";

fn io(path: &Path) -> impl Fn(std::io::Error) -> BlocklistError + '_ {
    move |source| BlocklistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Write the units (with this binary's path) and enable the timer on a
/// real host. Returns what was done, for people.
pub fn install(root: &Root, bin: &Path) -> Result<String, BlocklistError> {
    let bin = bin.display().to_string();
    for (path, text) in [
        (
            SERVICE,
            include_str!("../../assets/systemd/asterisk-harden-blocklists.service"),
        ),
        (
            TIMER,
            include_str!("../../assets/systemd/asterisk-harden-blocklists.timer"),
        ),
    ] {
        let p = root.path(path);
        crate::transaction::write_file_atomically(&p, text.replace("@BIN@", &bin).as_bytes())
            .map_err(io(&p))?;
    }
    if !root.is_system() {
        return Ok(format!(
            "sandbox root: {TIMER_UNIT} written, would be enabled"
        ));
    }
    let _ = root.runner().run("systemctl", &["daemon-reload"], None);
    Ok(
        match root
            .runner()
            .run_checked("systemctl", &["enable", "--now", TIMER_UNIT], None)
        {
            Ok(_) => format!("{TIMER_UNIT} enabled: the lists are refreshed every hour"),
            Err(e) => format!(
                "{TIMER_UNIT} could not be enabled ({e}): run systemctl enable --now {TIMER_UNIT}"
            ),
        },
    )
}

/// Disable and delete the units (the last list is gone).
pub fn uninstall(root: &Root) -> Result<(), BlocklistError> {
    if root.is_system() {
        let _ = root
            .runner()
            .run("systemctl", &["disable", "--now", TIMER_UNIT], None);
    }
    for path in [TIMER, SERVICE] {
        let p = root.path(path);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&p)(e)),
            _ => {}
        }
    }
    if root.is_system() {
        let _ = root.runner().run("systemctl", &["daemon-reload"], None);
    }
    Ok(())
}
