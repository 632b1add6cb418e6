//! The modules this Asterisk has: the `.so` files in its module directory
//! (asterisk.conf's `astmoddir`, else the distributions' usual places), so
//! that a `noload` naming a module that does not exist can be questioned.

use std::path::{Path, PathBuf};

use super::conf::Conf;
use crate::root::Root;

/// Where distributions put the modules when asterisk.conf does not say.
const USUAL: [&str; 4] = [
    "/usr/lib/asterisk/modules",
    "/usr/lib64/asterisk/modules",
    "/usr/lib/x86_64-linux-gnu/asterisk/modules",
    "/usr/lib/aarch64-linux-gnu/asterisk/modules",
];

/// `astmoddir` from asterisk.conf's `[directories]`.
pub fn astmoddir(asterisk_conf: &str) -> Option<String> {
    let conf = Conf::parse(asterisk_conf).ok()?;
    conf.settings_in("directories")
        .into_iter()
        .find(|(_, k, _)| k.eq_ignore_ascii_case("astmoddir"))
        .map(|(_, _, v)| v.to_string())
        .filter(|v| v.starts_with('/'))
}

fn so_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".so"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// (the directory, its module files), when a directory with modules is
/// found. A sandbox's asterisk.conf may name a directory outside the
/// sandbox (the lab's Asterisk): read-only, so it is looked at as written.
pub fn modules(root: &Root) -> Option<(PathBuf, Vec<String>)> {
    let conf = crate::hostfile::read_lossy(&root.path("/etc/asterisk/asterisk.conf"));
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = conf.as_deref().and_then(astmoddir) {
        candidates.push(root.path(&dir));
        if !root.is_system() {
            candidates.push(PathBuf::from(dir));
        }
    } else {
        candidates.extend(USUAL.iter().map(|d| root.path(d)));
    }
    candidates.into_iter().find_map(|dir| {
        let names = so_files(&dir);
        (!names.is_empty()).then_some((dir, names))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_directory_asterisk_conf_names() {
        assert_eq!(
            astmoddir(
                "[directories](!)\nastetcdir => /etc/asterisk\nastmoddir => /opt/a/modules\n"
            )
            .as_deref(),
            Some("/opt/a/modules")
        );
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        assert!(modules(&root).is_none());
        let dir = root.path("/usr/lib/asterisk/modules");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("chan_pjsip.so"), "").unwrap();
        std::fs::write(dir.join("README"), "").unwrap();
        assert_eq!(modules(&root).unwrap().1, ["chan_pjsip.so"]);
    }
}
