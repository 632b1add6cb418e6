//! Names that reach the rules as strings: the SIP hostname, User-Agents.

use std::fmt;
use std::net::IpAddr;

use super::{Refusal, clip_quoted, describe_char, refuse};

/// The secret SIP hostname phones must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hostname(String);

impl Hostname {
    /// The secret name: a DNS name that is not an IP address and has at least
    /// two labels.
    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let example = "use a hard-to-guess DNS name like \"pbx-7f3k.example.net\"";
        if text.parse::<IpAddr>().is_ok() {
            return refuse(
                "it is an IP address, which every scanner already knows",
                format!("the protection is a secret name; {example}"),
            );
        }
        let name = Self::dns_name(text, example)?;
        if !name.0.contains('.') {
            return refuse(
                "a single label matches far too much (\"sip:pbx\" is inside \"sip:pbx.anything\")",
                format!("use a full DNS name; {example}"),
            );
        }
        Ok(name)
    }

    /// Any DNS name (RFC 1123 labels, at most 253 characters).
    pub fn dns_name(text: &str, example: &str) -> Result<Self, Refusal> {
        if text.is_empty() {
            return refuse("the name is empty", example);
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '-' && *c != '.')
        {
            return refuse(
                format!("{} is not allowed in a hostname", describe_char(bad)),
                format!("only letters, digits, '-' and '.'; {example}"),
            );
        }
        if text.len() > 253 {
            return refuse(
                format!("it is {} characters long; DNS allows 253", text.len()),
                example,
            );
        }
        if text.ends_with('.') {
            return refuse(
                "it ends with a dot; phones send the name without it",
                format!("drop the final dot: \"{}\"", text.trim_end_matches('.')),
            );
        }
        for label in text.split('.') {
            if label.is_empty() {
                return refuse("it has an empty label (\"..\")", example);
            }
            if label.len() > 63 {
                return refuse(
                    format!(
                        "the label {} is longer than 63 characters",
                        clip_quoted(label)
                    ),
                    example,
                );
            }
            if label.starts_with('-') || label.ends_with('-') {
                return refuse(
                    format!("the label {} starts or ends with '-'", clip_quoted(label)),
                    example,
                );
            }
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Hostname {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgent(String);

impl UserAgent {
    pub const MAX_LEN: usize = 64;
    pub const MIN_LEN: usize = 4;

    pub fn parse(text: &str) -> Result<Self, Refusal> {
        let hint = "use the client's name as it appears in its User-Agent header, e.g. \"Zoiper\"";
        if let Some(bad) = text
            .chars()
            .find(|c| !(' '..='~').contains(c) || matches!(c, '"' | '\'' | '\\'))
        {
            return refuse(
                format!("{} cannot be matched safely", describe_char(bad)),
                format!("printable ASCII without quotes or backslashes; {hint}"),
            );
        }
        if text.trim() != text {
            return refuse("it starts or ends with a space", hint);
        }
        if text.len() > Self::MAX_LEN {
            return refuse(
                format!(
                    "it is {} characters long; at most {}",
                    text.len(),
                    Self::MAX_LEN
                ),
                hint,
            );
        }
        if text.len() < Self::MIN_LEN {
            return refuse(
                format!("\"{text}\" is so short it would match unrelated packets"),
                format!("at least {} characters; {hint}", Self::MIN_LEN),
            );
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
