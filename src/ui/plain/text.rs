//! Every sentence the line mode prints or asks, in one place.

use crate::answers::Mode;

pub const TITLE: &str = "asterisk-harden: harden this Asterisk server, safely";
pub const NOTHING_CHANGES: &str = "Nothing changes until you have seen every change as a diff and said yes. Esc goes back a step.";

pub const WELCOME_PROMPT: &str = "What do you want to do?";
pub const WELCOME_CHOICES: [&str; 4] =
    ["Harden this server", "Revert to a backup", "Status", "Quit"];

pub const SSH_INTRO: &str = "SSH: keep it where it is, or move it to a high port that scanners do not sweep.\n\
     Moving it is tested from a second session before it is kept.";
pub const SSH_MOVE: &str = "Move SSH to another port?";
pub const SSH_MOVE_HELP: &str = "No keeps SSH where it is (it stays accepted).";
pub const SSH_PORT: &str = "New SSH port";
pub const SSH_PORT_HELP: &str = "A free high port outside the SIP and RTP ranges.";
pub const KEY_ONLY: &str = "Key-only login (no passwords)?";
pub const KEY_ONLY_HELP: &str =
    "Refused unless an authorized key exists: otherwise it locks you out.";

pub fn trust_admin(addr: &str) -> String {
    format!("Always accept your address {addr} (never banned)?")
}

pub const HOSTNAME_INTRO: &str = "The secret SIP hostname: phones register to sip:NAME, scanners only know your IP.\n\
     The first REGISTER naming it whitelists that phone's address. Leave it empty for the relaxed modes.";
pub const HOSTNAME: &str = "Secret SIP hostname";
pub const HOSTNAME_HELP: &str = "A DNS name only your phones know, e.g. pbx-7f3k.example.net";
pub const TRUNKS: &str = "SIP trunk providers to accept (names or CIDRs, comma-separated)";
pub const TRUNKS_HELP: &str = "Inbound calls from a provider never name your hostname.";

pub const MODE_PROMPT: &str = "Mode";
pub const MODE_HELP: &str = "Strict is the article's full protection.";

pub fn mode_choice(mode: Mode) -> String {
    match mode {
        Mode::Strict => "strict: SIP only from phones that named the hostname, trunks, trusted (phones need the name)",
        Mode::RelaxedOpen => "relaxed-open: full ruleset, SIP open to all, scanners banned (anyone may try passwords)",
        Mode::RelaxedRaw => "relaxed-raw: only the raw-table scanner bans, beside your own rules (you secure the rest)",
    }
    .into()
}

pub const ZOIPER: &str = "Also admit Zoiper by its user agent (every form Zoiper really sends)?";
pub const ZOIPER_HELP: &str = "A convenience, not a secret: a user agent is trivially forged.";
pub const RATE_LIMIT: &str = "Add the article's REGISTER/INVITE rate limits?";
pub const RATE_LIMIT_HELP: &str = "Drops floods; a large office behind one NAT may need them off.";

pub const ASTERISK_INTRO: &str = "Asterisk: stop loading modules nobody needs, keep AMI on localhost, turn FreePBX's Flash Operator Panel off.";
pub const NO_ASTERISK: &str = "No /etc/asterisk here: the Asterisk files stay untouched.";
pub const MANAGE_ASTERISK: &str = "Edit modules.conf and manager.conf?";
pub const MODULES: &str = "Modules to stop loading (noload)";
pub const MODULES_HELP: &str = "chan_iax2 is unchecked when iax.conf defines peers.";
pub const AMI_LOCAL: &str = "Keep AMI (the manager interface) on localhost only?";
pub const FOP: &str =
    "Turn FreePBX's Flash Operator Panel off (amportal.conf; nothing changes without it)?";

pub const REVIEW_PROMPT: &str = "Now?";
pub const REVIEW_APPLY: &str = "Apply these changes (asks once more)";
pub const REVIEW_SAVE: &str = "Save the answers to a file (for `apply --answers` on other servers)";
pub const REVIEW_BACK: &str = "Go back";
pub const REVIEW_QUIT: &str = "Quit without changing anything";
pub const SAVE_PATH: &str = "Write the answers to";
pub const SAVE_DEFAULT: &str = "asterisk-harden-answers.toml";

pub fn saved(path: &str) -> String {
    format!("Saved. On another server: sudo asterisk-harden apply --answers {path}")
}

pub fn apply_question(seconds: u64) -> String {
    format!(
        "Apply now? Unless confirmed from a new session within {seconds} s, everything is undone"
    )
}

pub const CONFIRM_HERE: &str =
    "Confirm from this session instead? (a new session is the stronger proof)";
pub const QUIT: &str = "Quit? What you entered is lost.";

pub const REVERT_PROMPT: &str = "Which backup? (newest first)";
pub const REVERT_NONE: &str = "There are no backups yet: they are made by every apply.";
pub const REVERT_QUESTION: &str = "Restore this backup (files and firewall as they were)?";
pub const STATUS_NOT_LOADED: &str =
    "None of asterisk-harden's rules are loaded here yet: harden this server first.";
