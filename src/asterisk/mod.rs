//! Asterisk's own files: what the probe reads from them and the edits the plan
//! makes (modules.conf, manager.conf, amportal.conf).

pub mod conf;
mod facts;

pub use facts::{AsteriskFacts, CONFIG_DIR, SipTransport, TransportProtocol};
