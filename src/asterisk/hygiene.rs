//! Asterisk's own SIP hygiene, the article's further readings: guests and
//! anonymous calls, extensions reachable from anywhere, weak secrets, no
//! call limits. Findings only (each with file and line, why it matters, what
//! to change); secrets are judged, never printed.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::conf::Conf;
use super::freepbx;
use crate::root::Root;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// "file:line".
    pub at: String,
    pub problem: String,
    pub why: String,
    pub what_to_do: String,
}

const NO_CALL_LIMIT: &str = "PJSIP has no per-endpoint call limit";

const TOLL_FRAUD: &str = "a stranger who reaches it can make calls on your trunks: toll fraud";

/// A secret too weak to survive a brute-forcer: short, digits only, or the
/// user's own name.
pub fn weak_secret(secret: &str, user: &str) -> bool {
    secret.len() < 10
        || secret.chars().all(|c| c.is_ascii_digit())
        || secret.eq_ignore_ascii_case(user)
}

fn at(path: &Path, index: usize) -> String {
    format!("{}:{}", path.display(), index + 1)
}

/// A setting: (line index, lowercase key, value).
type Setting = (usize, String, String);

/// The templates a section header names: `[1101](endpoint-basic,other)`;
/// `!` (is a template) and `+` (adds to a section) are not templates.
fn templates_of(options: &str) -> Vec<&str> {
    options
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != "!" && *t != "+")
        .collect()
}

/// Each non-template section: (header line, name, its settings, those it
/// inherits from its templates first, as Asterisk applies them).
fn sections(conf: &Conf) -> Vec<(usize, String, Vec<Setting>)> {
    let headers = conf.sections();
    let own = |k: usize| -> Vec<Setting> {
        let (i, name, _) = headers[k];
        let end = headers.get(k + 1).map_or(conf.lines.len(), |(j, _, _)| *j);
        conf.settings_in(name)
            .into_iter()
            .filter(|(j, _, _)| *j > i && *j < end)
            .map(|(j, key, v)| (j, key.to_ascii_lowercase(), v.to_string()))
            .collect()
    };
    // Depth-limited: a template loop in a broken file must not hang.
    fn inherited(
        headers: &[(usize, &str, &str)],
        own: &dyn Fn(usize) -> Vec<Setting>,
        options: &str,
        depth: usize,
    ) -> Vec<Setting> {
        if depth > 8 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for t in templates_of(options) {
            if let Some(k) = headers
                .iter()
                .position(|(_, n, o)| n.eq_ignore_ascii_case(t) && o.contains('!'))
            {
                out.extend(inherited(headers, own, headers[k].2, depth + 1));
                out.extend(own(k));
            }
        }
        out
    }
    headers
        .iter()
        .enumerate()
        .filter(|(_, (_, _, opts))| !opts.contains('!'))
        .map(|(k, (i, name, opts))| {
            let mut settings = inherited(&headers, &own, opts, 0);
            settings.extend(own(k));
            (*i, name.to_string(), settings)
        })
        .collect()
}

/// Whether a peer or endpoint is limited to some addresses.
fn restricted(settings: &[Setting]) -> bool {
    ["acl", "permit", "deny"]
        .iter()
        .any(|k| get(settings, k).is_some())
}

fn weak_password(path: &Path, line: usize, what: &str) -> Finding {
    Finding {
        at: at(path, line),
        problem: format!("{what} has a weak password (not shown)"),
        why: "short or digits-only passwords fall to svcrack in minutes".into(),
        what_to_do: "use a random password of 16 characters or more".into(),
    }
}

fn get<'a>(
    settings: &'a [(usize, String, String)],
    key: &str,
) -> Option<&'a (usize, String, String)> {
    // The last one wins, as in Asterisk (a section's own over its template's).
    settings.iter().rev().find(|(_, k, _)| k == key)
}

/// chan_sip (Asterisk before 21): sip.conf.
pub fn chan_sip(path: &Path, conf: &Conf, freepbx: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let fix = |gui: &str, file: &str| {
        if freepbx {
            gui.to_string()
        } else {
            file.to_string()
        }
    };
    for (i, name, settings) in sections(conf) {
        if name.eq_ignore_ascii_case("general") {
            if get(&settings, "allowguest").is_none_or(|(_, _, v)| v != "no") {
                out.push(Finding {
                    at: at(path, get(&settings, "allowguest").map_or(i, |s| s.0)),
                    problem: "chan_sip accepts guest calls (allowguest is not \"no\")".into(),
                    why: format!("unauthenticated INVITEs reach the dialplan; {TOLL_FRAUD}"),
                    what_to_do: fix(
                        "FreePBX: Settings > Asterisk SIP Settings > Allow SIP Guests = No",
                        "set allowguest=no in [general]",
                    ),
                });
            }
            if get(&settings, "alwaysauthreject").is_none_or(|(_, _, v)| v != "yes") {
                out.push(Finding {
                    at: at(path, get(&settings, "alwaysauthreject").map_or(i, |s| s.0)),
                    problem: "chan_sip tells scanners which extensions exist (alwaysauthreject is not \"yes\")".into(),
                    why: "a scanner learns valid extension numbers, then brute-forces only those".into(),
                    what_to_do: fix("FreePBX: Asterisk SIP Settings > Always Auth Reject = Yes", "set alwaysauthreject=yes in [general]"),
                });
            }
            continue;
        }
        let is_peer = get(&settings, "type")
            .is_some_and(|(_, _, v)| ["peer", "friend", "user"].contains(&v.as_str()));
        if !is_peer {
            continue;
        }
        peer_findings(path, i, &name, &settings, "secret", &mut out, freepbx);
        if get(&settings, "call-limit").is_none() {
            out.push(Finding {
                at: at(path, i),
                problem: format!("[{name}] has no call-limit"),
                why: "a stolen extension can run dozens of expensive calls at once".into(),
                what_to_do: fix(
                    "FreePBX: the extension's Outbound Concurrency Limit",
                    "add call-limit=2 (or what the phone really needs)",
                ),
            });
        }
    }
    out
}

