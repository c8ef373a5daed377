//! POP3 (RFC 1939, 2449, 5034): our own small async client over the project's TLS. Implicit
//! TLS, STLS (refused -> an error, never a downgrade) or explicitly plain; USER/PASS, AUTH
//! PLAIN with an initial response, APOP when asked; UIDL, LIST, TOP, RETR (pipelined when the
//! server offers PIPELINING), DELE, RSET, NOOP, QUIT.

pub mod codec;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rustls::ClientConfig;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::protocols::imap::connect::ImapIo;
use crate::protocols::tls;
use crate::store::accounts::Protocol;
use crate::store::accounts::Security;

/// How long a server may take to answer one line.
const LINE_TIMEOUT: Duration = Duration::from_secs(60);
/// How many RETRs are in flight at once with PIPELINING.
const PIPELINE_DEPTH: usize = 8;

/// What to connect to and as whom.
pub type Pop3Login = crate::protocols::ServerLogin;

/// Why a POP3 connection or command failed: the error every protocol shares.
pub type Pop3Error = crate::protocols::error::ConnectionError;

/// A logged-in POP3 session (TRANSACTION state).
pub struct Pop3Session {
    host: String,
    stream: BufReader<Box<dyn ImapIo>>,
    capabilities: Vec<String>,
    /// The most bytes one message may have.
    max_message: u64,
    /// The server agreed to UTF8 (RFC 6856): messages come as they are stored.
    utf8: bool,
}

/// The most bytes a listing (UIDL, LIST, CAPA) may have: 100 bytes for each of a million
/// messages.
const MAX_LISTING: usize = 100 * 1024 * 1024;

/// Forbids line breaks in anything we put on a command line.
fn clean(host: &str, value: &str) -> Result<(), Pop3Error> {
    if value.contains(['\r', '\n']) {
        Err(Pop3Error::Protocol {
            host: host.to_owned(),
            wire: Protocol::Pop3,
            doing: "",
            message: "a line break in a user name or password".into(),
        })
    } else {
        Ok(())
    }
}

async fn send(
    host: &str,
    stream: &mut BufReader<Box<dyn ImapIo>>,
    command: &str,
) -> Result<(), Pop3Error> {
    let io = |source| Pop3Error::Io {
        host: host.to_owned(),
        source,
    };
    tracing::debug!(host, command = %crate::logging::redact_command(command), "POP3 >");
    let inner = stream.get_mut();
    inner.write_all(command.as_bytes()).await.map_err(io)?;
    inner.write_all(b"\r\n").await.map_err(io)?;
    inner.flush().await.map_err(io)
}

async fn status(host: &str, stream: &mut BufReader<Box<dyn ImapIo>>) -> Result<String, Pop3Error> {
    let line = codec::read_line(stream, LINE_TIMEOUT, codec::MAX_STATUS_LINE)
        .await
        .map_err(|source| Pop3Error::Io {
            host: host.to_owned(),
            source,
        })?;
    let line = String::from_utf8_lossy(&line).into_owned();
    tracing::debug!(host, reply = %line, "POP3 <");
    if line.starts_with("+OK") || line.starts_with("+ ") || line == "+" {
        Ok(line)
    } else {
        Err(Pop3Error::Protocol {
            host: host.to_owned(),
            wire: Protocol::Pop3,
            doing: "",
            message: line.trim_start_matches("-ERR").trim().to_owned(),
        })
    }
}

impl Pop3Session {
    /// Sends a command and returns its +OK line.
    pub async fn command(&mut self, command: &str) -> Result<String, Pop3Error> {
        send(&self.host, &mut self.stream, command).await?;
        status(&self.host, &mut self.stream).await
    }

    async fn multiline(&mut self, command: &str) -> Result<Vec<u8>, Pop3Error> {
        self.command(command).await?;
        self.body().await
    }

    async fn body(&mut self) -> Result<Vec<u8>, Pop3Error> {
        self.capped_body(0, MAX_LISTING as u64).await
    }

