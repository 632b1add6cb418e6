//! The answers file exactly as written on disk (TOML). Unknown keys are errors:
//! a misspelt key must never silently weaken the firewall.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The article's full ruleset; SIP only from phones that named the hostname.
    Strict,
    /// The article's "Option 1": raw-table scanner protection beside the admin's rules.
    RelaxedRaw,
    /// The article's "Option 2": the full ruleset with SIP open to all, scanners banned.
    RelaxedOpen,
}

impl Mode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Strict => "strict",
            Self::RelaxedRaw => "relaxed-raw",
            Self::RelaxedOpen => "relaxed-open",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersFile {
    pub mode: Option<Mode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip: Option<SipFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asterisk: Option<AsteriskFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail2ban: Option<Fail2banFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsive: Option<super::responsive::ResponsiveFile>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkFile {
    pub interface: Option<String>,
    pub local_nets: Option<Vec<String>>,
    pub trusted: Option<Vec<String>>,
    /// What happens to forwarded traffic (containers, VPNs, routing).
    pub forward: Option<Forward>,
    /// Trusted networks wider than a /8 (IPv4) or /16 (IPv6) are meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_wide: Option<bool>,
}

/// Forwarded traffic: left as it is (the default: the FORWARD chain's policy
/// and rules are not touched, now or at boot), or all dropped, as the
/// article's ruleset does (containers and tunnels on this host stop).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forward {
    #[default]
    Keep,
    Drop,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SshFile {
    pub port: Option<i64>,
    pub key_only: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SipFile {
    pub hostname: Option<String>,
    pub user_agents: Option<Vec<String>>,
    pub trunks: Option<Vec<String>>,
    pub ports: Option<String>,
    pub rtp: Option<String>,
    pub tls_port: Option<i64>,
    pub rate_limit: Option<bool>,
    /// Seconds a stranger flooding SIP without the hostname stays quiet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_seconds: Option<i64>,
    /// Trunk networks wider than a /8 (IPv4) or /16 (IPv6) are meant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_wide: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AsteriskFile {
    pub noload: Option<Vec<String>>,
    pub manager_localhost: Option<bool>,
    pub disable_fop: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fail2banFile {
    pub enabled: Option<bool>,
    /// FreePBX boxes only: make our jail file immutable (chattr +i).
    pub immutable: Option<bool>,
}
