//! The command line: what users and scripts type. Changes here are CHANGELOG
//! entries.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Where the Debian package puts the example answers files.
pub const INSTALLED_EXAMPLES: &str = "/usr/share/doc/asterisk-harden/examples";
/// Where they are in a source checkout.
pub const SOURCE_EXAMPLES: &str = "assets/examples";

static EXAMPLES_AS_INSTALLED: OnceLock<()> = OnceLock::new();

/// From now on, help names the installed examples whatever this machine
/// has: for the man page, which ships in the package.
pub fn as_installed() {
    let _ = EXAMPLES_AS_INSTALLED.set(());
}

/// The example answers files people can read on this machine: the
/// package's when it is installed, else the source tree's. (This machine's
/// own install, not a path under --root.)
pub fn examples_dir() -> &'static str {
    if EXAMPLES_AS_INSTALLED.get().is_some() || Path::new(INSTALLED_EXAMPLES).is_dir() {
        INSTALLED_EXAMPLES
    } else {
        SOURCE_EXAMPLES
    }
}

fn answers_help() -> String {
    format!("The answers file (TOML); examples in {}/", examples_dir())
}

#[derive(Debug, Parser)]
#[command(
    name = "asterisk-harden",
    version,
    about = "Harden an Asterisk VoIP server against SIP scanners and toll fraud, safely",
    long_about = "Harden an Asterisk VoIP server against SIP scanners and toll fraud, safely.\n\n\
        Builds the iptables rules of the well-known \"secret SIP hostname\" recipe (scanner user \
        agents banned in the raw table, phones whitelisted by the hostname they register with, \
        port-scan traps, bogon filtering) for this host, without the recipe's traps, and applies \
        them as one commit-confirmed transaction: backed up first, reverted by itself unless you \
        confirm from a new session.\n\n\
        Exit codes: 0 done; 1 failed (and restored); 2 bad input or usage (nothing changed); \
        3 not confirmed in time (reverted)."
)]
pub struct Cli {
    /// Work on the files under DIR instead of / (a sandbox copy of /etc)
    #[arg(long, global = true, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Without a command: the full-screen wizard
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct AnswersArg {
    #[arg(long, value_name = "FILE", help = answers_help())]
    pub answers: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The wizard: walks you through SSH, the SIP hostname, the mode and Asterisk, shows every change, applies it safely
    #[command(
        after_help = "Example:\n  sudo asterisk-harden            # the same as `wizard`\n  \
        sudo asterisk-harden wizard --plain   # line by line, for serial consoles and screen readers\n\n\
        Needs a terminal; unattended, use `apply --answers FILE`."
    )]
    Wizard {
        /// Ask line by line instead of full-screen (serial consoles, screen readers, dumb terminals)
        #[arg(long)]
        plain: bool,
    },
    /// The wizard against a built-in sandbox box; touches nothing on this host
    #[command(after_help = "Example:\n  asterisk-harden demo\n  \
        sudo asterisk-harden demo --plain\n\n\
        As root the rules load into a throwaway network namespace (deleted at exit); otherwise it is a dry run.")]
    Demo {
        /// Ask line by line instead of full-screen
        #[arg(long)]
        plain: bool,
        /// Already on the sandbox given as --root (the demo re-runs itself there)
        #[arg(long, hide = true)]
        sandboxed: bool,
        /// ...and inside this network namespace
        #[arg(long, hide = true, value_name = "NS", requires = "sandboxed")]
        in_namespace: Option<String>,
        /// From a second terminal: confirm the change of the running demo
        /// with this process id (its Apply screen shows the command)
        #[arg(long, value_name = "PID", conflicts_with_all = ["plain", "sandboxed"])]
        confirm: Option<u32>,
    },
    /// What the tool sees on this host (changes nothing)
    #[command(
        after_help = "Example:\n  asterisk-harden probe\n  asterisk-harden probe --json | jq .network.interface\n\n\
        The string/recent match test loads its rules into a throwaway network namespace: the host's firewall is never touched."
    )]
    Probe {
        /// Machine-readable output (keys documented in the README)
        #[arg(long)]
        json: bool,
    },
    /// Print the ruleset in iptables-restore format (changes nothing)
    #[command(
        after_help = "Example:\n  asterisk-harden render --answers answers.toml > rules.v4\n  \
        asterisk-harden render --answers answers.toml --family ipv6 > rules.v6\n\n\
        To check them without touching this host's firewall: asterisk-harden selftest --answers answers.toml"
    )]
    Render {
        #[command(flatten)]
        answers: AnswersArg,
        /// Which ruleset to print
        #[arg(long, value_enum, default_value_t = FamilyArg::Ipv4)]
        family: FamilyArg,
    },
    /// Show every change apply would make, as diffs (changes nothing)
    #[command(
        after_help = "Example:\n  asterisk-harden plan --answers /etc/asterisk-harden/answers.toml | less"
    )]
    Plan {
        #[command(flatten)]
        answers: AnswersArg,
    },
    /// Back up, load the rules, and revert by itself unless confirmed from a new session
    #[command(
        after_help = "Example:\n  asterisk-harden apply --answers answers.toml\n  \
        then, from a NEW ssh session:  asterisk-harden confirm\n\n\
        Exit codes: 0 confirmed; 1 failed (everything restored); 2 bad input (nothing changed); \
        3 not confirmed in time (everything reverted)."
    )]
    Apply {
        #[command(flatten)]
        answers: AnswersArg,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Keep the pending change: run this from a NEW session to prove you can still get in
    #[command(
        after_help = "Example (in a new terminal):\n  ssh -p 2222 admin@pbx.example.net\n  sudo asterisk-harden confirm"
    )]
    Confirm {
        /// Accept a confirmation from the session that ran apply (proves less)
        #[arg(long)]
        same_session: bool,
    },
    /// Restore a backup set: files byte for byte, and the firewall as it was
    #[command(
        after_help = "Example:\n  asterisk-harden rollback            # the state before the last apply\n  \
        asterisk-harden rollback --backup 2026-11-25T040512Z --yes"
    )]
    Rollback {
        /// The backup set's id (see `backups`); default: the newest
        #[arg(long, value_name = "ID")]
        backup: Option<String>,
        /// Do not ask
        #[arg(long)]
        yes: bool,
    },
    /// List the backup sets
    #[command(after_help = "Example:\n  asterisk-harden backups")]
    Backups,
    /// What the firewall blocks: drops per cause, banned scanners, known phones
    #[command(
        after_help = "Example:\n  asterisk-harden status\n  asterisk-harden status --json | jq .drops\n\n\
        Exits 1 when none of asterisk-harden's rules are loaded."
    )]
    Status {
        /// Machine-readable output (keys documented in the README)
        #[arg(long)]
        json: bool,
    },
    /// Keep the phone, scanner and trap lists across reboots and reloads
    #[command(
        after_help = "Example:\n  asterisk-harden lists save      # the kernel's lists to /var/lib/asterisk-harden/lists/\n  \
        asterisk-harden lists restore   # after the rules are loaded (the boot unit does this)"
    )]
    Lists {
        #[command(subcommand)]
        action: ListsAction,
    },
    /// Ban one address on every port (a scanner you found in the logs)
    #[command(
        after_help = "Example:\n  asterisk-harden ban 198.51.100.23 --reason \"toll fraud attempts in the CDRs\"\n\n\
        Refused (exit 2) for your own SSH address, trusted sources and trunks. Persisted at once \
        (the saved lists the boot unit restores) and recorded: `status` shows why."
    )]
    Ban(ListArgs),
    /// Lift a ban (by hand or by a scanner signature), or a stranger's quiet
    #[command(
        after_help = "Example:\n  asterisk-harden unban 198.51.100.23 --reason \"was our new office\""
    )]
    Unban(ListArgs),
    /// Make one address a known phone (strict mode's fast path); lifts its ban, trap and quiet
    #[command(
        after_help = "Example:\n  asterisk-harden allow 203.0.113.40 --reason \"Yealink in room 12\""
    )]
    Allow(ListArgs),
    /// Take one address out of the port-scan trap
    #[command(
        after_help = "Example:\n  asterisk-harden release 203.0.113.40 --reason \"our monitoring probed port 5900\""
    )]
    Release(ListArgs),
    /// Trust an address or network: into the answers' trusted list, applied like any change
    #[command(after_help = "Example:\n  asterisk-harden trust 203.0.113.0/28\n  \
        then, from a NEW ssh session:  asterisk-harden confirm\n\n\
        Adds to network.trusted of /etc/asterisk-harden/answers.toml (the answers last applied) and \
        applies them: backed up, shown as a diff, reverted unless confirmed.")]
    Trust {
        /// The address or network (CIDR) to trust
        #[arg(value_name = "ADDR|CIDR")]
        network: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Blocklists: plain lists of addresses and CIDRs (a URL or a file) dropped on every port
    #[command(
        after_help = "Example:\n  asterisk-harden blocklist add spamhaus-drop https://www.spamhaus.org/drop/drop.txt\n  \
        asterisk-harden blocklist list\n  asterisk-harden blocklist remove spamhaus-drop\n\n\
        Each list is an ipset set of its own inside ah-BLOCK, refreshed every hour by \
        asterisk-harden-blocklists.timer (30 s timeout, 16 MiB at most); a refresh or a removal \
        changes exactly that list, no rule is reloaded. Your own address, trusted sources, trunks \
        and local networks are never blocked (taken out at import, and said). Needs ipset."
    )]
    Blocklist {
        #[command(subcommand)]
        action: BlocklistAction,
    },
    /// The responsive service: learn phones and ban password guessers from Asterisk's security events
    #[command(
        after_help = "Example:\n  asterisk-harden watch      # runs until stopped; the asterisk-harden-watch unit runs it\n\n\
        Needs `[responsive] enabled = true` applied (that writes its AMI user, `read = security` only). \
        A source that authenticates becomes a known phone; `max_failures` failed attempts within \
        `window_seconds` (default 5 in 60) ban it. Never your own address, trusted sources or trunks. \
        `status` says why each address is listed."
    )]
    Watch,
    /// Prove the rules work on this kernel, in throwaway namespaces (the host's firewall is untouched)
    #[command(
        after_help = "Example:\n  sudo asterisk-harden selftest\n  sudo asterisk-harden selftest --answers answers.toml\n\n\
        Exits 1 when any check fails, naming it."
    )]
    Selftest {
        /// The answers to test (default: the ones last applied, /etc/asterisk-harden/answers.toml)
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
        /// Test this IPv4 ruleset file instead of the rendered one
        #[arg(long, value_name = "FILE", hide = true)]
        rules: Option<PathBuf>,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    #[command(
        after_help = "Example:\n  asterisk-harden completions bash > /etc/bash_completion.d/asterisk-harden"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Trunk names: resolve again and update their set (the names timer runs this)
    #[command(hide = true)]
    Names {
        #[command(subcommand)]
        action: NamesAction,
    },
    /// Print the man page (roff)
    #[command(hide = true)]
    Manpage,
    /// The revert guard (started by apply; not for people)
    #[command(hide = true)]
    Guard,
}

