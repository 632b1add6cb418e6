//! Who listens on a TCP port in this network namespace, from
//! /proc/net/tcp{,6}, with the program's name when /proc lets us see it.

use std::fs;

/// (port, socket inode) of every TCP socket in LISTEN state (0A) here.
fn listeners() -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 10 || cols[3] != "0A" {
                continue;
            }
            if let Some(port) = cols[1]
                .rsplit(':')
                .next()
                .and_then(|h| u16::from_str_radix(h, 16).ok())
            {
                out.push((port, cols[9].to_string()));
            }
        }
    }
    out
}

/// Every TCP port something listens on here, sorted.
pub fn listening_ports() -> Vec<u16> {
    let mut ports: Vec<u16> = listeners().into_iter().map(|(p, _)| p).collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The socket inodes listening on `port`.
fn listening_inodes(port: u16) -> Vec<String> {
    listeners()
        .into_iter()
        .filter(|(p, _)| *p == port)
        .map(|(_, i)| i)
        .collect()
}

/// `Some(program or "another program")` when something listens on `port`.
pub fn listener(port: u16) -> Option<String> {
    let inodes = listening_inodes(port);
    if inodes.is_empty() {
        return None;
    }
    let wanted: Vec<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    if let Ok(procs) = fs::read_dir("/proc") {
        for p in procs.flatten().filter(|p| {
            p.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        }) {
            let Ok(fds) = fs::read_dir(p.path().join("fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                if let Ok(target) = fs::read_link(fd.path())
                    && wanted.iter().any(|w| target.to_string_lossy() == *w)
                {
                    let comm = fs::read_to_string(p.path().join("comm")).unwrap_or_default();
                    return Some(format!(
                        "{} (pid {})",
                        comm.trim(),
                        p.file_name().to_string_lossy()
                    ));
                }
            }
        }
    }
    Some("another program".to_string())
}

/// Connect to 127.0.0.1:port and read an SSH banner ("SSH-2.0-..."): the
/// local half of the proof that the new port works (the new login is the
/// other half). Read after a reload and by the wizards, with the same waits.
pub fn ssh_banner(port: u16) -> Result<String, String> {
    use std::io::Read;
    use std::time::Duration;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("nothing answers on 127.0.0.1:{port} ({e})"))?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
    let mut buf = [0u8; 256];
    let n = stream
        .read(&mut buf)
        .map_err(|e| format!("127.0.0.1:{port} sent no banner ({e})"))?;
    let text = String::from_utf8_lossy(&buf[..n]);
    let line = text.lines().next().unwrap_or_default().trim().to_string();
    if line.starts_with("SSH-") {
        Ok(line)
    } else {
        Err(format!(
            "127.0.0.1:{port} answers, but not as SSH (\"{}\")",
            line.chars().take(40).collect::<String>()
        ))
    }
}

/// The demo box's sshd, for the banner probe: answers like OpenSSH on
/// 127.0.0.1:`port` (inside the demo's namespace only), then closes. The
/// box has no real sshd; this stands in once its port would have moved.
pub fn stand_in_sshd(port: u16) {
    let Ok(listener) = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)) else {
        return;
    };
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = std::io::Write::write_all(
                &mut stream,
                b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3 (demo stand-in)\r\n",
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_our_own_listener_and_names_it() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let who = listener(port).expect("listening");
        assert!(
            who.contains(&std::process::id().to_string()) || who == "another program",
            "{who}"
        );
        drop(l);
        assert!(ssh_banner(port).is_err());
    }
}
