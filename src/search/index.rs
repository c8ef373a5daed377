//! Keeping the search index exact. Triggers in the store queue every message as it is mirrored
//! and again when its body arrives, and drop its row when it goes (moves keep the row: the
//! folder is read from `messages` at query time). `pending` reads a batch from the queue,
//! newest first, `build` makes the rows off any lock (the reader's display model, every charset
//! decoded), and `write` stores them, each only if nothing changed the message meanwhile.

use rusqlite::{Connection, params};

use super::segment::for_index;
use crate::mime::body::{self, Options};
use crate::mime::envelope::{self, BodyFields};
use crate::mime::model::{Block, DisplayMessage};
use crate::mime::parse;
use crate::mime::text::{self, Zone};
use crate::store::{SqlContext, StoreError, bodies, messages};

/// One message waiting to be indexed: its id and the queue stamp read with it.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// The message.
    pub message: i64,
    /// The request's stamp; a newer request bumps it.
    pub stamp: i64,
}

/// Up to `limit` queued messages, newest first.
pub fn pending(conn: &Connection, limit: usize) -> Result<Vec<Pending>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT q.message_id, q.stamp FROM search_queue q \
             JOIN messages m ON m.id = q.message_id ORDER BY m.date DESC LIMIT ?1",
        )
        .ctx("preparing the search queue")?;
    let rows = stmt
        .query_map([limit as i64], |r| {
            Ok(Pending {
                message: r.get(0)?,
                stamp: r.get(1)?,
            })
        })
        .ctx("reading the search queue")?;
    rows.collect::<Result<Vec<_>, _>>()
        .ctx("reading the search queue")
}

/// How many messages wait to be indexed.
pub fn backlog(conn: &Connection) -> Result<u64, StoreError> {
    conn.query_row("SELECT count(*) FROM search_queue", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| n.max(0) as u64)
    .ctx("counting the search queue")
}

/// An index row, already cut for the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The message.
    pub message: i64,
    /// The stamp it was built for.
    pub stamp: i64,
    /// Subject.
    pub subject: String,
    /// From: name and address.
    pub sender: String,
    /// To.
    pub recipients: String,
    /// Cc.
    pub copied: String,
    /// Attachment file names.
    pub filenames: String,
    /// The body as the reader shows it, quoted parts left out.
    pub body: String,
    /// The quoted parts (weighted lower).
    pub quoted: String,
}

/// The most body text indexed per message: a huge log pasted into a mail must not make one
/// message cost as much as a thousand.
const MAX_BODY_CHARS: usize = 200_000;

fn cut(text: &str) -> String {
    // Shorter in bytes is shorter in characters: no count needed.
    if text.len() <= MAX_BODY_CHARS {
        return for_index(text);
    }
    match text.char_indices().nth(MAX_BODY_CHARS) {
        Some((at, _)) => for_index(&text[..at]),
        None => for_index(text),
    }
}

/// What the index takes from a message's body: its text as the reader shows it (quoted parts
/// apart) and its attachments' names, already cut for the index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyText {
    /// The body as the reader shows it, quoted parts left out.
    pub body: String,
    /// The quoted parts.
    pub quoted: String,
    /// Attachment file names.
    pub filenames: String,
}

impl BodyText {
    /// The index's part of a display model.
    pub fn of(shown: DisplayMessage) -> BodyText {
        let (quoted, own): (Vec<Block>, Vec<Block>) = shown
            .body
            .into_iter()
            .partition(|b| matches!(b, Block::Quote(_)));
        BodyText {
            body: cut(&text::render_body(&own, "en-US", Zone::Utc)),
            quoted: cut(&text::render_body(&quoted, "en-US", Zone::Utc)),
            filenames: for_index(
                &shown
                    .attachments
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }
}

/// A downloaded message read once for everything its arrival needs: the list's fields and the
/// index's text. None for the text when the display model failed on it (the message is then
/// indexed by its headers, later, like any other).
pub fn read_arrival(raw: &[u8]) -> (BodyFields, Option<BodyText>) {
    let prepared = parse::prepare(raw);
    let message = prepared.parse();
    let fields = message
        .as_deref()
        .map(envelope::body_fields_of)
        .unwrap_or_default();
    let text = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        BodyText::of(match message.as_deref() {
            Some(message) => body::display_parsed(message, Options::default()),
            None => body::display(raw, Options::default()),
        })
    }));
    if text.is_err() {
        tracing::warn!("reading a downloaded body for search failed; it is queued instead");
    }
    (fields, text.ok())
}

/// The index row of message `message` as the store has it now, with `text` for its body.
fn row_of(
    conn: &Connection,
    message: i64,
    stamp: i64,
    text: Option<BodyText>,
) -> Result<Option<Row>, StoreError> {
    let Some(m) = messages::get(conn, message)? else {
        return Ok(None);
    };
    let text = text.unwrap_or_default();
    Ok(Some(Row {
        message,
        stamp,
        subject: for_index(&m.subject),
        sender: for_index(&format!("{} {}", m.from_name, m.from_addr)),
        recipients: for_index(&m.to_addrs),
        copied: for_index(&m.cc_addrs),
        filenames: text.filenames,
        body: text.body,
        quoted: text.quoted,
    }))
}

