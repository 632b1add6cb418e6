use std::io::IsTerminal;
use std::process::ExitCode;

use asterisk_harden::review::file_diff;
use asterisk_harden::root::Root;
use asterisk_harden::transaction::{BackupSet, StateDir, changes_back, newest, rollback};

use super::{CommandResult, Failure, ask, bad_input, tx_failure};

pub fn run(root: &Root, backup: Option<&str>, yes: bool) -> CommandResult {
    let sets = BackupSet::list(root);
    if BackupSet::ids(root).is_empty() {
        return Err(bad_input(anyhow::anyhow!(
            "there is no backup set to restore\n    what to do: `asterisk-harden apply --answers FILE` makes one before every change"
        )));
    }
    let pending = StateDir::new(root).peek().map(|p| p.backup_id);
    let chosen = match (backup, pending) {
        (Some(id), _) => id.to_string(),
        (None, Some(id)) => id,
        (None, None) if !yes && std::io::stdin().is_terminal() => pick(&sets)?,
        // The newest on disk, even damaged: refused below, never swapped
        // silently for an older set (which would undo more than asked).
        (None, None) => newest(root).map_err(bad_input)?,
    };
    let set = BackupSet::open(root, &chosen).map_err(|e| Failure::Failed(e.into()))?;
    println!(
        "Backup {} (taken {} before applying mode {}) restores:",
        set.manifest.id, set.manifest.created, set.manifest.mode
    );
    for (change, f) in changes_back(root, &set).iter().zip(&set.manifest.files) {
        match &f.copy {
            None if change.before.is_some() => {
                println!("  remove {} (it did not exist)", f.path.display())
            }
            None => {}
            Some(_) if change.changes() => print!("{}", file_diff(change)),
            Some(_) => println!("  {} is already as saved", f.path.display()),
        }
    }
    println!(
        "  the firewall's {} table(s) as they were",
        set.manifest.tables.join(" and ")
    );
    if !yes && !ask("Restore this backup?", "--yes")? {
        println!("Nothing changed.");
        return Ok(ExitCode::from(2));
    }
    let (set, restored) = {
        let _busy = super::busy::Busy::start(&format!(
            "restoring backup {}: the files, the firewall, then the services that read them",
            set.manifest.id
        ));
        rollback(root, Some(&set.manifest.id)).map_err(tx_failure)?
    };
    if restored.refused.is_some() {
        eprintln!(
            "Backup {} was NOT restored: {}",
            set.manifest.id,
            restored.summary()
        );
    } else {
        println!(
            "Rolled back to backup {}: {}",
            set.manifest.id,
            restored.summary()
        );
    }
    Ok(if restored.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The backup picker: newest first, the newest preselected.
fn pick(sets: &[BackupSet]) -> Result<String, Failure> {
    let newest_first: Vec<&BackupSet> = sets.iter().rev().collect();
    let items: Vec<String> = newest_first.iter().map(|s| s.manifest.label()).collect();
    let i = dialoguer::Select::new()
        .with_prompt("Which backup?")
        .items(&items)
        .default(0)
        .interact()?;
    Ok(newest_first[i].manifest.id.clone())
}
