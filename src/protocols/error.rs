//! The one error a connection to a mail server ends with, whatever the protocol: the doctor,
//! the engine and the status bar map it to a kind, a hint and words in one place each.

use std::fmt;
use std::io;

use super::tls::TlsError;

pub use crate::store::accounts::Protocol;

/// Why a connection to a mail server failed.
#[derive(Debug)]
pub enum ConnectionError {
    /// Nothing answered at that address.
    Unreachable {
        host: String,
        port: u16,
        source: io::Error,
    },
    /// The TLS handshake failed (certificate not trusted, wrong host, expired, ...).
    Tls(TlsError),
    /// STARTTLS (STLS for POP3) was configured and the server does not offer it; we never
    /// continue in plain text.
    StartTlsUnavailable { host: String, wire: Protocol },
    /// The server forbids passwords on this unencrypted connection (IMAP LOGINDISABLED, or a
    /// POP3 server that wants STLS first); none was sent.
    LoginDisabled { host: String, wire: Protocol },
    /// The server refused the login; its own words are kept (response codes included).
    AuthFailed { host: String, message: String },
    /// The server answered something we cannot use, or refused a command.
    Protocol {
        host: String,
        wire: Protocol,
        doing: &'static str,
        message: String,
    },
    /// The server did not answer in time.
    Timeout { host: String, doing: &'static str },
    /// The connection broke.
    Io { host: String, source: io::Error },
    /// Message `number` was larger than the limit (whatever the server announced); its first
    /// bytes are kept for its headers. The connection cannot be used after this.
    TooLarge {
        host: String,
        number: u32,
        limit: u64,
        head: Vec<u8>,
    },
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionError::Unreachable { host, port, source } => {
                write!(f, "cannot reach {host}:{port}: {source}")
            }
            ConnectionError::Tls(e) => e.fmt(f),
            ConnectionError::StartTlsUnavailable { host, wire } => {
                let verb = if *wire == Protocol::Pop3 {
                    "STLS"
                } else {
                    "STARTTLS"
                };
                write!(
                    f,
                    "{host} does not offer {verb}, so the connection cannot be encrypted"
                )
            }
            ConnectionError::LoginDisabled { host, wire } => {
                let verb = if *wire == Protocol::Pop3 {
                    "STLS"
                } else {
                    "STARTTLS"
                };
                write!(
                    f,
                    "{host} accepts no password on an unencrypted connection; use {verb} or TLS"
                )
            }
            ConnectionError::AuthFailed { host, message } => {
                write!(f, "{host} refused the login: {message}")
            }
            ConnectionError::Protocol {
                host,
                wire,
                doing,
                message,
            } => {
                if doing.is_empty() {
                    write!(f, "{wire} error from {host}: {message}")
                } else {
                    write!(f, "{wire} error from {host} while {doing}: {message}")
                }
            }
            ConnectionError::Timeout { host, doing } => {
                if doing.is_empty() {
                    write!(f, "{host} did not answer in time")
                } else {
                    write!(f, "{host} did not answer in time while {doing}")
                }
            }
            ConnectionError::Io { host, source } => {
                write!(f, "the connection to {host} failed: {source}")
            }
            ConnectionError::TooLarge {
                host,
                number,
                limit,
                ..
            } => write!(f, "message {number} on {host} is larger than {limit} bytes"),
        }
    }
}

impl std::error::Error for ConnectionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectionError::Unreachable { source, .. } | ConnectionError::Io { source, .. } => {
                Some(source)
            }
            ConnectionError::Tls(e) => e.source(),
            _ => None,
        }
    }
}

impl From<TlsError> for ConnectionError {
    fn from(e: TlsError) -> ConnectionError {
        ConnectionError::Tls(e)
    }
}

