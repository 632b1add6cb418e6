use std::io::IsTerminal;
use std::process::ExitCode;

use asterisk_harden::root::Root;
use asterisk_harden::ui::host::HostView;
use asterisk_harden::ui::plain::prompter::InquirePrompter;
use asterisk_harden::ui::{plain, tui};

use super::{CommandResult, Failure, bad_input};

/// Both wizards talk to a person: without a terminal, say what to use instead.
pub fn require_terminal() -> Result<(), Failure> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(bad_input(anyhow::anyhow!(
        "the wizard needs a terminal, and stdin or stdout is not one (piped, cron, CI)\n    \
         what to do: run it in a terminal, or unattended with an answers file:\n    \
         asterisk-harden plan --answers FILE, then asterisk-harden apply --answers FILE --yes\n    \
         and, from a new session within the window, asterisk-harden confirm (unconfirmed, it reverts;\n    \
         --no-confirm instead of confirm keeps it at once, for answers already proven on a test box)\n    \
         (examples in {}/; the wizard's review screen can save one)",
        crate::cli::examples_dir()
    )))
}

pub fn run(root: &Root, plain: bool) -> CommandResult {
    require_terminal()?;
    run_front_end(HostView::read(root), plain)
}

/// Run the chosen front end over `host`; print its last words once the
/// terminal is back.
pub fn run_front_end(host: HostView, plain: bool) -> CommandResult {
    let finished = if plain {
        plain::run(&host, &mut InquirePrompter, &mut std::io::stdout())
    } else {
        tui::run(host)?
    };
    for line in &finished.farewell {
        println!("{line}");
    }
    Ok(ExitCode::from(finished.outcome.exit_code()))
}
