//! Parsers of what `asterisk -rx` prints, written against the real texts of
//! the lab's Asterisk (master, the line after 22; tests/fixtures/asterisk-output/).
//! The layouts relied on are the same in Asterisk 16, 18, 20 and 22: a
//! `Key:  value` column for the `show settings` commands, a fixed table for
//! `module show like`, `Transport:`/`Contact:` rows for PJSIP. Every parser
//! is tolerant: an unknown line is skipped, never an error.

/// A line Asterisk prints before the answer in a namespace without an
/// Ethernet interface; it is not part of any command's output.
const EID_NOISE: &str = "No ethernet interface found for seeding global EID";

/// The answer without the lines that are not part of it.
pub fn without_noise(output: &str) -> String {
    output
        .lines()
        .filter(|l| !l.contains(EID_NOISE))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `asterisk -rx` reached no daemon: it says so on stdout or stderr
/// ("Unable to connect to remote asterisk (does ... exist?)").
pub fn not_running(output: &str) -> bool {
    output.contains("Unable to connect to remote asterisk")
}

/// The value of `key` in a `  Key:   value` settings listing (first match,
/// key compared without case; the value trimmed, possibly empty).
pub fn setting<'a>(output: &'a str, key: &str) -> Option<&'a str> {
    output.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
    })
}

/// "127.0.0.1:5038" → ("127.0.0.1", Some(5038)); "[::1]:5038" → ("::1", ...).
fn split_host_port(value: &str) -> (String, Option<u16>) {
    if let Some(rest) = value.strip_prefix('[')
        && let Some((host, after)) = rest.split_once(']')
    {
        return (
            host.to_string(),
            after.strip_prefix(':').and_then(|p| p.parse().ok()),
        );
    }
    match value.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host.to_string(), port.parse().ok()),
        _ => (value.to_string(), None),
    }
}

/// Where AMI listens, per `manager show settings`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AmiSettings {
    /// `Manager (AMI): Yes|No`.
    pub enabled: Option<bool>,
    /// The address of `TCP Bindaddress:` (older texts: `Bind Address:`).
    pub bind_address: Option<String>,
    pub port: Option<u16>,
}

pub fn ami_settings(output: &str) -> AmiSettings {
    let enabled = setting(output, "Manager (AMI)").map(|v| v.eq_ignore_ascii_case("yes"));
    let bind = setting(output, "TCP Bindaddress")
        .or_else(|| setting(output, "Bind Address"))
        .filter(|v| !v.is_empty());
    let (bind_address, port) = match bind.map(split_host_port) {
        Some((h, p)) => (Some(h), p),
        None => (None, None),
    };
    AmiSettings {
        enabled,
        bind_address,
        port,
    }
}

/// What `core show settings` says about where this Asterisk reads and runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CoreSettings {
    /// `Version:`, e.g. "20.5.0" or "GIT-master-f0c1c1a7b7".
    pub version: Option<String>,
    /// `Configuration file:` (its asterisk.conf).
    pub config_file: Option<String>,
    /// `Configuration directory:` (the files it reads).
    pub config_dir: Option<String>,
    /// `Module directory:` (the modules it can load).
    pub module_dir: Option<String>,
}

pub fn core_settings(output: &str) -> CoreSettings {
    let get = |k: &str| {
        setting(output, k)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    CoreSettings {
        version: get("Version"),
        config_file: get("Configuration file"),
        config_dir: get("Configuration directory"),
        module_dir: get("Module directory"),
    }
}

/// One row of `module show [like ...]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadedModule {
    /// "chan_iax2" (without `.so`).
    pub name: String,
    /// `Running` (as opposed to `Not Running`, `Declined`, ...).
    pub running: bool,
}

/// The modules of a `module show` listing. A module that is kept out by
/// `noload` is not listed at all ("0 modules loaded").
pub fn loaded_modules(output: &str) -> Vec<LoadedModule> {
    output
        .lines()
        .filter_map(|l| {
            let first = l.split_whitespace().next()?;
            let name = first.strip_suffix(".so")?;
            // Descriptions are cut at 40 columns and may contain anything,
            // but the status column is one of a few words before the support
            // level at the end.
            let running = l.contains(" Running") && !l.contains("Not Running");
            Some(LoadedModule {
                name: name.to_string(),
                running,
            })
        })
        .collect()
}

/// One row of `pjsip show transports`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LiveTransport {
    pub id: String,
    /// "udp", "tcp", "tls", "ws", "wss".
    pub protocol: String,
    pub bind_address: String,
    pub port: Option<u16>,
}

pub fn pjsip_transports(output: &str) -> Vec<LiveTransport> {
    output
        .lines()
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix("Transport:")?;
            let cols: Vec<&str> = rest.split_whitespace().collect();
            // The header row is `<TransportId...> <Type> ...`.
            if cols.len() < 5 || cols[0].starts_with('<') {
                return None;
            }
            let bind = cols[cols.len() - 1];
            let (host, port) = split_host_port(bind);
            Some(LiveTransport {
                id: cols[0].to_string(),
                protocol: cols[1].to_ascii_lowercase(),
                bind_address: host,
                port,
            })
        })
        .collect()
}

/// One row of `pjsip show contacts`: `6001/sip:6001@10.77.0.2:5060`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contact {
    pub aor: String,
    pub uri: String,
    pub status: String,
}

pub fn pjsip_contacts(output: &str) -> Vec<Contact> {
    output
        .lines()
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix("Contact:")?;
            let cols: Vec<&str> = rest.split_whitespace().collect();
            if cols.len() < 3 || cols[0].starts_with('<') {
                return None;
            }
            let (aor, uri) = cols[0].split_once('/')?;
            Some(Contact {
                aor: aor.to_string(),
                uri: uri.to_string(),
                status: cols.get(2).copied().unwrap_or_default().to_string(),
            })
        })
        .collect()
}

/// `rtp show settings`: `Port start:` and `Port end:`.
pub fn rtp_range(output: &str) -> Option<(u16, u16)> {
    let start = setting(output, "Port start")?.parse().ok()?;
    let end = setting(output, "Port end")?.parse().ok()?;
    Some((start, end))
}

#[cfg(test)]
mod tests;
