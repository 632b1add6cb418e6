//! The wizard's screens, in order.

/// The screens, in order. Back always works until something was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Welcome,
    Ssh,
    Hostname,
    Mode,
    Asterisk,
    Review,
    Apply,
    Done,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Welcome,
        Step::Ssh,
        Step::Hostname,
        Step::Mode,
        Step::Asterisk,
        Step::Review,
        Step::Apply,
        Step::Done,
    ];

    pub fn next(self) -> Self {
        match self {
            Self::Welcome => Self::Ssh,
            Self::Ssh => Self::Hostname,
            Self::Hostname => Self::Mode,
            Self::Mode => Self::Asterisk,
            Self::Asterisk => Self::Review,
            Self::Review => Self::Apply,
            Self::Apply | Self::Done => Self::Done,
        }
    }

    pub fn back(self) -> Self {
        match self {
            Self::Welcome | Self::Ssh => Self::Welcome,
            Self::Hostname => Self::Ssh,
            Self::Mode => Self::Hostname,
            Self::Asterisk => Self::Mode,
            Self::Review => Self::Asterisk,
            // Once applying, the way back is a rollback, not a key.
            Self::Apply => Self::Apply,
            Self::Done => Self::Done,
        }
    }

    /// 1-based position, for "step 2 of 8".
    pub fn number(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }
}
