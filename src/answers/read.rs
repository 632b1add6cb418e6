//! The answers file from its TOML table, key by key, so that every unknown
//! key and every value of the wrong type is reported in one go, in words
//! ("a whole number", not "i64"). serde stops at the first one.

use toml::{Table, Value};

use super::error::InvalidValue;
use super::file::*;
use super::values::clip;

/// What a TOML value is, for people.
fn what(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "text",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number with a fraction",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// A value as the file shows it, cut to a readable length.
fn shown(v: &Value) -> String {
    clip(&v.to_string())
}

/// The known key closest to a misspelt one.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}

struct Reader<'a> {
    table: &'a Table,
    /// "" at the top, "sip." in [sip].
    prefix: String,
    problems: &'a mut Vec<InvalidValue>,
}

impl Reader<'_> {
    fn wrong(&mut self, key: &str, v: &Value, wanted: &str, example: &str) {
        self.problems.push(InvalidValue {
            key: format!("{}{key}", self.prefix),
            value: Some(shown(v)),
            reason: format!("this is {}, but {wanted} belongs here", what(v)),
            hint: format!("write it like {key} = {example}"),
        });
    }

    fn unknown(&mut self, known: &[&str]) {
        for (k, v) in self.table {
            if known.contains(&k.as_str()) {
                continue;
            }
            let place = if self.prefix.is_empty() {
                "at the top of the file".to_string()
            } else {
                format!("in [{}]", self.prefix.trim_end_matches('.'))
            };
            let hint = match closest(k, known) {
                Some(c) => format!(
                    "did you mean {c}? (a misspelt key never silently weakens the firewall: it is refused)"
                ),
                None => format!("the keys {place} are: {}", known.join(", ")),
            };
            self.problems.push(InvalidValue {
                key: format!("{}{}", self.prefix, clip(k)),
                value: Some(shown(v)),
                reason: format!("there is no such key {place} (unknown key)"),
                hint,
            });
        }
    }

    fn string(&mut self, key: &str, example: &str) -> Option<String> {
        match self.table.get(key)? {
            Value::String(s) => Some(s.clone()),
            v => {
                self.wrong(key, v, "text in double quotes", example);
                None
            }
        }
    }

    fn int(&mut self, key: &str, example: &str) -> Option<i64> {
        match self.table.get(key)? {
            Value::Integer(n) => Some(*n),
            v => {
                self.wrong(key, v, "a whole number (no quotes)", example);
                None
            }
        }
    }

    fn boolean(&mut self, key: &str) -> Option<bool> {
        match self.table.get(key)? {
            Value::Boolean(b) => Some(*b),
            v => {
                self.wrong(key, v, "true or false (no quotes)", "true");
                None
            }
        }
    }

    fn strings(&mut self, key: &str, example: &str) -> Option<Vec<String>> {
        let list = match self.table.get(key)? {
            Value::Array(a) => a,
            v => {
                self.wrong(key, v, "a list in [brackets]", example);
                return None;
            }
        };
        let mut out = Vec::new();
        for (i, item) in list.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                v => self.wrong(&format!("{key}[{i}]"), v, "text in double quotes", example),
            }
        }
        Some(out)
    }

    /// The table `[name]`, if present and a table.
    fn section(&mut self, name: &str) -> Option<Reader<'_>> {
        match self.table.get(name)? {
            Value::Table(t) => Some(Reader {
                table: t,
                prefix: format!("{name}."),
                problems: self.problems,
            }),
            v => {
                let v = v.clone();
                self.wrong(name, &v, &format!("a table [{name}]"), "...");
                None
            }
        }
    }
}

fn forward(r: &mut Reader) -> Option<Forward> {
    let text = r.string("forward", "\"keep\"")?;
    match text.as_str() {
        "keep" => Some(Forward::Keep),
        "drop" => Some(Forward::Drop),
        _ => {
            r.problems.push(InvalidValue {
                key: "network.forward".into(),
                value: Some(clip(&format!("{text:?}"))),
                reason: "forwarded traffic is either kept as it is or dropped".into(),
                hint: "use \"keep\" (the default: containers and VPNs work as before) or \"drop\" (the article's FORWARD policy)".into(),
            });
            None
        }
    }
}

