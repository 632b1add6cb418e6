//! One address on or off one of our live lists (MYSIP, BADSIP, RLM): the
//! ipset set of its family where the rules use sets, else the xt_recent list
//! through /proc/net/xt_recent (`+addr`, `-addr`: the kernel's interface).
//! Every ipset call is one run with arguments, never a shell line.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::exec::Runner;
use crate::ruleset::{Family, set_name};
use crate::sets::{self, SetsError};

const PROC: &str = "/proc/net/xt_recent";

#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    #[error(
        "the list {list} is not in the kernel: the rules that use it are not loaded{hint}\n    what to do: load the rules first: `asterisk-harden apply --answers FILE` (after an apply, FILE is /etc/asterisk-harden/answers.toml), or `netfilter-persistent start`; nothing was changed"
    )]
    NotLoaded { list: String, hint: &'static str },
    #[error(transparent)]
    Sets(#[from] SetsError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Where a list lives on this host right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Set(String),
    Recent(PathBuf),
}

fn family(a: IpAddr) -> Family {
    if a.is_ipv4() {
        Family::Ipv4
    } else {
        Family::Ipv6
    }
}

/// Where `list` keeps addresses of `a`'s family, if the rules are loaded.
pub fn place(runner: &dyn Runner, list: &str, a: IpAddr) -> Result<Place, KernelError> {
    let set = set_name(list, family(a));
    if runner.find("ipset").is_some()
        && sets::names(runner)
            .map(|n| n.contains(&set))
            .unwrap_or(false)
    {
        return Ok(Place::Set(set));
    }
    let proc_file = Path::new(PROC).join(list);
    if proc_file.exists() {
        return Ok(Place::Recent(proc_file));
    }
    Err(KernelError::NotLoaded {
        list: list.to_string(),
        hint: if list == crate::ruleset::KNOWN_PHONES {
            " (only strict mode keeps known phones: in the relaxed modes every source reaches SIP)"
        } else {
            ""
        },
    })
}

/// Whether `a` is on the list at `place`.
pub fn has(runner: &dyn Runner, place: &Place, a: IpAddr) -> Result<bool, KernelError> {
    match place {
        Place::Set(set) => {
            let ran = runner
                .run("ipset", &["test", set, &a.to_string()], None)
                .map_err(SetsError::from)?;
            Ok(ran.success)
        }
        Place::Recent(file) => {
            let text = std::fs::read_to_string(file).map_err(|source| KernelError::Io {
                path: file.clone(),
                source,
            })?;
            let wanted = a.to_string();
            Ok(crate::recent::addresses(&text)
                .iter()
                .any(|x| x.parse::<IpAddr>().map(|p| p.to_string()).as_deref() == Ok(&wanted)))
        }
    }
}

/// Put `a` on (or take it off) the list at `place`. Returns whether
/// anything changed.
pub fn set(runner: &dyn Runner, place: &Place, a: IpAddr, on: bool) -> Result<bool, KernelError> {
    if has(runner, place, a)? == on {
        return Ok(false);
    }
    match place {
        Place::Set(set) => {
            let verb = if on { "add" } else { "del" };
            let ran = runner
                .run("ipset", &["-exist", verb, set, &a.to_string()], None)
                .map_err(SetsError::from)?;
            if !ran.success {
                return Err(SetsError::Refused(ran.stderr.trim().to_string()).into());
            }
        }
        Place::Recent(file) => {
            let sign = if on { '+' } else { '-' };
            std::fs::write(file, format!("{sign}{a}\n")).map_err(|source| KernelError::Io {
                path: file.clone(),
                source,
            })?;
        }
    }
    Ok(true)
}
