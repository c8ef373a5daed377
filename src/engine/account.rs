//! One supervisor task per account: connect, replay queued changes, sync, wait, and reconnect
//! with backoff when the network fails.

use std::sync::Arc;
use std::time::Duration;

use async_imap::types::Capabilities;
use rustls::ClientConfig;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::backoff::Backoff;
use super::errors::{EngineError, ErrorKind};
use super::{AccountState, Context, Event, Protocol, SecretError, actions, idle, imap_sync};
use crate::protocols::imap::{self, ImapSession, Login};
use crate::store::accounts::Account;

pub(crate) use super::idle::Wake;

/// How often folders other than INBOX are checked when nothing wakes us.
const POLL_INTERVAL: Duration = Duration::from_secs(300);

/// A running account task.
pub(crate) struct Supervisor {
    config: Account,
    wake: mpsc::UnboundedSender<Wake>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Supervisor {
    /// Starts the task for `account`.
    pub(crate) fn start(ctx: Context, account: Account) -> Supervisor {
        let (wake, wake_rx) = mpsc::unbounded_channel();
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(run(ctx, account.clone(), wake.clone(), wake_rx, stop_rx));
        Supervisor {
            config: account,
            wake,
            stop,
            task,
        }
    }

    /// Whether its task has ended.
    pub(crate) fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// The settings the task runs with (a change means a restart).
    pub(crate) fn config(&self) -> &Account {
        &self.config
    }

    /// Asks the task to do something soon.
    pub(crate) fn wake(&self, why: Wake) {
        let _ = self.wake.send(why);
    }

    /// Stops the task, logging out if it can within a few seconds.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(5), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

async fn run(
    ctx: Context,
    account: Account,
    wake_tx: mpsc::UnboundedSender<Wake>,
    mut wake: mpsc::UnboundedReceiver<Wake>,
    mut stop: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::default();
    loop {
        ctx.emit(Event::AccountState {
            account: account.id,
            state: AccountState::Connecting,
        });
        let result = online(&ctx, &account, &wake_tx, &mut wake, &mut stop, &mut backoff).await;
        let err = match result {
            Ok(()) => return,
            Err(err) => err,
        };
        ctx.emit(Event::Error {
            account: account.id,
            kind: err.kind,
            message: err.message.clone(),
        });
        ctx.emit(Event::AccountState {
            account: account.id,
            state: AccountState::Offline(err.message.clone()),
        });
        if ctx.options.once {
            return;
        }
        // Network trouble heals by itself; a wrong password or an untrusted certificate does
        // not, so those wait for the user (a wake) instead of hammering the server.
        let delay = if err.kind.is_transient() {
            backoff.next_delay()
        } else {
            Duration::from_secs(24 * 3600)
        };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wake.recv() => {}
            _ = stop.changed() => return,
        }
    }
}

/// Builds the TLS config for the account's IMAP server.
async fn tls_config(ctx: &Context, account: &Account) -> Result<Arc<ClientConfig>, EngineError> {
    super::tls_for(ctx, account, &account.imap).await
}

/// The account's IMAP login, with its password from the secrets provider (which may block, so
/// it runs on the blocking pool).
pub(crate) async fn imap_login(ctx: &Context, account: &Account) -> Result<Login, EngineError> {
    let (secrets, who) = (ctx.secrets.clone(), account.clone());
    let password = tokio::task::spawn_blocking(move || secrets.password(&who, Protocol::Imap))
        .await?
        .map_err(|e| match e {
            SecretError::Missing => EngineError::new(
                ErrorKind::NoPassword,
                format!("no IMAP password is known for {}", account.address),
            ),
            SecretError::Unavailable(text) => EngineError::new(ErrorKind::KeyringUnavailable, text),
        })?;
    Ok(Login::new(&account.imap, &account.address, password))
}

/// A connection of its own for work beside the account's sync (filing a Sent copy, a search
/// on the server), logged in with the account's password.
pub(crate) async fn open_imap(
    ctx: &Context,
    account: &Account,
) -> Result<(ImapSession, Capabilities), EngineError> {
    let login = imap_login(ctx, account).await?;
    let config = super::tls_for(ctx, account, &account.imap).await?;
    Ok(imap::connect(&login, config).await?)
}

/// Aborts the IDLE task when the session it belongs to ends.
struct AbortOnDrop(Option<JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
        }
    }
}

async fn online(
    ctx: &Context,
    account: &Account,
    wake_tx: &mpsc::UnboundedSender<Wake>,
    wake: &mut mpsc::UnboundedReceiver<Wake>,
    stop: &mut watch::Receiver<bool>,
    backoff: &mut Backoff,
) -> Result<(), EngineError> {
    let login = imap_login(ctx, account).await?;
    let tls = tls_config(ctx, account).await?;
    let (mut session, caps) = imap::connect(&login, tls.clone()).await?;
    backoff.reset();
    ctx.reachable(account.id);
    ctx.emit(Event::AccountState {
        account: account.id,
        state: AccountState::Online,
    });
    let _idle = AbortOnDrop((!ctx.options.once).then(|| {
        tokio::spawn(idle::watch_inbox(
            ctx.clone(),
            account.id,
            login.clone(),
            tls.clone(),
            wake_tx.clone(),
        ))
    }));
    let mut queued = ctx.actions_queued.subscribe();
    let mut scope = Wake::All;
    loop {
        actions::replay(ctx, &mut session, &caps, account).await?;
        if scope != Wake::Actions {
            imap_sync::sync_account(ctx, &mut session, &caps, account, scope == Wake::All).await?;
            ctx.emit(Event::SyncDone {
                account: account.id,
                full: scope == Wake::All,
            });
        }
        if ctx.options.once {
            let _ = session.logout().await;
            return Ok(());
        }
        scope = tokio::select! {
            w = wake.recv() => w.unwrap_or(Wake::All),
            // Another account's news (or a lag) only costs a look at an empty queue.
            _ = queued.recv() => Wake::Actions,
            _ = tokio::time::sleep(POLL_INTERVAL) => Wake::All,
            _ = stop.changed() => {
                let _ = session.logout().await;
                return Ok(());
            }
        };
        // Several wakes may have queued up; do the widest of them once.
        while let Ok(more) = wake.try_recv() {
            scope = match (scope, more) {
                (Wake::All, _) | (_, Wake::All) => Wake::All,
                (Wake::Inbox, _) | (_, Wake::Inbox) => Wake::Inbox,
                _ => Wake::Actions,
            };
        }
    }
}