    /// A multi-line answer of at most `limit` bytes; over that, `TooLarge` for message `number`.
    async fn capped_body(&mut self, number: u32, limit: u64) -> Result<Vec<u8>, Pop3Error> {
        let cap = usize::try_from(limit).unwrap_or(usize::MAX);
        match codec::read_multiline(&mut self.stream, LINE_TIMEOUT, cap).await {
            Ok(codec::Multiline::Whole(body)) => Ok(body),
            Ok(codec::Multiline::TooLarge(head)) => Err(Pop3Error::TooLarge {
                host: self.host.clone(),
                number,
                limit,
                head,
            }),
            Err(source) => Err(Pop3Error::Io {
                host: self.host.clone(),
                source,
            }),
        }
    }

    /// Whether the server agreed to UTF8 (RFC 6856).
    pub fn utf8(&self) -> bool {
        self.utf8
    }

    /// The server's CAPA list (upper-cased), as read after login.
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// STAT: message count and total size.
    pub async fn stat(&mut self) -> Result<(u64, u64), Pop3Error> {
        let reply = self.command("STAT").await?;
        let mut parts = reply.split_whitespace().skip(1);
        match (
            parts.next().and_then(|n| n.parse().ok()),
            parts.next().and_then(|n| n.parse().ok()),
        ) {
            (Some(c), Some(s)) => Ok((c, s)),
            _ => Err(Pop3Error::Protocol {
                host: self.host.clone(),
                wire: Protocol::Pop3,
                doing: "",
                message: format!("unexpected STAT answer {reply:?}"),
            }),
        }
    }

    fn pairs(&self, body: &[u8]) -> Vec<(u32, String)> {
        String::from_utf8_lossy(body)
            .lines()
            .filter_map(|l| {
                let mut parts = l.split_whitespace();
                Some((parts.next()?.parse().ok()?, parts.next()?.to_owned()))
            })
            .collect()
    }

    /// UIDL: every message number with its unique id.
    pub async fn uidl(&mut self) -> Result<Vec<(u32, String)>, Pop3Error> {
        let body = self.multiline("UIDL").await?;
        Ok(self.pairs(&body))
    }

    /// LIST: every message number with its size.
    pub async fn list(&mut self) -> Result<Vec<(u32, u64)>, Pop3Error> {
        let body = self.multiline("LIST").await?;
        Ok(self
            .pairs(&body)
            .into_iter()
            .filter_map(|(n, s)| Some((n, s.parse().ok()?)))
            .collect())
    }

    /// TOP: the headers and the first `lines` lines of message `n`.
    pub async fn top(&mut self, n: u32, lines: u32) -> Result<Vec<u8>, Pop3Error> {
        self.multiline(&format!("TOP {n} {lines}")).await
    }

    /// RETR: the whole message `n`, byte for byte as stored (at most the message limit).
    pub async fn retr(&mut self, n: u32) -> Result<Vec<u8>, Pop3Error> {
        self.command(&format!("RETR {n}")).await?;
        self.capped_body(n, self.max_message).await
    }

    /// Several RETRs, pipelined when the server allows it: call `next` on the result for each
    /// message in order. Dropping it early leaves the session unusable (answers in flight).
    pub fn retr_many<'a>(&'a mut self, numbers: &[u32]) -> RetrMany<'a> {
        let depth = if self.capabilities.iter().any(|c| c == "PIPELINING") {
            PIPELINE_DEPTH
        } else {
            1
        };
        RetrMany {
            session: self,
            waiting: numbers.iter().rev().copied().collect(),
            in_flight: std::collections::VecDeque::new(),
            depth,
        }
    }

    /// DELE: marks message `n` for deletion at QUIT.
    pub async fn dele(&mut self, n: u32) -> Result<(), Pop3Error> {
        self.command(&format!("DELE {n}")).await.map(|_| ())
    }

    /// RSET: unmarks every deletion.
    pub async fn rset(&mut self) -> Result<(), Pop3Error> {
        self.command("RSET").await.map(|_| ())
    }

    /// NOOP.
    pub async fn noop(&mut self) -> Result<(), Pop3Error> {
        self.command("NOOP").await.map(|_| ())
    }

    /// QUIT: the server commits deletions now; an error here means they did not happen.
    pub async fn quit(mut self) -> Result<(), Pop3Error> {
        self.command("QUIT").await.map(|_| ())
    }
}