impl ConnectionError {
    /// Whether trying again later can help (the network, a mailbox another client holds),
    /// rather than the user acting.
    pub fn is_transient(&self) -> bool {
        match self {
            ConnectionError::Unreachable { .. }
            | ConnectionError::Io { .. }
            | ConnectionError::Timeout { .. } => true,
            ConnectionError::Tls(TlsError::Handshake { .. }) => true,
            ConnectionError::AuthFailed { message, .. } => message.contains("[IN-USE]"),
            _ => false,
        }
    }
}

/// A server's answer as words a person can read: async-imap renders a refusal as
/// `No Response: code: Some(…), info: Some("…")`; this keeps the server's text and the response
/// code (`[UNAVAILABLE] …`) and leaves any other text as it is.
pub fn server_words(text: &str) -> String {
    let text = text
        .trim()
        .trim_start_matches("No Response: ")
        .trim_start_matches("Bad Response: ")
        .trim_start_matches("outcome: ");
    let Some(info_at) = text.find("info: ") else {
        return text.to_owned();
    };
    let info = &text[info_at + "info: ".len()..];
    let words = match info.strip_prefix("Some(\"") {
        Some(rest) => unescape_debug(rest.rsplit_once("\")").map_or(rest, |(w, _)| w)),
        None => String::new(),
    };
    let code = text
        .find("code: Some(")
        .map(|at| &text[at + "code: Some(".len()..])
        .and_then(|rest| {
            let end = rest.find(|c: char| !c.is_ascii_alphanumeric())?;
            Some(rest[..end].to_ascii_uppercase())
        })
        .filter(|c| !c.is_empty());
    match (code, words.is_empty()) {
        (Some(code), false) => format!("[{code}] {words}"),
        (Some(code), true) => format!("[{code}]"),
        (None, _) => words,
    }
}

/// Undoes Rust's Debug escaping of a string: \" \\ \n \t \u{…}.
fn unescape_debug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push(' '),
            Some('t') => out.push(' '),
            Some('r') => {}
            Some('u') => {
                let hex: String = chars
                    .by_ref()
                    .skip_while(|c| *c == '{')
                    .take_while(|c| *c != '}')
                    .collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_words_are_the_servers_not_rust_debug() {
        assert_eq!(
            server_words("No Response: code: None, info: Some(\"Login failed.\")"),
            "Login failed."
        );
        assert_eq!(
            server_words("Bad Response: code: Some(Alert), info: Some(\"say \\\"hi\\\"\")"),
            "[ALERT] say \"hi\""
        );
        assert_eq!(
            server_words("code: Some(ReadOnly), info: None"),
            "[READONLY]"
        );
        assert_eq!(server_words("connection closed"), "connection closed");
        assert_eq!(
            server_words("No Response: code: None, info: Some(\"\\u{5bc6}码错误\")"),
            "密码错误"
        );
    }

    #[test]
    fn one_error_speaks_for_every_protocol() {
        let stls = ConnectionError::StartTlsUnavailable {
            host: "pop.example.org".into(),
            wire: Protocol::Pop3,
        };
        assert!(stls.to_string().contains("does not offer STLS"));
        let starttls = ConnectionError::StartTlsUnavailable {
            host: "smtp.example.org".into(),
            wire: Protocol::Smtp,
        };
        assert!(starttls.to_string().contains("does not offer STARTTLS"));
        let refused = ConnectionError::Protocol {
            host: "imap.example.org".into(),
            wire: Protocol::Imap,
            doing: "selecting INBOX",
            message: "NO [UNAVAILABLE]".into(),
        };
        assert_eq!(
            refused.to_string(),
            "IMAP error from imap.example.org while selecting INBOX: NO [UNAVAILABLE]"
        );
        assert!(!refused.is_transient());
        let in_use = ConnectionError::AuthFailed {
            host: "pop.example.org".into(),
            message: "[IN-USE] mailbox locked".into(),
        };
        assert!(in_use.is_transient());
        let gone = ConnectionError::Io {
            host: "x".into(),
            source: io::Error::new(io::ErrorKind::ConnectionReset, "reset"),
        };
        assert!(gone.is_transient() && std::error::Error::source(&gone).is_some());
    }
}
