//! The only code that changes the host, as one commit-confirmed transaction:
//! backup set written and fsynced → `iptables-restore --test` → files written
//! atomically → rules loaded (snapshot restored if any table fails) → a guard
//! armed that reverts everything at the deadline unless `confirm` arrives
//! from a new session → on confirm, persistence written.
//!
//! The guard is a process of its own (new session, state on disk): killing
//! the wizard, a terminal hang-up or a dropped SSH session cannot stop it.

mod atomic;
mod backup;
mod boot;
pub use boot::boot_loader;
mod firewall;
mod launch;
mod pending;
mod restore;

use std::path::PathBuf;
use std::time::Duration;

pub use backup::{BACKUP_DIR, BackupError, BackupSet, Manifest};
pub use firewall::FirewallError;
pub use launch::{HeldSignals, SecondSession, spawn_guard};
pub use pending::alive as process_alive;
pub use pending::now;

/// Replace a file atomically (temp file, fsync, rename), keeping an existing
/// file's mode and owner; new files get 0600. For the tool's own state.
pub fn write_file_atomically(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    atomic::write(path, contents, None, 0o600)
}
pub use pending::{Pending, STATE_DIR, Session, State, StateDir};
pub use restore::{Restored, changes_back, restore_backup};

use crate::plan::{AfterWrite, Plan, Stage};
use crate::root::Root;
use crate::ruleset::restore_file::{
    builtin_rules, keep_foreign_chains, replace_hooks_for_noflush, replaced_rules,
};
use crate::ruleset::{Family, ListStore, render, render_sets};
use crate::ssh::{self, SshError};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error(
        "a change is still waiting for confirmation (backup {backup_id})\n    what to do: from a new session run `asterisk-harden confirm` to keep it, or `asterisk-harden rollback` to undo it"
    )]
    StillPending { backup_id: String },
    #[error(
        "an earlier apply (backup {backup_id}) was interrupted and its guard is gone: the host may be half-changed\n    what to do: `asterisk-harden rollback --backup {backup_id}` restores everything as it was before it"
    )]
    Interrupted { backup_id: String },
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error(
        "the new {family} rules did not pass the test load, so nothing was changed:\n    {source}"
    )]
    Test {
        family: &'static str,
        #[source]
        source: FirewallError,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("loading the {family} rules failed: {source}\n    {restored}")]
    Load {
        family: &'static str,
        #[source]
        source: FirewallError,
        restored: String,
    },
    #[error("cannot read the live {family} rules: {source}")]
    Snapshot {
        family: &'static str,
        #[source]
        source: FirewallError,
    },
    #[error(
        "nothing is waiting for confirmation\n    what to do: `asterisk-harden backups` shows what was applied and when"
    )]
    NothingPending,
    #[error(
        "too late: the change was being reverted (its deadline passed)\n    what to do: check `asterisk-harden backups`, then apply again"
    )]
    TooLate,
    #[error(
        "this is the same session that ran apply: confirming from here proves nothing about new logins\n    what to do: open a NEW connection (e.g. `ssh -p PORT user@host`) and run `asterisk-harden confirm` there"
    )]
    SameSession,
    #[error(transparent)]
    Ssh(#[from] SshError),
    #[error(
        "key-only login was asked for, but {user} has no authorized key here: you would be locked out\n    what to do: add your public key to ~{user}/.ssh/authorized_keys first (ssh-copy-id), or set ssh.key_only = false"
    )]
    KeyOnlyWithoutKeys { user: String },
    #[error(transparent)]
    Fail2ban(#[from] crate::fail2ban::Rejected),
    #[error("Asterisk's manager (AMI): {0}")]
    Ami(String),
    #[error("confirming failed: {reason}\n    {restored}")]
    ConfirmFailed { reason: String, restored: String },
    #[error("the ipset sets for the phone and ban lists: {0}")]
    Sets(#[from] crate::sets::SetsError),
    #[error("the state directory {path}: {source}")]
    State {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl TxError {
    /// Bad timing or usage: nothing was changed by this call (exit code 2).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::StillPending { .. }
                | Self::Interrupted { .. }
                | Self::NothingPending
                | Self::SameSession
                | Self::KeyOnlyWithoutKeys { .. }
                | Self::Fail2ban(_)
                | Self::Ssh(SshError::PortInUse { .. })
                | Self::Ssh(SshError::SocketPorts { .. })
                | Self::Ssh(SshError::Sshd(crate::ssh::SshdError::Rejected { .. }))
        )
    }
}

/// A file written on confirm, kept with the pending change until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferred {
    pub path: PathBuf,
    pub contents: String,
    pub after_write: AfterWrite,
}

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// `None`: no confirmation window (`--no-confirm`).
    pub confirm_timeout: Option<Duration>,
    /// Starts the guard process (the caller knows its own executable).
    pub spawn_guard: fn(&Root) -> std::io::Result<u32>,
}

