//! The wizard's steps as a state machine shared by the full-screen and the
//! line-mode front ends. No terminal code: it holds what the admin chose,
//! checks each step through the answers validators (the only gate for input),
//! and produces an `AnswersFile`. Front ends only edit the form and call
//! `advance`/`back`.

use std::net::IpAddr;

use crate::answers::{
    Answers, AnswersError, AnswersFile, AsteriskFile, Mode, NetworkFile, SshFile,
    values::port as values_port,
};

use super::host::HostView;

mod checks;
mod field;
mod step;

pub use checks::{guessable, trunk_problems};
pub use field::{Field, FieldError, FieldKind};
pub use step::Step;

/// A module the Asterisk step may stop loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleChoice {
    pub name: String,
    pub noload: bool,
}

/// The modules nobody needs on a PJSIP box (see the field notes: removed or
/// legacy channel drivers, unused databases, DUNDi).
pub const DEFAULT_NOLOAD: [&str; 8] = [
    "chan_skinny.so",
    "chan_mgcp.so",
    "pbx_dundi.so",
    "chan_unistim.so",
    "chan_ooh323.so",
    "chan_iax2.so",
    "cdr_sqlite.so",
    "res_config_sqlite.so",
];

/// The admin's choices as the screens show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub move_ssh: bool,
    pub ssh_port: String,
    pub key_only: bool,
    pub trust_admin: bool,
    pub hostname: String,
    pub trunks: String,
    pub mode: Mode,
    pub zoiper: bool,
    pub rate_limit: bool,
    pub manage_asterisk: bool,
    pub modules: Vec<ModuleChoice>,
    pub manager_localhost: bool,
    pub disable_fop: bool,
}

/// The user agent the Zoiper option whitelists (expanded to every form
/// Zoiper really sends by `assets/known-clients.toml`).
pub const ZOIPER: &str = "Zoiper";

pub const MODES: [Mode; 3] = [Mode::Strict, Mode::RelaxedOpen, Mode::RelaxedRaw];

#[derive(Debug, Clone)]
pub struct Wizard {
    pub step: Step,
    pub form: Form,
    /// The answers the run started from; keys the wizard does not ask
    /// about (interface, ports, fail2ban) pass through unchanged.
    base: AnswersFile,
    admin_address: Option<IpAddr>,
    authorized_keys: bool,
    current_ssh_port: u16,
    listening: Vec<u16>,
    server_names: Vec<String>,
    defaults: crate::answers::HostDefaults,
    touched: bool,
}

