use std::fmt;
use std::path::PathBuf;

/// One refused value: where it was, what it was, why, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub key: String,
    /// As the file shows it; `None` when the key is missing and this choice
    /// needs it (strict mode without a hostname).
    pub value: Option<String>,
    pub reason: String,
    pub hint: String,
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {}: {}\n    what to do: {}",
            self.key,
            self.value.as_deref().unwrap_or("(missing)"),
            self.reason,
            self.hint
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    #[error("cannot read the answers file: {0}\n    what to do: {hint}", hint = .0.hint())]
    Read(crate::hostfile::ReadError),
    #[error(
        "the answers file {path} is not valid:\n{message}\n    what to do: fix that line; the keys and values are listed in the README (\"The answers file\")"
    )]
    Syntax { path: PathBuf, message: String },
    #[error("{}", list(.0))]
    Invalid(Vec<InvalidValue>),
}

/// A TOML error with each line cut to a readable length (the parser
/// quotes the offending line, which may be megabytes long).
pub(super) fn clip_lines(message: &str) -> String {
    message
        .lines()
        .map(|l| {
            if l.chars().count() > 120 {
                let head: String = l.chars().take(120).collect();
                format!("{head}…")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn list(items: &[InvalidValue]) -> String {
    let head = if items.len() == 1 {
        "1 value in the answers was refused (nothing was changed):".to_string()
    } else {
        format!(
            "{} values in the answers were refused (nothing was changed):",
            items.len()
        )
    };
    let body: Vec<String> = items.iter().map(|i| format!("  {i}")).collect();
    format!("{head}\n{}", body.join("\n"))
}