#[derive(Debug, Clone)]
pub enum Applied {
    /// Loaded and waiting: the guard reverts at `deadline` (unix seconds).
    Waiting { backup_id: String, deadline: u64 },
    /// Loaded and persisted (`--no-confirm`).
    Kept { backup_id: String },
}

/// What a load does beyond our own rules, for the admin to read.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Other tools' chains carried over ("filter/DOCKER").
    pub kept_chains: Vec<String>,
    /// The admin's own rules in the tables we replace (they are in the backup).
    pub replaced_rules: Vec<String>,
}

fn state_err(dir: &StateDir) -> impl Fn(std::io::Error) -> TxError + '_ {
    move |source| TxError::State {
        path: dir.path().to_path_buf(),
        source,
    }
}

fn families() -> Vec<Family> {
    [Family::Ipv4, Family::Ipv6]
        .into_iter()
        .filter(|f| firewall::available(*f))
        .collect()
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Ipv4 => "IPv4",
        Family::Ipv6 => "IPv6",
    }
}

/// A change left behind by a crash: a pending change whose process is gone.
pub fn interrupted(root: &Root) -> Option<Pending> {
    let p = StateDir::new(root).peek()?;
    let owner_alive = match p.state {
        State::Applying => pending::alive(p.apply_pid),
        State::Waiting | State::Confirming => p.guard_pid.is_some_and(pending::alive),
    };
    (!owner_alive).then_some(p)
}

/// What the rules to load look like against the live firewall.
pub fn preview_load(root: &Root, plan: &Plan) -> Result<LoadReport, TxError> {
    let state = StateDir::new(root);
    let mut report = LoadReport::default();
    for family in families() {
        let live = firewall::save(family).map_err(|source| TxError::Snapshot {
            family: family_name(family),
            source,
        })?;
        let (_, kept, replaced) = merged_rules(plan, family, &live, &known_ours(&state, family));
        report.kept_chains.extend(
            kept.into_iter()
                .map(|c| format!("{} {c}", family_name(family))),
        );
        report.replaced_rules.extend(
            replaced
                .into_iter()
                .map(|r| format!("{}: {r}", family_name(family))),
        );
    }
    Ok(report)
}

fn merged_rules(
    plan: &Plan,
    family: Family,
    live: &str,
    ours_before: &[String],
) -> (String, Vec<String>, Vec<String>) {
    let ours = render(plan.first_load(family));
    merge(&ours, plan.noflush(), plan.tables(), live, ours_before)
}

/// The rules to load (our rendered `ours`), fitted to the live firewall.
fn merge(
    ours: &str,
    noflush: bool,
    tables: &[&str],
    live: &str,
    ours_before: &[String],
) -> (String, Vec<String>, Vec<String>) {
    if noflush {
        return (
            replace_hooks_for_noflush(ours, live, "SIPRAW"),
            Vec::new(),
            Vec::new(),
        );
    }
    let (text, kept) = keep_foreign_chains(ours, live);
    let replaced = replaced_rules(live, tables, &text, ours_before);
    (text, kept, replaced)
}

fn ours_path(state: &StateDir, family: Family) -> PathBuf {
    state
        .path()
        .join(format!("loaded-{}.rules", family.as_str()))
}