impl Wizard {
    pub fn new(host: &HostView) -> Self {
        let base = host.starting_answers();
        let ssh = base.ssh.clone().unwrap_or_default();
        let sip = base.sip.clone().unwrap_or_default();
        let trusted = base
            .network
            .as_ref()
            .and_then(|n| n.trusted.clone())
            .unwrap_or_default();
        let admin_trusted = host
            .admin_address
            .is_some_and(|a| base.network.is_none() || trusted.iter().any(|t| same_address(t, a)));
        let current = host.defaults.ssh_port;
        let asterisk = base.asterisk.clone();
        let modules = module_choices(asterisk.as_ref(), host.iax_in_use);
        let form = Form {
            move_ssh: ssh.port.is_some_and(|p| p != i64::from(current)),
            ssh_port: ssh
                .port
                .filter(|p| *p != i64::from(current))
                .unwrap_or(i64::from(host.offered_port))
                .to_string(),
            key_only: ssh.key_only.unwrap_or(false),
            trust_admin: admin_trusted,
            hostname: sip.hostname.clone().unwrap_or_default(),
            trunks: sip.trunks.clone().unwrap_or_default().join(", "),
            mode: base.mode.unwrap_or(Mode::Strict),
            zoiper: sip
                .user_agents
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|u| u.eq_ignore_ascii_case(ZOIPER)),
            rate_limit: sip.rate_limit.unwrap_or(false),
            manage_asterisk: asterisk.is_some()
                || (host.previous.is_none() && host.asterisk_installed),
            modules,
            manager_localhost: asterisk
                .as_ref()
                .and_then(|a| a.manager_localhost)
                .unwrap_or(true),
            disable_fop: asterisk
                .as_ref()
                .and_then(|a| a.disable_fop)
                .unwrap_or(true),
        };
        Self {
            step: Step::Welcome,
            form,
            base,
            admin_address: host.admin_address,
            authorized_keys: host.authorized_keys,
            current_ssh_port: current,
            listening: host.listening.clone(),
            server_names: host.server_names.clone(),
            defaults: host.defaults.clone(),
            touched: false,
        }
    }

    pub fn admin_address(&self) -> Option<IpAddr> {
        self.admin_address
    }

    pub fn current_ssh_port(&self) -> u16 {
        self.current_ssh_port
    }

    /// Anything chosen yet (quitting then asks first).
    pub fn touched(&self) -> bool {
        self.touched
    }

    /// The fields of a step, in focus order.
    pub fn fields(&self, step: Step) -> Vec<Field> {
        let f = &self.form;
        match step {
            Step::Ssh => {
                let mut v = vec![Field::SshMove];
                if f.move_ssh {
                    v.push(Field::SshPort);
                }
                v.push(Field::KeyOnly);
                if self.admin_address.is_some() {
                    v.push(Field::TrustAdmin);
                }
                v
            }
            Step::Hostname => vec![Field::Hostname, Field::Trunks],
            Step::Mode => vec![Field::Mode, Field::Zoiper, Field::RateLimit],
            Step::Asterisk => {
                let mut v = vec![Field::ManageAsterisk];
                if f.manage_asterisk {
                    v.extend((0..f.modules.len()).map(Field::Module));
                    v.push(Field::ManagerLocalhost);
                    v.push(Field::DisableFop);
                }
                v
            }
            _ => Vec::new(),
        }
    }

    pub fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        self.touched = true;
        match field {
            Field::SshPort => Some(&mut self.form.ssh_port),
            Field::Hostname => Some(&mut self.form.hostname),
            Field::Trunks => Some(&mut self.form.trunks),
            _ => None,
        }
    }

    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::SshPort => &self.form.ssh_port,
            Field::Hostname => &self.form.hostname,
            Field::Trunks => &self.form.trunks,
            _ => "",
        }
    }

    pub fn flag(&self, field: Field) -> bool {
        let f = &self.form;
        match field {
            Field::SshMove => f.move_ssh,
            Field::KeyOnly => f.key_only,
            Field::TrustAdmin => f.trust_admin,
            Field::Zoiper => f.zoiper,
            Field::RateLimit => f.rate_limit,
            Field::ManageAsterisk => f.manage_asterisk,
            Field::Module(i) => f.modules.get(i).is_some_and(|m| m.noload),
            Field::ManagerLocalhost => f.manager_localhost,
            Field::DisableFop => f.disable_fop,
            _ => false,
        }
    }

    pub fn toggle(&mut self, field: Field) {
        self.touched = true;
        let f = &mut self.form;
        let slot = match field {
            Field::SshMove => &mut f.move_ssh,
            Field::KeyOnly => &mut f.key_only,
            Field::TrustAdmin => &mut f.trust_admin,
            Field::Zoiper => &mut f.zoiper,
            Field::RateLimit => &mut f.rate_limit,
            Field::ManageAsterisk => &mut f.manage_asterisk,
            Field::Module(i) => match f.modules.get_mut(i) {
                Some(m) => &mut m.noload,
                None => return,
            },
            Field::ManagerLocalhost => &mut f.manager_localhost,
            Field::DisableFop => &mut f.disable_fop,
            Field::Mode => return self.cycle_mode(1),
            _ => return,
        };
        *slot = !*slot;
    }

    /// Move the mode choice forward (1) or back (-1).
    pub fn cycle_mode(&mut self, delta: isize) {
        self.touched = true;
        let i = MODES.iter().position(|m| *m == self.form.mode).unwrap_or(0) as isize;
        let n = MODES.len() as isize;
        self.form.mode = MODES[((i + delta).rem_euclid(n)) as usize];
    }

    /// Go to the next step if this one is valid; otherwise its errors.
    pub fn advance(&mut self) -> Result<Step, Vec<FieldError>> {
        if self.step == Step::Review {
            // Leaving the review is applying: only through a `Confirmed`.
            return Ok(self.step);
        }
        let errors = self.errors(self.step);
        if !errors.is_empty() {
            return Err(errors);
        }
        if self.step != Step::Welcome {
            self.touched = true;
        }
        self.step = self.step.next();
        Ok(self.step)
    }

    pub fn back(&mut self) -> Step {
        self.step = self.step.back();
        self.step
    }

    /// Enter the apply step: the caller holds the admin's confirmation.
    pub fn start_apply(&mut self, _: &super::actions::Confirmed) {
        self.touched = true;
        self.step = Step::Apply;
    }

    pub fn finish(&mut self) {
        self.step = Step::Done;
    }

    /// What is wrong on `step`, checked live as the admin types. Review
    /// collects every problem of the whole file.
    pub fn errors(&self, step: Step) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let f = &self.form;
        let in_step = |field: Option<Field>| match step {
            Step::Review => true,
            _ => field.is_some_and(|x| self.fields(step).contains(&x)),
        };
        if in_step(Some(Field::SshPort)) && f.move_ssh {
            match f.ssh_port.trim().parse::<i64>() {
                Err(_) => errors.push(FieldError {
                    field: Some(Field::SshPort),
                    reason: format!("\"{}\" is not a port number", f.ssh_port.trim()),
                    hint: "type a number such as 2222".into(),
                }),
                Ok(p) => {
                    let port = values_port(p).ok();
                    if let Some(port) =
                        port.filter(|p| *p != self.current_ssh_port && self.listening.contains(p))
                    {
                        errors.push(FieldError {
                            field: Some(Field::SshPort),
                            reason: format!("port {port} is in use by another program"),
                            hint: "pick a port nothing listens on (`ss -ltn` lists them)".into(),
                        });
                    }
                }
            }
        }
        if in_step(Some(Field::KeyOnly)) && f.key_only && !self.authorized_keys {
            errors.push(FieldError {
                field: Some(Field::KeyOnly),
                reason: "no authorized SSH key was found: key-only login would lock you out".into(),
                hint: "add your key first (ssh-copy-id), then come back".into(),
            });
        }
        if let Err(AnswersError::Invalid(items)) = self.validate() {
            for item in items {
                let field = Field::of_key(&item.key, item.value.is_none());
                if item.key == "ssh.port" && errors.iter().any(|e| e.field == field) {
                    continue;
                }
                if in_step(field) {
                    // The file's advice names TOML keys; here the fix is a step.
                    let hint = if field == Some(Field::Mode) && item.key == "sip.hostname" {
                        "go back (Esc) and type a secret hostname, tick the Zoiper option, or choose relaxed-open".into()
                    } else {
                        item.hint
                    };
                    errors.push(FieldError {
                        field,
                        reason: item.reason,
                        hint,
                    });
                }
            }
        }
        errors
    }

    /// The first error of one field.
    pub fn field_error(&self, field: Field) -> Option<FieldError> {
        self.errors(self.step)
            .into_iter()
            .find(|e| e.field == Some(field))
    }

    /// Advice that does not block: a guessable hostname.
    pub fn warnings(&self, step: Step) -> Vec<(Field, String)> {
        let mut out = Vec::new();
        if step == Step::Hostname
            && let Some(w) = guessable(self.form.hostname.trim(), &self.server_names)
        {
            out.push((Field::Hostname, w));
        }
        out
    }

    /// The answers as a file, from the starting answers and the form.
    pub fn answers_file(&self) -> AnswersFile {
        let f = &self.form;
        let mut file = self.base.clone();
        file.mode = Some(f.mode);

        let mut network = file.network.take().unwrap_or_default();
        let mut trusted = network.trusted.take().unwrap_or_default();
        if let Some(admin) = self.admin_address {
            trusted.retain(|t| !same_address(t, admin));
            if f.trust_admin {
                trusted.push(admin.to_string());
            }
        }
        network.trusted = (!trusted.is_empty()).then_some(trusted);
        file.network = (network != NetworkFile::default()).then_some(network);

        file.ssh = Some(SshFile {
            port: if f.move_ssh {
                // A non-number is reported by `errors`; validate sees none.
                f.ssh_port.trim().parse().ok()
            } else {
                None
            },
            key_only: Some(f.key_only),
        });

        let mut sip = file.sip.take().unwrap_or_default();
        let hostname = f.hostname.trim();
        sip.hostname = (!hostname.is_empty()).then(|| hostname.to_string());
        let trunks: Vec<String> = f
            .trunks
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        sip.trunks = (!trunks.is_empty()).then_some(trunks);
        let mut agents = sip.user_agents.take().unwrap_or_default();
        agents.retain(|u| !u.eq_ignore_ascii_case(ZOIPER));
        if f.zoiper {
            agents.push(ZOIPER.into());
        }
        sip.user_agents = (!agents.is_empty()).then_some(agents);
        sip.rate_limit = Some(f.rate_limit);
        file.sip = Some(sip);

        file.asterisk = f.manage_asterisk.then(|| AsteriskFile {
            noload: Some(
                f.modules
                    .iter()
                    .filter(|m| m.noload)
                    .map(|m| m.name.clone())
                    .collect(),
            ),
            manager_localhost: Some(f.manager_localhost),
            disable_fop: Some(f.disable_fop),
        });
        file
    }

    /// The answers through the one gate every input passes.
    pub fn validate(&self) -> Result<Answers, AnswersError> {
        Answers::validate(&self.answers_file(), &self.defaults)
    }
}

fn same_address(text: &str, addr: IpAddr) -> bool {
    text.trim_end_matches("/32").trim_end_matches("/128") == addr.to_string()
}

fn module_choices(asterisk: Option<&AsteriskFile>, iax_in_use: bool) -> Vec<ModuleChoice> {
    let chosen = asterisk.and_then(|a| a.noload.clone());
    let mut names: Vec<String> = DEFAULT_NOLOAD.iter().map(|s| s.to_string()).collect();
    for extra in chosen.iter().flatten() {
        if !names.contains(extra) {
            names.push(extra.clone());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let noload = match &chosen {
                Some(list) => list.contains(&name),
                None => !(iax_in_use && name == "chan_iax2.so"),
            };
            ModuleChoice { name, noload }
        })
        .collect()
}

#[cfg(test)]
mod tests;
