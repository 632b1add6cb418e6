//! `watch`: the responsive service, at the edge (answers, protection,
//! where it speaks).

use anyhow::Context;
use asterisk_harden::answers::Responsive;
use asterisk_harden::root::Root;
use asterisk_harden::watch::{AMI_ADDRESS, Judge, Watch, read_secret};

use super::operate::{applied_answers, protected};
use super::{CommandResult, bad_input};

pub fn run(root: &Root) -> CommandResult {
    let secret = read_secret(root).map_err(bad_input)?;
    let r = applied_answers(root)?
        .and_then(|a| a.responsive)
        .unwrap_or_default();
    if !r.enabled && r != Responsive::default() {
        eprintln!("note: [responsive] enabled = false in the answers applied; watching anyway");
    }
    let address = AMI_ADDRESS.parse().context("the AMI address")?;
    eprintln!(
        "watching Asterisk's security events: {} failed attempts within {} s ban a source",
        r.max_failures, r.window_seconds
    );
    let root_for_protection = root.clone();
    let protected = move || {
        protected(&root_for_protection).unwrap_or_else(|_| {
            eprintln!(
                "note: the answers applied cannot be read: only your own address is protected"
            );
            asterisk_harden::operate::Protected {
                admin: asterisk_harden::ssh::session::admin_address(),
                ..Default::default()
            }
        })
    };
    let mut say = |line: &str| eprintln!("{line}");
    Watch {
        root,
        address,
        secret,
        judge: Judge::new(r.max_failures, r.window_seconds),
        protected: &protected,
        say: &mut say,
    }
    .run()
}
