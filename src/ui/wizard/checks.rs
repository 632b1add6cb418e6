//! Live hints while typing: names scanners guess, trunks that will be refused.

use crate::answers::{Hostname, Trunk};

/// First labels every scanner tries; a name starting with one is no secret.
const GUESSABLE: [&str; 16] = [
    "pbx", "sip", "voip", "asterisk", "voice", "phone", "phones", "tel", "pabx", "freepbx", "sbc",
    "proxy", "gateway", "mail", "www", "server",
];

/// Why `name` is easy to guess, if it is.
pub fn guessable(name: &str, server_names: &[String]) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if Hostname::parse(&lower).is_err() {
        return None;
    }
    let first = lower.split('.').next().unwrap_or_default();
    if server_names
        .iter()
        .any(|s| *s == lower || (!s.contains('.') && s == first))
    {
        return Some(
            "this is the server's own name, which its reverse DNS and certificates may reveal"
                .into(),
        );
    }
    let bare = first.trim_end_matches(|c: char| c.is_ascii_digit());
    GUESSABLE.contains(&bare).then(|| {
        format!("\"{first}.\" is among the first names scanners try; add random characters (e.g. {first}-7f3k)")
    })
}

/// Trunk entries that are not valid, for live display (validate says it too).
pub fn trunk_problems(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .filter_map(|t| Trunk::parse(t).err().map(|r| format!("{t}: {}", r.reason)))
        .collect()
}
