//! Blocklists: plain lists of addresses and CIDRs (Spamhaus DROP, FireHOL
//! level1, your own file) dropped on every port. Each list lives in an
//! ipset `hash:net` set of its own (ah-bl-NAME, ah-bl-NAME6), a member of
//! the `list:set` ah-BLOCK (ah-BLOCK6) that one raw-table rule drops on: a
//! refresh swaps the list's set whole, a removal destroys it, so exactly
//! that list's entries come and go and no rule is ever reloaded. What `ban`
//! refuses to block is taken out at import (`exclude`) and is accepted
//! before the drop anyway (trusted sources, trunks). ipset only: xt_recent
//! holds single addresses, 100 of them by default, and forgets the oldest.

pub mod entries;
pub mod exclude;
pub mod fetch;
pub mod kernel;
pub mod ops;
pub mod store;
pub mod units;

use std::path::PathBuf;

use crate::sets::SetsError;

/// Longest list name: the set's name (ah-bl-NAME6-new) must stay within
/// ipset's 31 characters.
pub const NAME_MAX: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum BlocklistError {
    #[error(
        "{text:?} cannot be a blocklist's name: {reason}\n    what to do: use 1 to {NAME_MAX} lowercase letters, digits, - or _, starting with a letter (e.g. spamhaus-drop); nothing was changed"
    )]
    BadName { text: String, reason: &'static str },
    #[error(
        "{text:?} is not a blocklist source: {reason}\n    what to do: {hint}; nothing was changed"
    )]
    BadSource {
        text: String,
        reason: String,
        hint: &'static str,
    },
    #[error(
        "there is already a blocklist called {0}\n    what to do: remove it first (asterisk-harden blocklist remove NAME), or pick another name; nothing was changed"
    )]
    Exists(String),
    #[error(
        "there is no blocklist called {0}\n    what to do: `asterisk-harden blocklist list` shows them; nothing was changed"
    )]
    Unknown(String),
    #[error(
        "{MAX} blocklists are loaded, the most the rules' set of lists holds\n    what to do: remove one first (asterisk-harden blocklist remove NAME); nothing was changed",
        MAX = crate::ruleset::MAX_BLOCKLISTS
    )]
    Full,
    #[error(
        "the blocklists' set ah-BLOCK is not in the kernel: {why}\n    what to do: {hint}; nothing was changed"
    )]
    NotLoaded {
        why: &'static str,
        hint: &'static str,
    },
    #[error("{source_text}: {reason}\n    what to do: {hint}")]
    Fetch {
        source_text: String,
        reason: String,
        hint: &'static str,
    },
    #[error(
        "{source_text} is not a plain list of addresses and CIDRs:\n{lines}\n    what to do: check that the source serves the list itself (one address or CIDR per line, # or ; for comments); nothing was loaded from it"
    )]
    Garbage { source_text: String, lines: String },
    #[error(
        "this asterisk-harden runs from a cargo build directory ({}), and the refresh timer would call it there: `cargo clean` or a removed checkout would leave nothing for it to run\n    what to do: install it (`cargo install --path .`, or the .deb) and run the installed one; nothing was changed",
        .0.display()
    )]
    BuildBinary(PathBuf),
    #[error(transparent)]
    Sets(#[from] SetsError),
    #[error("{path}: {source}\n    what to do: check that the directory exists and is writable")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: {reason}\n    what to do: fix or delete that file (blocklist add and remove write it)"
    )]
    BadConfig { path: PathBuf, reason: String },
}

impl BlocklistError {
    /// Refusals and bad lists change nothing (exit 2).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::BadName { .. }
                | Self::BadSource { .. }
                | Self::Exists(_)
                | Self::Unknown(_)
                | Self::Full
                | Self::NotLoaded { .. }
                | Self::Garbage { .. }
                | Self::BuildBinary(_)
        )
    }
}

/// A validated list name: it becomes part of ipset set names and file
/// names, so only `[a-z][a-z0-9_-]*`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ListName(String);

impl ListName {
    pub fn parse(text: &str) -> Result<Self, BlocklistError> {
        let bad = |reason| BlocklistError::BadName {
            text: text.to_string(),
            reason,
        };
        if text.is_empty() || text.len() > NAME_MAX {
            return Err(bad("it must be 1 to 16 characters long"));
        }
        if !text.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(bad("it must start with a lowercase letter"));
        }
        if !text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return Err(bad("only lowercase letters, digits, - and _ may be in it"));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ListName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ListName {
    type Error = BlocklistError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ListName> for String {
    fn from(n: ListName) -> String {
        n.0
    }
}

/// Where a list comes from: an http(s) URL, or a file on this host
/// (absolute, so the timer finds it again).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Source {
    Url(String),
    File(PathBuf),
}

impl Source {
    pub fn parse(text: &str) -> Result<Self, BlocklistError> {
        let bad = |reason: &str, hint| BlocklistError::BadSource {
            text: text.to_string(),
            reason: reason.to_string(),
            hint,
        };
        if text.is_empty() || text.len() > 2048 || text.chars().any(char::is_control) {
            return Err(bad(
                "empty, longer than 2048 characters, or with control characters",
                "give an http(s) URL or the absolute path of a file",
            ));
        }
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let uri: ureq::http::Uri = text.parse().map_err(|e: ureq::http::uri::InvalidUri| {
                bad(&e.to_string(), "give the list's URL as a browser shows it")
            })?;
            if uri.host().is_none_or(str::is_empty) || text.chars().any(char::is_whitespace) {
                return Err(bad(
                    "it names no host",
                    "give the list's URL as a browser shows it",
                ));
            }
            return Ok(Self::Url(text.to_string()));
        }
        if text.contains("://") {
            return Err(bad(
                "only http:// and https:// are fetched",
                "download the list yourself and give the file",
            ));
        }
        let path = PathBuf::from(text);
        if !path.is_absolute() {
            return Err(bad(
                "a file must be given by its absolute path (the timer reads it again later)",
                "write it as /etc/asterisk-harden/my-list.txt, or $(realpath FILE)",
            ));
        }
        Ok(Self::File(path))
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Url(u) => f.write_str(u),
            Self::File(p) => write!(f, "{}", p.display()),
        }
    }
}

impl TryFrom<String> for Source {
    type Error = BlocklistError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Source> for String {
    fn from(s: Source) -> String {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sources_are_validated() {
        assert!(ListName::parse("spamhaus-drop").is_ok());
        for bad in [
            "",
            "Spamhaus",
            "1list",
            "a b",
            "a;rm -rf /",
            "abcdefghijklmnopq",
            "ä",
        ] {
            let e = ListName::parse(bad).unwrap_err().to_string();
            assert!(
                e.contains(&format!("{bad:?}")) && e.contains("what to do"),
                "{e}"
            );
        }
        assert!(matches!(
            Source::parse("https://www.spamhaus.org/drop/drop.txt"),
            Ok(Source::Url(_))
        ));
        assert!(matches!(
            Source::parse("/etc/asterisk-harden/mine.txt"),
            Ok(Source::File(_))
        ));
        for bad in [
            "ftp://x/y",
            "file:///etc/passwd",
            "list.txt",
            "http://",
            "http://a b/",
            "http://x/\n",
        ] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }
}
