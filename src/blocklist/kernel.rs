//! A list's `hash:net` sets in the kernel: filled aside, swapped in whole
//! (`ipset swap`: the rule and the list:set keep pointing at the same
//! name), added to ah-BLOCK (ah-BLOCK6); destroyed on removal. Every call
//! is one `ipset restore` with generated text from validated values.

use super::exclude::Item;
use super::{BlocklistError, ListName};
use crate::exec::Runner;
use crate::ruleset::{BLOCKLISTS, Family, set_name};
use crate::sets;

/// Entries a list's set may hold.
pub const CAPACITY: u32 = 1_048_576;

/// The set of list `name` for `family`: ah-bl-NAME, ah-bl-NAME6.
pub fn list_set(name: &ListName, family: Family) -> String {
    set_name(&format!("bl-{name}"), family)
}

fn families() -> [Family; 2] {
    [Family::Ipv4, Family::Ipv6]
}

fn inet(f: Family) -> &'static str {
    match f {
        Family::Ipv4 => "inet",
        Family::Ipv6 => "inet6",
    }
}

/// The families whose set of lists is loaded; none: why not.
pub fn ready(runner: &dyn Runner) -> Result<Vec<Family>, BlocklistError> {
    if runner.find("ipset").is_none() {
        return Err(BlocklistError::NotLoaded {
            why: "this host has no ipset, and blocklists need it (xt_recent holds single addresses, 100 by default, and forgets the oldest)",
            hint: "apt-get install ipset (dnf install ipset), then apply again",
        });
    }
    let names = sets::names(runner)?;
    let loaded: Vec<Family> = families()
        .into_iter()
        .filter(|f| names.contains(&set_name(BLOCKLISTS, *f)))
        .collect();
    if loaded.is_empty() {
        return Err(BlocklistError::NotLoaded {
            why: "the rules are not loaded, or they were applied without ipset (or by an older asterisk-harden)",
            hint: "apply the answers again with ipset installed (asterisk-harden apply --answers /etc/asterisk-harden/answers.toml), then add the list",
        });
    }
    Ok(loaded)
}

/// Make the sets of `name` hold exactly `items`, atomically per family.
pub fn load(runner: &dyn Runner, name: &ListName, items: &[Item]) -> Result<(), BlocklistError> {
    let loaded = ready(runner)?;
    for f in loaded {
        let set = list_set(name, f);
        let new = format!("{set}-new");
        let mut fill = format!(
            "create {new} hash:net family {} maxelem {CAPACITY}\nflush {new}\n",
            inet(f)
        );
        for i in items.iter().filter(|i| f.holds(&i.net)) {
            fill.push_str(&format!("add {new} {}\n", i.element()));
        }
        if let Err(e) = sets::create(runner, &fill) {
            let _ = sets::destroy(runner, &new);
            return Err(e.into());
        }
        sets::create(
            runner,
            &format!(
                "create {set} hash:net family {} maxelem {CAPACITY}\nswap {new} {set}\ndestroy {new}\nadd {} {set}\n",
                inet(f),
                set_name(BLOCKLISTS, f)
            ),
        )?;
    }
    Ok(())
}

/// Take list `name` out of the kernel; true if it was there.
pub fn remove(runner: &dyn Runner, name: &ListName) -> Result<bool, BlocklistError> {
    if runner.find("ipset").is_none() {
        return Ok(false);
    }
    let names = sets::names(runner)?;
    let mut was = false;
    for f in families() {
        let set = list_set(name, f);
        if !names.contains(&set) {
            continue;
        }
        let block = set_name(BLOCKLISTS, f);
        if names.contains(&block) {
            sets::create(runner, &format!("del {block} {set}\n"))?;
        }
        sets::destroy(runner, &set)?;
        was = true;
    }
    Ok(was)
}
