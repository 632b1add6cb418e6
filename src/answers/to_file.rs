//! Validated answers back to the file form: what apply saves as
//! /etc/asterisk-harden/answers.toml, the next run's defaults.

use super::*;

impl Answers {
    pub fn to_file(&self) -> AnswersFile {
        let strings = |v: &[IpNet]| Some(v.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        AnswersFile {
            mode: Some(self.mode),
            network: Some(NetworkFile {
                interface: self.network.interface.as_ref().map(|i| i.to_string()),
                local_nets: strings(&self.network.local_nets),
                trusted: Some(
                    self.network
                        .trusted
                        .iter()
                        .map(ToString::to_string)
                        .chain(
                            self.network
                                .trusted_names
                                .iter()
                                .map(|t| t.name.to_string()),
                        )
                        .collect(),
                ),
                forward: Some(self.network.forward),
                allow_wide: self.network.allow_wide.then_some(true),
            }),
            ssh: Some(SshFile {
                port: self.ssh.new_port.map(i64::from),
                key_only: Some(self.ssh.key_only),
            }),
            sip: Some(SipFile {
                hostname: self.sip.hostname.as_ref().map(|h| h.to_string()),
                user_agents: Some(
                    self.sip
                        .user_agents
                        .iter()
                        .map(|u| u.as_str().to_string())
                        .collect(),
                ),
                trunks: Some(self.sip.trunks.iter().map(|t| t.to_string()).collect()),
                ports: Some(self.sip.ports.to_string()),
                rtp: Some(self.sip.rtp.to_string()),
                tls_port: Some(i64::from(self.sip.tls_port)),
                rate_limit: Some(self.sip.rate_limit),
                quiet_seconds: (self.sip.quiet_seconds != super::values::QUIET_SECONDS)
                    .then_some(i64::from(self.sip.quiet_seconds)),
                allow_wide: self.sip.allow_wide.then_some(true),
            }),
            asterisk: self.asterisk.as_ref().map(|a| AsteriskFile {
                noload: Some(a.noload.iter().map(|m| m.to_string()).collect()),
                manager_localhost: Some(a.manager_localhost),
                disable_fop: Some(a.disable_fop),
            }),
            fail2ban: self.fail2ban.as_ref().map(|f| Fail2banFile {
                enabled: Some(f.enabled),
                immutable: Some(f.immutable),
            }),
            responsive: self.responsive.map(Responsive::to_file),
        }
    }

    /// The answers as TOML, with a header saying what the file is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(&self.to_file()).expect("answers always serialize");
        format!(
            "# The answers asterisk-harden last applied on this host; the next run starts from them.\n\
             # Reuse on other servers with: asterisk-harden apply --answers FILE\n{body}"
        )
    }
}
