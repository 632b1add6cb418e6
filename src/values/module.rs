//! Asterisk module names for `noload`.

use std::fmt;

use super::{Refusal, describe_char, refuse};

/// An Asterisk module for `noload`: a file name in Asterisk's module
/// directory, like `chan_iax2.so` (the `.so` is optional when written).
/// Only `[a-z0-9_]`, so it cannot carry a new line, a `#exec`, a section
/// or a path into modules.conf.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AsteriskModule(String);

impl AsteriskModule {
    pub const MAX_LEN: usize = 64;

    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let hint =
            "write a module name as `module show` lists it, e.g. \"chan_iax2.so\" or \"chan_iax2\"";
        let name = text.strip_suffix(".so").unwrap_or(text);
        if name.is_empty() {
            return refuse("the module name is empty", hint);
        }
        if name.len() > Self::MAX_LEN {
            return refuse(
                format!(
                    "it is {} characters long; module names are at most {}",
                    name.len(),
                    Self::MAX_LEN
                ),
                hint,
            );
        }
        // A line break or a NUL says more than the '.' before it.
        if let Some(bad) = name
            .chars()
            .find(|c| c.is_control() || c.is_whitespace())
            .or_else(|| {
                name.chars()
                    .find(|c| !c.is_ascii_lowercase() && !c.is_ascii_digit() && *c != '_')
            })
        {
            let lower = text.to_ascii_lowercase();
            let lower = lower.strip_suffix(".so").unwrap_or(&lower);
            let hint = if bad.is_ascii_uppercase()
                && lower
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                format!("module names are lower case: \"{lower}.so\"")
            } else {
                format!("only a-z, 0-9 and '_'; {hint}")
            };
            return refuse(
                format!("{} is not allowed in a module name", describe_char(bad)),
                hint,
            );
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return refuse("a module name starts with a letter", hint);
        }
        Ok(Self(name.to_string()))
    }

    /// "chan_iax2".
    pub fn name(&self) -> &str {
        &self.0
    }

    /// "chan_iax2.so", as modules.conf and the module directory spell it.
    pub fn file_name(&self) -> String {
        format!("{}.so", self.0)
    }
}

impl fmt::Display for AsteriskModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.so", self.0)
    }
}
