//! The Asterisk Manager Interface as the watcher needs it: a TCP connection
//! to localhost, a login, then messages (`Key: Value` lines ended by a
//! blank line) read one at a time.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AmiError {
    #[error("cannot reach AMI at {addr}: {source}")]
    Connect {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "AMI refused the login of {user}: {message}\n    what to do: check the [{user}] section of manager.conf and the secret file (apply with [responsive] enabled writes both), then `manager reload`"
    )]
    Login { user: String, message: String },
    #[error("AMI connection lost: {0}")]
    Lost(#[from] std::io::Error),
}

/// One AMI message: its lines in order, keys as Asterisk wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message(pub Vec<(String, String)>);

impl Message {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

pub struct Ami {
    reader: BufReader<TcpStream>,
}

impl Ami {
    /// Connect and log in with `user`/`secret`; events flow after this.
    pub fn login(addr: SocketAddr, user: &str, secret: &str) -> Result<Self, AmiError> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(3))
            .map_err(|source| AmiError::Connect { addr, source })?;
        stream.set_nodelay(true)?;
        let mut writer = stream.try_clone()?;
        let mut reader = BufReader::new(stream);
        // The banner: "Asterisk Call Manager/X.Y.Z".
        let mut banner = String::new();
        reader.read_line(&mut banner)?;
        // Events: security only; the user's `read = security` says the same.
        write!(
            writer,
            "Action: Login\r\nUsername: {user}\r\nSecret: {secret}\r\nEvents: security\r\n\r\n"
        )?;
        let mut ami = Ami { reader };
        loop {
            let m = ami.next_message()?;
            if let Some(response) = m.get("Response") {
                if response.eq_ignore_ascii_case("Success") {
                    return Ok(ami);
                }
                return Err(AmiError::Login {
                    user: user.to_string(),
                    message: m.get("Message").unwrap_or(response).to_string(),
                });
            }
        }
    }

    /// The next message; an error when the connection ends.
    pub fn next_message(&mut self) -> Result<Message, AmiError> {
        let mut m = Message::default();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(AmiError::Lost(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "Asterisk closed the connection",
                )));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if m.0.is_empty() {
                    continue;
                }
                return Ok(m);
            }
            if let Some((k, v)) = line.split_once(':') {
                m.0.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
    }
}
