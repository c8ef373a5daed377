//! SMTP connections with our own TLS: implicit TLS, or STARTTLS done here so that the same
//! trust (including certificates the user pinned) applies as for IMAP and POP3; then lettre
//! speaks SMTP over the secured stream.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream};
use lettre::transport::smtp::extension::ClientId;
use rustls::ClientConfig;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::protocols::tls::{self, TlsError};
use crate::store::accounts::Security;

/// How long the server may take for the greeting and each reply.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What to connect to and as whom.
#[derive(Debug, Clone)]
pub struct SmtpLogin {
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

/// Why an SMTP connection failed.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
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
    /// STARTTLS was configured and the server does not offer it.
    #[error("{host} does not offer STARTTLS, so the connection cannot be encrypted")]
    StartTlsUnavailable { host: String },
    /// The server refused the login.
    #[error("{host} refused the login: {message}")]
    AuthFailed { host: String, message: String },
    /// The server answered something else we cannot use.
    #[error("SMTP error from {host}: {message}")]
    Protocol { host: String, message: String },
    /// The server did not answer in time.
    #[error("{host} did not answer in time")]
    Timeout { host: String },
}

/// The socket under an SMTP session, plain or TLS.
#[derive(Debug)]
enum Inner {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// A stream lettre can speak SMTP over.
#[derive(Debug)]
pub struct SmtpStream {
    inner: Inner,
    peer: SocketAddr,
    /// Bytes served before the socket's: after our own STARTTLS the server sends no new
    /// greeting, but lettre reads one before its EHLO, so we hand it the one it would expect.
    replay: Vec<u8>,
}

impl AsyncRead for SmtpStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.replay.is_empty() {
            let n = self.replay.len().min(buf.remaining());
            buf.put_slice(&self.replay[..n]);
            self.replay.drain(..n);
            return Poll::Ready(Ok(()));
        }
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for SmtpStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_flush(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.inner {
            Inner::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

impl AsyncTokioStream for SmtpStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.peer)
    }
}

/// Reads one SMTP reply (possibly several lines); returns its code and text.
async fn reply(host: &str, stream: &mut BufReader<TcpStream>) -> Result<(u16, String), SmtpError> {
    let mut text = String::new();
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(TIMEOUT, stream.read_line(&mut line))
            .await
            .map_err(|_| SmtpError::Timeout {
                host: host.to_owned(),
            })?
            .map_err(|e| SmtpError::Protocol {
                host: host.to_owned(),
                message: e.to_string(),
            })?;
        if n == 0 || line.len() < 4 {
            return Err(SmtpError::Protocol {
                host: host.to_owned(),
                message: "the server closed the connection".into(),
            });
        }
        text.push_str(&line);
        // "250-..." continues, "250 ..." ends the reply.
        if line.as_bytes()[3] != b'-' {
            let code = line[..3].parse().unwrap_or(0);
            return Ok((code, text));
        }
    }
}

async fn write(host: &str, stream: &mut BufReader<TcpStream>, line: &str) -> Result<(), SmtpError> {
    stream
        .get_mut()
        .write_all(line.as_bytes())
        .await
        .map_err(|e| SmtpError::Protocol {
            host: host.to_owned(),
            message: e.to_string(),
        })
}

/// Connects, secures the connection, and authenticates.
pub async fn connect(
    login: &SmtpLogin,
    config: Arc<ClientConfig>,
) -> Result<AsyncSmtpConnection, SmtpError> {
    let host = login.host.as_str();
    let tcp = tokio::time::timeout(TIMEOUT, TcpStream::connect((host, login.port)))
        .await
        .map_err(|_| SmtpError::Timeout {
            host: host.to_owned(),
        })?
        .map_err(|source| SmtpError::Unreachable {
            host: host.to_owned(),
            port: login.port,
            source,
        })?;
    let peer = tcp.peer_addr().map_err(|source| SmtpError::Unreachable {
        host: host.to_owned(),
        port: login.port,
        source,
    })?;
    let client_id = ClientId::default();
    let mut replay = Vec::new();
    let inner = match login.security {
        Security::Plain => Inner::Plain(tcp),
        Security::Tls => Inner::Tls(Box::new(tls::handshake(config, host, tcp).await?)),
        Security::StartTls => {
            let mut plain = BufReader::new(tcp);
            let (code, text) = reply(host, &mut plain).await?;
            if code != 220 {
                return Err(SmtpError::Protocol {
                    host: host.to_owned(),
                    message: text,
                });
            }
            write(host, &mut plain, &format!("EHLO {client_id}\r\n")).await?;
            let (code, text) = reply(host, &mut plain).await?;
            let offered = text.lines().any(|l| {
                l.get(4..)
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case("STARTTLS"))
            });
            if code != 250 || !offered {
                return Err(SmtpError::StartTlsUnavailable {
                    host: host.to_owned(),
                });
            }
            write(host, &mut plain, "STARTTLS\r\n").await?;
            let (code, _) = reply(host, &mut plain).await?;
            if code != 220 {
                return Err(SmtpError::StartTlsUnavailable {
                    host: host.to_owned(),
                });
            }
            replay = b"220 TLS established\r\n".to_vec();
            Inner::Tls(Box::new(
                tls::handshake(config, host, plain.into_inner()).await?,
            ))
        }
    };
    let stream = SmtpStream {
        inner,
        peer,
        replay,
    };
    let protocol = |e: lettre::transport::smtp::Error| SmtpError::Protocol {
        host: host.to_owned(),
        message: e.to_string(),
    };
    let mut conn = tokio::time::timeout(
        TIMEOUT,
        AsyncSmtpConnection::connect_with_transport(Box::new(stream), &client_id),
    )
    .await
    .map_err(|_| SmtpError::Timeout {
        host: host.to_owned(),
    })?
    .map_err(protocol)?;
    let credentials = Credentials::new(login.username.clone(), login.password.clone());
    conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
        .await
        .map_err(|e| {
            if e.is_permanent() || e.status().is_some() {
                SmtpError::AuthFailed {
                    host: host.to_owned(),
                    message: e.to_string(),
                }
            } else {
                protocol(e)
            }
        })?;
    Ok(conn)
}
