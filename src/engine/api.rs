//! The engine's public face: the commands it takes, the events it reports, its options and
//! the handle clients hold.

use rustls_pki_types::CertificateDer;
use tokio::sync::mpsc;

use super::ErrorKind;
use crate::store::accounts::Account;
use crate::store::accounts::Protocol;

/// Passwords the user typed (in a form or at a prompt), per protocol. Its `Debug` shows which
/// protocols have one, never the text, so a logged command leaks nothing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Typed(pub Vec<(Protocol, String)>);

impl std::fmt::Debug for Typed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(p, _)| (p, "<redacted>")))
            .finish()
    }
}

impl From<Vec<(Protocol, String)>> for Typed {
    fn from(list: Vec<(Protocol, String)>) -> Typed {
        Typed(list)
    }
}

/// What the UI or CLI asks of the engine.
#[derive(Debug, Clone)]
pub enum Command {
    /// Sync now: one account, or all.
    SyncNow { account: Option<i64> },
    /// Accounts were added, changed or removed: start, restart or stop their tasks.
    AccountsChanged,
    /// Switch one protocol of an account on or off; its work starts or stops at once and the
    /// mirrored mail stays.
    SetProtocol {
        account: i64,
        protocol: Protocol,
        enabled: bool,
    },
    /// Make a folder the account's folder for `role`, now and at every sync (`folder` None:
    /// as the server says again).
    ChooseFolderRole {
        account: i64,
        role: crate::store::folders::Role,
        folder: Option<i64>,
    },
    /// A change the user made to messages: applied to the mirror at once, reaching the server
    /// later.
    Change(Change),
    /// Run the connection doctor on an account; answered by `Event::ConnectionReport`.
    TestConnection { account: i64 },
    /// Run the doctor on settings not saved yet (a settings form); passwords typed in the form
    /// are used, and stored ones for protocols left blank.
    TestSettings {
        account: Box<Account>,
        passwords: Typed,
        /// Certificates the user chose to trust, not saved yet: (host, port, DER) of the
        /// server that presented each.
        trust: Vec<(String, u16, Vec<u8>)>,
    },
    /// Find the settings for an address (provider data, autoconfig, DNS, probing); answered
    /// by `Event::AutoconfigFound`.
    Autoconfig { address: String },
    /// Add (id 0) or change an account and keep the typed passwords; answered by
    /// `Event::AccountSaved`, and its tasks restart with the new settings.
    SaveAccount {
        account: Box<Account>,
        passwords: Typed,
        /// Certificates to pin, each for the server that presented it: (host, port, DER).
        trust: Vec<(String, u16, Vec<u8>)>,
    },
    /// Passwords the user typed at a prompt (an "ask each start" account, or after the server
    /// refused the stored one): kept as the account's mode says, then the account retries.
    ProvidePassword { account: i64, passwords: Typed },
    /// Remember that mail from `sender` on `account` may show remote content.
    AllowRemoteFrom { account: i64, sender: String },
    /// Also join conversations by subject (close in time), or not: every message is threaded
    /// again, answered by `Event::ThreadsChanged`.
    GroupBySubject(bool),
    /// Fetch the remote images of a message the user allowed; each answered by
    /// `Event::RemoteImage`.
    FetchRemote { message: i64, urls: Vec<String> },
    /// Remove an account: its passwords are forgotten; with `keep_mirror` its mail stays
    /// readable with every protocol off, otherwise everything mirrored for it is deleted.
    RemoveAccount { account: i64, keep_mirror: bool },
    /// Send a saved draft: it moves to the outbox at once and is sent from there.
    Send { draft: i64 },
    /// Save a draft; with `file` and IMAP on it is also filed in Drafts, replacing the older
    /// copy. `attachments` None keeps the ones stored (an autosave of new words only).
    SaveDraft {
        draft: Box<crate::store::drafts::Draft>,
        attachments: Option<Vec<crate::store::drafts::DraftAttachment>>,
        file: bool,
    },
    /// Try an outbox item again now (after fixing a password, or a "may have been sent" the
    /// user wants resent).
    RetrySend { item: i64 },
    /// Remove an outbox item the user gave up on.
    DiscardSend { item: i64 },
    /// Run a search (the query language of `search::query`) on the IMAP servers of the
    /// accounts in `scope`; answered by `Event::ServerSearchDone` with the same `request`.
    SearchServer {
        request: u64,
        query: String,
        scope: crate::search::Scope,
    },
    /// Download these messages' bodies now (opened, but outside the sync window); each
    /// answered by `Event::MessagesChanged` once stored.
    Download { messages: Vec<i64> },
    /// Stop every task and close connections.
    Shutdown,
}

