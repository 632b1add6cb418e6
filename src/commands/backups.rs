use std::process::ExitCode;

use asterisk_harden::root::Root;
use asterisk_harden::transaction::{BACKUP_DIR, BackupSet};

use super::Outcome;

pub fn run(root: &Root) -> Outcome {
    let sets = BackupSet::list(root);
    if sets.is_empty() {
        println!("No backup sets under {}.", root.path(BACKUP_DIR).display());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<24} {:<22} {:<13} contents",
        "id", "created (UTC)", "mode applied"
    );
    for s in sets.iter().rev() {
        let m = &s.manifest;
        let files = m.files.iter().filter(|f| f.ownership.is_some()).count();
        let firewall: Vec<&str> = [("IPv4", &m.ipv4_rules), ("IPv6", &m.ipv6_rules)]
            .iter()
            .filter(|(_, r)| r.is_some())
            .map(|(n, _)| *n)
            .collect();
        println!(
            "{:<24} {:<22} {:<13} {} file(s), {} firewall ({}), {} recent list(s)",
            m.id,
            m.created,
            m.mode,
            files,
            firewall.join("+"),
            m.tables.join("+"),
            m.recent_lists.len()
        );
    }
    println!("\nRestore one with: asterisk-harden rollback --backup ID");
    Ok(ExitCode::SUCCESS)
}
