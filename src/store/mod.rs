//! The SQLite mirror: one writer, many readers.
//!
//! All writes go through a single connection owned by a dedicated thread (`Writer`). SQLite
//! allows one writer at a time anyway; funnelling every write through one thread turns lock
//! contention into a queue, keeps blocking I/O off the async runtime, and lets us batch. Readers
//! (the UI, the CLI) open their own read-only connections; WAL lets them read while we write.

pub mod accounts;
pub mod actions;
pub mod bodies;
pub mod certificates;
pub mod drafts;
pub mod folders;
pub mod messages;
mod migrations;
pub mod outbox;
pub mod pop3;
pub mod remote_content;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};

pub use migrations::{MIGRATIONS, SCHEMA_VERSION};

/// A database error with a line of context saying what we were doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused or failed.
    #[error("{context}: {source}")]
    Sql {
        context: String,
        #[source]
        source: rusqlite::Error,
    },
    /// A stored value is not one this version understands.
    #[error("{0}")]
    Corrupt(String),
    /// The writer thread is gone (the store was closed).
    #[error("the database writer has stopped")]
    WriterGone,
}

/// Attaches context to rusqlite results, like anyhow's `context` but typed.
pub trait SqlContext<T> {
    /// Wraps the error with what was being done.
    fn ctx(self, context: &str) -> Result<T, StoreError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sql {
            context: context.to_owned(),
            source,
        })
    }
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The single writer. Cloning it clones a handle to the same thread.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

/// An open database: where it lives and its writer.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    writer: Writer,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        crate::paths::private_database(path).map_err(|e| {
            StoreError::Corrupt(format!("cannot make {} private: {e}", path.display()))
        })?;
        let mut conn = Connection::open(path).ctx(&format!("opening {}", path.display()))?;
        configure(&conn).ctx("configuring the writer connection")?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .ctx("switching to WAL")?;
        migrations::migrate(&mut conn)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("tidings-store-writer".into())
            .spawn(move || {
                for job in queue {
                    job(&mut conn);
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the writer thread: {e}")))?;
        Ok(Store {
            path: path.to_owned(),
            writer: Writer { jobs },
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writer handle; the engine owns the writes.
    pub fn writer(&self) -> Writer {
        self.writer.clone()
    }

    /// A new read-only connection (the UI keeps one per task that reads).
    pub fn reader(&self) -> Result<Connection, StoreError> {
        open_reader(&self.path)
    }
}

/// A read-only connection to the store at `path`, for clients that never write (the window).
pub fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ctx(&format!("opening {} for reading", path.display()))?;
    configure(&conn).ctx("configuring a reader connection")?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

impl Writer {
    /// Runs `f` in one transaction on the writer thread and returns its result.
    ///
    /// The transaction commits when `f` returns Ok and rolls back when it returns Err.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.submit(f, move |r| {
            // The caller may have given up waiting; the transaction's outcome stands regardless.
            let _ = tx.send(r);
        })?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The same as `write` for callers outside the async runtime (CLI, tests).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        self.submit(f, move |r| {
            let _ = tx.send(r);
        })?;
        rx.recv().map_err(|_| StoreError::WriterGone)?
    }

    fn submit<T, F, R>(&self, f: F, reply: R) -> Result<(), StoreError>
    where
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
        R: FnOnce(Result<T, StoreError>) + Send + 'static,
        T: Send + 'static,
    {
        let job: Job = Box::new(move |conn| reply(in_transaction(conn, f)));
        self.jobs.send(job).map_err(|_| StoreError::WriterGone)
    }
}

fn in_transaction<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .ctx("starting a write transaction")?;
    let value = f(&tx)?;
    tx.commit().ctx("committing a write transaction")?;
    Ok(value)
}

/// Reads a boolean column stored as 0/1.
pub(crate) fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
pub(crate) mod tests;
