use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use asterisk_harden::review::{Review, Seen, review_text};
use asterisk_harden::root::Root;
use asterisk_harden::transaction::{self, Applied, SecondSession, apply_guarded, preview_load};
use asterisk_harden::ui::plain::waiting::{self, WaitEnd};

use super::{CommandResult, Use, ask, load_plan, tx_failure};

pub fn run(root: &Root, answers: &Path, yes: bool, timeout: Option<Duration>) -> CommandResult {
    // Begun before the plan is read: a second apply is refused here, and
    // no other change can land between reading the files and writing them.
    let tx = transaction::begin(root).map_err(tx_failure)?;
    let plan = load_plan(root, answers, Use::Here)?;
    // The live firewall must be readable to apply at all: not a note here.
    let report = preview_load(root, &plan).map_err(tx_failure)?;
    let review = Review::new(plan, Seen::Checked(report));
    print!("{}", review_text(&review));
    let plan = &review.plan;
    if let Some(note) = trusted_note(plan) {
        println!("\n{note}");
    }
    if timeout.is_none() {
        println!(
            "\nWARNING: --no-confirm: the change is kept at once. If it locks you out, nothing will undo it\n\
             by itself: make sure you have another way in (console, out-of-band access)."
        );
    }
    println!();
    if !yes && !ask("Apply these changes?", "--yes")? {
        println!("Nothing changed.");
        return Ok(ExitCode::from(2));
    }
    let applied = apply_guarded(tx, plan, timeout, &mut |step| println!("  ✓ {step}"));
    match applied.map_err(tx_failure)? {
        Applied::Kept { backup_id } => {
            println!("Applied and kept (no confirmation window). Backup: {backup_id}");
            println!("Undo with: asterisk-harden rollback --backup {backup_id}");
            Ok(ExitCode::SUCCESS)
        }
        Applied::Waiting {
            backup_id,
            deadline,
        } => {
            let mut out = std::io::stdout();
            let session = SecondSession::from_env(review.ssh_port());
            print!("{}", waiting::instructions(&session, deadline));
            let live = out.is_terminal();
            Ok(
                match waiting::wait_for_confirmation(root, &backup_id, deadline, live, &mut out) {
                    WaitEnd::Confirmed => ExitCode::SUCCESS,
                    // 3: not confirmed in time; 1: reverted for a failure
                    // (the guard died, apply was cut short).
                    WaitEnd::Reverted(r) if r.contains("not confirmed by the deadline") => {
                        ExitCode::from(3)
                    }
                    WaitEnd::Reverted(_) => ExitCode::from(1),
                    WaitEnd::RevertFailed(_) => ExitCode::from(1),
                    WaitEnd::GuardGone => ExitCode::from(1),
                },
            )
        }
    }
}

/// Once port 22 is a trap, the admin's habitual `ssh host` would ban their
/// own address for the trap's ban time: offer it as trusted.
fn trusted_note(plan: &asterisk_harden::plan::Plan) -> Option<String> {
    let ssh = plan.ssh.as_ref()?;
    if ssh.final_ports.contains(&22) {
        return None;
    }
    let me = asterisk_harden::ssh::session::admin_address()?;
    if plan.firewall.trusted.iter().any(|n| n.contains(&me))
        || plan.firewall.named_trusted.contains(&me)
    {
        return None;
    }
    Some(format!(
        "NOTE: you are connected from {me}, which is not in network.trusted. Once port 22 is a\n\
         port-scan trap, an `ssh` to port 22 from there bans that address for 10 minutes.\n\
         Add trusted = [\"{me}\"] under [network] to be safe."
    ))
}
