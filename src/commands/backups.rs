use std::process::ExitCode;

use asterisk_harden::root::Root;
use asterisk_harden::transaction::{BACKUP_DIR, BackupSet, StateDir, fates};

use super::CommandResult;

pub fn run(root: &Root) -> CommandResult {
    // Every set on disk, newest first; a damaged one is shown as such.
    let sets: Vec<(String, Result<BackupSet, _>)> = BackupSet::ids(root)
        .into_iter()
        .rev()
        .map(|id| {
            let set = BackupSet::open(root, &id);
            (id, set)
        })
        .collect();
    if sets.is_empty() {
        println!("No backup sets under {}.", root.path(BACKUP_DIR).display());
        return Ok(ExitCode::SUCCESS);
    }
    // What became of each set, from the transaction's journal.
    let fates = fates(&StateDir::new(root).journal());
    println!(
        "{:<24} {:<22} {:<13} contents",
        "id", "created (UTC)", "mode applied"
    );
    for (id, set) in &sets {
        let s = match set {
            Ok(s) => s,
            Err(e) => {
                let why = e.to_string();
                let why = why.lines().next().unwrap_or_default();
                println!("{id:<24} DAMAGED, cannot be restored: {why}");
                continue;
            }
        };
        let m = &s.manifest;
        let firewall: Vec<&str> = [("IPv4", &m.ipv4_rules), ("IPv6", &m.ipv6_rules)]
            .iter()
            .filter(|(_, r)| r.is_some())
            .map(|(n, _)| *n)
            .collect();
        println!(
            "{:<24} {:<22} {:<13} {}, {} firewall ({}), {} recent list(s)",
            m.id,
            m.created,
            m.mode,
            m.files_label(),
            firewall.join("+"),
            m.tables.join("+"),
            m.recent_lists.len()
        );
        if let Some(fate) = fates.get(&m.id) {
            println!("{:<24} {}", "", fate.label());
        }
    }
    println!("\nRestore one with: asterisk-harden rollback --backup ID");
    Ok(ExitCode::SUCCESS)
}
