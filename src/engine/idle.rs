//! IDLE on INBOX over a connection of its own, so new mail wakes the supervisor at once while
//! the main connection is free for syncing and replaying changes.

use std::sync::Arc;
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use rustls::ClientConfig;
use tokio::sync::mpsc;

use super::Context;
use super::account::Wake;
use super::backoff::Backoff;
use crate::protocols::imap::{self, ImapSession, Login};

/// Servers drop IDLE after 30 minutes (RFC 2177); re-issue before that.
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);
/// Where IDLE is missing, how often NOOP asks for news.
const NOOP_INTERVAL: Duration = Duration::from_secs(60);

/// Runs until aborted; connection failures are retried quietly, since the main connection
/// already reports the account's state.
pub(crate) async fn watch_inbox(
    _ctx: Context,
    _account: i64,
    login: Login,
    tls: Arc<ClientConfig>,
    wake: mpsc::UnboundedSender<Wake>,
) {
    let mut backoff = Backoff::default();
    loop {
        if let Ok((session, caps)) = imap::connect(&login, tls.clone()).await {
            backoff.reset();
            let result = if caps.has_str("IDLE") {
                idle_loop(session, &wake).await
            } else {
                noop_loop(session, &wake).await
            };
            if result.is_err() && wake.is_closed() {
                return;
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

async fn idle_loop(
    mut session: ImapSession,
    wake: &mpsc::UnboundedSender<Wake>,
) -> Result<(), async_imap::error::Error> {
    session.select("INBOX").await?;
    loop {
        let mut handle = session.idle();
        handle.init().await?;
        let response = {
            let (wait, _interrupt) = handle.wait_with_timeout(IDLE_RENEW);
            wait.await?
        };
        session = handle.done().await?;
        drain(&session);
        if let IdleResponse::NewData(_) = response
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
