//! Property tests of the Asterisk config edits over generated files: editing
//! twice equals editing once, and every line the edit does not own survives,
//! byte for byte and in order.

use asterisk_harden::asterisk::{manager, modules};
use proptest::prelude::*;

const NOTE: &str = " ; disabled by asterisk-harden";

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("; a comment".to_string()),
        Just("[modules]".to_string()),
        Just("[global]".to_string()),
        Just("[general]".to_string()),
        Just("[admin]".to_string()),
        Just("autoload=yes".to_string()),
        Just("preload => res_odbc.so".to_string()),
        Just("load => chan_iax2.so".to_string()),
        Just("load=>CHAN_MGCP".to_string()),
        Just("noload = chan_skinny.so ; old".to_string()),
        Just("bindaddr = 0.0.0.0".to_string()),
        Just("secret = s3cret".to_string()),
        Just("#include extra.conf".to_string()),
        "[a-z]{1,8} = [a-z0-9]{0,8}".prop_map(|s| s),
    ]
}

fn file() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(line(), 0..24),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, final_eol)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(eol);
            if final_eol && !text.is_empty() {
                text.push_str(eol);
            }
            text
        })
}

fn wanted() -> Vec<asterisk_harden::answers::AsteriskModule> {
    [
        "chan_iax2.so",
        "chan_mgcp.so",
        "chan_skinny.so",
        "pbx_dundi.so",
    ]
    .iter()
    .map(|s| asterisk_harden::answers::AsteriskModule::parse(s).unwrap())
    .collect()
}

/// The output with the edit's own lines taken back out: added `noload`
/// lines dropped, commented-out loads restored.
fn without_owned(output: &str, original: &str) -> Vec<String> {
    let added: Vec<String> = wanted().iter().map(|m| format!("noload => {m}")).collect();
    let original_lines: Vec<&str> = original.lines().collect();
    output
        .lines()
        .filter(|l| !added.iter().any(|a| a == l) || original_lines.contains(l))
        .map(|l| match l.find(NOTE) {
            Some(i) if l.starts_with(';') => l[1..i].to_string(),
            _ => l.to_string(),
        })
        .collect()
}

proptest! {
    #[test]
    fn noload_edit_is_idempotent_and_keeps_every_other_line(text in file()) {
        let once = modules::ensure_noload(&text, &wanted()).unwrap();
        let twice = modules::ensure_noload(&once.text, &wanted()).unwrap();
        prop_assert_eq!(&twice.text, &once.text);
        if text.contains("[modules]") {
            let original: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).collect();
            let kept: Vec<String> = without_owned(&once.text, &text).iter().map(|l| l.trim_end().to_string()).collect();
            prop_assert_eq!(kept, original);
        }
        // The file ends the way it did: a missing final newline stays missing.
        prop_assert_eq!(once.text.ends_with('\n'), text.ends_with('\n') || text.is_empty());
    }

    #[test]
    fn bindaddr_edit_is_idempotent_and_leaves_other_sections_alone(text in file()) {
        let once = manager::bind_localhost(&text).unwrap();
        let twice = manager::bind_localhost(&once.text).unwrap();
        prop_assert_eq!(&twice.text, &once.text);
        let outside = |t: &str| -> Vec<String> {
            let mut in_general = false;
            t.lines()
                .filter(|l| {
                    if l.trim_start().starts_with('[') {
                        in_general = l.trim().starts_with("[general]");
                    }
                    !in_general
                })
                .map(str::to_string)
                .collect()
        };
        if text.contains("[general]") {
            prop_assert_eq!(outside(&once.text), outside(&text));
        }
    }
}
