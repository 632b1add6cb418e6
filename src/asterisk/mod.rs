//! Asterisk's own files: what the probe reads from them and the edits the plan
//! makes (modules.conf, manager.conf, amportal.conf).

pub mod amportal;
pub mod cli_output;
pub mod conf;
pub mod edit;
mod facts;
pub mod freepbx;
pub mod hygiene;
pub mod live;
pub mod manager;
pub mod modules;

pub use facts::{
    AsteriskFacts, CONFIG_DIR, LiveAsterisk, ModuleDir, SipTransport, TransportProtocol,
};