/// How a change to the host is kept: asked, and confirmed from a new session.
#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// Do not ask before changing anything
    #[arg(long)]
    pub yes: bool,
    /// Seconds to wait for `confirm` before everything is reverted
    #[arg(long, value_name = "S", default_value_t = 120, conflicts_with = "no_confirm",
          value_parser = clap::value_parser!(u64).range(10..=3600))]
    pub confirm_timeout: u64,
    /// Keep the change at once, without a confirmation window (for automation with its own way back)
    #[arg(long)]
    pub no_confirm: bool,
}

impl ConfirmArgs {
    /// The confirmation window, none with --no-confirm.
    pub fn timeout(&self) -> Option<std::time::Duration> {
        (!self.no_confirm).then(|| std::time::Duration::from_secs(self.confirm_timeout))
    }
}

/// One address on one of the lists, and why.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// One IPv4 or IPv6 address
    #[arg(value_name = "ADDR")]
    pub address: String,
    /// Why, for the record (`status` and the actions log show it)
    #[arg(long, value_name = "TEXT", default_value = "by hand")]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum NamesAction {
    /// Resolve the trunk names of the answers applied; update ah-TRUNKS without reloading a rule
    Refresh,
}

#[derive(Debug, Subcommand)]
pub enum BlocklistAction {
    /// Download (or read) a list and block its addresses and networks
    Add {
        /// A short name for it: lowercase letters, digits, - and _ (e.g. spamhaus-drop)
        #[arg(value_name = "NAME")]
        name: String,
        /// An http(s) URL, or the absolute path of a file: one address or CIDR per line, # or ; comments
        #[arg(value_name = "URL|FILE")]
        source: String,
    },
    /// Unblock exactly what one list blocked, and forget it
    Remove {
        #[arg(value_name = "NAME")]
        name: String,
    },
    /// The lists, their sources, sizes and last refresh
    List,
    /// Download every list (or one) again now (the hourly timer runs this)
    Refresh {
        #[arg(value_name = "NAME")]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ListsAction {
    /// Save the kernel's lists (MYSIP, BADSIP, RLM)
    Save,
    /// Write the saved lists back into the kernel (rules must be loaded)
    Restore,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FamilyArg {
    Ipv4,
    Ipv6,
}
