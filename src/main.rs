use std::process::ExitCode;

use clap::Parser;

#[macro_use]
mod print;
mod cli;
mod commands;

use asterisk_harden::operate::Action;
use cli::{Cli, Command};
use commands::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = asterisk_harden::root::Root::new(&cli.root);
    // The fault-injection test hook (sandbox roots only; see src/fault.rs).
    asterisk_harden::fault::arm_from_env(&root);
    let command = cli.command.unwrap_or(Command::Wizard { plain: false });
    let result = match command {
        Command::Wizard { plain } => commands::wizard::run(&root, plain),
        Command::Demo {
            plain,
            sandboxed,
            in_namespace,
            confirm,
        } => match confirm {
            Some(pid) => commands::demo::confirm(pid),
            None => commands::demo::run(plain, sandboxed, in_namespace.as_deref(), &root),
        },
        Command::Probe { json } => commands::probe::run(&root, json),
        Command::Render { answers, family } => {
            commands::render::run(&root, &answers.answers, family)
        }
        Command::Plan { answers } => commands::plan::run(&root, &answers.answers),
        Command::Apply { answers, confirm } => {
            commands::apply::run(&root, &answers.answers, confirm.yes, confirm.timeout())
        }
        Command::Confirm { same_session } => commands::confirm::run(&root, same_session),
        Command::Rollback { backup, yes } => commands::rollback::run(&root, backup.as_deref(), yes),
        Command::Backups => commands::backups::run(&root),
        Command::Status { json } => commands::status::run(&root, json),
        Command::Lists { action } => commands::lists::run(&root, action),
        Command::Ban(a) => commands::operate::run(&root, Action::Ban, &a),
        Command::Unban(a) => commands::operate::run(&root, Action::Unban, &a),
        Command::Allow(a) => commands::operate::run(&root, Action::Allow, &a),
        Command::Release(a) => commands::operate::run(&root, Action::Release, &a),
        Command::Trust { network, confirm } => {
            commands::operate::trust(&root, &network, confirm.yes, confirm.timeout())
        }
        Command::Watch => commands::watch::run(&root),
        Command::Blocklist { action } => commands::blocklist::run(&root, action),
        Command::Names { action: _ } => commands::names::refresh(&root),
        Command::Selftest { answers, rules } => {
            commands::selftest::run(&root, answers.as_deref(), rules.as_deref())
        }
        Command::Completions { shell } => commands::docs::completions(shell),
        Command::Manpage => commands::manpage::manpage(),
        Command::Guard => commands::guard::run(&root),
    };
    match result {
        Ok(code) => code,
        Err(Failure::BadInput(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
