//! Connecting to an IMAP server: TCP, TLS or STARTTLS (never a silent downgrade), the greeting,
//! login, and ID for servers that need it (NetEase refuses SELECT without it).

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_imap::types::Capabilities;
use rustls::ClientConfig;
use tokio::io::{AsyncRead, AsyncWrite};

use super::guard::{Done, Guarded};
use crate::store::accounts::Protocol;
use tokio::net::TcpStream;

use crate::protocols::tls;
use crate::store::accounts::Security;

/// The byte stream under an IMAP session, plain or TLS.
pub trait ImapIo: AsyncRead + AsyncWrite + Unpin + Send + Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Debug> ImapIo for T {}

/// An IMAP connection's bytes, read through the guard: it also tells how the last tagged
/// command ended.
pub trait ImapStream: ImapIo {
    /// How the last tagged command the server answered ended.
    fn last_done(&self) -> Option<&Done>;
}

impl<S: ImapIo> ImapStream for Guarded<S> {
    fn last_done(&self) -> Option<&Done> {
        Guarded::last_done(self)
    }
}

/// A logged-in IMAP session.
pub type ImapSession = async_imap::Session<Box<dyn ImapStream>>;

/// Fails when the last command the session ran ended with NO or BAD. async-imap's FETCH and
/// SEARCH streams end at the tagged answer whatever it says; call this after reading one.
pub fn ensure_ok(session: &ImapSession) -> Result<(), async_imap::error::Error> {
    match session.get_ref().last_done() {
        Some(Done::Bad(text)) => Err(async_imap::error::Error::Bad(text.clone())),
        Some(Done::No(text)) => Err(async_imap::error::Error::No(text.clone())),
        _ => Ok(()),
    }
}

/// How long we wait for a TCP connect or a server answer during login.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Why connecting or logging in failed: the error every protocol shares.
pub type ImapError = crate::protocols::error::ConnectionError;

/// What to connect to and as whom.
#[derive(Clone)]
pub struct Login {
    /// Server host name.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// User name.
    pub username: String,
    /// Password or authorization code; kept only in memory.
    pub password: String,
    /// Send RFC 2971 ID after login when offered.
    pub send_id: bool,
}

impl Login {
    /// The login for an IMAP server of the account at `address` (`ServerLogin::new`'s rules),
    /// sending ID after login.
    pub fn new(
        settings: &crate::store::accounts::ServerSettings,
        address: &str,
        password: String,
    ) -> Login {
        let s = crate::protocols::ServerLogin::new(settings, address, password);
        Login {
            host: s.host,
            port: s.port,
            security: s.security,
            username: s.username,
            password: s.password,
            send_id: true,
        }
    }
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password never reaches a log or a panic message.
        f.debug_struct("Login")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("send_id", &self.send_id)
            .finish()
    }
}

/// An IMAP command that failed or answered what we cannot use.
fn protocol(host: &str, doing: &'static str, err: impl std::fmt::Display) -> ImapError {
    ImapError::Protocol {
        host: host.to_owned(),
        wire: Protocol::Imap,
        doing,
        message: crate::protocols::error::server_words(&err.to_string()),
    }
}

async fn timed<T>(
    host: &str,
    doing: &'static str,
    fut: impl Future<Output = Result<T, ImapError>>,
) -> Result<T, ImapError> {
    tokio::time::timeout(CONNECT_TIMEOUT, fut)
        .await
        .map_err(|_| ImapError::Timeout {
            host: host.to_owned(),
            doing,
        })?
}

