//! The wizard's two front ends and what they share. The domain (answers,
//! plan, transaction) never imports this module: the UI only fills Answers,
//! shows the Plan and drives the transaction.
//!
//! - `wizard`: the steps as a state machine, no terminal code.
//! - `host`: what the wizard knows about the host (the probe's seat).
//! - `actions`: review, apply, confirm, roll back, behind typed confirmation.
//! - `tui`: the full-screen wizard (ratatui + crossterm).
//! - `plain`: the line mode (inquire), the same steps and defaults.

pub mod actions;
pub mod done;
pub mod host;
pub mod plain;
pub mod save;
pub mod tui;
pub mod wizard;

/// How a wizard run ended; the exit code follows the CLI's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Left without applying anything.
    Quit,
    /// Applied and confirmed.
    Kept { backup_id: String },
    /// Applied, then left while the guard still waits for `confirm`.
    LeftWaiting { backup_id: String },
    /// Not confirmed in time: reverted.
    Reverted,
    /// A backup set was restored.
    RolledBack { backup_id: String },
    /// The apply failed and everything was restored.
    Failed,
    /// Refused before anything changed (another change still pending, not
    /// root, a port in use): the CLI's bad input.
    Refused,
}

impl Outcome {
    /// 0 done, 1 failed (and restored), 2 refused (nothing changed), 3 not
    /// confirmed in time (reverted): the CLI's codes.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Failed => 1,
            Self::Refused => 2,
            Self::Reverted => 3,
            _ => 0,
        }
    }
}

/// A finished run: how it ended, and what to print once the terminal is back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub outcome: Outcome,
    pub farewell: Vec<String>,
}

/// Whether colour is wanted (https://no-color.org: any non-empty NO_COLOR).
pub fn colour_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
