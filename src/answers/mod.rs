//! The admin's choices. One type, filled by the wizards or a TOML file, with
//! defaults from `HostDefaults`. This is the only gate for user input: every
//! value is validated here, so nothing downstream ever sees a bad one.

mod defaults;
mod error;
mod file;
mod lockout;
mod read;
mod responsive;
mod to_file;
pub use crate::values;

use std::path::Path;

use ipnet::IpNet;

pub use defaults::HostDefaults;
pub use error::{AnswersError, InvalidValue};
pub use file::{
    AnswersFile, AsteriskFile, Fail2banFile, Forward, Mode, NetworkFile, SipFile, SshFile,
};
pub use responsive::{Responsive, ResponsiveFile};
pub use values::{AsteriskModule, Hostname, Interface, PortRange, Refusal, Trunk, UserAgent};

/// Validated answers: every field is safe to use as it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    pub mode: Mode,
    pub network: Network,
    pub ssh: Ssh,
    pub sip: Sip,
    pub asterisk: Option<Asterisk>,
    pub fail2ban: Option<Fail2ban>,
    /// `[responsive]`: absent means off.
    pub responsive: Option<Responsive>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// `None`: every interface but loopback.
    pub interface: Option<Interface>,
    pub local_nets: Vec<IpNet>,
    pub trusted: Vec<IpNet>,
    /// Trusted sources given as host names (a dynamic-DNS office), with the
    /// addresses the edge resolved them to (`resolve::resolve_trusted`);
    /// empty until then. Kept in a set that `names refresh` follows.
    pub trusted_names: Vec<TrustedName>,
    pub forward: Forward,
    /// The admin wrote `allow_wide = true`: trusted networks may be wide.
    pub allow_wide: bool,
}

/// A trusted source given as a host name, and what it resolved to.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedName {
    pub name: Hostname,
    pub addresses: Vec<std::net::IpAddr>,
}

const TRUSTED_NAME_EXAMPLE: &str =
    "write the office's host name (\"office.dyndns.example\") or its address or network";

#[derive(Debug, Clone, PartialEq)]
pub struct Ssh {
    /// The port SSH listens on now.
    pub current_port: u16,
    /// The port the admin chose; `None` keeps SSH where it is.
    pub new_port: Option<u16>,
    pub key_only: bool,
}