/// Connects, secures, logs in and identifies; returns the session and its capabilities.
pub async fn connect(
    login: &Login,
    tls_config: Arc<ClientConfig>,
) -> Result<(ImapSession, Capabilities), ImapError> {
    let host = login.host.as_str();
    let tcp = timed(host, "connecting", async {
        TcpStream::connect((host, login.port))
            .await
            .map_err(|source| ImapError::Unreachable {
                host: host.to_owned(),
                port: login.port,
                source,
            })
    })
    .await?;
    // Without this a quiet 20 ms delay per command batch appears on some servers.
    let _ = tcp.set_nodelay(true);

    // Every server byte passes the nesting guard before async-imap parses it.
    let stream: Box<dyn ImapStream> = match login.security {
        Security::Tls => Box::new(Guarded::new(
            timed(host, "starting TLS", async {
                Ok(tls::handshake(tls_config, host, tcp).await?)
            })
            .await?,
        )),
        Security::StartTls => {
            let tls = timed(host, "starting TLS", starttls(host, tcp, tls_config)).await?;
            Box::new(Guarded::new(tls))
        }
        Security::Plain => Box::new(Guarded::new(tcp)),
    };
    tracing::info!(host, port = login.port, security = ?login.security, "IMAP connected");
    let mut client = async_imap::Client::new(stream);
    // After STARTTLS the greeting was read before the handshake, and its capabilities no longer
    // count (RFC 3501 §6.2.1).
    let mut greeting_caps = if login.security == Security::StartTls {
        Vec::new()
    } else {
        timed(host, "reading the greeting", async {
            read_greeting(host, &mut client).await
        })
        .await?
    };
    if login.security == Security::Plain {
        // Over a plain connection the server may forbid passwords (LOGINDISABLED, RFC 3501
        // §6.2.3); then none is sent at all, whatever the user allowed.
        if greeting_caps.is_empty() {
            greeting_caps = timed(host, "asking for capabilities", async {
                ask_capabilities(host, &mut client).await
            })
            .await?;
        }
        if greeting_caps.iter().any(|c| c == "LOGINDISABLED") {
            return Err(ImapError::LoginDisabled {
                host: host.to_owned(),
                wire: Protocol::Imap,
            });
        }
    }
    // AUTHENTICATE PLAIN carries any byte of a password unquoted; LOGIN is the fallback every
    // server has.
    let use_plain = greeting_caps.iter().any(|c| c == "AUTH=PLAIN");
    let mut session = timed(host, "logging in", async {
        let result = if use_plain {
            let auth = PlainAuth {
                username: login.username.clone(),
                password: login.password.clone(),
            };
            client.authenticate("PLAIN", auth).await
        } else {
            client.login(&login.username, &login.password).await
        };
        result.map_err(|(err, client)| match err {
            async_imap::error::Error::No(message) | async_imap::error::Error::Bad(message) => {
                ImapError::AuthFailed {
                    host: host.to_owned(),
                    message: refusal_words(client.get_ref().last_done(), &message),
                }
            }
            other => protocol(host, "logging in", other),
        })
    })
    .await?;
    let caps = timed(host, "asking for capabilities", async {
        session
            .capabilities()
            .await
            .map_err(|e| protocol(host, "asking for capabilities", e))
    })
    .await?;
    if login.send_id && caps.has_str("ID") {
        let version = env!("CARGO_PKG_VERSION");
        timed(host, "sending ID", async {
            session
                .id([
                    ("name", Some("Tidings")),
                    ("version", Some(version)),
                    ("vendor", Some("Tidings")),
                ])
                .await
                .map_err(|e| protocol(host, "sending ID", e))
        })
        .await?;
    }
    Ok((session, caps))
}

/// Reads the greeting; returns the capabilities it announced, if it did.
async fn read_greeting<T: ImapIo>(
    host: &str,
    client: &mut async_imap::Client<T>,
) -> Result<Vec<String>, ImapError> {
    // async-imap does not read the greeting itself.
    let greeting = client
        .read_response()
        .await
        .map_err(|e| protocol(host, "reading the greeting", e))?
        .ok_or_else(|| protocol(host, "reading the greeting", "connection closed"))?;
    if let imap_proto::Response::Data {
        status: imap_proto::Status::Bye,
        outcome,
    } = greeting.parsed()
    {
        return Err(protocol(
            host,
            "reading the greeting",
            outcome
                .information
                .as_deref()
                .unwrap_or("the server said BYE"),
        ));
    }
    let mut caps = Vec::new();
    if let imap_proto::Response::Data { outcome, .. } = greeting.parsed()
        && let Some(imap_proto::ResponseCode::Capabilities(list)) = &outcome.code
    {
        caps.extend(list.iter().map(cap_name));
    }
    Ok(caps)
}

