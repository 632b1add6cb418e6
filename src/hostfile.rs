//! Reading a file someone else wrote (the answers file, Asterisk's and
//! sshd's configs): regular files only, at most 1 MiB. A FIFO given as
//! `--answers` must not hang the tool, nor `/dev/zero` fill the memory, and
//! a file that is not UTF-8 must never be rewritten with its bytes changed.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The most any config or answers file may hold: real ones are a few KiB.
pub const LIMIT: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("{path} is {what}, not a regular file")]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("{path} is larger than 1 MiB; no configuration file is that big")]
    TooLarge { path: PathBuf },
    #[error("{path} is not UTF-8 text (line {line} has a byte that is not, e.g. a Latin-1 accent)")]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: String },
}

impl ReadError {
    /// What the admin can do about it.
    pub fn hint(&self) -> String {
        match self {
            Self::NotAFile { .. } => "give the path of an ordinary file".into(),
            Self::TooLarge { .. } => "check that this is the file you meant".into(),
            Self::NotUtf8 { path, .. } => format!(
                "convert it, e.g. iconv -f latin1 -t utf-8 {0} > /tmp/x && cat /tmp/x > {0}, or remove that character",
                path.display()
            ),
            Self::Io { .. } => "check the path and that you may read it".into(),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Self::NotAFile { path, .. }
            | Self::TooLarge { path }
            | Self::NotUtf8 { path, .. }
            | Self::Io { path, .. } => path,
        }
    }
}

/// An I/O error in words, without Rust's "(os error N)".
fn in_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "there is no such file".into(),
        PermissionDenied => "permission denied (run as root?)".into(),
        IsADirectory => "it is a directory".into(),
        NotADirectory => "a part of the path is not a directory".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

fn kind_of(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a named pipe (FIFO)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not an ordinary file"
    }
}

/// The file's bytes; `None` when it does not exist.
pub fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, ReadError> {
    let io = |e: std::io::Error| ReadError::Io {
        path: path.to_path_buf(),
        reason: in_words(&e),
    };
    // O_NONBLOCK: opening a FIFO for reading returns at once instead of
    // waiting for a writer; a regular file ignores the flag.
    let file = match File::options()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile {
            path: path.to_path_buf(),
            what: kind_of(meta.file_type()),
        });
    }
    let mut bytes = Vec::new();
    file.take(LIMIT + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > LIMIT {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(bytes))
}

/// The file as UTF-8 text; `None` when it does not exist.
pub fn read_text(path: &Path) -> Result<Option<String>, ReadError> {
    let Some(bytes) = read_bytes(path)? else {
        return Ok(None);
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..bad].iter().filter(|b| **b == b'\n').count();
        ReadError::NotUtf8 {
            path: path.to_path_buf(),
            line,
        }
    })
}

/// The file for reading facts only (never written back): bytes that are
/// not UTF-8 become U+FFFD. Unreadable files are `None`.
pub fn read_lossy(path: &Path) -> Option<String> {
    read_bytes(path)
        .ok()
        .flatten()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_by_type_without_reading() {
        let err = read_bytes(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // Would block forever without O_NONBLOCK: nobody writes to it.
        let err = read_bytes(&fifo).unwrap_err();
        assert!(err.to_string().contains("named pipe"), "{err}");
        assert!(
            read_bytes(dir.path())
                .unwrap_err()
                .to_string()
                .contains("directory")
        );
    }

    #[test]
    fn size_utf8_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; LIMIT as usize + 1]).unwrap();
        assert!(matches!(read_bytes(&big), Err(ReadError::TooLarge { .. })));
        std::fs::write(&big, vec![b'a'; LIMIT as usize]).unwrap();
        assert!(read_bytes(&big).unwrap().is_some());
        let latin = dir.path().join("latin1");
        std::fs::write(&latin, b"[general]\n; caf\xe9\n").unwrap();
        assert_eq!(
            read_text(&latin).unwrap_err(),
            ReadError::NotUtf8 {
                path: latin.clone(),
                line: 2
            }
        );
        assert_eq!(read_lossy(&latin).unwrap(), "[general]\n; caf\u{fffd}\n");
        let missing = dir.path().join("missing");
        assert_eq!(read_text(&missing).unwrap(), None);
        let err = read_text(&latin.join("x")).unwrap_err().to_string();
        assert!(
            err.contains("not a directory") && !err.contains("os error"),
            "{err}"
        );
    }
}
