//! Every sentence the full-screen wizard shows, in one place.

use crate::answers::Mode;
use crate::ui::wizard::Step;

pub const APP: &str = "asterisk-harden";
pub const HELP_TITLE: &str = " Help ";
pub const HELP_FOOT: &str = "In a text field letters are typed: Ctrl-C quits from there. Nothing changes before the review's yes.";

pub fn step_title(step: Step) -> &'static str {
    match step {
        Step::Welcome => "Welcome",
        Step::Ssh => "SSH",
        Step::Hostname => "SIP hostname",
        Step::Mode => "Mode",
        Step::Asterisk => "Asterisk",
        Step::Review => "Review",
        Step::Apply => "Apply",
        Step::Done => "Done",
    }
}

pub fn step_about(step: Step) -> &'static str {
    match step {
        Step::Welcome => {
            "What this host looks like, and what to do: harden it, revert to a backup, or see the status."
        }
        Step::Ssh => {
            "Keep SSH where it is, or move it to a high port scanners do not sweep. A move is tested from a second session before it is kept."
        }
        Step::Hostname => {
            "Phones register to sip:NAME; scanners only know your IP, so they never name it. Trunks never name it either: list them."
        }
        Step::Mode => {
            "How strict the SIP door is. Strict is the article's full protection; the relaxed modes trade safety for less phone configuration."
        }
        Step::Asterisk => {
            "Stop loading modules nobody needs, keep the manager interface (AMI) on localhost, turn FreePBX's Flash Operator Panel off."
        }
        Step::Review => "Every change as a diff, and the rules as loaded. Nothing has changed yet.",
        Step::Apply => {
            "The transaction: backup, test, write, load, then a guard that reverts unless a new session confirms."
        }
        Step::Done => "What changed, where the backup is, and how to undo it.",
    }
}

pub const WELCOME_INTRO: &str = "Takes this box from \"SIP open to the Internet\" to hardened: scanners banned, phones admitted by a secret hostname, SSH kept reachable. You see every change as a diff before anything happens; a change that locks you out undoes itself.";
pub const WELCOME_FOUND: &str = "What the probe found";
pub const WELCOME_WARNINGS: &str = "Needs your decision";
pub const WELCOME_CHOICES: [&str; 3] = ["Harden this server", "Revert to a backup", "Status"];

pub const SSH_MOVE: &str = "Move SSH to another port";
pub const SSH_PORT: &str = "New SSH port";
pub const KEY_ONLY: &str = "Key-only login (no passwords)";

pub fn ssh_intro(current: u16) -> String {
    format!(
        "SSH listens on port {current}. It stays accepted whatever you choose; a moved port is proven from a second session before it is kept."
    )
}

pub fn trust_admin(addr: &str) -> String {
    format!("Always accept your address {addr} (never banned)")
}

pub const HOSTNAME_INTRO: &str = "The secret SIP hostname: a phone's first REGISTER naming it whitelists that phone's address; scanners only know your IP and never do. Create a DNS record for it and use it as the phones' server. Empty is fine for the relaxed modes.";
pub const HOSTNAME: &str = "Secret hostname";
pub const TRUNKS: &str = "Trunk providers";
pub const TRUNKS_NOTE: &str =
    "Names or CIDRs, comma-separated: inbound calls from a provider never name your hostname.";

pub const MODE: &str = "Mode";

pub fn mode_line(mode: Mode) -> (&'static str, &'static str) {
    match mode {
        Mode::Strict => (
            "strict",
            "SIP only from phones that named the hostname, trunks and trusted;\ncost: phones registered by IP are cut off until they use the name",
        ),
        Mode::RelaxedOpen => (
            "relaxed-open",
            "SIP open to all, known scanners banned: anyone may try passwords",
        ),
        Mode::RelaxedRaw => (
            "relaxed-raw",
            "only the raw-table scanner bans, beside your own filter rules",
        ),
    }
}

pub const ZOIPER: &str = "Also admit Zoiper by user agent (every form it sends; forgeable)";
pub const RATE_LIMIT: &str = "The article's REGISTER/INVITE rate limits";

pub const ASTERISK_INTRO: &str =
    "Edits modules.conf (noload) and manager.conf. Take effect at Asterisk's next restart.";
pub const NO_ASTERISK: &str = "No /etc/asterisk on this host: leave this off.";
pub const MANAGE_ASTERISK: &str = "Edit modules.conf and manager.conf";
pub const MODULES: &str = "Stop loading:";
pub const AMI_LOCAL: &str = "AMI (manager) on localhost only";
pub const FOP: &str = "Turn FreePBX's Flash Operator Panel off (amportal.conf)";
pub const IAX_NOTE: &str = "(in use: iax.conf has peers)";

pub const PREPARING_REVIEW: &str =
    "Preparing the review: resolving trunk names, reading the files and the live firewall…";
pub const REVIEW_SUMMARY: &str = "What will happen (nothing has changed yet)";

pub fn review_position(first: usize, last: usize, total: usize) -> String {
    format!(" lines {first}-{last} of {total} ")
}

pub const APPLY_QUESTION_TITLE: &str = " Apply? ";

pub fn apply_question(seconds: u64) -> Vec<String> {
    vec![
        "Apply these changes now?".into(),
        String::new(),
        "Everything is backed up first. Unless you confirm from a NEW session".into(),
        format!("within {seconds} s, every file and the firewall are restored by themselves."),
        String::new(),
        "y apply    n / Esc not now".into(),
    ]
}

pub fn rollback_question(id: &str) -> Vec<String> {
    vec![
        format!("Restore backup {id}?"),
        String::new(),
        "Every file it holds goes back as it was, and the firewall's tables too.".into(),
        String::new(),
        "y restore    n / Esc not now".into(),
    ]
}