/// The server's own words for a refused command: the tagged line the guard kept (response
/// code and text as sent), else async-imap's rendering made readable.
pub fn refusal_words(done: Option<&Done>, fallback: &str) -> String {
    match done {
        Some(Done::No(text) | Done::Bad(text)) if !text.trim().is_empty() => text.trim().to_owned(),
        _ => crate::protocols::error::server_words(fallback),
    }
}

/// Runs CAPABILITY before login (the greeting did not list them).
async fn ask_capabilities<T: ImapIo>(
    host: &str,
    client: &mut async_imap::Client<T>,
) -> Result<Vec<String>, ImapError> {
    // Written under async-imap, which keeps its command runner to itself before login (no
    // write is buffered there); the tag "TC1" cannot collide with its own (A0001…).
    use tokio::io::AsyncWriteExt as _;
    let stream = client.get_mut();
    stream
        .write_all(b"TC1 CAPABILITY\r\n")
        .await
        .map_err(|e| protocol(host, "asking for capabilities", e))?;
    stream
        .flush()
        .await
        .map_err(|e| protocol(host, "asking for capabilities", e))?;
    let mut caps = Vec::new();
    // Bounded: a server that never ends the answer is cut off by the caller's timeout, and one
    // that floods untagged lines by this count.
    for _ in 0..64 {
        let response = client
            .read_response()
            .await
            .map_err(|e| protocol(host, "asking for capabilities", e))?
            .ok_or_else(|| protocol(host, "asking for capabilities", "connection closed"))?;
        match response.parsed() {
            imap_proto::Response::Capabilities(list) => caps.extend(list.iter().map(cap_name)),
            imap_proto::Response::Done { .. } => return Ok(caps),
            _ => {}
        }
    }
    Err(protocol(
        host,
        "asking for capabilities",
        "the answer did not end",
    ))
}

fn cap_name(cap: &imap_proto::Capability<'_>) -> String {
    match cap {
        imap_proto::Capability::Atom(a) => a.to_ascii_uppercase(),
        imap_proto::Capability::Auth(a) => format!("AUTH={}", a.to_ascii_uppercase()),
        imap_proto::Capability::Imap4rev1 => "IMAP4REV1".into(),
    }
}

/// SASL PLAIN: authorization identity empty, then user and password.
struct PlainAuth {
    username: String,
    password: String,
}

impl async_imap::Authenticator for PlainAuth {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.username, self.password).into_bytes()
    }
}

async fn starttls(
    host: &str,
    tcp: TcpStream,
    config: Arc<ClientConfig>,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ImapError> {
    // Before TLS anyone on the path can answer: the guard is there too.
    let mut client = async_imap::Client::new(Guarded::new(tcp));
    read_greeting(host, &mut client).await?;
    // Asking is enough: a server without STARTTLS answers BAD or NO, and then we stop rather
    // than log in over an unencrypted connection.
    client
        .run_command_and_check_ok("STARTTLS", None)
        .await
        .map_err(|e| match e {
            async_imap::error::Error::Bad(_) | async_imap::error::Error::No(_) => {
                ImapError::StartTlsUnavailable {
                    host: host.to_owned(),
                    wire: Protocol::Imap,
                }
            }
            other => protocol(host, "starting TLS", other),
        })?;
    Ok(tls::handshake(config, host, client.into_inner().into_inner()).await?)
}
