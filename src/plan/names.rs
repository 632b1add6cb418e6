//! Trunk and trusted names kept in sets need their timer: the units that run
//! `names refresh` every 5 minutes, written (and enabled) on confirm.

use std::path::PathBuf;

use super::files::{AfterWrite, FileChange, Stage};
use super::input::PlanInput;
use crate::ruleset::FirewallSpec;

pub const NAMES_SERVICE: &str = "/etc/systemd/system/asterisk-harden-names.service";
pub const NAMES_TIMER: &str = "/etc/systemd/system/asterisk-harden-names.timer";

pub fn names_changes(firewall: &FirewallSpec, host: &PlanInput, files: &mut Vec<FileChange>) {
    if firewall.named_trunks.is_empty() && firewall.named_trusted.is_empty() {
        return;
    }
    let bin = host.exe.display().to_string();
    for (path, text) in [
        (
            NAMES_SERVICE,
            include_str!("../../assets/systemd/asterisk-harden-names.service"),
        ),
        (
            NAMES_TIMER,
            include_str!("../../assets/systemd/asterisk-harden-names.timer"),
        ),
    ] {
        let path = PathBuf::from(path);
        files.push(FileChange {
            before: host.text(&path).map(str::to_string),
            path,
            after: text.replace("@BIN@", &bin),
            stage: Stage::Confirm,
            why: "trunk and trusted names followed every 5 minutes, no rule reloaded (enabled on confirm)"
                .into(),
            after_write: AfterWrite::Nothing,
        });
    }
}

pub fn paths() -> [PathBuf; 2] {
    [PathBuf::from(NAMES_SERVICE), PathBuf::from(NAMES_TIMER)]
}
