//! What may never be banned or trapped on this host, read the same way by
//! the CLI (`ban`) and the TUI's Status screen: this session's address, and
//! the trusted sources and trunks of the answers last applied.

use crate::answers::{Answers, AnswersError, HostDefaults};
use crate::plan::ANSWERS_FILE;
use crate::probe::{MatchTest, probe};
use crate::resolve::resolve_trunks;
use crate::root::Root;

use super::Protected;

/// The answers last applied on this host, if any.
pub fn applied_answers(root: &Root) -> Result<Option<Answers>, AnswersError> {
    let path = root.path(ANSWERS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let facts = probe(root, MatchTest::Skip);
    Answers::load(&path, &HostDefaults::from_facts(&facts)).map(Some)
}

/// What may never be banned here (trunk names resolved now; one that does
/// not resolve cannot be matched, and `note` is told so).
pub fn read(root: &Root, note: &mut dyn FnMut(String)) -> Result<Protected, AnswersError> {
    let mut p = Protected {
        admin: crate::ssh::session::admin_address(),
        ..Protected::default()
    };
    if let Some(mut answers) = applied_answers(root)? {
        p.trusted = answers.network.trusted.clone();
        // Trusted names: what they resolve to now, and what they last
        // resolved to (a name that stopped resolving stays accepted).
        if let Err(e) = crate::resolve::resolve_trusted(&mut answers) {
            note(e.to_string());
        }
        let last = crate::names::read(root);
        for t in &answers.network.trusted_names {
            let known = last.get(t.name.as_str()).map(|s| s.addresses.clone());
            for a in t.addresses.iter().chain(known.iter().flatten()) {
                p.trusted.push(ipnet::IpNet::from(*a));
            }
        }
        for t in &answers.sip.trunks {
            match resolve_trunks(std::slice::from_ref(t)) {
                Ok(r) => p
                    .trunks
                    .extend(r.into_iter().map(|r| (t.to_string(), r.nets))),
                Err(e) => note(e.to_string()),
            }
        }
    }
    Ok(p)
}