/// Builds the row of `p` from the store (a reader connection): headers always, the body when
/// it is there and `with_body`. None when the message is gone.
pub fn build(conn: &Connection, p: Pending, with_body: bool) -> Result<Option<Row>, StoreError> {
    let text = bodies::get(conn, p.message)?
        .filter(|_| with_body)
        .map(|raw| BodyText::of(body::display(&raw, Options::default())));
    row_of(conn, p.message, p.stamp, text)
}

/// Like `build`, but a body the display model cannot take leaves the message searchable by its
/// headers instead of stopping the index.
pub fn build_safely(conn: &Connection, p: Pending) -> Result<Option<Row>, StoreError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(conn, p, true))).unwrap_or_else(
        |_| {
            tracing::warn!(
                message = p.message,
                "indexing the body failed; headers only"
            );
            build(conn, p, false)
        },
    )
}

/// Indexes `message` in the writer's transaction that stores its body, from the text read
/// off the downloaded bytes: the body is never read back and the message never waits in the
/// queue. Without `text` (the display model failed) it stays queued for the indexer.
pub fn index_arrival(
    tx: &Connection,
    message: i64,
    text: Option<BodyText>,
) -> Result<(), StoreError> {
    if text.is_none() {
        return Ok(());
    }
    let Some(row) = row_of(tx, message, 0, text)? else {
        return Ok(());
    };
    tx.prepare_cached("DELETE FROM search_queue WHERE message_id = ?1")
        .ctx("preparing the search queue")?
        .execute([message])
        .ctx("updating the search queue")?;
    insert(tx, &row)
}

/// Stores built rows (in the writer's transaction), each only if its request is still the
/// newest; returns how many were stored.
pub fn write(conn: &Connection, rows: &[Row]) -> Result<usize, StoreError> {
    let mut stored = 0;
    for row in rows {
        let done = conn
            .prepare_cached("DELETE FROM search_queue WHERE message_id = ?1 AND stamp = ?2")
            .ctx("preparing the search queue")?
            .execute(params![row.message, row.stamp])
            .ctx("updating the search queue")?;
        if done == 0 {
            // Changed meanwhile (its body arrived) or gone: the newer request is built next.
            continue;
        }
        insert(conn, row)?;
        stored += 1;
    }
    Ok(stored)
}

fn insert(conn: &Connection, row: &Row) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO search \
         (rowid, subject, sender, recipients, copied, filenames, body, quoted) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .ctx("preparing the search index")?
    .execute(params![
        row.message,
        row.subject,
        row.sender,
        row.recipients,
        row.copied,
        row.filenames,
        row.body,
        row.quoted
    ])
    .ctx("writing the search index")?;
    Ok(())
}

/// How many queued messages are read (newest first) per look at the queue: sorting the queue
/// once per look, not once per batch, keeps a large backlog from costing O(n²).
const SNAPSHOT: usize = 10_000;

/// Indexes everything queued, `batch` messages a transaction, and returns how many it stored;
/// `progress` hears the count after each transaction; when `pause` says so after one, it stops
/// there (the rest stays queued). Rows are built on one thread per core
/// (the display model is the cost) while the store's writer stores the previous ones. Blocks:
/// for the command line, tests, and the engine's indexer on a blocking thread.
pub fn catch_up(
    store: &crate::store::Store,
    batch: usize,
    pause: &(dyn Fn() -> bool + Sync),
    mut progress: impl FnMut(u64),
) -> Result<u64, StoreError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let mut done = 0u64;
    loop {
        let snapshot = pending(&store.reader()?, SNAPSHOT)?;
        if snapshot.is_empty() {
            return Ok(done);
        }
        let chunks: Vec<&[Pending]> = snapshot.chunks(batch.max(1)).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (sender, results) = std::sync::mpsc::sync_channel(workers * 2);
        let mut built_any = false;
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let (sender, chunks, next) = (sender.clone(), &chunks, &next);
                scope.spawn(move || {
                    let reader = match store.reader() {
                        Ok(reader) => reader,
                        Err(e) => {
                            let _ = sender.send(Err(e));
                            return;
                        }
                    };
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else { return };
                        let rows: Result<Vec<Row>, StoreError> = chunk
                            .iter()
                            .filter_map(|p| build_safely(&reader, *p).transpose())
                            .collect();
                        // The receiver left (a write failed): stop building.
                        if sender.send(rows).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(sender);
            for rows in results {
                let rows = rows?;
                if rows.is_empty() {
                    continue;
                }
                built_any = true;
                let stored = store.writer().write_blocking(move |tx| write(tx, &rows))?;
                done += stored as u64;
                progress(done);
                if pause() {
                    // Leaving the loop drops the receiver, which stops the builders.
                    break;
                }
            }
            Ok::<_, StoreError>(())
        })?;
        // Nothing of a whole look could be built (every message gone meanwhile): what is left
        // is for the next wake, never a busy loop.
        if !built_any || pause() {
            return Ok(done);
        }
    }
}

/// Forgets the whole index and queues every message again (`tidings index --rebuild`).
pub fn reset(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "DELETE FROM search; \
         INSERT INTO search_queue (message_id) SELECT id FROM messages WHERE true \
             ON CONFLICT (message_id) DO UPDATE SET stamp = stamp + 1;",
    )
    .ctx("resetting the search index")
}
