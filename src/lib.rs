//! asterisk-harden: takes an Asterisk box from "SIP open to the Internet" to
//! hardened, safely. Data flows probe → answers → plan → review → transaction
//! → status; this crate holds the domain, the binary is a thin edge.

pub mod answers;
pub mod assets;
pub mod plan;
pub mod resolve;
pub mod ruleset;
