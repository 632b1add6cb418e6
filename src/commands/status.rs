use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use asterisk_harden::root::Root;
use asterisk_harden::status::{explain, gather, report};
use asterisk_harden::transaction::{self, StateDir};

use super::CommandResult;

/// A change applied but not confirmed yet: what `status` says first.
#[derive(serde::Serialize)]
struct PendingChange {
    backup_id: String,
    state: String,
    /// Unix seconds; absent until the rules are loaded.
    deadline: Option<u64>,
    seconds_left: Option<u64>,
}

fn pending(root: &Root) -> Option<PendingChange> {
    let p = StateDir::new(root).peek()?;
    Some(PendingChange {
        backup_id: p.backup_id,
        state: format!("{:?}", p.state).to_lowercase(),
        deadline: p.deadline,
        seconds_left: p.deadline.map(|d| d.saturating_sub(transaction::now())),
    })
}

pub fn run(root: &Root, json: bool) -> CommandResult {
    let mut status = gather(root.runner())?;
    explain(&mut status, &asterisk_harden::operate::why::read(root));
    status
        .warnings
        .extend(asterisk_harden::names::warnings(root));
    status
        .warnings
        .extend(asterisk_harden::blocklist::ops::warnings(root));
    let pending = pending(root);
    if json {
        // Streamed, not built as a tree first: with 100,000 addresses on
        // each set the tree alone took longer than reading the kernel.
        #[derive(serde::Serialize)]
        struct WithPending<'a> {
            #[serde(flatten)]
            status: &'a asterisk_harden::status::Status,
            pending: &'a Option<PendingChange>,
        }
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        serde_json::to_writer_pretty(
            &mut out,
            &WithPending {
                status: &status,
                pending: &pending,
            },
        )
        .context("status as JSON")?;
        writeln!(out)
            .and_then(|()| out.flush())
            .context("status as JSON")?;
    } else {
        if let Some(p) = &pending {
            match p.seconds_left {
                Some(left) => println!(
                    "A change is waiting for confirmation (backup {}): {left} s left, then it is reverted.\n    \
                     Keep it: asterisk-harden confirm, from a new session.\n",
                    p.backup_id
                ),
                None => println!(
                    "A change is being applied (backup {}, {}).\n",
                    p.backup_id, p.state
                ),
            }
        }
        if status.mode.is_some() {
            print!("{}", report(&status));
        }
    }
    if status.mode.is_none() {
        eprintln!(
            "asterisk-harden's rules are not loaded here.\n    what to do: asterisk-harden apply --answers FILE (or the wizard)"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
