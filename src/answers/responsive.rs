//! `[responsive]`: `watch` follows Asterisk's security events (issue 19).
//! Its own section, so the rest of the answers stay as they are.

use serde::{Deserialize, Serialize};

use super::{Checker, Refusal};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsiveFile {
    pub enabled: Option<bool>,
    pub max_failures: Option<i64>,
    pub window_seconds: Option<i64>,
}

/// Validated: N failed attempts within T seconds ban a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Responsive {
    pub enabled: bool,
    pub max_failures: u32,
    pub window_seconds: u32,
}

impl Default for Responsive {
    fn default() -> Self {
        Self {
            enabled: false,
            max_failures: 5,
            window_seconds: 60,
        }
    }
}

fn within(n: i64, lo: i64, hi: i64, what: &str) -> Result<u32, Refusal> {
    if (lo..=hi).contains(&n) {
        Ok(n as u32)
    } else {
        Err(Refusal {
            reason: format!("{what} must be between {lo} and {hi}"),
            hint: format!("pick a value from {lo} to {hi}"),
        })
    }
}

impl Responsive {
    pub(super) fn validate(file: Option<&ResponsiveFile>, c: &mut Checker) -> Option<Self> {
        let f = file?;
        let d = Self::default();
        let max_failures = f
            .max_failures
            .map(|n| {
                c.check(
                    "responsive.max_failures",
                    n,
                    within(n, 1, 1000, "a number of failures"),
                )
            })
            .unwrap_or(Some(d.max_failures))?;
        let window_seconds = f
            .window_seconds
            .map(|n| {
                c.check(
                    "responsive.window_seconds",
                    n,
                    within(n, 1, 86_400, "a window in seconds"),
                )
            })
            .unwrap_or(Some(d.window_seconds))?;
        Some(Self {
            enabled: f.enabled.unwrap_or(true),
            max_failures,
            window_seconds,
        })
    }

    pub(super) fn to_file(self) -> ResponsiveFile {
        ResponsiveFile {
            enabled: Some(self.enabled),
            max_failures: Some(i64::from(self.max_failures)),
            window_seconds: Some(i64::from(self.window_seconds)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::answers::{Answers, HostDefaults};

    fn parse(text: &str) -> Result<Answers, String> {
        Answers::parse(text, Path::new("answers.toml"), &HostDefaults::article())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_five_in_sixty_and_bad_values_named() {
        let a = parse("mode = \"relaxed-open\"\n[responsive]\nenabled = true\n").unwrap();
        let r = a.responsive.unwrap();
        assert_eq!((r.enabled, r.max_failures, r.window_seconds), (true, 5, 60));
        assert_eq!(parse("mode = \"relaxed-open\"\n").unwrap().responsive, None);
        let e = parse("mode = \"relaxed-open\"\n[responsive]\nmax_failures = 0\n").unwrap_err();
        assert!(
            e.contains("responsive.max_failures") && e.contains("between 1 and 1000"),
            "{e}"
        );
        let e = parse("mode = \"relaxed-open\"\n[responsive]\nwindow = 60\n").unwrap_err();
        assert!(e.contains("window"), "{e}");
    }
}
