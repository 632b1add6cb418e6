//! sshd's configuration as files: the main file and the drop-ins its
//! `Include` pulls in, read under the root. sshd keeps the FIRST value of
//! most keywords, but every `Port` line ADDS a port, so where a line sits
//! decides whether it counts.

use std::path::{Path, PathBuf};

use crate::hostfile::{ReadError, read_text};
use crate::root::Root;

pub const MAIN_CONFIG: &str = "/etc/ssh/sshd_config";
pub const OWN_DROPIN: &str = "00-asterisk-harden.conf";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshdFiles {
    /// Host paths (as on a real system) and their text, main file first,
    /// then the drop-ins in the order sshd reads them.
    pub main: (PathBuf, String),
    pub dropins: Vec<(PathBuf, String)>,
    /// The directory of an `Include DIR/*.conf` in the main file, if any:
    /// our own drop-in goes there and sorts first.
    pub dropin_dir: Option<PathBuf>,
}

/// The keyword of an active line (`Port 22` → "port"), lowercased.
pub fn keyword(line: &str) -> Option<String> {
    let t = line.trim_start();
    if t.is_empty() || t.starts_with('#') {
        return None;
    }
    t.split(|c: char| c.is_whitespace() || c == '=')
        .next()
        .map(str::to_ascii_lowercase)
}

pub fn value(line: &str) -> Option<&str> {
    let t = line.trim();
    let rest = t.split_once(|c: char| c.is_whitespace() || c == '=')?.1;
    Some(
        rest.trim_start_matches(|c: char| c.is_whitespace() || c == '=')
            .trim(),
    )
}

/// A path written in sshd_config: relative ones are under /etc/ssh. In a
/// sandbox the file may already name paths inside the sandbox; those are
/// turned back into host paths.
pub fn host_path(root: &Root, written: &str) -> PathBuf {
    let p = Path::new(written);
    let absolute = if p.is_absolute() {
        p.to_path_buf()
    } else {
        Path::new("/etc/ssh").join(p)
    };
    if !root.is_system()
        && let Ok(inside) = absolute.strip_prefix(root.dir())
    {
        return Path::new("/").join(inside);
    }
    absolute
}

/// Whether `name` matches a glob with at most one `*` (what Include uses in practice).
fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        Some((pre, post)) => {
            name.len() >= pre.len() + post.len() && name.starts_with(pre) && name.ends_with(post)
        }
        None => pattern == name,
    }
}

impl SshdFiles {
    /// Read the main file and what it includes (I/O at the edge): ordinary
    /// UTF-8 files of at most 1 MiB, since the tool may edit them.
    pub fn read(root: &Root) -> Result<Option<Self>, ReadError> {
        let main_path = PathBuf::from(MAIN_CONFIG);
        let Some(main) = read_text(&root.path(&main_path))? else {
            return Ok(None);
        };
        let mut dropins = Vec::new();
        let mut dropin_dir = None;
        for line in main.lines() {
            if keyword(line).as_deref() != Some("include") {
                continue;
            }
            for pattern in value(line).unwrap_or("").split_whitespace() {
                let host = host_path(root, pattern);
                let (dir, file_pattern) = match (host.parent(), host.file_name()) {
                    (Some(d), Some(f)) => (d.to_path_buf(), f.to_string_lossy().into_owned()),
                    _ => continue,
                };
                if file_pattern.contains('*') && dropin_dir.is_none() {
                    dropin_dir = Some(dir.clone());
                }
                let mut names: Vec<String> = std::fs::read_dir(root.path(&dir))
                    .map(|rd| {
                        rd.flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                names.sort();
                for name in names.iter().filter(|n| glob_match(&file_pattern, n)) {
                    let path = dir.join(name);
                    // Gone since the listing: sshd would not read it either.
                    if let Some(text) = read_text(&root.path(&path))? {
                        dropins.push((path, text));
                    }
                }
            }
        }
        Ok(Some(Self {
            main: (main_path, main),
            dropins,
            dropin_dir,
        }))
    }

    /// The file our settings go to: our drop-in (sorting first) when the main
    /// file includes a drop-in directory, else the main file itself.
    pub fn own_file(&self) -> PathBuf {
        match &self.dropin_dir {
            Some(d) => d.join(OWN_DROPIN),
            None => self.main.0.clone(),
        }
    }

    /// Every file, main first.
    pub fn all(&self) -> impl Iterator<Item = &(PathBuf, String)> {
        std::iter::once(&self.main).chain(self.dropins.iter())
    }

    /// The whole configuration as sshd reads it: each Include replaced by the
    /// files it matches. `sshd -t` on this checks a candidate before any
    /// file is written.
    pub fn flatten(&self) -> String {
        let mut out = String::new();
        let mut inlined = false;
        for line in self.main.1.lines() {
            if keyword(line).as_deref() == Some("include") {
                if !inlined {
                    for (path, text) in &self.dropins {
                        out.push_str(&format!("# --- {} ---\n", path.display()));
                        out.push_str(text);
                        if !text.ends_with('\n') {
                            out.push('\n');
                        }
                    }
                    inlined = true;
                }
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_values() {
        assert_eq!(keyword("  Port 22").as_deref(), Some("port"));
        assert_eq!(keyword("#Port 22"), None);
        assert_eq!(
            keyword("PasswordAuthentication=no").as_deref(),
            Some("passwordauthentication")
        );
        assert_eq!(value("Port   2222"), Some("2222"));
        assert_eq!(value("Port=2222"), Some("2222"));
        assert!(glob_match("*.conf", "50-cloud-init.conf") && !glob_match("*.conf", "x.conf.bak"));
    }

    #[test]
    fn reads_includes_in_order_and_maps_sandbox_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Root::new(tmp.path());
        let d = root.path("/etc/ssh/sshd_config.d");
        std::fs::create_dir_all(&d).unwrap();
        let include = format!("Include {}/*.conf\nPort 22\n", d.display());
        std::fs::write(root.path(MAIN_CONFIG), include).unwrap();
        std::fs::write(d.join("50-cloud-init.conf"), "PasswordAuthentication yes\n").unwrap();
        std::fs::write(d.join("10-a.conf"), "Port 2200\n").unwrap();
        std::fs::write(d.join("README"), "not included\n").unwrap();
        let f = SshdFiles::read(&root).unwrap().unwrap();
        let names: Vec<_> = f
            .dropins
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "/etc/ssh/sshd_config.d/10-a.conf",
                "/etc/ssh/sshd_config.d/50-cloud-init.conf"
            ]
        );
        assert_eq!(
            f.own_file(),
            PathBuf::from("/etc/ssh/sshd_config.d/00-asterisk-harden.conf")
        );
        assert_eq!(
            f.flatten(),
            "# --- /etc/ssh/sshd_config.d/10-a.conf ---\nPort 2200\n# --- /etc/ssh/sshd_config.d/50-cloud-init.conf ---\nPasswordAuthentication yes\nPort 22\n"
        );
    }
}
