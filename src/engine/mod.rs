//! The sync engine: tokio tasks that own the network and the writes, driven by `Command`s and
//! reporting `Event`s. The UI and the CLI are its only clients; neither touches a socket.

mod account;
mod actions;
mod admin;
mod backoff;
mod drafts;
mod errors;
mod folder_list;
mod idle;
mod imap_sync;
mod indexer;
mod local;
pub mod outbox;
mod pop3_fetch;
mod pop3_store;
mod remote;
pub mod server_search;
mod worker;

use std::collections::HashMap;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use tokio::sync::mpsc;

use crate::store::Store;
use crate::store::accounts::Account;

pub use errors::ErrorKind;

pub use crate::store::accounts::Protocol;

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

pub use crate::accounts::secrets::{SecretError, Secrets};

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
        outcome: outbox::SendOutcome,
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
        failures: Vec<server_search::ServerFailure>,
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
    commands: mpsc::Sender<Command>,
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

/// Shared by the engine's tasks.
#[derive(Clone)]
pub(crate) struct Context {
    pub store: Store,
    pub secrets: Arc<dyn Secrets>,
    pub options: Arc<EngineOptions>,
    pub events: mpsc::UnboundedSender<Event>,
    /// An account's server answered again (a connection or a download pass succeeded): its
    /// outbox retries what the network held back, without waiting out the backoff.
    pub reachable: tokio::sync::broadcast::Sender<i64>,
    /// A task other than the account's own queued server changes for it (a sent reply marks
    /// its original): the account's connection replays them now.
    pub actions_queued: tokio::sync::broadcast::Sender<i64>,
    /// Accounts whose IMAP server refused a comma-separated UID set: they get one range a
    /// command from then on (learned at run time; QQ Mail is known from the provider data).
    pub single_uid_ranges: Arc<std::sync::Mutex<std::collections::HashSet<i64>>>,
    /// Something was committed that the search index may need.
    pub indexer_wake: Arc<tokio::sync::Notify>,
}

impl Context {
    pub(crate) fn emit(&self, event: Event) {
        log_event(&event);
        if matches!(event, Event::MessagesChanged { .. }) {
            self.indexer_wake.notify_one();
        }
        // A client that stopped listening is not an engine error.
        let _ = self.events.send(event);
    }

    /// Whether `account`'s IMAP server takes one UID range a command only.
    pub(crate) fn single_uid_ranges(&self, account: i64) -> bool {
        self.single_uid_ranges
            .lock()
            .is_ok_and(|s| s.contains(&account))
    }

    /// Remembers that `account`'s server takes one UID range a command only.
    pub(crate) fn learn_single_uid_ranges(&self, account: i64) {
        if let Ok(mut s) = self.single_uid_ranges.lock() {
            s.insert(account);
        }
    }

    /// Tells the account's other tasks that its servers answer again.
    pub(crate) fn reachable(&self, account: i64) {
        // No sender listening (SMTP off) is fine.
        let _ = self.reachable.send(account);
    }
}

/// What the engine tells the window goes to the log too: the lifecycle at info, failures as
/// warnings, the chatter at debug. Events carry no passwords.
fn log_event(event: &Event) {
    use tracing::{debug, info, warn};
    match event {
        Event::AccountState { account, state } => info!(account, ?state, "account state"),
        Event::SyncDone { account, full } => info!(account, full, "synced"),
        Event::SyncProgress {
            account,
            folder,
            done,
            total,
        } => debug!(account, folder, done, total, "sync progress"),
        Event::NewMail {
            account, messages, ..
        } => info!(account, count = messages.len(), "new mail"),
        Event::Sending { account, item } => info!(account, item, "sending"),
        Event::SendResult {
            account,
            item,
            outcome,
        } => info!(account, item, ?outcome, "send result"),
        Event::Error {
            account,
            kind,
            message,
        } => warn!(account, ?kind, detail = %message, "error"),
        Event::AccountSaved { account } => info!(account, "account saved"),
        Event::ServerSearchDone {
            request,
            hits,
            failures,
        } => info!(
            request,
            hits = hits.len(),
            failed = failures.len(),
            "server search done"
        ),
        Event::AccountRemoved { account } => info!(account, "account removed"),
        Event::ConnectionReport(report) => {
            info!(
                account = report.account,
                ok = report.ok(),
                "connection test"
            )
        }
        Event::RemoteImage {
            message,
            url,
            result,
        } => debug!(message, url, ok = result.is_ok(), "remote image"),
        other => debug!(?other, "event"),
    }
}