/// A change to messages the user made in the window: the local half is applied and queued
/// in one transaction (`local::apply`), the server half replays from the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Mark messages read or unread.
    SetSeen { messages: Vec<i64>, seen: bool },
    /// Flag or unflag messages.
    SetFlagged { messages: Vec<i64>, flagged: bool },
    /// Move messages to another folder of the same account.
    Move { messages: Vec<i64>, folder: i64 },
    /// Delete messages (to Trash; from Trash, for good).
    Delete { messages: Vec<i64> },
    /// Move messages to the account's Archive folder.
    Archive { messages: Vec<i64> },
}

/// An account's connection state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountState {
    /// Connecting or logging in.
    Connecting,
    /// Connected and synced or syncing.
    Online,
    /// Not connected, with the reason in words.
    Offline(String),
}

/// What the engine tells its client. Ids only; the client re-reads the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An account's connection state changed.
    AccountState { account: i64, state: AccountState },
    /// An account's settings changed.
    AccountChanged { account: i64 },
    /// The folder list of an account changed.
    FoldersChanged { account: i64 },
    /// Messages were added, changed or removed in a folder.
    MessagesChanged { folder: i64, ids: Vec<i64> },
    /// New mail arrived in an INBOX since the last sync (never sent for a first sync).
    NewMail {
        account: i64,
        folder: i64,
        messages: Vec<i64>,
    },
    /// Progress of a folder's sync.
    SyncProgress {
        account: i64,
        folder: i64,
        done: u64,
        total: u64,
    },
    /// A sync pass of an account finished: every folder (`full`), or only INBOX (woken by
    /// IDLE news).
    SyncDone { account: i64, full: bool },
    /// Messages still waiting to be indexed for search (a large backlog only; 0 when done).
    Indexing { left: u64 },
    /// The outbox of an account changed (queued, sent, failed).
    OutboxChanged { account: i64 },
    /// An outbox item's message is being handed to the server.
    Sending { account: i64, item: i64 },
    /// What became of an outbox item.
    SendResult {
        account: i64,
        item: i64,
        outcome: SendOutcome,
    },
    /// A draft was saved: its id (new or the same) and its Message-ID, which the composer set
    /// and recognises it by.
    DraftSaved { draft: i64, message_id: String },
    /// The connection doctor's findings.
    ConnectionReport(crate::accounts::doctor::Report),
    /// One step of a running doctor, as it finishes.
    DoctorStep {
        protocol: Protocol,
        step: crate::accounts::doctor::StepResult,
    },
    /// What autoconfig found for an address.
    AutoconfigFound {
        address: String,
        result: Result<Box<crate::accounts::autoconfig::Found>, String>,
    },
    /// A sender's remote content was allowed.
    RemoteAllowed { account: i64, sender: String },
    /// Every message was threaded again (subject grouping switched).
    ThreadsChanged { by_subject: bool },
    /// A remote image of a message: its bytes, or why not.
    RemoteImage {
        message: i64,
        url: String,
        result: Result<Vec<u8>, String>,
    },
    /// A search on the servers finished: every hit, mirrored now, newest first, and the
    /// accounts whose part failed.
    ServerSearchDone {
        request: u64,
        hits: Vec<i64>,
        failures: Vec<ServerFailure>,
    },
    /// An account was saved (its id, new or the same).
    AccountSaved { account: i64 },
    /// An account was removed (or, keeping its mirror, switched off).
    AccountRemoved { account: i64 },
    /// Something failed; `kind` is for translation, `message` has the details.
    Error {
        account: i64,
        kind: ErrorKind,
        message: String,
    },
}

