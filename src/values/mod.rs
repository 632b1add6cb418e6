//! Validated values. Each type can only be built from input that is safe to
//! put into an iptables-restore file or a config file, so nothing downstream
//! re-checks (or could be tricked by) what the admin typed.

mod interface;
mod module;
mod names;
mod network;
mod ports;
#[cfg(test)]
mod tests;

pub use interface::Interface;
pub use module::AsteriskModule;
pub use names::{Hostname, UserAgent};
pub use network::{Trunk, network, too_wide};
pub use ports::{PortRange, QUIET_SECONDS, port, quiet_seconds};

/// Why a value was refused, and what to do instead. The key and the value are
/// added by the caller, which knows where the value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: String,
    pub hint: String,
}

/// Longest value shown back in a message, in characters.
const SHOWN: usize = 60;

/// `text` cut to a readable length, saying how long it really is.
pub fn clip(text: &str) -> String {
    let n = text.chars().count();
    if n <= SHOWN {
        return text.to_string();
    }
    let head: String = text.chars().take(SHOWN).collect();
    format!("{head}… ({n} characters in all)")
}

/// `text` quoted as TOML shows it (escapes visible), cut to a readable length.
pub fn clip_quoted(text: &str) -> String {
    let n = text.chars().count();
    if n <= SHOWN {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(SHOWN).collect();
    format!("{head:?}… ({n} characters in all)")
}

pub(crate) fn refuse<T>(reason: impl Into<String>, hint: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        reason: reason.into(),
        hint: hint.into(),
    })
}

pub(crate) fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\n' | '\r' => "a line break".into(),
        '\t' => "a tab".into(),
        '"' => "a double quote".into(),
        '\'' => "a single quote".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("'{c}'"),
    }
}