/// RETRs in flight: commands are sent ahead (RFC 2449 §6.6) and answers read in order.
pub struct RetrMany<'a> {
    session: &'a mut Pop3Session,
    waiting: Vec<u32>,
    in_flight: std::collections::VecDeque<u32>,
    depth: usize,
}

impl RetrMany<'_> {
    /// The next message (its number and bytes), or None when all are read.
    pub async fn next(&mut self) -> Option<Result<(u32, Vec<u8>), Pop3Error>> {
        while self.in_flight.len() < self.depth {
            let Some(n) = self.waiting.pop() else { break };
            let host = self.session.host.clone();
            if let Err(e) = send(&host, &mut self.session.stream, &format!("RETR {n}")).await {
                return Some(Err(e));
            }
            self.in_flight.push_back(n);
        }
        let n = self.in_flight.pop_front()?;
        let host = self.session.host.clone();
        if let Err(e) = status(&host, &mut self.session.stream).await {
            return Some(Err(e));
        }
        let limit = self.session.max_message;
        Some(
            self.session
                .capped_body(n, limit)
                .await
                .map(|body| (n, body)),
        )
    }
}

/// Options beyond the login.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pop3Options {
    /// Authenticate with APOP (RFC 1939 §7) instead of sending the password.
    pub apop: bool,
    /// The most bytes one message may have (0: `DEFAULT_MAX_MESSAGE_BYTES`).
    pub max_message_bytes: u64,
}

/// Connects, secures, reads the greeting and logs in.
pub async fn connect(
    login: &Pop3Login,
    config: Arc<ClientConfig>,
) -> Result<Pop3Session, Pop3Error> {
    connect_with(login, config, Pop3Options::default()).await
}

