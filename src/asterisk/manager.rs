//! manager.conf: exactly one active `bindaddr = 127.0.0.1` in `[general]`
//! (AMI on localhost only), every other section (secrets included) untouched.
//! And reading `manager show settings` to prove the reload took.

use super::conf::{Conf, ConfError, Kind};
use super::edit::Edit;

pub const LOCALHOST: &str = "127.0.0.1";

fn bind_line(conf: &Conf) -> super::conf::Line {
    let kind = Kind::Setting {
        key: "bindaddr".into(),
        value: LOCALHOST.into(),
        arrow: false,
    };
    conf.new_line(&format!("bindaddr = {LOCALHOST}"), kind)
}

pub fn bind_localhost(text: &str) -> Result<Edit, ConfError> {
    let mut conf = Conf::parse(text)?;
    let mut notes = Vec::new();
    let binds: Vec<(usize, String)> = conf
        .settings_in("general")
        .into_iter()
        .filter(|(_, k, _)| k.eq_ignore_ascii_case("bindaddr"))
        .map(|(i, _, v)| (i, v.to_string()))
        .collect();
    match binds.split_first() {
        Some(((first, value), rest)) => {
            if value != LOCALHOST {
                // Keep the admin's spacing style: only the value changes.
                let old = conf.lines[*first].text.clone();
                let at = old.find(value.as_str()).unwrap_or(old.len());
                let new = format!("{}{LOCALHOST}{}", &old[..at], &old[at + value.len()..]);
                conf.lines[*first].text = new;
                conf.lines[*first].kind = Kind::Setting {
                    key: "bindaddr".into(),
                    value: LOCALHOST.into(),
                    arrow: false,
                };
                notes.push(format!("bindaddr {value} → {LOCALHOST}"));
            }
            for (i, _) in rest {
                conf.comment_out(*i, "disabled by asterisk-harden: one bindaddr above");
                notes.push("commented out a second bindaddr".into());
            }
        }
        None => {
            let Some(at) = conf.end_of_section("general") else {
                // No [general]: a new one at the end, so lines that sit
                // before the first header keep the section they had.
                let header = conf.new_line(
                    "[general]",
                    Kind::Section {
                        name: "general".into(),
                        options: String::new(),
                    },
                );
                let line = bind_line(&conf);
                match conf.lines.len() {
                    0 => conf.lines.extend([header, line]),
                    n => conf.insert_after(n - 1, vec![header, line]),
                }
                return Ok(Edit {
                    text: conf.render(),
                    notes: vec!["added [general] with bindaddr = 127.0.0.1".into()],
                });
            };
            let line = bind_line(&conf);
            conf.insert_after(at, vec![line]);
            notes.push(format!("bindaddr = {LOCALHOST}"));
        }
    }
    Ok(Edit {
        text: conf.render(),
        notes,
    })
}

/// The address AMI is bound to, per `asterisk -rx "manager show settings"`
/// (asterisk -rx exits 0 whenever it reached the daemon, so the output is
/// the only truth). Recent versions print `Bind Address: 127.0.0.1:5038`.
pub fn bound_address(settings_output: &str) -> Option<String> {
    settings_output.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case("bind address").then(|| {
            let v = v.trim();
            // "127.0.0.1:5038" or "[::1]:5038": drop the port.
            match v.rsplit_once(':') {
                Some((host, port))
                    if port.chars().all(|c| c.is_ascii_digit()) && !host.is_empty() =>
                {
                    host.trim_matches(['[', ']']).to_string()
                }
                _ => v.to_string(),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_adds_and_dedups() {
        let e = bind_localhost(
            "[general]\nenabled = yes\nbindaddr=0.0.0.0 ; all\n[admin]\nsecret = s3cret\n",
        )
        .unwrap();
        assert_eq!(
            e.text,
            "[general]\nenabled = yes\nbindaddr=127.0.0.1 ; all\n[admin]\nsecret = s3cret\n"
        );
        let e =
            bind_localhost("[general]\nenabled = yes\nport = 5038\n\n[admin]\nsecret=x\n").unwrap();
        assert_eq!(
            e.text,
            "[general]\nenabled = yes\nport = 5038\nbindaddr = 127.0.0.1\n\n[admin]\nsecret=x\n"
        );
        let e = bind_localhost("[general]\nbindaddr = 127.0.0.1\nbindaddr = 0.0.0.0\n").unwrap();
        assert_eq!(
            e.text,
            "[general]\nbindaddr = 127.0.0.1\n;bindaddr = 0.0.0.0 ; disabled by asterisk-harden: one bindaddr above\n"
        );
        let twice = bind_localhost(&e.text).unwrap();
        assert_eq!(twice.text, e.text);
    }

    #[test]
    fn reads_manager_show_settings() {
        let out = "\nGlobal Settings:\n----------------\n  Version:                  9.0.0\n  Enabled:                  Yes\n  \
                   Bind Address:             127.0.0.1:5038\n  Allow multiple login:     Yes\n";
        assert_eq!(bound_address(out).as_deref(), Some("127.0.0.1"));
        assert_eq!(
            bound_address("  Bind Address:   0.0.0.0:5038\n").as_deref(),
            Some("0.0.0.0")
        );
        assert_eq!(
            bound_address("No such command 'manager show settings'\n"),
            None
        );
    }
}

/// For FreePBX's `manager_custom.conf`: a `[general](+)` block that appends
/// `bindaddr` to manager.conf's own [general] (a plain second `[general]`
/// would be a separate section that AMI never reads). Idempotent.
pub fn append_general_bind(text: &str) -> Result<Edit, ConfError> {
    let conf = Conf::parse(text)?;
    let sections = conf.section_of();
    let already = conf.lines.iter().enumerate().any(|(i, l)| {
        sections[i].as_deref().is_some_and(|s| s.eq_ignore_ascii_case("general"))
            && matches!(&l.kind, Kind::Setting { key, value, .. } if key.eq_ignore_ascii_case("bindaddr") && value == LOCALHOST)
    });
    if already {
        return Ok(Edit {
            text: text.to_string(),
            notes: Vec::new(),
        });
    }
    let eol = conf.eol();
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    out.push_str(&format!("[general](+){eol}bindaddr = {LOCALHOST}{eol}"));
    Ok(Edit {
        text: out,
        notes: vec![format!("[general](+) bindaddr = {LOCALHOST}")],
    })
}

#[cfg(test)]
mod custom_tests {
    use super::*;

    #[test]
    fn appends_to_the_first_general() {
        let e = append_general_bind("; custom\n").unwrap();
        assert_eq!(e.text, "; custom\n[general](+)\nbindaddr = 127.0.0.1\n");
        assert_eq!(append_general_bind(&e.text).unwrap().text, e.text);
    }
}
