//! Error kinds the UI can translate, and the engine's own error type.

use crate::protocols::error::ConnectionError;
use crate::protocols::tls::TlsError;
use crate::store::StoreError;

/// What kind of failure an `Event::Error` reports; the UI picks its words by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server refused the user name or password.
    AuthFailed,
    /// No password is known for the account.
    NoPassword,
    /// The OS keyring cannot be reached.
    KeyringUnavailable,
    /// The server's certificate does not chain to a trusted CA.
    TlsNotTrusted,
    /// The certificate is for another host name.
    TlsWrongHost,
    /// The certificate expired or is not yet valid.
    TlsExpired,
    /// Any other TLS failure.
    Tls,
    /// STARTTLS was required and the server does not offer it.
    StartTlsUnavailable,
    /// The server takes no password over this unencrypted connection; none was sent.
    PlaintextRefused,
    /// Nothing answered at the address, or the connection broke.
    Unreachable,
    /// The server took too long.
    Timeout,
    /// The server answered something we cannot use.
    Protocol,
    /// The mailbox is over quota.
    Quota,
    /// The local database failed.
    Storage,
    /// The disk the mail store is on is full: work pauses and goes on once there is room.
    DiskFull,
    /// A queued change was refused by the server; it stays queued with the reason.
    ActionFailed,
    /// The account has SMTP switched off: it only receives.
    SendingOff,
    /// A draft cannot become a message (no recipients, a bad address, a line break).
    Compose,
    /// The server cannot search for text in this language (it refuses `CHARSET UTF-8`).
    SearchCharset,
}

impl ErrorKind {
    /// Whether retrying soon can help (network trouble) or the user must act first.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Unreachable | ErrorKind::Timeout | ErrorKind::Protocol | ErrorKind::DiskFull
        )
    }
}

/// An engine failure with its kind and words.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct EngineError {
    /// For translation and retry decisions.
    pub kind: ErrorKind,
    /// Details, including the server's own text.
    pub message: String,
}

impl EngineError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> EngineError {
        EngineError {
            kind,
            message: message.into(),
        }
    }

    /// A failure of an IMAP command after login.
    pub fn imap(doing: &str, err: async_imap::error::Error) -> EngineError {
        use async_imap::error::Error as E;
        let kind = match &err {
            E::Io(_) | E::ConnectionLost => ErrorKind::Unreachable,
            E::No(text) | E::Bad(text) if text.to_ascii_uppercase().contains("QUOTA") => {
                ErrorKind::Quota
            }
            _ => ErrorKind::Protocol,
        };
        EngineError::new(kind, format!("{doing}: {err}"))
    }
}

impl From<ConnectionError> for EngineError {
    fn from(err: ConnectionError) -> EngineError {
        let kind = match &err {
            ConnectionError::Unreachable { .. } | ConnectionError::Io { .. } => {
                ErrorKind::Unreachable
            }
            ConnectionError::Tls(TlsError::NotTrusted { .. }) => ErrorKind::TlsNotTrusted,
            ConnectionError::Tls(TlsError::WrongHost { .. }) => ErrorKind::TlsWrongHost,
            ConnectionError::Tls(TlsError::Expired { .. }) => ErrorKind::TlsExpired,
            ConnectionError::Tls(TlsError::Handshake { .. }) => ErrorKind::Unreachable,
            ConnectionError::Tls(_) => ErrorKind::Tls,
            ConnectionError::StartTlsUnavailable { .. } => ErrorKind::StartTlsUnavailable,
            ConnectionError::LoginDisabled { .. } => ErrorKind::PlaintextRefused,
            ConnectionError::AuthFailed { .. } => ErrorKind::AuthFailed,
            ConnectionError::Protocol { .. } | ConnectionError::TooLarge { .. } => {
                ErrorKind::Protocol
            }
            ConnectionError::Timeout { .. } => ErrorKind::Timeout,
        };
        EngineError::new(kind, err.to_string())
    }
}

impl From<StoreError> for EngineError {
    fn from(err: StoreError) -> EngineError {
        if err.is_disk_full() {
            return EngineError::new(
                ErrorKind::DiskFull,
                format!(
                    "the disk with the mail store is full ({err}); syncing pauses and goes on \
                     once there is room again, and nothing was half-written"
                ),
            );
        }
        EngineError::new(ErrorKind::Storage, err.to_string())
    }
}

impl From<tokio::task::JoinError> for EngineError {
    fn from(err: tokio::task::JoinError) -> EngineError {
        EngineError::new(ErrorKind::Storage, format!("a database task failed: {err}"))
    }
}