fn peer_findings(
    path: &Path,
    header: usize,
    name: &str,
    settings: &[Setting],
    secret_key: &str,
    out: &mut Vec<Finding>,
    freepbx: bool,
) {
    if !restricted(settings) {
        out.push(Finding {
            at: at(path, header),
            problem: format!("[{name}] accepts registrations from any address (no permit/deny/acl)"),
            why: format!("its password is all that stands between a scanner and your trunks; {TOLL_FRAUD}"),
            what_to_do: if freepbx {
                "FreePBX: the extension's Permit/Deny settings".into()
            } else {
                "restrict it to the networks your phones use, e.g. deny=0.0.0.0/0.0.0.0 and permit=203.0.113.0/255.255.255.0".into()
            },
        });
    }
    if let Some((line, _, secret)) = get(settings, secret_key)
        && weak_secret(secret, name)
    {
        out.push(weak_password(path, *line, &format!("[{name}]")));
    }
}

/// PJSIP: pjsip.conf (endpoints, auths, the anonymous endpoint).
pub fn pjsip(path: &Path, conf: &Conf, freepbx: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, name, settings) in sections(conf) {
        match get(&settings, "type").map(|(_, _, v)| v.as_str()) {
            Some("endpoint") if name.eq_ignore_ascii_case("anonymous") => out.push(Finding {
                at: at(path, i),
                problem: "an [anonymous] endpoint accepts calls from anyone, unauthenticated".into(),
                why: format!("unless its context only reaches inbound routes, {TOLL_FRAUD}"),
                what_to_do: if freepbx {
                    "FreePBX: Settings > Asterisk SIP Settings > Allow Anonymous Inbound SIP Calls = No".into()
                } else {
                    "remove the [anonymous] endpoint, or give it a context that cannot dial out".into()
                },
            }),
            Some("endpoint") if !restricted(&settings) && get(&settings, "auth").is_none() => out.push(Finding {
                at: at(path, i),
                problem: format!("endpoint [{name}] has no inbound auth and no acl/permit"),
                why: format!("a request naming it as the caller (its From user) is let in without a password; {TOLL_FRAUD}"),
                what_to_do: if freepbx {
                    "FreePBX: the trunk's Permit/Deny settings (the provider's addresses only)".into()
                } else {
                    "limit it to the provider's addresses: permit=/deny= or acl=, and identify_by=ip".into()
                },
            }),
            Some("endpoint") if !restricted(&settings) => out.push(Finding {
                at: at(path, i),
                problem: format!("endpoint [{name}] has no acl/permit: reachable from any address"),
                why: format!("its password is all that protects it; {TOLL_FRAUD}"),
                what_to_do: if freepbx {
                    "FreePBX: the extension's Permit/Deny settings".into()
                } else {
                    "add acl= (from acl.conf) or permit=/deny= limited to your phones' networks".into()
                },
            }),
            Some("auth") => {
                let user = get(&settings, "username").map(|(_, _, v)| v.clone()).unwrap_or_else(|| name.clone());
                if let Some((line, _, secret)) = get(&settings, "password")
                    && weak_secret(secret, &user)
                {
                    out.push(weak_password(path, *line, &format!("auth [{name}]")));
                }
            }
            _ => {}
        }
    }
    if !out.is_empty() {
        out.push(Finding {
            at: path.display().to_string(),
            problem: NO_CALL_LIMIT.into(),
            why: "a stolen extension can run many expensive calls at once".into(),
            what_to_do: "limit concurrent calls in the dialplan (GROUP()/GROUP_COUNT()) or in FreePBX's Outbound Concurrency Limit".into(),
        });
    }
    out
}

/// Every finding for the Asterisk under `root`.
pub fn findings(root: &Root) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, check) in [
        (
            "sip.conf",
            chan_sip as fn(&Path, &Conf, bool) -> Vec<Finding>,
        ),
        ("pjsip.conf", pjsip),
    ] {
        let path = PathBuf::from(super::CONFIG_DIR).join(name);
        let Some(text) = crate::hostfile::read_lossy(&root.path(&path)) else {
            continue;
        };
        let Ok(conf) = Conf::parse(&text) else {
            continue;
        };
        out.extend(check(&path, &conf, freepbx::generated(&text)));
    }
    // A dialplan that counts calls (GROUP()/GROUP_COUNT()) is the limit.
    let limits_calls = ["extensions.conf", "extensions_custom.conf"]
        .iter()
        .any(|f| {
            crate::hostfile::read_lossy(&root.path(PathBuf::from(super::CONFIG_DIR).join(f)))
                .is_some_and(|t| {
                    t.lines()
                        .any(|l| !l.trim_start().starts_with(';') && l.contains("GROUP_COUNT("))
                })
        });
    if limits_calls {
        out.retain(|f| f.problem != NO_CALL_LIMIT);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_secrets() {
        assert!(
            weak_secret("1234", "100")
                && weak_secret("123456789012", "100")
                && weak_secret("office-1", "x")
        );
        assert!(weak_secret("Alice12345", "alice12345"));
        assert!(!weak_secret("Vq7-xN2p!Lr8&kZ4", "100"));
    }
}