/// Options the engine runs with.
#[derive(Clone, Default)]
pub struct EngineOptions {
    /// CA certificates trusted in addition to the OS store and each account's own.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Sync each account once, then stop (the CLI's `--once`); otherwise keep idling.
    pub once: bool,
    /// Only these accounts (empty: all).
    pub only_accounts: Vec<i64>,
    /// Where autoconfig looks (None: the real Internet, trusting `extra_roots` too).
    pub autoconfig: Option<crate::accounts::autoconfig::Lookup>,
    /// Only send: no IMAP sync, no POP3 download (the CLI's `send`).
    pub send_only: bool,
    /// Let allowed remote images come from this computer (loopback), for tests against a
    /// local web server; private and link-local addresses stay refused.
    pub allow_loopback_images: bool,
    /// The largest message downloaded, in bytes (0: `DEFAULT_MAX_MESSAGE_BYTES`); larger ones
    /// get their headers only, marked as too large.
    pub max_message_bytes: u64,
    /// How often IDLE is renewed, so a silently dead connection is noticed (zero:
    /// `idle::DEFAULT_KEEPALIVE`).
    pub idle_keepalive: std::time::Duration,
}

impl EngineOptions {
    /// The message size limit in force.
    pub fn max_message(&self) -> u64 {
        match self.max_message_bytes {
            0 => crate::protocols::DEFAULT_MAX_MESSAGE_BYTES,
            n => n,
        }
    }
}

/// The client's handle: sends commands. Cheap to clone.
#[derive(Clone, Debug)]
pub struct EngineHandle {
    pub(super) commands: mpsc::Sender<Command>,
}

impl EngineHandle {
    /// Sends a command; fails only when the engine has stopped.
    pub async fn send(&self, command: Command) -> Result<(), EngineStopped> {
        self.commands.send(command).await.map_err(|_| EngineStopped)
    }
}

/// The engine is gone.
#[derive(Debug, thiserror::Error)]
#[error("the sync engine has stopped")]
pub struct EngineStopped;

/// What became of one send attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted by the server (and filed in Sent where that is ours to do).
    Sent,
    /// A passing failure; it is retried later by itself.
    Retrying(String),
    /// Refused for good (5xx, authentication); waits in the outbox for the user.
    Failed(String),
    /// The program stopped between the server's acceptance and our record of it, and the Sent
    /// folder cannot tell: the user decides whether to send again.
    MayHaveBeenSent,
}

/// Why an account's part of a search failed, for the client to translate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFailure {
    /// The account.
    pub account: i64,
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The details, with the server's words.
    pub message: String,
}

#[cfg(test)]
mod redaction_tests {
    use super::*;

    #[test]
    fn commands_and_logins_never_show_a_password_in_debug() {
        let secret = "hunter2-不要泄露";
        let typed: Typed = vec![(Protocol::Imap, secret.to_owned())].into();
        let shown = [
            format!(
                "{:?}",
                Command::ProvidePassword {
                    account: 1,
                    passwords: typed.clone()
                }
            ),
            // SaveAccount and TestSettings carry the same type.
            format!("{typed:?}"),
            format!(
                "{:?}",
                crate::protocols::imap::Login {
                    host: "imap.test".into(),
                    port: 993,
                    security: crate::store::accounts::Security::Tls,
                    username: "u".into(),
                    password: secret.into(),
                    send_id: true,
                }
            ),
            format!(
                "{:?}",
                crate::protocols::pop3::Pop3Login {
                    host: "pop.test".into(),
                    port: 995,
                    security: crate::store::accounts::Security::Tls,
                    username: "u".into(),
                    password: secret.into(),
                }
            ),
            format!(
                "{:?}",
                crate::protocols::smtp::SmtpLogin {
                    host: "smtp.test".into(),
                    port: 465,
                    security: crate::store::accounts::Security::Tls,
                    username: "u".into(),
                    password: secret.into(),
                }
            ),
        ];
        for s in shown {
            assert!(!s.contains("hunter2") && s.contains("redacted"), "{s}");
        }
    }
}
