//! POP3: connecting (TLS, STLS that fails rather than downgrades, or explicitly plain), the
//! greeting and USER/PASS login. Downloading builds on this in the POP3 issue.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::protocols::imap::connect::ImapIo;
use crate::protocols::tls::{self, TlsError};
use crate::store::accounts::Security;

/// How long a server may take to answer one line.
const LINE_TIMEOUT: Duration = Duration::from_secs(30);

/// What to connect to and as whom.
#[derive(Debug, Clone)]
pub struct Pop3Login {
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// User name.
    pub username: String,
    /// Password; in memory only.
    pub password: String,
}

/// Why a POP3 connection or command failed.
#[derive(Debug, thiserror::Error)]
pub enum Pop3Error {
    /// Nothing answered.
    #[error("cannot reach {host}:{port}: {source}")]
    Unreachable {
        host: String,
        port: u16,
        #[source]
        source: io::Error,
    },
    /// The TLS handshake failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// STLS was configured but the server refused it.
    #[error("{host} does not offer STLS, so the connection cannot be encrypted")]
    StlsUnavailable { host: String },
    /// The server refused the login; its text is kept (RFC 3206 codes such as [AUTH], [IN-USE]).
    #[error("{host} refused the login: {message}")]
    AuthFailed { host: String, message: String },
    /// Anything else the server said or did wrong.
    #[error("POP3 error from {host}: {message}")]
    Protocol { host: String, message: String },
    /// The server did not answer in time.
    #[error("{host} did not answer in time")]
    Timeout { host: String },
}

/// A logged-in POP3 session.
pub struct Pop3Session {
    host: String,
    stream: BufReader<Box<dyn ImapIo>>,
}

impl Pop3Session {
    async fn line(&mut self) -> Result<String, Pop3Error> {
        read_line(&self.host, &mut self.stream).await
    }

    /// Sends a command and returns its +OK line, or the -ERR text as an error.
    pub async fn command(&mut self, command: &str) -> Result<String, Pop3Error> {
        send(&self.host, &mut self.stream, command).await?;
        let reply = self.line().await?;
        ok(&self.host, reply)
    }

    /// STAT: message count and total size.
    pub async fn stat(&mut self) -> Result<(u64, u64), Pop3Error> {
        let reply = self.command("STAT").await?;
        let mut parts = reply.split_whitespace().skip(1);
        let count = parts.next().and_then(|n| n.parse().ok());
        let size = parts.next().and_then(|n| n.parse().ok());
        match (count, size) {
            (Some(c), Some(s)) => Ok((c, s)),
            _ => Err(Pop3Error::Protocol {
                host: self.host.clone(),
                message: format!("unexpected STAT answer {reply:?}"),
            }),
        }
    }

    /// Ends the session (the server then commits deletions).
    pub async fn quit(mut self) -> Result<(), Pop3Error> {
        self.command("QUIT").await.map(|_| ())
    }
}

async fn read_line<S: ImapIo>(host: &str, stream: &mut BufReader<S>) -> Result<String, Pop3Error> {
    let mut line = String::new();
    let read = tokio::time::timeout(LINE_TIMEOUT, stream.read_line(&mut line))
        .await
        .map_err(|_| Pop3Error::Timeout {
            host: host.to_owned(),
        })?
        .map_err(|e| Pop3Error::Protocol {
            host: host.to_owned(),
            message: e.to_string(),
        })?;
    if read == 0 {
        return Err(Pop3Error::Protocol {
            host: host.to_owned(),
            message: "the server closed the connection".into(),
        });
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn send<S: ImapIo>(
    host: &str,
    stream: &mut BufReader<S>,
    command: &str,
) -> Result<(), Pop3Error> {
    let io = |e: io::Error| Pop3Error::Protocol {
        host: host.to_owned(),
        message: e.to_string(),
    };
    let inner = stream.get_mut();
    inner.write_all(command.as_bytes()).await.map_err(io)?;
    inner.write_all(b"\r\n").await.map_err(io)?;
    inner.flush().await.map_err(io)
}

fn ok(host: &str, reply: String) -> Result<String, Pop3Error> {
    if reply.starts_with("+OK") {
        Ok(reply)
    } else {
        Err(Pop3Error::Protocol {
            host: host.to_owned(),
            message: reply.trim_start_matches("-ERR").trim().to_owned(),
        })
    }
}

/// Connects, secures, reads the greeting and logs in with USER/PASS.
pub async fn connect(
    login: &Pop3Login,
    config: Arc<ClientConfig>,
) -> Result<Pop3Session, Pop3Error> {
    let host = login.host.as_str();
    let tcp = tokio::time::timeout(LINE_TIMEOUT, TcpStream::connect((host, login.port)))
        .await
        .map_err(|_| Pop3Error::Timeout {
            host: host.to_owned(),
        })?
        .map_err(|source| Pop3Error::Unreachable {
            host: host.to_owned(),
            port: login.port,
            source,
        })?;
    let stream: Box<dyn ImapIo> = match login.security {
        Security::Tls => Box::new(tls::handshake(config, host, tcp).await?),
        Security::Plain => Box::new(tcp),
        Security::StartTls => {
            let mut plain = BufReader::new(tcp);
            ok(host, read_line(host, &mut plain).await?)?;
            send(host, &mut plain, "STLS").await?;
            if !read_line(host, &mut plain).await?.starts_with("+OK") {
                return Err(Pop3Error::StlsUnavailable {
                    host: host.to_owned(),
                });
            }
            Box::new(tls::handshake(config, host, plain.into_inner()).await?)
        }
    };
    let mut session = Pop3Session {
        host: host.to_owned(),
        stream: BufReader::new(stream),
    };
    if login.security != Security::StartTls {
        let greeting = session.line().await?;
        ok(host, greeting)?;
    }
    let auth_failed = |e: Pop3Error| match e {
        Pop3Error::Protocol { host, message } => Pop3Error::AuthFailed { host, message },
        other => other,
    };
    session
        .command(&format!("USER {}", login.username))
        .await
        .map_err(auth_failed)?;
    session
        .command(&format!("PASS {}", login.password))
        .await
        .map_err(auth_failed)?;
    Ok(session)
}
