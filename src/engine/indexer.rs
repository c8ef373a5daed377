//! The search indexer: drains the store's search queue (filled by triggers as messages and
//! bodies are committed), newest first, a batch at a time — rows built on blocking threads
//! from reader connections (`index::catch_up`), written in short writer transactions — so it
//! never holds up the UI. It pauses while a sync runs, which indexes the bodies it downloads
//! itself. Woken by every committed change; the queue lives in the database, so a kill loses
//! nothing and the next start goes on.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Context, Event};
use crate::search::index;
use crate::store::StoreError;

/// Messages per transaction: enough to amortise it, small enough to keep it short.
const BATCH: usize = 200;
/// A backlog above this is announced (after an upgrade or a first big sync).
const ANNOUNCE_ABOVE: u64 = 500;
/// A look at the queue now and then, in case a change came without a wake.
const IDLE_LOOK: Duration = Duration::from_secs(5);

/// Indexes until the queue is empty; announces a large backlog as it shrinks.
pub(crate) async fn drain(ctx: &Context) -> Result<(), StoreError> {
    let store = ctx.store.clone();
    let events = ctx.clone();
    tokio::task::spawn_blocking(move || {
        let left = index::backlog(&store.reader()?)?;
        let announce = left > ANNOUNCE_ABOVE;
        let syncing = || events.syncing.load(Ordering::SeqCst) > 0;
        let done = index::catch_up(&store, BATCH, &syncing, |done| {
            if announce {
                events.emit(Event::Indexing {
                    left: left.saturating_sub(done),
                });
            }
        })?;
        if announce {
            // Paused for a sync: say how many are left, not that the work is done.
            let left = if syncing() {
                left.saturating_sub(done)
            } else {
                0
            };
            events.emit(Event::Indexing { left });
        }
        Ok(())
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("the indexer stopped: {e}")))?
}

/// Runs until aborted: drains the queue whenever something was committed.
pub(crate) async fn run(ctx: Context) {
    loop {
        // A sync indexes what it downloads; the rest waits for the last sync to end (its
        // guard wakes this task), so both cores stay with the download.
        if ctx.syncing.load(Ordering::SeqCst) > 0 {
            let _ = tokio::time::timeout(IDLE_LOOK, ctx.indexer_wake.notified()).await;
            continue;
        }
        if let Err(e) = drain(&ctx).await {
            tracing::warn!("search index: {e}");
            // A full disk or a locked database: try again later, never in a tight loop.
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        let _ = tokio::time::timeout(IDLE_LOOK, ctx.indexer_wake.notified()).await;
    }
}
