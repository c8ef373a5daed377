//! IDLE on INBOX over a connection of its own, so new mail wakes the supervisor at once while
//! the main connection is free for syncing and replaying changes.

use std::sync::Arc;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use rustls::ClientConfig;
use tokio::sync::mpsc;

use super::Context;
use super::backoff::Backoff;
use crate::protocols::imap::{self, ImapSession, Login};

/// Why a supervisor was woken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wake {
    /// Sync every folder.
    All,
    /// INBOX changed (IDLE saw something).
    Inbox,
    /// Local changes are queued.
    Actions,
}

/// How often IDLE is ended and begun again by default. Servers drop IDLE after 30 minutes
/// (RFC 2177), and a connection that died without a word (a laptop's lid, a changed Wi-Fi)
/// is only noticed when something is sent on it: this is how late it may be noticed.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(9 * 60);
/// The longest the server may take to answer DONE or IDLE; no answer means a dead connection.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);
/// Where IDLE is missing, how often NOOP asks for news.
const NOOP_INTERVAL: Duration = Duration::from_secs(60);

/// Runs until aborted; connection failures are retried quietly, since the main connection
/// already reports the account's state.
pub(crate) async fn watch_inbox(
    ctx: Context,
    account: i64,
    login: Login,
    tls: Arc<ClientConfig>,
    wake: mpsc::UnboundedSender<Wake>,
) {
    let keepalive = match ctx.options.idle_keepalive {
        Duration::ZERO => DEFAULT_KEEPALIVE,
        d => d,
    };
    let mut backoff = Backoff::default();
    loop {
        if let Ok((session, caps)) = imap::connect(&login, tls.clone()).await {
            backoff.reset();
            let result = if caps.has_str("IDLE") {
                idle_loop(session, &wake, keepalive).await
            } else {
                noop_loop(session, &wake).await
            };
            if let Err(e) = &result {
                tracing::info!(account, error = %e, "the IDLE connection ended; connecting again");
            }
            if result.is_err() && wake.is_closed() {
                return;
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

/// `fut`, or a timeout error when the server does not answer within `limit`.
async fn answered<T>(
    limit: Duration,
    fut: impl std::future::Future<Output = Result<T, async_imap::error::Error>>,
) -> Result<T, async_imap::error::Error> {
    tokio::time::timeout(limit, fut).await.unwrap_or_else(|_| {
        Err(async_imap::error::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the server stopped answering on the IDLE connection",
        )))
    })
}

async fn idle_loop(
    mut session: ImapSession,
    wake: &mpsc::UnboundedSender<Wake>,
    keepalive: Duration,
) -> Result<(), async_imap::error::Error> {
    let limit = ANSWER_TIMEOUT.min(keepalive.max(Duration::from_secs(1)));
    answered(limit, session.select("INBOX")).await?;
    // IDLE announces only what comes after it starts: mail that came since the last sync (or
    // while an old connection was dead) is looked for once now.
    if wake.send(Wake::Inbox).is_err() {
        return Ok(());
    }
    loop {
        let mut handle = session.idle();
        answered(limit, handle.init()).await?;
        let response = {
            let (wait, _interrupt) = handle.wait_with_timeout(keepalive);
            wait.await?
        };
        // DONE is what finds out whether the connection is still alive.
        session = answered(limit, handle.done()).await?;
        // News the server sent outside the wait (just before IDLE began) counts too.
        let missed = drain(&session) > 0;
        if (missed || matches!(response, IdleResponse::NewData(_)))
            && wake.send(Wake::Inbox).is_err()
        {
            return Ok(());
        }
    }
}

async fn noop_loop(
    mut session: ImapSession,
    wake: &mpsc::UnboundedSender<Wake>,
) -> Result<(), async_imap::error::Error> {
    session.select("INBOX").await?;
    if wake.send(Wake::Inbox).is_err() {
        return Ok(());
    }
    loop {
        tokio::time::sleep(NOOP_INTERVAL).await;
        session.noop().await?;
        if drain(&session) > 0 && wake.send(Wake::Inbox).is_err() {
            return Ok(());
        }
    }
}

/// Empties async-imap's unsolicited-response channel (it holds 100 and drops the rest), and
/// says how many there were.
pub(crate) fn drain(session: &ImapSession) -> usize {
    let mut n = 0;
    while session.unsolicited_responses.try_recv().is_ok() {
        n += 1;
    }
    n
}
