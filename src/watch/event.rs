//! Asterisk's security events, as AMI sends them (`Event: InvalidPassword`
//! ... `RemoteAddress: IPV4/UDP/10.77.0.2/5060`).

use std::net::IpAddr;

use super::ami::Message;

/// What one event says about a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It authenticated (a phone with the right password).
    Authenticated,
    /// A failed attempt: unknown account, wrong password, wrong digest.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    pub verdict: Verdict,
    /// The event's name, e.g. "ChallengeResponseFailed".
    pub name: String,
    /// "PJSIP", "SIP", "IAX2".
    pub service: String,
    pub account: String,
    /// One REGISTER's events share it (an unknown account makes two or three).
    pub session: String,
    pub source: IpAddr,
}

/// The services whose clients are phones and trunks (AMI's own logins,
/// ours included, are not).
const SIP_SERVICES: [&str; 3] = ["PJSIP", "SIP", "IAX2"];

/// `IPV4/UDP/10.77.0.2/5060` (or `IPV6/UDP/2001:db8::2/5060`) → the address.
pub fn remote_address(text: &str) -> Option<IpAddr> {
    let mut parts = text.split('/');
    let _family = parts.next()?;
    let _transport = parts.next()?;
    parts.next()?.trim_matches(['[', ']']).parse().ok()
}

impl SecurityEvent {
    /// The security event in `m`, if it is one the watcher acts on.
    pub fn from_message(m: &Message) -> Option<Self> {
        let name = m.get("Event")?;
        let verdict = match name {
            "SuccessfulAuth" => Verdict::Authenticated,
            "InvalidAccountID" | "ChallengeResponseFailed" | "InvalidPassword" => Verdict::Failed,
            _ => return None,
        };
        let service = m.get("Service")?;
        if !SIP_SERVICES.contains(&service) {
            return None;
        }
        Some(Self {
            verdict,
            name: name.to_string(),
            service: service.to_string(),
            account: m.get("AccountID").unwrap_or("<unknown>").to_string(),
            session: m.get("SessionID").unwrap_or_default().to_string(),
            source: remote_address(m.get("RemoteAddress")?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> Message {
        Message(
            text.lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
        )
    }

    #[test]
    fn reads_asterisk_security_events() {
        let m = message(
            "Event: ChallengeResponseFailed\nPrivilege: security,all\nService: PJSIP\nEventVersion: 1\n\
             AccountID: 6002\nSessionID: 31243013@10.77.0.2\nLocalAddress: IPV4/UDP/10.77.0.1/5060\n\
             RemoteAddress: IPV4/UDP/10.77.0.2/40957\nChallenge: 1796184453/bbd0",
        );
        let e = SecurityEvent::from_message(&m).unwrap();
        assert_eq!(e.verdict, Verdict::Failed);
        assert_eq!(e.account, "6002");
        assert_eq!(e.source, "10.77.0.2".parse::<IpAddr>().unwrap());
        let ours = message(
            "Event: SuccessfulAuth\nService: AMI\nAccountID: asterisk-harden\nRemoteAddress: IPV4/TCP/127.0.0.1/46548",
        );
        assert_eq!(SecurityEvent::from_message(&ours), None);
        assert_eq!(
            remote_address("IPV6/UDP/2001:db8::2/5060"),
            Some("2001:db8::2".parse().unwrap())
        );
        assert_eq!(remote_address("IPV4/UDP/rm -rf/5060"), None);
    }
}
