//! Getting a list's text: over http(s) with ureq (a timeout for the whole
//! exchange, a size limit, redirects within http(s)), or from a regular
//! file with the same limit. Never a shell, never a partial list.

use std::io::Read;
use std::time::Duration;

use super::{BlocklistError, Source};

/// The most a list may weigh: a million IPv4 addresses is about 15 MB.
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;
/// The whole download, connect to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(30);

fn failed(source: &Source, reason: String, hint: &'static str) -> BlocklistError {
    BlocklistError::Fetch {
        source_text: source.to_string(),
        reason,
        hint,
    }
}

fn text(source: &Source, bytes: Vec<u8>) -> Result<String, BlocklistError> {
    String::from_utf8(bytes).map_err(|_| BlocklistError::Garbage {
        source_text: source.to_string(),
        lines: "    it is not UTF-8 text (a compressed or binary file?)".into(),
    })
}

fn too_big(source: &Source) -> BlocklistError {
    BlocklistError::Garbage {
        source_text: source.to_string(),
        lines: format!(
            "    it is larger than {} MiB, the most a list may be",
            MAX_BYTES >> 20
        ),
    }
}

/// The list's text, or why there is none.
pub fn fetch(source: &Source) -> Result<String, BlocklistError> {
    match source {
        Source::Url(url) => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(TIMEOUT))
                .user_agent(concat!("asterisk-harden/", env!("CARGO_PKG_VERSION")))
                .build()
                .into();
            let mut response = agent.get(url).call().map_err(|e| match e {
                ureq::Error::StatusCode(code) => failed(
                    source,
                    format!("the server answered HTTP {code}"),
                    "check the URL in a browser; the last list loaded stays",
                ),
                ureq::Error::Timeout(_) => failed(
                    source,
                    format!("no complete answer within {} s", TIMEOUT.as_secs()),
                    "check that this host reaches the server (DNS, proxy, firewall); the last list loaded stays",
                ),
                other => failed(
                    source,
                    format!("cannot download it: {other}"),
                    "check the URL and that this host reaches the server; the last list loaded stays",
                ),
            })?;
            let bytes = response
                .body_mut()
                .with_config()
                .limit(MAX_BYTES)
                .read_to_vec()
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(_) => too_big(source),
                    ureq::Error::Timeout(_) => failed(
                        source,
                        format!("the download took longer than {} s", TIMEOUT.as_secs()),
                        "try again later; the last list loaded stays",
                    ),
                    other => failed(
                        source,
                        format!("the download broke off: {other}"),
                        "try again later; the last list loaded stays",
                    ),
                })?;
            text(source, bytes)
        }
        Source::File(path) => {
            let io = |e: std::io::Error| {
                failed(
                    source,
                    format!("cannot read it: {e}"),
                    "check the path and that it is readable",
                )
            };
            let file = std::fs::File::open(path).map_err(io)?;
            // A FIFO or a device (/dev/zero) would never end.
            if !file.metadata().map_err(io)?.is_file() {
                return Err(failed(
                    source,
                    "it is not a regular file".into(),
                    "give a plain text file",
                ));
            }
            let mut bytes = Vec::new();
            file.take(MAX_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(io)?;
            if bytes.len() as u64 > MAX_BYTES {
                return Err(too_big(source));
            }
            text(source, bytes)
        }
    }
}
