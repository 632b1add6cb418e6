use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use asterisk_harden::exec;
use asterisk_harden::review::review_text;
use asterisk_harden::root::Root;
use asterisk_harden::transaction::{
    self, Applied, ApplyOptions, Outcome as TxOutcome, StateDir, preview_load,
};
use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};

use super::plan::load_report_text;
use super::{Outcome, ask, load_plan, tx_failure};

/// Starts `asterisk-harden --root R guard` detached from this session.
fn spawn_guard(root: &Root) -> std::io::Result<u32> {
    let exe = std::env::current_exe()?;
    let log = StateDir::new(root).path().join("guard.log");
    exec::spawn_detached(
        &exe,
        &["--root".as_ref(), root.dir().as_os_str(), "guard".as_ref()],
        &log,
    )
}

/// Signals that would stop us half-way; held back while the host changes.
fn interrupting_signals() -> SigSet {
    let mut s = SigSet::empty();
    for sig in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGQUIT,
    ] {
        s.add(sig);
    }
    s
}

pub fn run(root: &Root, answers: &Path, yes: bool, timeout: Option<Duration>) -> Outcome {
    transaction::ensure_no_pending(root).map_err(tx_failure)?;
    let plan = load_plan(root, answers)?;
    print!("{}", review_text(&plan));
    let report = preview_load(root, &plan).map_err(tx_failure)?;
    print!("{}", load_report_text(&report));
    if let Some(note) = trusted_note(&plan) {
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
    let opts = ApplyOptions {
        confirm_timeout: timeout,
        spawn_guard,
    };
    // A Ctrl-C or hang-up between the first write and the armed guard would
    // leave a half-changed host; hold those signals until the guard exists.
    let signals = interrupting_signals();
    let _ = sigprocmask(SigmaskHow::SIG_BLOCK, Some(&signals), None);
    let applied = transaction::apply(root, &plan, &opts, &mut |step| println!("  ✓ {step}"));
    let _ = sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&signals), None);
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
            let ssh_port = plan.firewall.ssh_ports.last().copied().unwrap_or(22);
            second_session_instructions(ssh_port, deadline);
            Ok(wait_for_confirmation(root, &backup_id, deadline))
        }
    }
}

fn second_session_instructions(ssh_port: u16, deadline: u64) {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "root".into());
    // SSH_CONNECTION = "client_ip client_port server_ip server_port".
    let host = std::env::var("SSH_CONNECTION")
        .ok()
        .and_then(|c| c.split_whitespace().nth(2).map(str::to_string))
        .unwrap_or_else(|| "THIS-SERVER".into());
    let left = deadline.saturating_sub(transaction::now());
    println!("\nNow prove you can still get in. In a NEW terminal, run:");
    println!("    ssh -p {ssh_port} {user}@{host}");
    println!("    sudo asterisk-harden confirm");
    println!(
        "Unless confirmed within {left} s, everything is reverted by itself. The guard runs on its own:\n\
         closing this window or losing this connection does not stop it."
    );
}

fn wait_for_confirmation(root: &Root, backup_id: &str, deadline: u64) -> ExitCode {
    let live = std::io::stdout().is_terminal();
    let mut last_shown = u64::MAX;
    loop {
        match transaction::outcome(root, backup_id) {
            TxOutcome::Confirmed => {
                if live {
                    println!();
                }
                println!("Confirmed from a new session: the change is kept. Backup: {backup_id}");
                return ExitCode::SUCCESS;
            }
            TxOutcome::Reverted(record) => {
                if live {
                    println!();
                }
                println!("Not confirmed in time: everything was reverted.\n    {record}");
                return ExitCode::from(3);
            }
            TxOutcome::StillWaiting => {}
        }
        let left = deadline.saturating_sub(transaction::now());
        if left != last_shown && (live || left.is_multiple_of(10)) {
            if live {
                print!(
                    "\r  waiting for `asterisk-harden confirm` from a new session: {left:>4} s left "
                );
                let _ = std::io::Write::flush(&mut std::io::stdout());
            } else {
                println!("  waiting for confirmation: {left} s left");
            }
            last_shown = left;
        }
        if left == 0 && transaction::interrupted(root).is_some() {
            println!(
                "\nThe guard is gone before reverting. Run: asterisk-harden rollback --backup {backup_id}"
            );
            return ExitCode::from(1);
        }
        std::thread::sleep(Duration::from_millis(250));
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
    if plan.firewall.trusted.iter().any(|n| n.contains(&me)) {
        return None;
    }
    Some(format!(
        "NOTE: you are connected from {me}, which is not in network.trusted. Once port 22 is a\n\
         port-scan trap, an `ssh` to port 22 from there bans that address for 10 minutes.\n\
         Add trusted = [\"{me}\"] under [network] to be safe."
    ))
}