/// Starts the engine on the current tokio runtime.
pub fn spawn(
    store: Store,
    secrets: Arc<dyn Secrets>,
    options: EngineOptions,
) -> (EngineHandle, mpsc::UnboundedReceiver<Event>) {
    let (commands, command_rx) = mpsc::channel(64);
    let (events, event_rx) = mpsc::unbounded_channel();
    let ctx = Context {
        store,
        secrets,
        options: Arc::new(options),
        events,
        reachable: tokio::sync::broadcast::channel(64).0,
        actions_queued: tokio::sync::broadcast::channel(64).0,
        single_uid_ranges: Arc::default(),
        indexer_wake: Arc::default(),
    };
    tokio::spawn(run(ctx, command_rx));
    (EngineHandle { commands }, event_rx)
}

/// The engine's running tasks: an IMAP supervisor and an outbox sender per account.
#[derive(Default)]
struct Tasks {
    supervisors: HashMap<i64, account::Supervisor>,
    senders: HashMap<i64, worker::Worker>,
    pollers: HashMap<i64, worker::Worker>,
}

impl Tasks {
    async fn all_finished(&mut self) {
        loop {
            let done = self
                .supervisors
                .values()
                .all(account::Supervisor::is_finished)
                && self.senders.values().all(worker::Worker::is_finished)
                && self.pollers.values().all(worker::Worker::is_finished);
            if done {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// The engine's main loop: keeps the per-account tasks and routes commands.
async fn run(ctx: Context, mut commands: mpsc::Receiver<Command>) {
    let indexer = tokio::spawn(indexer::run(ctx.clone()));
    let mut tasks = Tasks::default();
    refresh_accounts(&ctx, &mut tasks).await;
    loop {
        let command = if ctx.options.once {
            // In --once mode the engine ends when every task has.
            tokio::select! {
                c = commands.recv() => c,
                _ = tasks.all_finished() => None,
            }
        } else {
            commands.recv().await
        };
        let Some(command) = command else { break };
        match command {
            Command::Shutdown => break,
            Command::AccountsChanged => refresh_accounts(&ctx, &mut tasks).await,
            Command::SetProtocol {
                account,
                protocol,
                enabled,
            } => {
                let saved = ctx
                    .store
                    .writer()
                    .write(move |tx| {
                        let Some(mut a) = crate::store::accounts::get(tx, account)? else {
                            return Ok(());
                        };
                        match protocol {
                            Protocol::Imap => a.imap.enabled = enabled,
                            Protocol::Pop3 => a.pop3.enabled = enabled,
                            Protocol::Smtp => a.smtp.enabled = enabled,
                        }
                        crate::store::accounts::update(tx, &a)
                    })
                    .await;
                match saved {
                    Ok(()) => ctx.emit(Event::AccountChanged { account }),
                    Err(e) => ctx.emit(Event::Error {
                        account,
                        kind: ErrorKind::Storage,
                        message: e.to_string(),
                    }),
                }
                refresh_accounts(&ctx, &mut tasks).await;
            }
            Command::ChooseFolderRole {
                account,
                role,
                folder,
            } => {
                if admin::choose_role(&ctx, account, role, folder).await {
                    // The next folder-list pass applies "as the server says".
                    for (id, sup) in &tasks.supervisors {
                        if *id == account {
                            sup.wake(account::Wake::All);
                        }
                    }
                }
            }
            Command::TestConnection { account } => {
                tokio::spawn(admin::test_saved(ctx.clone(), account));
            }
            Command::TestSettings {
                account,
                passwords,
                trust,
            } => {
                tokio::spawn(admin::test_settings(
                    ctx.clone(),
                    *account,
                    passwords.0,
                    trust,
                ));
            }
            Command::Autoconfig { address } => {
                tokio::spawn(admin::autoconfig(ctx.clone(), address));
            }
            Command::ProvidePassword { account, passwords } => {
                if admin::provide(&ctx, account, passwords.0).await {
                    if let Some(sup) = tasks.supervisors.get(&account) {
                        sup.wake(account::Wake::All);
                    }
                    for workers in [&tasks.pollers, &tasks.senders] {
                        if let Some(w) = workers.get(&account) {
                            w.wake();
                        }
                    }
                }
            }
            Command::AllowRemoteFrom { account, sender } => {
                remote::allow_sender(&ctx, account, sender).await;
            }
            Command::FetchRemote { message, urls } => {
                tokio::spawn(remote::fetch(ctx.clone(), message, urls));
            }
            Command::SearchServer {
                request,
                query,
                scope,
            } => {
                tokio::spawn(server_search::run(ctx.clone(), request, query, scope));
            }
            Command::Download { messages } => {
                tokio::spawn(server_search::fetch_now(ctx.clone(), messages));
            }
            Command::SaveAccount {
                account,
                passwords,
                trust,
            } => {
                if admin::save(&ctx, *account, passwords.0, trust).await {
                    refresh_accounts(&ctx, &mut tasks).await;
                }
            }
            Command::RemoveAccount {
                account,
                keep_mirror,
            } => {
                if admin::remove(&ctx, account, keep_mirror).await {
                    refresh_accounts(&ctx, &mut tasks).await;
                }
            }
            Command::SyncNow { account } => {
                for (id, sup) in &tasks.supervisors {
                    if account.is_none_or(|a| a == *id) {
                        sup.wake(account::Wake::All);
                    }
                }
                for (id, poller) in &tasks.pollers {
                    if account.is_none_or(|a| a == *id) {
                        poller.wake();
                    }
                }
                // An explicit sync also retries at once the mail the network held back.
                for (id, sender) in &tasks.senders {
                    if account.is_none_or(|a| a == *id) {
                        if let Err(e) = outbox::retry_held_back(&ctx, sender.config()).await {
                            ctx.emit(Event::Error {
                                account: *id,
                                kind: e.kind,
                                message: e.message,
                            });
                        }
                        sender.wake();
                    }
                }
            }
            Command::Send { draft } => {
                if let Some(account) = drafts::send(&ctx, draft).await
                    && let Some(sender) = tasks.senders.get(&account)
                {
                    sender.wake();
                }
            }
            Command::SaveDraft {
                draft,
                attachments,
                file,
            } => {
                if let Some(account) = drafts::save(&ctx, *draft, attachments, file).await
                    && let Some(sup) = tasks.supervisors.get(&account)
                {
                    sup.wake(account::Wake::Actions);
                }
            }
            Command::RetrySend { item } | Command::DiscardSend { item } => {
                let retry = matches!(command, Command::RetrySend { .. });
                if let Some(account) = drafts::resolve(&ctx, item, retry).await
                    && let Some(sender) = tasks.senders.get(&account)
                {
                    sender.wake();
                }
            }
            change => {
                let touched = local::apply(&ctx, change).await;
                for id in touched {
                    if let Some(sup) = tasks.supervisors.get(&id) {
                        sup.wake(account::Wake::Actions);
                    }
                    if let Some(poller) = tasks.pollers.get(&id) {
                        poller.wake();
                    }
                }
            }
        }
    }
    for (_, sup) in tasks.supervisors.drain() {
        sup.stop().await;
    }
    for (_, worker) in tasks.senders.drain().chain(tasks.pollers.drain()) {
        worker.stop().await;
    }
    indexer.abort();
    if ctx.options.once {
        // `sync --once` ends with everything it mirrored searchable.
        if let Err(e) = indexer::drain(&ctx).await {
            ctx.emit(Event::Error {
                account: 0,
                kind: ErrorKind::Storage,
                message: format!("indexing for search: {e}"),
            });
        }
    }
}

/// What an account trusts beyond the OS store: the engine's extra roots for every server, and
/// the certificates the user trusted, each for its own server.
pub(crate) async fn account_trust(
    ctx: &Context,
    account: &Account,
) -> Result<crate::protocols::tls::Trust, errors::EngineError> {
    let store = ctx.store.clone();
    let id = account.id;
    let entries = tokio::task::spawn_blocking(move || {
        crate::store::certificates::for_account(&store.reader()?, id)
    })
    .await??;
    Ok(crate::protocols::tls::Trust {
        roots: ctx.options.extra_roots.clone(),
        entries,
    })
}

/// The TLS config for one of the account's servers.
pub(crate) async fn tls_for(
    ctx: &Context,
    account: &Account,
    server: &crate::store::accounts::ServerSettings,
) -> Result<Arc<rustls::ClientConfig>, errors::EngineError> {
    account_trust(ctx, account)
        .await?
        .config_for(&server.host, server.port)
        .map_err(|e| errors::EngineError::new(ErrorKind::Tls, e.to_string()))
}

async fn refresh_accounts(ctx: &Context, tasks: &mut Tasks) {
    let store = ctx.store.clone();
    let listed = tokio::task::spawn_blocking(move || {
        let reader = store.reader()?;
        crate::store::accounts::list(&reader)
    })
    .await;
    let wanted: Vec<Account> = match listed {
        Ok(Ok(list)) => list
            .into_iter()
            .filter(|a| {
                ctx.options.only_accounts.is_empty() || ctx.options.only_accounts.contains(&a.id)
            })
            .collect(),
        Ok(Err(e)) => {
            ctx.emit(Event::Error {
                account: 0,
                kind: ErrorKind::Storage,
                message: e.to_string(),
            });
            return;
        }
        Err(e) => {
            ctx.emit(Event::Error {
                account: 0,
                kind: ErrorKind::Storage,
                message: e.to_string(),
            });
            return;
        }
    };
    let stale: Vec<i64> = tasks
        .supervisors
        .iter()
        .filter(|(id, sup)| !wanted.iter().any(|a| a.id == **id && sup.config() == a))
        .map(|(id, _)| *id)
        .collect();
    for id in stale {
        if let Some(sup) = tasks.supervisors.remove(&id) {
            sup.stop().await;
            if !wanted.iter().any(|a| a.id == id && a.imap.enabled) {
                // Switched off (or removed): the mirrored mail stays, the connection goes.
                ctx.emit(Event::AccountState {
                    account: id,
                    state: AccountState::Offline("IMAP is switched off".into()),
                });
            }
        }
    }
    for workers in [&mut tasks.senders, &mut tasks.pollers] {
        let stale: Vec<i64> = workers
            .iter()
            .filter(|(id, w)| !wanted.iter().any(|a| a.id == **id && w.config() == a))
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            if let Some(worker) = workers.remove(&id) {
                worker.stop().await;
            }
        }
    }
    for account in wanted {
        if account.imap.enabled
            && !ctx.options.send_only
            && !tasks.supervisors.contains_key(&account.id)
        {
            tasks.supervisors.insert(
                account.id,
                account::Supervisor::start(ctx.clone(), account.clone()),
            );
        }
        if account.pop3.enabled
            && !ctx.options.send_only
            && !tasks.pollers.contains_key(&account.id)
        {
            tasks
                .pollers
                .insert(account.id, pop3_fetch::start(ctx.clone(), account.clone()));
        }
        if account.smtp.enabled && !tasks.senders.contains_key(&account.id) {
            tasks
                .senders
                .insert(account.id, outbox::start(ctx.clone(), account));
        }
    }
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