/// Our built-in chain rules as the kernel printed them after our last load.
fn known_ours(state: &StateDir, family: Family) -> Vec<String> {
    std::fs::read_to_string(ours_path(state, family))
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

fn remember_ours(state: &StateDir, family: Family, tables: &[&str]) {
    if let Ok(live) = firewall::save(family) {
        let lines = builtin_rules(&live, tables).join("\n");
        let _ = atomic::write(&ours_path(state, family), lines.as_bytes(), None, 0o600);
    }
}

/// Refuse to start while another change is pending or was interrupted.
pub fn ensure_no_pending(root: &Root) -> Result<(), TxError> {
    match StateDir::new(root).peek() {
        None => Ok(()),
        Some(p) if interrupted(root).is_some() => Err(TxError::Interrupted {
            backup_id: p.backup_id,
        }),
        Some(p) => Err(TxError::StillPending {
            backup_id: p.backup_id,
        }),
    }
}

pub fn apply(
    root: &Root,
    plan: &Plan,
    opts: &ApplyOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<Applied, TxError> {
    let state = StateDir::new(root);
    let lock = state.lock().map_err(state_err(&state))?;
    if let Some(p) = state.read(&lock).map_err(state_err(&state))? {
        return Err(match interrupted(root) {
            Some(_) => TxError::Interrupted {
                backup_id: p.backup_id,
            },
            None => TxError::StillPending {
                backup_id: p.backup_id,
            },
        });
    }

    preflight(root, plan)?;

    // 1. Snapshot and back up everything first.
    let fams = families();
    let mut live = Vec::new();
    for f in &fams {
        live.push((
            *f,
            firewall::save(*f).map_err(|source| TxError::Snapshot {
                family: family_name(*f),
                source,
            })?,
        ));
    }
    let live_of = |f: Family| live.iter().find(|(g, _)| *g == f).map(|(_, t)| t.as_str());
    let recent = firewall::recent_lists(std::path::Path::new(firewall::RECENT_PROC));
    let paths: Vec<PathBuf> = plan.files.iter().map(|f| f.path.clone()).collect();
    let set = BackupSet::create(
        root,
        &backup::Contents {
            mode: plan.mode.as_str(),
            tables: plan.tables(),
            files: &paths,
            ipv4_rules: live_of(Family::Ipv4),
            ipv6_rules: live_of(Family::Ipv6),
            recent: &recent,
        },
    )?;
    let id = set.manifest.id.clone();
    progress(&format!("backup written: {}", set.dir.display()));
    let mut pending = Pending {
        backup_id: id.clone(),
        state: State::Applying,
        started: pending::now(),
        deadline: None,
        apply_pid: std::process::id(),
        guard_pid: None,
        session: Session::current(),
    };
    state.write(&lock, &pending).map_err(state_err(&state))?;

    // 2. The sets the rules name must exist before they can even be tested.
    // Creating an empty set changes nothing a packet sees; the ones made
    // here are noted so an undo destroys them again.
    if let Err(e) = create_sets(plan, &set) {
        state.clear(&lock).map_err(state_err(&state))?;
        return Err(e);
    }

    // 3. Test every ruleset before touching anything.
    let mut texts = Vec::new();
    for (f, live_text) in &live {
        let (text, _, _) = merged_rules(plan, *f, live_text, &known_ours(&state, *f));
        if let Err(source) = firewall::test(*f, &text, plan.noflush()) {
            state.clear(&lock).map_err(state_err(&state))?;
            return Err(TxError::Test {
                family: family_name(*f),
                source,
            });
        }
        texts.push((*f, text));
    }
    progress("rules tested (iptables-restore --test)");

    // 4. Files, then rules; any failure restores the backup set.
    let fail = |e: TxError| -> TxError {
        let outcome = restore_backup(root, &set);
        let _ = state.clear(&lock);
        let _ = state.record(&format!(
            "failed backup={id}: {e}; restored: {}",
            outcome.summary()
        ));
        match e {
            TxError::Load { family, source, .. } => TxError::Load {
                family,
                source,
                restored: outcome.summary(),
            },
            other => other,
        }
    };
    for f in plan
        .files
        .iter()
        .filter(|f| f.stage == Stage::Apply && f.changes())
    {
        write_planned(root, &f.path, &f.after, f.after_write).map_err(|source| {
            fail(TxError::Write {
                path: f.path.clone(),
                source,
            })
        })?;
        progress(&format!("wrote {}", f.path.display()));
    }
    for (f, text) in &texts {
        firewall::load(*f, text, plan.noflush()).map_err(|source| {
            fail(TxError::Load {
                family: family_name(*f),
                source,
                restored: String::new(),
            })
        })?;
        progress(&format!("{} rules loaded", family_name(*f)));
        remember_ours(&state, *f, plan.tables());
    }
    // A load that replaced the rules using a list can empty it (legacy
    // iptables, or a table that was flushed): put the phones and bans back.
    // Where the lists are now ipset sets, the xt_recent entries (the
    // article's hand-made rules, or an earlier xt_recent install) move there,
    // so known phones stay known across the switch.
    let proc_dir = std::path::Path::new(firewall::RECENT_PROC);
    for (name, text) in &recent {
        let addresses = crate::status::recent::addresses(text);
        if plan.firewall.lists == ListStore::Ipset && crate::lists::LISTS.contains(&name.as_str()) {
            let parsed: Vec<std::net::IpAddr> =
                addresses.iter().filter_map(|a| a.parse().ok()).collect();
            if let Ok(n) = crate::sets::add(name, &parsed)
                && n > 0
            {
                progress(&format!(
                    "{n} address(es) of xt_recent list {name} moved to its ipset set"
                ));
            }
        } else {
            let _ = firewall::refill_recent(proc_dir, name, &addresses);
        }
    }
    let jail_changed = plan
        .files
        .iter()
        .any(|f| f.stage == Stage::Apply && f.changes() && is_fail2ban(f.after_write));
    fail2ban_after_load(root, jail_changed, progress);
    let ami_changed = plan
        .files
        .iter()
        .any(|f| f.stage == Stage::Apply && f.changes() && f.after_write == AfterWrite::ReloadAmi);
    if ami_changed {
        let done =
            crate::asterisk::live::reload_manager(root).map_err(|e| fail(TxError::Ami(e)))?;
        progress(&done);
    }
    let sshd_changed = plan
        .files
        .iter()
        .any(|f| f.stage == Stage::Apply && f.changes() && f.after_write == AfterWrite::ReloadSshd);
    if let (true, Some(ssh_plan)) = (sshd_changed, &plan.ssh) {
        if ssh::selinux::applies(root) {
            let new_ports = ssh_plan
                .final_ports
                .iter()
                .filter(|p| !ssh_plan.window_ports[..1].contains(p));
            for port in new_ports {
                let added = ssh::selinux::label(*port)
                    .map_err(|e| fail(TxError::Ssh(SshError::Selinux(e))))?;
                if added {
                    let _ = std::fs::write(set.dir.join(restore::SELINUX_PORT), port.to_string());
                }
                progress(&format!("SELinux: port {port} labelled ssh_port_t"));
            }
        }
        let said = ssh::reload_and_verify(root, &ssh_plan.window_ports)
            .map_err(|e| fail(TxError::Ssh(e)))?;
        progress(&said);
    }
    let deferred = DeferredFile {
        file: plan
            .files
            .iter()
            .filter(|f| f.stage == Stage::Confirm && f.changes())
            .map(|f| Deferred {
                path: f.path.clone(),
                contents: f.after.clone(),
                after_write: f.after_write,
            })
            .collect(),
        final_rules: match &plan.window {
            Some(_) => [Family::Ipv4, Family::Ipv6]
                .into_iter()
                .filter(|f| fams.contains(f))
                .map(|f| FinalRules {
                    family: f,
                    text: render(plan.ruleset(f)),
                })
                .collect(),
            None => Vec::new(),
        },
        final_ssh_ports: plan
            .ssh
            .as_ref()
            .map(|s| s.final_ports.clone())
            .unwrap_or_default(),
        noflush: plan.noflush(),
        tables: plan.tables().iter().map(|t| t.to_string()).collect(),
    };
    save_deferred(&state, &id, &deferred).map_err(|source| {
        fail(TxError::State {
            path: state.path().into(),
            source,
        })
    })?;

    // 5. Either keep it now (--no-confirm) or arm the guard.
    match opts.confirm_timeout {
        None => {
            persist(root, &state, &id, progress)?;
            state.clear(&lock).map_err(state_err(&state))?;
            let _ = state.record(&format!(
                "applied backup={id} without a confirmation window (--no-confirm)"
            ));
            Ok(Applied::Kept { backup_id: id })
        }
        Some(timeout) => {
            let deadline = pending::now() + timeout.as_secs().max(1);
            pending.state = State::Waiting;
            pending.deadline = Some(deadline);
            state.write(&lock, &pending).map_err(state_err(&state))?;
            let guard = (opts.spawn_guard)(root).map_err(|source| {
                fail(TxError::State {
                    path: state.path().into(),
                    source,
                })
            })?;
            pending.guard_pid = Some(guard);
            state.write(&lock, &pending).map_err(state_err(&state))?;
            let _ = state.record(&format!(
                "applied backup={id}, waiting for confirmation until {deadline}"
            ));
            Ok(Applied::Waiting {
                backup_id: id,
                deadline,
            })
        }
    }
}

/// Create the sets every ruleset of the plan names; remember in the backup
/// set which of them did not exist before.
fn create_sets(plan: &Plan, set: &BackupSet) -> Result<(), TxError> {
    let wanted: Vec<&crate::ruleset::IpSet> = [Family::Ipv4, Family::Ipv6]
        .into_iter()
        .flat_map(|f| plan.ruleset(f).sets.iter())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let before = crate::sets::names()?;
    crate::sets::create(&render_sets(wanted.iter().copied()))?;
    let created: Vec<String> = wanted
        .iter()
        .map(|s| s.name.clone())
        .filter(|n| !before.contains(n))
        .collect();
    if !created.is_empty() {
        std::fs::write(
            set.dir.join(restore::SETS_CREATED),
            created.join("\n") + "\n",
        )
        .map_err(|source| TxError::Write {
            path: set.dir.join(restore::SETS_CREATED),
            source,
        })?;
    }
    Ok(())
}

fn deferred_path(state: &StateDir, id: &str) -> PathBuf {
    state.path().join(format!("deferred-{id}.toml"))
}

/// What confirm does, decided at apply time: the final files, the final
/// rules (when the window's differ), the ports sshd must end on.
#[derive(Serialize, Deserialize)]
struct DeferredFile {
    file: Vec<Deferred>,
    final_rules: Vec<FinalRules>,
    final_ssh_ports: Vec<u16>,
    noflush: bool,
    tables: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct FinalRules {
    family: Family,
    text: String,
}

fn is_fail2ban(w: AfterWrite) -> bool {
    matches!(
        w,
        AfterWrite::ReloadFail2ban | AfterWrite::ReloadFail2banImmutable
    )
}

/// Write one planned file: an immutable one (chattr +i) is released first,
/// and made immutable again when the plan says so.
fn write_planned(
    root: &Root,
    path: &std::path::Path,
    text: &str,
    after_write: AfterWrite,
) -> std::io::Result<()> {
    let full = root.path(path);
    if full.exists() && crate::fail2ban::is_immutable(&full) {
        crate::fail2ban::set_immutable(&full, false).map_err(std::io::Error::other)?;
    }
    atomic::write(&full, text.as_bytes(), None, 0o644)?;
    if after_write == AfterWrite::ReloadFail2banImmutable {
        crate::fail2ban::set_immutable(&full, true).map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// fail2ban after a load: re-read a changed jail file, then make sure its
/// chains are there.
fn fail2ban_after_load(root: &Root, jail_changed: bool, progress: &mut dyn FnMut(&str)) {
    if !crate::fail2ban::running(root) {
        return;
    }
    if jail_changed {
        match crate::fail2ban::reload(root) {
            Ok(()) => progress("fail2ban reloaded its jails"),
            Err(e) => progress(&format!("WARNING: {e}")),
        }
    }
    let live = firewall::save(Family::Ipv4).unwrap_or_default();
    if let Some(done) = crate::fail2ban::after_load(root, &live) {
        progress(&done);
    }
}

/// Checks that need the host but change nothing: a refusal here leaves the
/// host exactly as it was.
fn preflight(root: &Root, plan: &Plan) -> Result<(), TxError> {
    for f in plan
        .files
        .iter()
        .filter(|f| f.changes() && is_fail2ban(f.after_write))
    {
        crate::fail2ban::validate(root, &f.after)?;
    }
    let Some(ssh_plan) = &plan.ssh else {
        return Ok(());
    };
    if ssh_plan.window_ports != ssh_plan.final_ports {
        for port in &ssh_plan.final_ports {
            ssh::check_port_free(*port)?;
        }
        if root.path(ssh::reload::SOCKET_ADDRESSES).exists() {
            return Err(SshError::SocketPorts {
                path: ssh::reload::SOCKET_ADDRESSES.into(),
            }
            .into());
        }
    }
    ssh::validate_candidate(&ssh_plan.window_config)?;
    ssh::validate_candidate(&ssh_plan.final_config)?;
    if ssh_plan.key_only {
        let user = std::env::var("SUDO_USER").unwrap_or_else(|_| "root".to_string());
        if !ssh::has_authorized_key(root, &user) {
            return Err(TxError::KeyOnlyWithoutKeys { user });
        }
    }
    Ok(())
}

fn save_deferred(state: &StateDir, id: &str, deferred: &DeferredFile) -> std::io::Result<()> {
    let text = toml::to_string(deferred).expect("serializes");
    atomic::write(&deferred_path(state, id), text.as_bytes(), None, 0o600)
}

fn load_deferred(state: &StateDir, id: &str) -> Result<Option<DeferredFile>, TxError> {
    let path = deferred_path(state, id);
    match std::fs::read_to_string(&path) {
        Ok(t) => toml::from_str(&t).map(Some).map_err(|e| TxError::State {
            path,
            source: std::io::Error::other(e),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(TxError::State { path, source }),
    }
}

/// What confirm does: sshd's final files (and the proof it listens where it
/// should), the final rules (the old SSH port closed), then persistence.
fn persist(
    root: &Root,
    state: &StateDir,
    id: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(), TxError> {
    let Some(d) = load_deferred(state, id)? else {
        return Ok(());
    };
    let write = |f: &Deferred| {
        atomic::write(&root.path(&f.path), f.contents.as_bytes(), None, 0o640).map_err(|source| {
            TxError::Write {
                path: f.path.clone(),
                source,
            }
        })
    };
    let (sshd_files, other_files): (Vec<&Deferred>, Vec<&Deferred>) = d
        .file
        .iter()
        .partition(|f| f.after_write == AfterWrite::ReloadSshd);
    for f in &sshd_files {
        write(f)?;
        progress(&format!("wrote {}", f.path.display()));
    }
    if !sshd_files.is_empty() {
        let said = ssh::reload_and_verify(root, &d.final_ssh_ports)?;
        progress(&said);
    }
    let tables: Vec<&str> = d.tables.iter().map(String::as_str).collect();
    for r in &d.final_rules {
        let live = firewall::save(r.family).map_err(|source| TxError::Snapshot {
            family: family_name(r.family),
            source,
        })?;
        let (text, _, _) = merge(
            &r.text,
            d.noflush,
            &tables,
            &live,
            &known_ours(state, r.family),
        );
        firewall::load(r.family, &text, d.noflush).map_err(|source| TxError::Load {
            family: family_name(r.family),
            source,
            restored: String::new(),
        })?;
        remember_ours(state, r.family, &tables);
        progress(&format!(
            "{} rules loaded without the old SSH port",
            family_name(r.family)
        ));
    }
    if !d.final_rules.is_empty() {
        fail2ban_after_load(root, false, progress);
    }
    for f in &other_files {
        write(f)?;
        progress(&format!("wrote {}", f.path.display()));
    }
    let _ = atomic::remove(&deferred_path(state, id));
    progress(&boot::enable(root));
    Ok(())
}

/// `confirm`: from a new session, keep the pending change.
pub fn confirm(
    root: &Root,
    allow_same_session: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<String, TxError> {
    let state = StateDir::new(root);
    let lock = state.lock().map_err(state_err(&state))?;
    let Some(mut p) = state.read(&lock).map_err(state_err(&state))? else {
        return Err(TxError::NothingPending);
    };
    if p.state != State::Waiting {
        return Err(TxError::TooLate);
    }
    if p.deadline.is_some_and(|d| pending::now() >= d) {
        return Err(TxError::TooLate);
    }
    let here = Session::current();
    let same = here.sid == p.session.sid
        || (here.ssh_connection.is_some() && here.ssh_connection == p.session.ssh_connection);
    if same && !allow_same_session {
        return Err(TxError::SameSession);
    }
    p.state = State::Confirming;
    state.write(&lock, &p).map_err(state_err(&state))?;
    if let Err(e) = persist(root, &state, &p.backup_id, progress) {
        let set = BackupSet::open(root, &p.backup_id)?;
        let restored = restore_backup(root, &set);
        let _ = atomic::remove(&deferred_path(&state, &p.backup_id));
        let _ = state.record(&format!(
            "failed backup={} at confirm: {e}; {}",
            p.backup_id,
            restored.summary()
        ));
        state.clear(&lock).map_err(state_err(&state))?;
        return Err(TxError::ConfirmFailed {
            reason: e.to_string(),
            restored: restored.summary(),
        });
    }
    // The journal first: `outcome` reads it as soon as the pending file is gone.
    let _ = state.record(&format!("confirmed backup={}", p.backup_id));
    state.clear(&lock).map_err(state_err(&state))?;
    Ok(p.backup_id)
}

/// How a pending change ended, as seen by the process that applied it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    StillWaiting,
    Confirmed,
    Reverted(String),
}

/// Poll the outcome of the change `backup_id` (the journal's last word on it).
pub fn outcome(root: &Root, backup_id: &str) -> Outcome {
    let state = StateDir::new(root);
    if state.peek().is_some_and(|p| p.backup_id == backup_id) {
        return Outcome::StillWaiting;
    }
    let needle = format!("backup={backup_id}");
    let last = state
        .journal()
        .into_iter()
        .rev()
        .find(|l| l.contains(&needle));
    // A journal line is "<timestamp> <event word> ...".
    let event = |l: &str| {
        l.split_whitespace()
            .nth(1)
            .map(str::to_string)
            .unwrap_or_default()
    };
    match last {
        Some(l) if event(&l) == "confirmed" => Outcome::Confirmed,
        Some(l) if event(&l) == "applied" => Outcome::StillWaiting,
        Some(l) => Outcome::Reverted(l),
        None => Outcome::Reverted("no record of the change".into()),
    }
}

/// The guard: sleep until the deadline; revert unless confirmed by then.
pub fn guard(root: &Root) -> Result<(), TxError> {
    let state = StateDir::new(root);
    loop {
        {
            let lock = state.lock().map_err(state_err(&state))?;
            let Some(p) = state.read(&lock).map_err(state_err(&state))? else {
                return Ok(());
            };
            match p.state {
                State::Waiting if p.deadline.is_some_and(|d| pending::now() >= d) => {
                    let set = BackupSet::open(root, &p.backup_id)?;
                    let outcome = restore_backup(root, &set);
                    let _ = atomic::remove(&deferred_path(&state, &p.backup_id));
                    let _ = state.record(&format!(
                        "reverted backup={}: not confirmed by the deadline; {}",
                        p.backup_id,
                        outcome.summary()
                    ));
                    state.clear(&lock).map_err(state_err(&state))?;
                    return Ok(());
                }
                State::Waiting | State::Confirming => {}
                State::Applying => {}
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `rollback`: restore a backup set (default: the newest) and cancel any
/// pending change.
pub fn rollback(root: &Root, id: Option<&str>) -> Result<(BackupSet, restore::Restored), TxError> {
    let state = StateDir::new(root);
    let lock = state.lock().map_err(state_err(&state))?;
    let set = match id {
        Some(id) => BackupSet::open(root, id)?,
        None => match state.read(&lock).map_err(state_err(&state))? {
            Some(p) => BackupSet::open(root, &p.backup_id)?,
            None => BackupSet::list(root)
                .pop()
                .ok_or_else(|| BackupError::NotFound {
                    id: "(newest)".into(),
                    dir: root.path(BACKUP_DIR),
                })?,
        },
    };
    let outcome = restore_backup(root, &set);
    let _ = state.record(&format!(
        "rolled back to backup={}; {}",
        set.manifest.id,
        outcome.summary()
    ));
    if let Some(p) = state.read(&lock).map_err(state_err(&state))? {
        let _ = atomic::remove(&deferred_path(&state, &p.backup_id));
        state.clear(&lock).map_err(state_err(&state))?;
    }
    Ok((set, outcome))
}
