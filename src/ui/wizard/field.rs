//! The values the admin sets, and where a refused answers key belongs.

/// Every value the admin can set, across the steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    SshMove,
    SshPort,
    KeyOnly,
    TrustAdmin,
    Hostname,
    Trunks,
    Mode,
    Zoiper,
    RateLimit,
    ManageAsterisk,
    Module(usize),
    ManagerLocalhost,
    DisableFop,
}

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Toggle,
    Choice,
}

impl Field {
    pub fn kind(self) -> FieldKind {
        match self {
            Self::SshPort | Self::Hostname | Self::Trunks => FieldKind::Text,
            Self::Mode => FieldKind::Choice,
            _ => FieldKind::Toggle,
        }
    }

    /// Which field an answers key (from `InvalidValue::key`) belongs to.
    /// `missing`: the key is absent (not a value refused).
    pub(super) fn of_key(key: &str, missing: bool) -> Option<Self> {
        let base = key.split('[').next().unwrap_or(key);
        Some(match base {
            "ssh.port" => Self::SshPort,
            "ssh.key_only" => Self::KeyOnly,
            // Strict without a hostname is a choice of mode, not a typo.
            "sip.hostname" if missing => Self::Mode,
            "sip.hostname" => Self::Hostname,
            "sip.trunks" => Self::Trunks,
            "network.trusted" => Self::TrustAdmin,
            "sip.user_agents" => Self::Zoiper,
            "mode" => Self::Mode,
            _ => return None,
        })
    }
}

/// A refused value, next to the field it belongs to (`None`: a value the
/// wizard does not ask for, e.g. from an edited answers file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<Field>,
    pub reason: String,
    pub hint: String,
}
