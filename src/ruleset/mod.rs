//! The firewall: a typed model, the builder of the article's rules, and the
//! iptables-restore renderer. Pure: no I/O.

mod blocklist;
mod build;
mod filter;
mod model;
mod parts;
mod raw;
mod render;
pub mod restore_file;
mod spec;
mod trusted;

pub use blocklist::{BLOCKLISTS, MAX_BLOCKLISTS};
pub use build::{
    BANNED_SCANNERS, INVITE_FLOOD, KNOWN_PHONES, LOG_PREFIX, NAMED_TRUNKS, NEW_TCP, QUIET_SOURCES,
    REGISTER_FLOOD, TRAPPED_SOURCES, build,
};
pub use model::*;
pub use render::{render, render_sets, rule_line};
pub use spec::FirewallSpec;
pub use trusted::NAMED_TRUSTED;