/// `connect` with options.
pub async fn connect_with(
    login: &Pop3Login,
    config: Arc<ClientConfig>,
    options: Pop3Options,
) -> Result<Pop3Session, Pop3Error> {
    let host = login.host.as_str();
    clean(host, &login.username)?;
    clean(host, &login.password)?;
    let tcp = tokio::time::timeout(LINE_TIMEOUT, TcpStream::connect((host, login.port)))
        .await
        .map_err(|_| Pop3Error::Io {
            host: host.to_owned(),
            source: io::Error::new(io::ErrorKind::TimedOut, "connecting took too long"),
        })?
        .map_err(|source| Pop3Error::Unreachable {
            host: host.to_owned(),
            port: login.port,
            source,
        })?;
    let _ = tcp.set_nodelay(true);
    let (stream, greeting): (Box<dyn ImapIo>, Option<String>) = match login.security {
        Security::Tls => (Box::new(tls::handshake(config, host, tcp).await?), None),
        Security::Plain => (Box::new(tcp), None),
        Security::StartTls => {
            let mut plain: BufReader<Box<dyn ImapIo>> = BufReader::new(Box::new(tcp));
            let greeting = status(host, &mut plain).await?;
            send(host, &mut plain, "STLS").await?;
            if status(host, &mut plain).await.is_err() {
                return Err(Pop3Error::StartTlsUnavailable {
                    host: host.to_owned(),
                    wire: Protocol::Pop3,
                });
            }
            // Nothing may be buffered past the +OK, or it would be read as plaintext.
            if !plain.buffer().is_empty() {
                return Err(Pop3Error::Protocol {
                    host: host.to_owned(),
                    wire: Protocol::Pop3,
                    doing: "",
                    message: "data after the STLS answer".into(),
                });
            }
            let tcp = plain.into_inner();
            // The box holds a TcpStream; TLS goes over it as a generic stream.
            (
                Box::new(tls::handshake(config, host, tcp).await?),
                Some(greeting),
            )
        }
    };
    let mut stream = BufReader::new(stream);
    let greeting = match greeting {
        Some(g) => g,
        None => status(host, &mut stream).await?,
    };
    let mut session = Pop3Session {
        host: host.to_owned(),
        stream,
        capabilities: Vec::new(),
        max_message: match options.max_message_bytes {
            0 => crate::protocols::DEFAULT_MAX_MESSAGE_BYTES,
            n => n,
        },
        utf8: false,
    };
    let auth_failed = |e: Pop3Error| match e {
        Pop3Error::Protocol { host, message, .. } => Pop3Error::AuthFailed { host, message },
        other => other,
    };
    let caps = read_capa(&mut session).await;
    if login.security == Security::Plain && refuses_plain_login(&caps) {
        return Err(Pop3Error::LoginDisabled {
            host: host.to_owned(),
            wire: Protocol::Pop3,
        });
    }
    // RFC 6856: without UTF8 a server may hand out a stand-in for a message whose headers are
    // raw UTF-8 (Courier's "Cannot display Unicode content"); it is asked for before login.
    // A refusal changes nothing, so it is not an error.
    session.utf8 = caps
        .iter()
        .any(|c| c.split_whitespace().next() == Some("UTF8"))
        && session.command("UTF8").await.is_ok();
    if options.apop {
        let stamp = greeting
            .find('<')
            .and_then(|s| greeting[s..].find('>').map(|e| &greeting[s..s + e + 1]))
            .ok_or_else(|| Pop3Error::AuthFailed {
                host: host.to_owned(),
                message: "the server does not offer APOP (no timestamp in its greeting)".into(),
            })?;
        use md5::Digest as _;
        let digest = md5::Md5::digest(format!("{stamp}{}", login.password).as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        session
            .command(&format!("APOP {} {hex}", login.username))
            .await
            .map_err(auth_failed)?;
    } else if caps.iter().any(|c| c == "SASL" || c.starts_with("SASL "))
        && caps
            .iter()
            .any(|c| c.split_whitespace().any(|m| m == "PLAIN"))
    {
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("\0{}\0{}", login.username, login.password));
        session
            .command(&format!("AUTH PLAIN {token}"))
            .await
            .map_err(auth_failed)?;
    } else {
        // The password goes only after USER was accepted: a server that wants TLS first says
        // so here (Courier: "TLS required to log in."), and then nothing more is sent.
        session
            .command(&format!("USER {}", login.username))
            .await
            .map_err(|e| match auth_failed(e) {
                Pop3Error::AuthFailed { host, message }
                    if login.security == Security::Plain && asks_for_tls(&message) =>
                {
                    Pop3Error::LoginDisabled {
                        host,
                        wire: Protocol::Pop3,
                    }
                }
                other => other,
            })?;
        session
            .command(&format!("PASS {}", login.password))
            .await
            .map_err(auth_failed)?;
    }
    // Capabilities can change after login (PIPELINING often appears only then).
    session.capabilities = read_capa(&mut session).await;
    Ok(session)
}

/// Whether the capabilities shown before login say a password must not be sent in the clear:
/// STLS offered, and neither USER nor any SASL mechanism (RFC 2449 §6.3, as Courier does when
/// TLS is required).
fn refuses_plain_login(caps: &[String]) -> bool {
    !caps.is_empty()
        && caps.iter().any(|c| c == "STLS")
        && !caps
            .iter()
            .any(|c| c == "USER" || (c.starts_with("SASL") && c.split_whitespace().count() > 1))
}

/// Whether a refusal says the server wants an encrypted connection first.
fn asks_for_tls(message: &str) -> bool {
    let upper = message.to_ascii_uppercase();
    ["TLS", "STLS", "SSL", "ENCRYPT", "PRIVACYREQUIRED"]
        .iter()
        .any(|w| upper.contains(w))
}

/// CAPA, upper-cased; empty when the server does not know it.
async fn read_capa(session: &mut Pop3Session) -> Vec<String> {
    match session.multiline("CAPA").await {
        Ok(body) => String::from_utf8_lossy(&body)
            .lines()
            .map(|l| l.trim().to_ascii_uppercase())
            .filter(|l| !l.is_empty())
            .collect(),
        Err(_) => Vec::new(),
    }
}
