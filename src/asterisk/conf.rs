//! Asterisk's config dialect, read so that it can be written back byte for
//! byte: every line keeps its exact text and line ending, and an edit
//! replaces or inserts whole lines only. Sections `[name]`, `[name](+)`
//! (appends to an earlier one), templates `[name](!)`, `key = value` and
//! `key => value`, `;` comments (`\;` is a literal), `;-- block --;`
//! comments, `#include` / `#exec`.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Blank,
    Comment,
    Section {
        name: String,
        options: String,
    },
    Setting {
        key: String,
        value: String,
        arrow: bool,
    },
    /// `#include` / `#exec` and other `#` directives.
    Directive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The text without its line ending.
    pub text: String,
    /// "\n", "\r\n", or "" for a last line without one.
    pub eol: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conf {
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ConfError {
    pub line: usize,
    pub reason: String,
}

/// The text before an unescaped `;`.
fn strip_comment(s: &str) -> &str {
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b';' && (i == 0 || bytes[i - 1] != b'\\') {
            return &s[..i];
        }
    }
    s
}

fn classify(text: &str, number: usize) -> Result<Kind, ConfError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Kind::Blank);
    }
    if t.starts_with(';') {
        return Ok(Kind::Comment);
    }
    if t.starts_with('#') {
        return Ok(Kind::Directive);
    }
    let body = strip_comment(t).trim();
    if body.is_empty() {
        return Ok(Kind::Comment);
    }
    if let Some(rest) = body.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return Err(ConfError {
                line: number,
                reason: format!("section header {body:?} has no closing ']'"),
            });
        };
        return Ok(Kind::Section {
            name: rest[..close].trim().to_string(),
            options: rest[close + 1..].trim().to_string(),
        });
    }
    let Some(eq) = body.find('=') else {
        return Err(ConfError {
            line: number,
            reason: format!("{body:?} is neither a section, a setting nor a comment"),
        });
    };
    let arrow = body[eq + 1..].starts_with('>');
    let value = if arrow {
        &body[eq + 2..]
    } else {
        &body[eq + 1..]
    };
    Ok(Kind::Setting {
        key: body[..eq].trim().to_string(),
        value: value.trim().to_string(),
        arrow,
    })
}

impl Conf {
    pub fn parse(text: &str) -> Result<Self, ConfError> {
        let mut lines = Vec::new();
        let mut in_block = false;
        let mut block_start = 0;
        for (i, piece) in text.split_inclusive('\n').enumerate() {
            let (body, eol) = if let Some(b) = piece.strip_suffix("\r\n") {
                (b, "\r\n")
            } else if let Some(b) = piece.strip_suffix('\n') {
                (b, "\n")
            } else {
                (piece, "")
            };
            let kind = if in_block {
                if body.contains("--;") {
                    in_block = false;
                }
                Kind::Comment
            } else if body.trim_start().starts_with(";--") {
                in_block = !body.trim_end().ends_with("--;") || body.trim() == ";--";
                block_start = i + 1;
                Kind::Comment
            } else {
                classify(body, i + 1)?
            };
            lines.push(Line {
                text: body.to_string(),
                eol: eol.to_string(),
                kind,
            });
        }
        if in_block {
            // Asterisk reads the rest of the file as a comment: a line added
            // after it would silently do nothing.
            return Err(ConfError {
                line: block_start,
                reason: "a ;-- block comment starts here and is never closed with --;, so Asterisk ignores the rest of the file".into(),
            });
        }
        Ok(Self { lines })
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for l in &self.lines {
            out.push_str(&l.text);
            out.push_str(&l.eol);
        }
        out
    }

    /// The file's line ending ("\r\n" if any line uses it).
    pub fn eol(&self) -> &'static str {
        if self.lines.iter().any(|l| l.eol == "\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Each line's section (`None` before the first header).
    pub fn section_of(&self) -> Vec<Option<String>> {
        let mut current = None;
        self.lines
            .iter()
            .map(|l| {
                if let Kind::Section { name, .. } = &l.kind {
                    current = Some(name.clone());
                }
                current.clone()
            })
            .collect()
    }

    /// Settings of section `name` (all its appearances), with line indexes.
    pub fn settings_in<'a>(&'a self, name: &str) -> Vec<(usize, &'a str, &'a str)> {
        let sections = self.section_of();
        self.lines
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                sections[*i]
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(name))
            })
            .filter_map(|(i, l)| match &l.kind {
                Kind::Setting { key, value, .. } => Some((i, key.as_str(), value.as_str())),
                _ => None,
            })
            .collect()
    }

    /// Section names in order, with their options (`(!)`, `(+)`), once each appearance.
    pub fn sections(&self) -> Vec<(usize, &str, &str)> {
        self.lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| match &l.kind {
                Kind::Section { name, options } => Some((i, name.as_str(), options.as_str())),
                _ => None,
            })
            .collect()
    }

    /// `#include` targets, as written.
    pub fn includes(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| l.kind == Kind::Directive)
            .filter_map(|l| {
                l.text
                    .trim()
                    .strip_prefix("#include")
                    .map(|r| r.trim().trim_matches(['"', '<', '>']).to_string())
            })
            .filter(|s| !s.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_byte_for_byte() {
        for text in [
            "[modules]\r\nautoload=yes\r\nnoload => chan_sip.so ; old\r\n#include extra.conf\r\n",
            ";--\nblock [not a section\n--;\n[general](+)\nbindaddr = 0.0.0.0\n[t](!)\nx=1",
            "",
            "\n\n",
        ] {
            let c = Conf::parse(text).unwrap();
            assert_eq!(c.render(), text);
        }
    }

    #[test]
    fn classifies_lines() {
        let c = Conf::parse("[modules]\nnoload=>chan_iax2 ; why\nload = res_x.so\nvalue=a\\;b\n")
            .unwrap();
        assert_eq!(c.settings_in("modules")[0].1, "noload");
        assert_eq!(c.settings_in("modules")[0].2, "chan_iax2");
        assert!(matches!(c.lines[1].kind, Kind::Setting { arrow: true, .. }));
        assert_eq!(c.settings_in("modules")[2].2, "a\\;b");
        assert_eq!(Conf::parse("[modules\n").unwrap_err().line, 1);
        assert_eq!(Conf::parse("ok=1\nnonsense\n").unwrap_err().line, 2);
        assert_eq!(Conf::parse("x=1\n;--\n[modules]\n").unwrap_err().line, 2);
    }
}
