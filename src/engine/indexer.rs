//! The search indexer: drains the store's search queue (filled by triggers as messages and
//! bodies are committed), newest first, a batch at a time — rows built on a blocking thread
//! from a reader connection, written in one short writer transaction — so it never holds up
//! the UI or a sync. Woken by every committed change; the queue lives in the database, so a
//! kill loses nothing and the next start goes on.

use std::time::Duration;

use super::{Context, Event};
use crate::search::index;
use crate::store::StoreError;

/// Messages per batch: enough to amortise the transaction, small enough to keep it short.
const BATCH: usize = 200;
/// A backlog above this is announced (after an upgrade or a first big sync).
const ANNOUNCE_ABOVE: u64 = 500;
/// A look at the queue now and then, in case a change came without a wake.
const IDLE_LOOK: Duration = Duration::from_secs(5);

/// Indexes one batch; returns how many were queued before it and how many it handled.
async fn batch(ctx: &Context) -> Result<(u64, usize), StoreError> {
    let store = ctx.store.clone();
    let (left, rows) = tokio::task::spawn_blocking(move || {
        let reader = store.reader()?;
        let left = index::backlog(&reader)?;
        let mut rows = Vec::new();
        for p in index::pending(&reader, BATCH)? {
            let built = index::build_safely(&reader, p);
            // None: gone meanwhile, and its queue row with it.
            if let Some(row) = built? {
                rows.push(row);
            }
        }
        Ok::<_, StoreError>((left, rows))
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("the indexer stopped: {e}")))??;
    if rows.is_empty() {
        return Ok((left, 0));
    }
    let n = rows.len();
    ctx.store
        .writer()
        .write(move |tx| index::write(tx, &rows))
        .await?;
    Ok((left, n))
}

/// Indexes until the queue is empty; announces a large backlog as it shrinks.
pub(crate) async fn drain(ctx: &Context) -> Result<(), StoreError> {
    let mut announced = false;
    loop {
        let (left, done) = batch(ctx).await?;
        if done == 0 {
            if announced {
                ctx.emit(Event::Indexing { left: 0 });
            }
            return Ok(());
        }
        let remaining = left.saturating_sub(done as u64);
        if announced || left > ANNOUNCE_ABOVE {
            announced = true;
            ctx.emit(Event::Indexing { left: remaining });
        }
    }
}

/// Runs until aborted: drains the queue whenever something was committed.
pub(crate) async fn run(ctx: Context) {
    loop {
        if let Err(e) = drain(&ctx).await {
            tracing::warn!("search index: {e}");
            // A full disk or a locked database: try again later, never in a tight loop.
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        let _ = tokio::time::timeout(IDLE_LOOK, ctx.indexer_wake.notified()).await;
    }
}
