//! `demo`: the wizard against the built-in sandbox box. As root, the demo
//! re-runs itself inside a throwaway network namespace (`ip netns exec`), so
//! the firewall it loads lands there; otherwise it is a dry run. The
//! namespace and the sandbox are removed on every way out.

use std::ffi::OsStr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use asterisk_harden::demo::{self, netns};
use asterisk_harden::exec;
use asterisk_harden::root::Root;
use asterisk_harden::transaction::{self, StateDir};
use asterisk_harden::ui::host::ApplyTarget;
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

use super::wizard::{require_terminal, run_front_end};
use super::{CommandResult, bad_input};

const GONE: &str =
    "The demo's sandbox box (and its namespace, if any) is gone: nothing on this host changed.";

pub fn run(plain: bool, sandboxed: bool, in_namespace: Option<&str>, root: &Root) -> CommandResult {
    require_terminal()?;
    if sandboxed {
        inside(root, in_namespace, plain)
    } else {
        outside(plain)
    }
}

/// Make the sandbox, then re-run this program on it: inside a namespace as
/// root, directly otherwise (a dry run). This process only waits, shielded
/// from Ctrl-C and hang-ups, so it always lives to delete the namespace and
/// the sandbox.
fn outside(plain: bool) -> CommandResult {
    let sandbox = demo::sandbox().context("creating the demo's sandbox box")?;
    let exe = std::env::current_exe().context("finding this program")?;
    let as_root = nix::unistd::geteuid().is_root();
    // The namespace is made with this machine's programs.
    let this_machine = Root::default();
    let ns = if as_root && this_machine.runner().find("ip").is_some() {
        Some(netns::Namespace::create(&this_machine).map_err(bad_input)?)
    } else {
        None
    };
    let registration = match &ns {
        Some(_) => Some(demo::Registration::new(sandbox.path()).context("registering the demo")?),
        None => None,
    };
    let mut args: Vec<&OsStr> = Vec::new();
    if let Some(ns) = &ns {
        args.extend([
            OsStr::new("netns"),
            OsStr::new("exec"),
            OsStr::new(ns.name()),
        ]);
        args.push(exe.as_os_str());
    }
    args.extend([
        OsStr::new("--root"),
        sandbox.path().as_os_str(),
        OsStr::new("demo"),
        OsStr::new("--sandboxed"),
    ]);
    if let Some(ns) = &ns {
        args.extend([OsStr::new("--in-namespace"), OsStr::new(ns.name())]);
    }
    if plain {
        args.push(OsStr::new("--plain"));
    }
    shield_from_interrupts();
    let status = match &ns {
        Some(_) => exec::run_attached("ip", &args),
        None => exec::run_attached(&exe.to_string_lossy(), &args),
    }
    .context("running the demo")?;
    drop(registration);
    drop(ns);
    drop(sandbox);
    println!("{GONE}");
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
    ))
}

extern "C" fn ignore(_: i32) {}

/// Catch (not ignore) the interrupting signals: a caught signal is reset by
/// exec, so the child still gets the default behaviour.
fn shield_from_interrupts() {
    let action = SigAction::new(
        SigHandler::Handler(ignore),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for sig in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGQUIT,
    ] {
        // SAFETY: the handler does nothing, so it is async-signal-safe.
        unsafe {
            let _ = sigaction(sig, &action);
        }
    }
}

/// On the sandbox (and in the namespace, when there is one): the wizard.
fn inside(root: &Root, in_namespace: Option<&str>, plain: bool) -> CommandResult {
    let target = match in_namespace {
        // Never load the demo's rules anywhere but the namespace it made.
        Some(ns) if netns::is_current(ns) => ApplyTarget::DemoNamespace(ns.to_string()),
        Some(_) => ApplyTarget::Unavailable(
            "dry run: not inside the demo's own network namespace".into(),
        ),
        None if nix::unistd::geteuid().is_root() => ApplyTarget::Unavailable(
            "dry run: `ip` (iproute2) is missing, so there is no namespace to load the rules into"
                .into(),
        ),
        None => ApplyTarget::Unavailable(
            "dry run: not root, so nothing is loaded (sudo asterisk-harden demo loads the rules into a throwaway network namespace)"
                .into(),
        ),
    };
    let exe = std::env::current_exe().context("finding this program")?;
    // Short enough for one line at 80 columns: `demo --confirm` finds the
    // namespace and the sandbox from the outer demo's pid.
    let confirm = match in_namespace.and_then(|ns| ns.rsplit('-').next()) {
        Some(pid) => format!("{}{} demo --confirm {pid}", sudo_prefix(), exe.display()),
        None => String::new(),
    };
    let host = demo::host_view(root, target, confirm);
    let result = run_front_end(host, plain);
    end_pending_change(root);
    result
}

/// A change still waiting in the sandbox is rolled back, so its guard (in
/// this namespace, on this sandbox) ends before both are deleted.
fn end_pending_change(root: &Root) {
    let Some(pending) = StateDir::new(root).peek() else {
        return;
    };
    let _ = transaction::rollback(root, Some(&pending.backup_id));
    let Some(pid) = pending.guard_pid else {
        return;
    };
    let started = Instant::now();
    while transaction::process_alive(pid) && started.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
    }
    if transaction::process_alive(pid) {
        // The guard this demo started, by its pid: nothing is left for it to do.
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
    }
}

/// "sudo " where sudo exists; a root shell without it types the command bare
/// (a printed `sudo ...` that cannot run is not a command that works).
fn sudo_prefix() -> &'static str {
    if Root::default().runner().find("sudo").is_some() {
        "sudo "
    } else {
        ""
    }
}

/// `demo --confirm PID`, from a second terminal: `confirm` inside the
/// running demo's namespace on its sandbox, as that demo's Apply screen asks.
pub fn confirm(pid: u32) -> CommandResult {
    if !nix::unistd::geteuid().is_root() {
        return Err(bad_input(anyhow::anyhow!(
            "demo --confirm needs root, as the demo it confirms\n    what to do: sudo {} demo --confirm {pid}",
            std::env::current_exe()
                .map(|e| e.display().to_string())
                .unwrap_or_else(|_| "asterisk-harden".into())
        )));
    }
    let (ns, sandbox) = demo::registered(pid).map_err(|why| {
        bad_input(anyhow::anyhow!(
            "{why}\n    what to do: copy the command the demo's Apply screen shows"
        ))
    })?;
    let exe = std::env::current_exe().context("finding this program")?;
    let args: Vec<&OsStr> = vec![
        OsStr::new("netns"),
        OsStr::new("exec"),
        OsStr::new(&ns),
        exe.as_os_str(),
        OsStr::new("--root"),
        sandbox.as_os_str(),
        OsStr::new("confirm"),
    ];
    let status = exec::run_attached("ip", &args).context("running confirm in the demo")?;
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
    ))
}
