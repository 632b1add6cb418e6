//! asterisk-harden: takes an Asterisk box from "SIP open to the Internet" to
//! hardened, safely. Data flows probe → answers → plan → review → transaction
//! → status; this crate holds the domain, the binary is a thin edge.

pub mod answers;
pub mod assets;
pub mod asterisk;
pub mod atomic;
pub mod blocklist;
pub mod demo;
pub mod exec;
pub mod fail2ban;
pub mod fault;
pub mod filelock;
pub mod hostfile;
pub mod lists;
pub mod names;
pub mod operate;
pub mod plan;
pub mod probe;
pub mod recent;
pub mod resolve;
pub mod review;
pub mod root;
pub mod ruleset;
pub mod selftest;
pub mod sets;
pub mod ssh;
pub mod status;
pub mod transaction;
pub mod ui;
pub mod values;
pub mod watch;
