//! Committing POP3 downloads: a batch of messages is parsed off the async threads and
//! committed in one transaction, each message with its UIDL, so a kill loses at most the batch
//! in flight (downloaded again next time, never twice) while the socket keeps streaming.

use std::time::{Duration, Instant};

use super::Context;
use super::errors::EngineError;
use super::ingest;
use crate::mime::envelope;
use crate::store::messages::Envelope;
use crate::store::{folders, pop3 as seen};

/// A batch is committed at this many messages...
const BATCH_MESSAGES: usize = 500;
/// ...or this many bytes (three batches are held at once: one filling, two being read and
/// committed; each RETR waits its own round trip, so bigger batches would not download faster)...
const BATCH_BYTES: usize = 2 * 1024 * 1024;
/// ...or when its first message has waited this long, so the newest mail shows at once.
const BATCH_AGE: Duration = Duration::from_millis(300);

/// Downloads waiting to be committed, in arrival order.
pub(crate) struct Batch {
    items: Vec<(String, Vec<u8>)>,
    bytes: usize,
    since: Instant,
}

impl Batch {
    pub(crate) fn new() -> Batch {
        Batch {
            items: Vec::new(),
            bytes: 0,
            since: Instant::now(),
        }
    }

    /// Adds a download; true when the batch should be committed now.
    pub(crate) fn push(&mut self, uidl: String, raw: Vec<u8>) -> bool {
        if self.items.is_empty() {
            self.since = Instant::now();
        }
        self.bytes += raw.len();
        self.items.push((uidl, raw));
        self.items.len() >= BATCH_MESSAGES
            || self.bytes >= BATCH_BYTES
            || self.since.elapsed() >= BATCH_AGE
    }

    /// Takes what is waiting, leaving the batch empty.
    pub(crate) fn take(&mut self) -> Vec<(String, Vec<u8>)> {
        self.bytes = 0;
        std::mem::take(&mut self.items)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// What committing a batch did: the UIDLs now recorded, and the new messages' ids.
#[derive(Debug, Default)]
pub(crate) struct Committed {
    pub(crate) uidls: Vec<String>,
    pub(crate) messages: Vec<i64>,
}

/// Parses and commits one batch (a message the account already has records just its UIDL),
/// then tells the window.
pub(crate) async fn commit(
    ctx: Context,
    account_id: i64,
    inbox: i64,
    items: Vec<(String, Vec<u8>)>,
    utf8: bool,
) -> Result<Committed, EngineError> {
    let parsed = tokio::task::spawn_blocking(move || {
        ingest::read_in_parallel(items, |(uidl, raw)| {
            // Without UTF8 a server may send a stand-in with the real message inside; the
            // real one is what is kept (and its UIDL is recorded only with it).
            let raw = match (utf8, crate::mime::downgrade::original_of(&raw)) {
                (false, Some(original)) => original.to_vec(),
                _ => raw,
            };
            // One parse for the list's fields and the search index's text.
            let (fields, text) = crate::search::index::read_arrival(&raw);
            let hash = envelope::header_hash(&fields.list);
            (uidl, raw, fields, hash, text)
        })
    })
    .await?;
    let committed = ctx
        .store
        .writer()
        .write(move |tx| {
            let mut done = Committed::default();
            for (uidl, raw, fields, hash, text) in parsed {
                done.uidls.push(uidl.clone());
                let envelope = Envelope {
                    snippet: fields.snippet.clone(),
                    has_attachments: fields.has_attachments,
                    ..ingest::local_row(
                        account_id,
                        inbox,
                        &uidl,
                        &fields.list,
                        &hash,
                        raw.len() as u64,
                    )
                };
                // Both IMAP and POP3 on (or the same message twice on the server): a message
                // the account has already is recorded by its UIDL only, never shown twice.
                let id = ingest::admit(tx, &envelope, Some((&raw, text)))?.id();
                seen::mark_downloaded(tx, account_id, &uidl, id.unwrap_or(0))?;
                done.messages.extend(id);
            }
            if !done.messages.is_empty() {
                folders::recount(tx, inbox)?;
            }
            Ok(done)
        })
        .await?;
    ingest::changed(&ctx, inbox, committed.messages.clone());
    Ok(committed)
}

/// Lists a message over the size limit from its headers: a row in the Inbox with its real
/// size and no body, and its UIDL recorded so it is neither fetched nor deleted.
pub(crate) async fn store_headers_only(
    ctx: &Context,
    account_id: i64,
    inbox: i64,
    uidl: &str,
    head: Vec<u8>,
    size: u64,
) -> Result<(), EngineError> {
    let uidl = uidl.to_owned();
    let list = tokio::task::spawn_blocking(move || envelope::list_fields(&head)).await?;
    let hash = envelope::header_hash(&list);
    ctx.store
        .writer()
        .write(move |tx| {
            let envelope = ingest::local_row(account_id, inbox, &uidl, &list, &hash, size);
            let Some(id) = ingest::admit(tx, &envelope, None)?.id() else {
                return seen::mark_headers_only(tx, account_id, &uidl, 0);
            };
            seen::mark_headers_only(tx, account_id, &uidl, id)?;
            folders::recount(tx, inbox)
        })
        .await?;
    Ok(())
}
