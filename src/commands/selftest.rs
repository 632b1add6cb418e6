use std::path::Path;
use std::process::ExitCode;

use asterisk_harden::plan::{ANSWERS_FILE, firewall_spec};
use asterisk_harden::root::Root;
use asterisk_harden::selftest::{self, SelftestError};
use asterisk_harden::transaction::HeldSignals;

use super::{CommandResult, bad_input, load_answers};

pub fn run(root: &Root, answers: Option<&Path>, rules: Option<&Path>) -> CommandResult {
    let saved = root.path(ANSWERS_FILE);
    let answers_path = match answers {
        Some(p) => p.to_path_buf(),
        None if saved.exists() => saved,
        None => {
            return Err(bad_input(anyhow::anyhow!(
                "no answers to test: nothing was applied here yet\n    what to do: asterisk-harden selftest --answers FILE"
            )));
        }
    };
    let loaded = load_answers(root, &answers_path, super::Use::Anywhere)?;
    let spec = firewall_spec(
        &loaded.answers,
        &loaded.trunks,
        loaded.facts.firewall.list_store().map_err(bad_input)?,
    );
    let rules = match rules {
        // Given on the command line: an ordinary file of at most 1 MiB.
        Some(p) => match asterisk_harden::hostfile::read_text(p) {
            Ok(Some(text)) => Some(text),
            Ok(None) => {
                return Err(bad_input(anyhow::anyhow!(
                    "{}: there is no such file\n    what to do: check the path given to --rules",
                    p.display()
                )));
            }
            Err(e) => {
                return Err(bad_input(anyhow::anyhow!(
                    "{e}\n    what to do: {}",
                    e.hint()
                )));
            }
        },
        None => None,
    };
    println!(
        "Self-test of the {} rules in throwaway network namespaces (this host's firewall is not touched):",
        spec.mode.as_str()
    );
    // Ctrl-C waits until the lab is gone, so no namespace is left behind.
    let report = {
        let _held = HeldSignals::hold();
        let busy = super::busy::Busy::start("starting the self-test");
        selftest::run(root, &spec, rules.as_deref(), &mut |step| busy.say(step))
    };
    let report = match report {
        Err(e @ SelftestError::NotRoot) => return Err(bad_input(e)),
        other => other?,
    };
    print!("{}", report.table());
    let failed = report.failed();
    if failed.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for r in failed {
        eprintln!(
            "FAILED: {} (expected {:?}, seen {:?})",
            r.check, r.expected, r.seen
        );
    }
    Ok(ExitCode::from(1))
}
