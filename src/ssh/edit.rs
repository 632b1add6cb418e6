//! The SSH edits, pure: our settings written where they win, and every other
//! active `Port` line commented out (ports add up, so a leftover `Port 22`
//! would keep the old port open for good). Comments and all other lines are
//! kept as they are.

use std::path::PathBuf;

use super::config::{SshdFiles, keyword};

const BEGIN: &str = "# BEGIN asterisk-harden";
const END: &str = "# END asterisk-harden";

/// What our block says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshSettings {
    /// Every port sshd should listen on (two while a move is being tested).
    pub ports: Vec<u16>,
    pub key_only: bool,
    /// OpenSSH before 7.0 knows only `without-password`.
    pub legacy_root_login_name: bool,
}

fn block(s: &SshSettings) -> Vec<String> {
    let mut lines = vec![
        BEGIN.to_string(),
        "# Written by asterisk-harden; `asterisk-harden rollback` undoes it.".to_string(),
        "# SSH's ports are set here only: Port lines elsewhere are commented out, since each one adds a port."
            .to_string(),
    ];
    lines.extend(s.ports.iter().map(|p| format!("Port {p}")));
    if s.key_only {
        let name = if s.legacy_root_login_name {
            "without-password"
        } else {
            "prohibit-password"
        };
        lines.push(format!("PermitRootLogin {name}"));
        lines.push("PasswordAuthentication no".to_string());
        lines.push("UsePAM yes".to_string());
    }
    lines.push(END.to_string());
    lines
}

/// Keywords our block owns in this edit.
fn owned(s: &SshSettings) -> Vec<&'static str> {
    let mut k = vec!["port"];
    if s.key_only {
        k.extend(["permitrootlogin", "passwordauthentication"]);
    }
    k
}

fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// Comment out our keywords outside our block, before the first `Match`
/// (settings inside a Match block apply only to those logins: left alone).
fn disable_others(text: &str, keys: &[&str], own_file: &str) -> String {
    let eol = line_ending(text);
    let mut out = Vec::new();
    let mut in_ours = false;
    let mut in_match = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == BEGIN {
            in_ours = true;
        }
        let k = keyword(bare);
        if k.as_deref() == Some("match") {
            in_match = true;
        }
        if !in_ours && !in_match && k.as_deref().is_some_and(|k| keys.contains(&k)) {
            let ending = &line[bare.len()..];
            out.push(format!(
                "# {bare}  # asterisk-harden: set in {own_file}{}",
                if ending.is_empty() { "" } else { eol }
            ));
        } else {
            out.push(line.to_string());
        }
        if bare == END {
            in_ours = false;
        }
    }
    out.concat()
}

/// Put our block into the main file: replace the old one, else insert it
/// before the first active line (sshd keeps the first value it reads).
fn with_block(text: &str, lines: &[String]) -> String {
    let eol = line_ending(text);
    let ours = lines.join(eol) + eol;
    if let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) {
        let end = text[e..].find('\n').map_or(text.len(), |i| e + i + 1);
        return format!("{}{ours}{}", &text[..b], &text[end..]);
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if keyword(line).is_some() {
            break;
        }
        offset += line.len();
    }
    format!("{}{ours}{}", &text[..offset], &text[offset..])
}

/// The configuration with our settings applied.
pub fn apply_settings(files: &SshdFiles, s: &SshSettings) -> SshdFiles {
    let keys = owned(s);
    let own = files.own_file();
    let own_name = own
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = files.clone();
    let lines = block(s);
    // The block goes in first, so it lands before the first active line of
    // the original; disabling skips the block itself.
    if own == files.main.0 {
        out.main.1 = with_block(&out.main.1, &lines);
    }
    out.main.1 = disable_others(&out.main.1, &keys, &own_name);
    for (path, text) in out.dropins.iter_mut() {
        if *path != own {
            *text = disable_others(text, &keys, &own_name);
        }
    }
    if own != files.main.0 {
        let text = lines.join("\n") + "\n";
        match out.dropins.iter_mut().find(|(p, _)| *p == own) {
            Some((_, t)) => *t = text,
            None => out.dropins.insert(0, (own, text)),
        }
    }
    out
}

/// Each file whose text differs: (host path, before, after).
pub fn changes(before: &SshdFiles, after: &SshdFiles) -> Vec<(PathBuf, Option<String>, String)> {
    after
        .all()
        .filter_map(|(path, text)| {
            let old = before
                .all()
                .find(|(p, _)| p == path)
                .map(|(_, t)| t.clone());
            (old.as_deref() != Some(text.as_str())).then(|| (path.clone(), old, text.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests;
