//! modules.conf: an active `noload => name.so` inside `[modules]` for each
//! module to keep out, recognised in any spelling already there; a `load`
//! of the same module is commented out rather than left to conflict;
//! `autoload` is never touched.

use super::conf::{Conf, ConfError, Kind};
use super::edit::Edit;
use crate::answers::AsteriskModule;

/// The article's list, with what each module would otherwise open.
pub const ARTICLE_NOLOAD: [(&str, &str); 8] = [
    ("chan_skinny.so", "Skinny, TCP 2000"),
    ("chan_mgcp.so", "MGCP, UDP 2727"),
    ("pbx_dundi.so", "DUNDi, UDP 4520"),
    ("chan_unistim.so", "UNISTIM, UDP 5000"),
    ("chan_ooh323.so", "H.323, TCP 1720"),
    ("chan_iax2.so", "IAX2, UDP 4569"),
    ("cdr_sqlite.so", "SQLite 2 CDRs (crashes under load)"),
    (
        "res_config_sqlite.so",
        "SQLite 2 realtime (crashes under load)",
    ),
];

/// Modules removed from Asterisk, and the major version that removed them:
/// a `noload` for them is harmless, and the review says so.
pub const REMOVED_IN: [(&str, u32); 5] = [
    ("chan_sip", 21),
    ("chan_skinny", 21),
    ("chan_mgcp", 21),
    ("res_config_sqlite", 19),
    ("cdr_sqlite", 16),
];

/// "chan_iax2", "CHAN_IAX2.SO" → "chan_iax2".
pub fn module_name(value: &str) -> String {
    let v = value.trim().to_ascii_lowercase();
    v.strip_suffix(".so").unwrap_or(&v).to_string()
}

/// Modules in `wanted` that the installed Asterisk no longer has.
pub fn removed_modules(wanted: &[AsteriskModule], major: Option<u32>) -> Vec<(String, u32)> {
    let Some(major) = major else {
        return Vec::new();
    };
    wanted
        .iter()
        .filter_map(|m| {
            REMOVED_IN
                .iter()
                .find(|(r, v)| *r == m.name() && major >= *v)
                .map(|(_, v)| (m.file_name(), *v))
        })
        .collect()
}

/// The module names (without `.so`) in an Asterisk module directory, sorted;
/// `None` when the directory cannot be read.
pub fn in_directory(dir: &std::path::Path) -> Option<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".so").map(str::to_string)
        })
        .collect();
    names.sort();
    Some(names)
}

/// Where distributions install Asterisk's modules (checked through the root
/// when no running Asterisk says where its own are).
pub const DEFAULT_MODULE_DIRS: [&str; 3] = [
    "/usr/lib/asterisk/modules",
    "/usr/lib64/asterisk/modules",
    "/usr/lib/x86_64-linux-gnu/asterisk/modules",
];

/// `modules` are validated names (`[a-z0-9_]`): nothing but a module name
/// ever reaches the file.
pub fn ensure_noload(text: &str, modules: &[AsteriskModule]) -> Result<Edit, ConfError> {
    let mut conf = Conf::parse(text)?;
    let mut notes = Vec::new();
    if conf.end_of_section("modules").is_none() {
        // A modules.conf without [modules] loads everything: add the section.
        let at = conf.lines.len().saturating_sub(1);
        let header = conf.new_line(
            "[modules]",
            Kind::Section {
                name: "modules".into(),
                options: String::new(),
            },
        );
        if conf.lines.is_empty() {
            conf.lines.push(header);
        } else {
            conf.insert_after(at, vec![header]);
        }
        notes.push("added a [modules] section".into());
    }
    for wanted in modules {
        let name = wanted.name();
        let settings: Vec<(usize, String, String)> = conf
            .settings_in("modules")
            .into_iter()
            .map(|(i, k, v)| (i, k.to_ascii_lowercase(), module_name(v)))
            .filter(|(_, _, v)| *v == name)
            .collect();
        for (i, key, _) in &settings {
            if key == "load" || key == "preload" || key == "require" {
                notes.push(format!(
                    "commented out `{}` (it would conflict)",
                    conf.lines[*i].text.trim()
                ));
                conf.comment_out(
                    *i,
                    &format!("disabled by asterisk-harden: noload {name}.so below"),
                );
            }
        }
        if settings.iter().any(|(_, k, _)| k == "noload") {
            continue;
        }
        let at = conf.end_of_section("modules").expect("ensured above");
        let line = conf.new_line(
            &format!("noload => {name}.so"),
            Kind::Setting {
                key: "noload".into(),
                value: format!("{name}.so"),
                arrow: true,
            },
        );
        conf.insert_after(at, vec![line]);
        notes.push(format!("noload => {name}.so"));
    }
    Ok(Edit {
        text: conf.render(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(m: &[&str]) -> Vec<AsteriskModule> {
        m.iter()
            .map(|s| AsteriskModule::parse(s).unwrap())
            .collect()
    }

    #[test]
    fn recognises_existing_lines_in_any_spelling() {
        let text = "[modules]\nautoload=yes\nnoload=>CHAN_SKINNY ; old\nnoload = chan_mgcp.so\n";
        let e = ensure_noload(
            text,
            &list(&["chan_skinny.so", "chan_mgcp", "pbx_dundi.so"]),
        )
        .unwrap();
        assert_eq!(
            e.text,
            "[modules]\nautoload=yes\nnoload=>CHAN_SKINNY ; old\nnoload = chan_mgcp.so\nnoload => pbx_dundi.so\n"
        );
    }

    #[test]
    fn a_conflicting_load_is_commented_out_and_later_sections_stay_after() {
        let text = "[modules]\r\nautoload=yes\r\nload => chan_iax2.so\r\n\r\n; settings of [global]\r\n[global]\r\nx=1";
        let e = ensure_noload(text, &list(&["chan_iax2.so"])).unwrap();
        assert_eq!(
            e.text,
            "[modules]\r\nautoload=yes\r\n;load => chan_iax2.so ; disabled by asterisk-harden: noload chan_iax2.so below\r\n\
             noload => chan_iax2.so\r\n\r\n; settings of [global]\r\n[global]\r\nx=1"
        );
        assert_eq!(
            ensure_noload(&e.text, &list(&["chan_iax2.so"]))
                .unwrap()
                .text,
            e.text,
            "idempotent"
        );
    }

    #[test]
    fn missing_final_newline_is_kept_and_never_glued() {
        let e = ensure_noload("[modules]\nautoload=yes", &list(&["chan_mgcp.so"])).unwrap();
        assert_eq!(e.text, "[modules]\nautoload=yes\nnoload => chan_mgcp.so");
    }

    #[test]
    fn removed_modules_are_named() {
        let r = removed_modules(
            &list(&["chan_skinny.so", "chan_iax2.so", "cdr_sqlite.so"]),
            Some(21),
        );
        assert_eq!(
            r,
            [
                ("chan_skinny.so".to_string(), 21),
                ("cdr_sqlite.so".to_string(), 16)
            ]
        );
        assert!(removed_modules(&list(&["chan_skinny.so"]), Some(20)).is_empty());
    }
}