fn mode(r: &mut Reader) -> Option<Mode> {
    let text = r.string("mode", "\"strict\"")?;
    let m = match text.as_str() {
        "strict" => Mode::Strict,
        "relaxed-raw" => Mode::RelaxedRaw,
        "relaxed-open" => Mode::RelaxedOpen,
        _ => {
            r.problems.push(InvalidValue {
                key: "mode".into(),
                value: Some(clip(&format!("{text:?}"))),
                reason: "there is no such mode".into(),
                hint: "use one of \"strict\", \"relaxed-raw\", \"relaxed-open\" (the README explains each)".into(),
            });
            return None;
        }
    };
    Some(m)
}

/// The file as written, and every key or type that is wrong in it.
pub(super) fn from_table(table: &Table) -> (AnswersFile, Vec<InvalidValue>) {
    let mut problems = Vec::new();
    let mut r = Reader {
        table,
        prefix: String::new(),
        problems: &mut problems,
    };
    r.unknown(&[
        "mode",
        "network",
        "ssh",
        "sip",
        "asterisk",
        "fail2ban",
        "responsive",
    ]);
    let mut file = AnswersFile {
        mode: mode(&mut r),
        ..AnswersFile::default()
    };
    let nets = "[\"203.0.113.7\", \"10.0.0.0/8\"]";
    if let Some(mut n) = r.section("network") {
        n.unknown(&[
            "interface",
            "local_nets",
            "trusted",
            "forward",
            "allow_wide",
        ]);
        file.network = Some(NetworkFile {
            interface: n.string("interface", "\"ens3\""),
            local_nets: n.strings("local_nets", nets),
            trusted: n.strings("trusted", nets),
            forward: forward(&mut n),
            allow_wide: n.boolean("allow_wide"),
        });
    }
    if let Some(mut s) = r.section("ssh") {
        s.unknown(&["port", "key_only"]);
        file.ssh = Some(SshFile {
            port: s.int("port", "2222"),
            key_only: s.boolean("key_only"),
        });
    }
    if let Some(mut s) = r.section("sip") {
        s.unknown(&[
            "hostname",
            "user_agents",
            "trunks",
            "ports",
            "rtp",
            "tls_port",
            "rate_limit",
            "quiet_seconds",
            "allow_wide",
        ]);
        file.sip = Some(SipFile {
            hostname: s.string("hostname", "\"pbx-7f3k.example.net\""),
            user_agents: s.strings("user_agents", "[\"Zoiper\"]"),
            trunks: s.strings("trunks", "[\"sip.provider.example\"]"),
            ports: s.string("ports", "\"5060:5082\""),
            rtp: s.string("rtp", "\"10000:20000\""),
            tls_port: s.int("tls_port", "5061"),
            rate_limit: s.boolean("rate_limit"),
            quiet_seconds: s.int("quiet_seconds", "60"),
            allow_wide: s.boolean("allow_wide"),
        });
    }
    if let Some(mut a) = r.section("asterisk") {
        a.unknown(&["noload", "manager_localhost", "disable_fop"]);
        file.asterisk = Some(AsteriskFile {
            noload: a.strings("noload", "[\"chan_iax2.so\"]"),
            manager_localhost: a.boolean("manager_localhost"),
            disable_fop: a.boolean("disable_fop"),
        });
    }
    if let Some(mut f) = r.section("fail2ban") {
        f.unknown(&["enabled", "immutable"]);
        file.fail2ban = Some(Fail2banFile {
            enabled: f.boolean("enabled"),
            immutable: f.boolean("immutable"),
        });
    }
    if let Some(mut w) = r.section("responsive") {
        w.unknown(&["enabled", "max_failures", "window_seconds"]);
        file.responsive = Some(super::ResponsiveFile {
            enabled: w.boolean("enabled"),
            max_failures: w.int("max_failures", "5"),
            window_seconds: w.int("window_seconds", "60"),
        });
    }
    (file, problems)
}
