//! The boot units call the binary that planned them. A cargo build
//! directory is not somewhere a boot may rely on: `cargo clean`, a rebuild
//! that fails, or a checkout in a home directory that is later removed would
//! leave the host's units calling nothing, silently, at the next boot.

use std::path::{Path, PathBuf};

use crate::plan::Plan;

/// True when `exe` sits in a cargo target directory (`target/debug`,
/// `target/release`, or any `CARGO_TARGET_DIR`): cargo keeps its
/// `.fingerprint` and `deps` beside every binary it builds there.
pub fn is_cargo_build(exe: &Path) -> bool {
    exe.parent()
        .is_some_and(|dir| dir.join(".fingerprint").is_dir() && dir.join("deps").is_dir())
}

/// The build binary a changed file of the plan would call, if any.
pub fn unit_calls_build(plan: &Plan, exe: &Path) -> Option<PathBuf> {
    if !is_cargo_build(exe) {
        return None;
    }
    let shown = exe.display().to_string();
    plan.files
        .iter()
        .any(|f| f.changes() && f.after.contains(&shown))
        .then(|| exe.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cargo_target_dir_is_a_build() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("asterisk-harden");
        assert!(!is_cargo_build(&exe));
        std::fs::create_dir(dir.path().join(".fingerprint")).unwrap();
        assert!(!is_cargo_build(&exe), "needs deps/ as well");
        std::fs::create_dir(dir.path().join("deps")).unwrap();
        assert!(is_cargo_build(&exe));
        assert!(!is_cargo_build(Path::new("/usr/sbin/asterisk-harden")));
    }

    #[test]
    fn this_test_binary_is_a_build() {
        // cargo runs the tests from target/*/deps; the tool from target/*.
        let exe = std::env::current_exe().unwrap();
        let tool = exe
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("asterisk-harden");
        assert!(is_cargo_build(&tool), "{}", tool.display());
    }
}