impl Ssh {
    /// The port SSH ends up on.
    pub fn final_port(&self) -> u16 {
        self.new_port.unwrap_or(self.current_port)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sip {
    pub hostname: Option<Hostname>,
    pub user_agents: Vec<UserAgent>,
    pub trunks: Vec<Trunk>,
    pub ports: PortRange,
    pub rtp: PortRange,
    pub tls_port: u16,
    pub rate_limit: bool,
    /// Seconds a stranger that floods SIP without the hostname stays on the
    /// quiet list (strict mode).
    pub quiet_seconds: u32,
    /// The admin wrote `allow_wide = true`: trunk networks may be wide.
    pub allow_wide: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Asterisk {
    pub noload: Vec<AsteriskModule>,
    pub manager_localhost: bool,
    pub disable_fop: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fail2ban {
    pub enabled: bool,
    pub immutable: bool,
}

/// Collects every refusal, so the admin fixes the whole file in one go.
#[derive(Default)]
struct Checker {
    problems: Vec<InvalidValue>,
}

impl Checker {
    fn check<T>(
        &mut self,
        key: &str,
        shown: impl std::fmt::Display,
        result: Result<T, Refusal>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(r) => {
                self.refuse(key, shown, r);
                None
            }
        }
    }

    fn refuse(&mut self, key: &str, shown: impl std::fmt::Display, r: Refusal) {
        self.problems.push(InvalidValue {
            key: key.to_string(),
            value: Some(shown.to_string()),
            reason: r.reason,
            hint: r.hint,
        });
    }

    /// `key` is absent, and the other answers need it.
    fn missing(&mut self, key: &str, r: Refusal) {
        self.problems.push(InvalidValue {
            key: key.to_string(),
            value: None,
            reason: r.reason,
            hint: r.hint,
        });
    }

    fn list<T>(
        &mut self,
        key: &str,
        items: &[String],
        parse: impl Fn(&str) -> Result<T, Refusal>,
    ) -> Vec<T> {
        items
            .iter()
            .enumerate()
            .filter_map(|(i, s)| self.check(&format!("{key}[{i}]"), quoted(s), parse(s)))
            .collect()
    }
}

/// A value as TOML would show it, so the admin can find it in the file
/// (a long one cut short).
fn quoted(s: &str) -> String {
    values::clip_quoted(s)
}

impl Answers {
    /// Read and validate an answers file (an ordinary file of at most 1 MiB).
    pub fn load(path: &Path, defaults: &HostDefaults) -> Result<Self, AnswersError> {
        let text = match crate::hostfile::read_text(path) {
            Ok(Some(text)) => text,
            Ok(None) => {
                return Err(AnswersError::Read(crate::hostfile::ReadError::Io {
                    path: path.to_path_buf(),
                    reason: "there is no such file".into(),
                }));
            }
            Err(e) => return Err(AnswersError::Read(e)),
        };
        Self::parse(&text, path, defaults)
    }

    /// Validate answers given as TOML text (`origin` names it in errors).
    pub fn parse(text: &str, origin: &Path, defaults: &HostDefaults) -> Result<Self, AnswersError> {
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| AnswersError::Syntax {
                    path: origin.to_path_buf(),
                    message: error::clip_lines(&e.to_string()),
                })?;
        let (file, problems) = read::from_table(&table);
        Self::check(&file, defaults, problems)
    }

    /// Validate parsed answers against the host's defaults.
    pub fn validate(file: &AnswersFile, defaults: &HostDefaults) -> Result<Self, AnswersError> {
        Self::check(file, defaults, Vec::new())
    }

    /// Validate, adding to the problems already found in the file's form.
    fn check(
        file: &AnswersFile,
        defaults: &HostDefaults,
        problems: Vec<InvalidValue>,
    ) -> Result<Self, AnswersError> {
        let mut c = Checker { problems };
        let mode = file.mode.unwrap_or(Mode::Strict);

        let net = file.network.clone().unwrap_or_default();
        let interface = match &net.interface {
            Some(name) => c
                .check("network.interface", quoted(name), Interface::parse(name))
                .and_then(|i| match defaults.foreign_interface(&i) {
                    Some(r) if defaults.refuse_foreign_interface => {
                        c.refuse("network.interface", quoted(name), r);
                        None
                    }
                    _ => Some(i),
                }),
            None => defaults.interface.clone(),
        };
        let local_nets = match &net.local_nets {
            Some(list) => c.list("network.local_nets", list, values::network),
            None => defaults.local_nets.clone(),
        };
        let allow_wide_trusted = net.allow_wide.unwrap_or(false);
        // An address, a network, or a host name (re-resolved on a timer).
        let trusted_all = c.list(
            "network.trusted",
            net.trusted.as_deref().unwrap_or_default(),
            |t| match Trunk::parse_as(t, TRUSTED_NAME_EXAMPLE)? {
                Trunk::Network(n) => match values::too_wide(&n, "network") {
                    Some(r) if !allow_wide_trusted => Err(r),
                    _ => Ok(Trunk::Network(n)),
                },
                name => Ok(name),
            },
        );
        let mut trusted = Vec::new();
        let mut trusted_names = Vec::new();
        for t in trusted_all {
            match t {
                Trunk::Network(n) => trusted.push(n),
                Trunk::Name(name) => trusted_names.push(TrustedName {
                    name,
                    addresses: Vec::new(),
                }),
            }
        }

        let sip_file = file.sip.clone().unwrap_or_default();
        let ports = match &sip_file.ports {
            Some(p) => c.check("sip.ports", quoted(p), PortRange::parse(p)),
            None => Some(defaults.sip_ports),
        };
        let rtp = match &sip_file.rtp {
            Some(p) => c.check("sip.rtp", quoted(p), PortRange::parse(p)),
            None => Some(defaults.rtp_ports),
        };
        let tls_port = match sip_file.tls_port {
            Some(p) => c.check("sip.tls_port", p, values::port(p)),
            None => Some(defaults.tls_port),
        };
        let quiet_seconds = match sip_file.quiet_seconds {
            Some(n) => c.check("sip.quiet_seconds", n, values::quiet_seconds(n)),
            None => Some(values::QUIET_SECONDS),
        };
        if let (Some(s), Some(r)) = (ports, rtp)
            && s.overlaps(&r)
        {
            c.refuse(
                "sip.rtp",
                quoted(&r.to_string()),
                Refusal {
                    reason: format!("it overlaps the SIP ports {s}"),
                    hint: "SIP and RTP need separate ranges (rtp.conf's rtpstart/rtpend)".into(),
                },
            );
        }
        if let (Some(r), Some(t)) = (rtp, tls_port)
            && r.contains(t)
        {
            c.refuse(
                "sip.tls_port",
                t,
                Refusal {
                    reason: format!("it is inside the RTP range {r}"),
                    hint: "use the port of your PJSIP TLS transport (usually 5061)".into(),
                },
            );
        }
        let hostname = sip_file
            .hostname
            .as_ref()
            .and_then(|h| c.check("sip.hostname", quoted(h), Hostname::parse(h)));
        let user_agents = c.list(
            "sip.user_agents",
            sip_file.user_agents.as_deref().unwrap_or_default(),
            UserAgent::parse,
        );
        let allow_wide_trunks = sip_file.allow_wide.unwrap_or(false);
        let trunks = c.list(
            "sip.trunks",
            sip_file.trunks.as_deref().unwrap_or_default(),
            |t| match Trunk::parse(t)? {
                Trunk::Network(n) if !allow_wide_trunks => match values::too_wide(&n, "sip") {
                    Some(r) => Err(r),
                    None => Ok(Trunk::Network(n)),
                },
                trunk => Ok(trunk),
            },
        );
        if mode == Mode::Strict
            && sip_file.hostname.is_none()
            && sip_file
                .user_agents
                .as_deref()
                .unwrap_or_default()
                .is_empty()
        {
            c.missing(
                "sip.hostname",
                Refusal {
                    reason: "strict mode admits only phones that name a secret hostname or send a whitelisted user agent, and neither is given".into(),
                    hint: "add sip.hostname = \"pbx-7f3k.example.net\" (a name only your phones know), or choose mode = \"relaxed-open\"".into(),
                },
            );
        }

        let ssh_file = file.ssh.clone().unwrap_or_default();
        let new_port = ssh_file.port.and_then(|p| {
            let port = c.check("ssh.port", p, values::port(p))?;
            let clash = lockout::new_port_clash(port, ports, rtp, tls_port);
            match clash {
                Some(r) => {
                    c.refuse("ssh.port", p, r);
                    None
                }
                None => Some(port),
            }
        });
        lockout::check_ports_in_force(&mut c, defaults, new_port, ports, rtp, tls_port);

        let asterisk = file.asterisk.as_ref().map(|a| Asterisk {
            noload: c.list(
                "asterisk.noload",
                a.noload.as_deref().unwrap_or_default(),
                AsteriskModule::parse,
            ),
            manager_localhost: a.manager_localhost.unwrap_or(true),
            disable_fop: a.disable_fop.unwrap_or(true),
        });
        let fail2ban = file.fail2ban.as_ref().map(|f| Fail2ban {
            enabled: f.enabled.unwrap_or(true),
            immutable: f.immutable.unwrap_or(false),
        });

        let responsive = Responsive::validate(file.responsive.as_ref(), &mut c);
        if !c.problems.is_empty() {
            return Err(AnswersError::Invalid(c.problems));
        }
        // Every Option below is Some: a None was recorded as a problem above.
        Ok(Answers {
            mode,
            network: Network {
                interface,
                local_nets,
                trusted,
                trusted_names,
                forward: net.forward.unwrap_or_default(),
                allow_wide: allow_wide_trusted,
            },
            ssh: Ssh {
                current_port: defaults.ssh_port,
                new_port,
                key_only: ssh_file.key_only.unwrap_or(false),
            },
            sip: Sip {
                hostname,
                user_agents,
                trunks,
                ports: ports.expect("checked"),
                rtp: rtp.expect("checked"),
                tls_port: tls_port.expect("checked"),
                rate_limit: sip_file.rate_limit.unwrap_or(false),
                quiet_seconds: quiet_seconds.expect("checked"),
                allow_wide: allow_wide_trunks,
            },
            asterisk,
            fail2ban,
            responsive,
        })
    }
}

#[cfg(test)]
mod tests;
