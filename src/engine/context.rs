//! What the engine's tasks share, and how an event leaves the engine.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{EngineOptions, Event, Secrets};
use crate::store::Store;

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
    /// How many syncs and downloads are bringing mail in (see `ingest::Syncing`).
    pub syncing: Arc<std::sync::atomic::AtomicUsize>,
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