/// The y/n of a list change in the Status screen: the address, the action
/// and what it does.
pub fn operate_question(action: crate::operate::Action, address: &std::net::IpAddr) -> Vec<String> {
    use crate::operate::Action::*;
    let (question, effect) = match action {
        Ban => (
            format!("Ban {address}?"),
            "It goes on the ban list (BADSIP): its packets are dropped from now on. It also leaves the known phones.",
        ),
        Unban => (
            format!("Unban {address}?"),
            "It leaves the ban list (BADSIP) and is an ordinary source again.",
        ),
        Allow => (
            format!("Allow {address} as a known phone?"),
            "It goes on the known phones (MYSIP), and leaves the ban list and the trap.",
        ),
        Release => (
            format!("Release {address} from the trap?"),
            "It leaves the trap (RLM): its packets reach this server again.",
        ),
    };
    vec![
        question,
        String::new(),
        effect.into(),
        "Saved, so it holds after a reboot, and recorded as done by hand.".into(),
        String::new(),
        format!("y {}    n / Esc not now", action.verb()),
    ]
}

/// The y/n of a trust from the Status screen.
pub fn trust_question(address: &std::net::IpAddr) -> Vec<String> {
    vec![
        format!("Trust {address}?"),
        String::new(),
        "It goes into network.trusted of the answers applied: it is then".into(),
        "accepted before any list is looked at, and can never be banned.".into(),
        "Next comes the review of every change; applying it asks once more".into(),
        "and opens the confirmation window, like any change.".into(),
        String::new(),
        "y to the review    n / Esc not now".into(),
    ]
}

pub fn confirm_here_question(banner: &str) -> Vec<String> {
    vec![
        "Keep the change, confirming from this session?".into(),
        String::new(),
        format!("The SSH port answers here ({banner})."),
        "A login from a new session is the stronger proof; this only shows sshd listens.".into(),
        String::new(),
        "y keep it    n / Esc wait for the new session".into(),
    ]
}

pub const QUIT_TITLE: &str = " Quit? ";
pub const QUIT: &[&str] = &[
    "Quit the wizard? What you entered is lost; nothing was changed.",
    "",
    "y quit    n / Esc stay",
];
pub const QUIT_WAITING: &[&str] = &[
    "Quit while the change waits for confirmation?",
    "",
    "The guard keeps running: unless `confirm` arrives from a new session",
    "before the deadline, everything is reverted by itself.",
    "",
    "y quit    n / Esc stay",
];
pub const CONFIRM_TITLE: &str = " Are you sure? ";
pub const NOTE_TITLE: &str = " Note ";
pub const SAVE_TITLE: &str = " Save the answers to a file ";
pub const SAVE_DEFAULT: &str = "asterisk-harden-answers.toml";
pub const SAVE_PROMPT: &str =
    "For `sudo asterisk-harden apply --answers FILE` on other servers. Enter writes, Esc cancels.";

pub fn saved(path: &str) -> Vec<String> {
    vec![
        format!("Saved to {path}."),
        format!("On another server: sudo asterisk-harden apply --answers {path}"),
    ]
}

pub const APPLYING: &str = "Applying: backup, test, write, load…";
pub const APPLY_STEPS: &str = "Done so far";
pub const SECOND_SESSION: &str = "Now prove you can still get in. In a NEW terminal, run:";
pub const SECOND_SESSION_HERE: &str = "Now prove a new session works. In a NEW terminal here, run:";

pub fn countdown(left: u64) -> String {
    format!("{left} s left")
}

pub fn at_zero(backup_id: &str) -> String {
    format!(
        "At zero the guard restores every file and the firewall from backup {backup_id}. Closing this window does not stop it."
    )
}

pub fn banner_ok(port: u16, banner: &str) -> String {
    format!("✓ 127.0.0.1:{port} answers {banner}: c confirms from here")
}

pub fn banner_failed(why: &str) -> String {
    format!("✗ {why}: confirm from a new session (p probes again)")
}

pub use crate::ui::done::{
    FAILED as DONE_FAILED, REFUSED as DONE_REFUSED, REVERTED as DONE_REVERTED,
    ROLLED_BACK as DONE_ROLLED_BACK,
};

pub const DONE_CHANGED: &str = "What changed:";

pub const REVERT_TITLE: &str = "Revert to a backup";
pub const REVERT_NONE: &str =
    "There are no backups yet: every apply makes one, before it changes anything.";
pub const REVERT_PICK: &str = "Backups, newest first. Enter shows what restoring one would change.";

pub fn revert_heading(id: &str) -> String {
    format!("Restoring {id} would change:")
}

pub const REVERT_SAME: &str = "Every file is already as saved.";
pub const TRUST_NO_ANSWERS: &str = "There are no answers applied on this host yet: run the wizard (Harden this server) first; trusting adds to them.";
pub const STATUS_TITLE: &str = "Status";
pub const STATUS_ABOUT: &str = "What the firewall drops, read from the live kernel every 2 s: counters per cause, the banned scanners, the known phones, the trapped port scanners. Select an entry to ban, unban, allow, release or trust it: each is asked first.";
pub const STATUS_READING: &str = "Reading the firewall...";
pub const STATUS_UNREADABLE: &str = "The firewall could not be read (that needs root):";
pub const STATUS_NOT_LOADED: &str = "None of asterisk-harden's rules are loaded here yet: harden this server first (Esc, then Enter).";
pub const STATUS_SPARK: &str = "Drops per refresh:";

pub const NOT_ROOT: &str = "not root: review only";
pub const DEMO: &str = "DEMO";
