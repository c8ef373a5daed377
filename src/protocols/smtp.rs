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
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf,
};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::protocols::tls;
use crate::store::accounts::Protocol;
use crate::store::accounts::Security;

/// How long the server may take for the greeting and each reply.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What to connect to and as whom.
pub type SmtpLogin = crate::protocols::ServerLogin;

/// Why an SMTP connection failed: the error every protocol shares.
pub type SmtpError = crate::protocols::error::ConnectionError;

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

/// Longest reply line we accept (RFC 5321 allows 512 bytes; servers send a little more).
const MAX_REPLY_LINE: usize = 4096;

/// Most lines in one reply (an EHLO lists a few dozen extensions at most).
const MAX_REPLY_LINES: usize = 128;

/// One line of an SMTP reply: its code, whether more lines follow, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    /// The three-digit code.
    pub code: u16,
    /// "250-…": more lines follow.
    pub more: bool,
    /// What follows the code, without the line ending (non-UTF-8 bytes replaced).
    pub text: String,
}

/// Parses one reply line. Server text is hostile: only whole bytes are looked at, never a
/// slice that could split a UTF-8 character.
pub fn parse_reply_line(line: &[u8]) -> Option<ReplyLine> {
    let line = line
        .strip_suffix(b"\n")
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .unwrap_or(line);
    let (code, rest) = line.split_first_chunk::<3>()?;
    if !code.iter().all(u8::is_ascii_digit) || !(b'2'..=b'5').contains(&code[0]) {
        return None;
    }
    let code = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let (more, text) = match rest.split_first() {
        None => (false, &[][..]),
        Some((b' ', text)) => (false, text),
        Some((b'-', text)) => (true, text),
        Some(_) => return None,
    };
    Some(ReplyLine {
        code,
        more,
        text: String::from_utf8_lossy(text).into_owned(),
    })
}

/// Reads one SMTP reply (possibly several lines); returns its code and text.
async fn reply(host: &str, stream: &mut BufReader<TcpStream>) -> Result<(u16, String), SmtpError> {
    let protocol = |message: String| SmtpError::Protocol {
        host: host.to_owned(),
        wire: Protocol::Smtp,
        doing: "",
        message,
    };
    let mut text = String::new();
    for _ in 0..MAX_REPLY_LINES {
        let mut line = Vec::new();
        let n = tokio::time::timeout(
            TIMEOUT,
            (&mut *stream)
                .take(MAX_REPLY_LINE as u64)
                .read_until(b'\n', &mut line),
        )
        .await
        .map_err(|_| SmtpError::Timeout {
            host: host.to_owned(),
            doing: "",
        })?
        .map_err(|e| protocol(e.to_string()))?;
        if n == 0 {
            return Err(protocol("the server closed the connection".into()));
        }
        if !line.ends_with(b"\n") {
            return Err(protocol(format!(
                "a reply line longer than {MAX_REPLY_LINE} bytes"
            )));
        }
        let parsed = parse_reply_line(&line).ok_or_else(|| {
            protocol(format!(
                "not an SMTP reply: {:?}",
                String::from_utf8_lossy(&line).trim_end()
            ))
        })?;
        text.push_str(&format!("{} {}\n", parsed.code, parsed.text));
        if !parsed.more {
            return Ok((parsed.code, text));
        }
    }
    Err(protocol(format!(
        "a reply of more than {MAX_REPLY_LINES} lines"
    )))
}

async fn write(host: &str, stream: &mut BufReader<TcpStream>, line: &str) -> Result<(), SmtpError> {
    tracing::debug!(host, command = %crate::logging::redact_command(line), "SMTP >");
    stream
        .get_mut()
        .write_all(line.as_bytes())
        .await
        .map_err(|e| SmtpError::Protocol {
            host: host.to_owned(),
            wire: Protocol::Smtp,
            doing: "",
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
            doing: "",
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
                    wire: Protocol::Smtp,
                    doing: "",
                    message: text,
                });
            }
            write(host, &mut plain, &format!("EHLO {client_id}\r\n")).await?;
            let (code, text) = reply(host, &mut plain).await?;
            let offered = text.lines().any(|l| {
                l.split_once(' ')
                    .is_some_and(|(_, e)| e.trim().eq_ignore_ascii_case("STARTTLS"))
            });
            if code != 250 || !offered {
                return Err(SmtpError::StartTlsUnavailable {
                    host: host.to_owned(),
                    wire: Protocol::Smtp,
                });
            }
            write(host, &mut plain, "STARTTLS\r\n").await?;
            let (code, _) = reply(host, &mut plain).await?;
            if code != 220 {
                return Err(SmtpError::StartTlsUnavailable {
                    host: host.to_owned(),
                    wire: Protocol::Smtp,
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
        wire: Protocol::Smtp,
        doing: "",
        message: e.to_string(),
    };
    let mut conn = tokio::time::timeout(
        TIMEOUT,
        AsyncSmtpConnection::connect_with_transport(Box::new(stream), &client_id),
    )
    .await
    .map_err(|_| SmtpError::Timeout {
        host: host.to_owned(),
        doing: "",
    })?
    .map_err(protocol)?;
    tracing::info!(host, port = login.port, security = ?login.security, "SMTP connected");
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reply_lines_parse_by_bytes() {
        assert_eq!(
            parse_reply_line(b"250-STARTTLS\r\n"),
            Some(ReplyLine {
                code: 250,
                more: true,
                text: "STARTTLS".into()
            })
        );
        assert_eq!(parse_reply_line(b"220\r\n").map(|l| l.code), Some(220));
        // A multi-byte character where the code should be: refused, not a panic.
        assert_eq!(parse_reply_line("22é hi\r\n".as_bytes()), None);
        assert_eq!(parse_reply_line("é\r\n".as_bytes()), None);
        assert_eq!(parse_reply_line(b"2\r\n"), None);
        assert_eq!(parse_reply_line(b"999 nine\r\n"), None);
        assert_eq!(
            parse_reply_line("554 拒绝\r\n".as_bytes()).map(|l| l.text),
            Some("拒绝".into())
        );
    }

    proptest! {
        #[test]
        fn reply_parser_never_panics(line in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_reply_line(&line);
        }

        #[test]
        fn reply_parser_never_panics_on_text(line in "\\PC{0,12}") {
            let _ = parse_reply_line(line.as_bytes());
        }
    }
}
