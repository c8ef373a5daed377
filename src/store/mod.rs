//! The SQLite mirror: one writer, many readers.
//!
//! All writes go through a single connection owned by a dedicated thread (`Writer`). SQLite
//! allows one writer at a time anyway; funnelling every write through one thread turns lock
//! contention into a queue, keeps blocking I/O off the async runtime, and lets us batch. Readers
//! (the UI, the CLI) open their own read-only connections; WAL lets them read while we write.

pub mod accounts;
pub mod actions;
pub mod backup;
pub mod bodies;
pub mod certificates;
pub mod conversations;
pub mod drafts;
pub mod folders;
pub mod messages;
mod migrations;
pub mod outbox;
pub mod pop3;
pub mod remote_content;
pub mod threads;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
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

impl StoreError {
    /// Whether the disk (or the database's size limit) is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, StoreError::Sql { source, .. }
            if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull))
    }
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

type Job = Box<dyn FnOnce(&mut Connection, &Path) + Send>;

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
    recovery: Option<backup::Recovery>,
    /// The writer thread, for `close` to wait for.
    thread: Arc<thread::JoinHandle<()>>,
    /// Set while the writer makes the backup that was due at open, which `close` waits out.
    backing_up: Arc<AtomicBool>,
}

/// How often the writer looks whether the daily backup is due.
const BACKUP_CHECK: Duration = Duration::from_secs(3600);

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date. A
    /// damaged database is moved aside and rebuilt from the newest backup (see `recovery`);
    /// the local-only data is backed up before a migration and daily.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, true)
    }

    /// `open` for a process that only readies the database (recovery, migration) for another
    /// that opens it next, as the command line does for the window: the daily backup is left
    /// to that one.
    pub fn open_to_hand_over(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, false)
    }

    fn open_with(path: &Path, daily_backup: bool) -> Result<Store, StoreError> {
        crate::paths::private_database(path).map_err(|e| {
            StoreError::Corrupt(format!("cannot make {} private: {e}", path.display()))
        })?;
        let existed = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        let damaged = existed
            && (backup::damage_marker(path).exists()
                || (!backup::unchanged_since_verified(path) && backup::is_damaged(path)));
        let recovery = if damaged {
            Some(backup::recover(path)?)
        } else {
            None
        };
        let mut conn = Connection::open(path).ctx(&format!("opening {}", path.display()))?;
        configure(&conn).ctx("configuring the writer connection")?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .ctx("switching to WAL")?;
        let backups = backup::dir_for(path);
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .ctx("reading the schema version")?;
        if version > 0 && version < SCHEMA_VERSION {
            // Before a migration changes anything: what exists only here is kept aside.
            if let Err(e) = backup::create(&conn, &backups) {
                tracing::warn!("no backup before the migration: {e}");
            }
        }
        migrations::migrate(&mut conn)?;
        // The daily backup copies every local message (POP3 mail lives only here): seconds
        // for a large store (10 s at a million), so the writer makes it once it runs, and the
        // window draws meanwhile.
        let backing_up = Arc::new(AtomicBool::new(
            daily_backup && backup::due(&backups) && has_accounts(&conn),
        ));
        let backup_due = backing_up.clone();
        // Found sound (or rebuilt) and migrated: unchanged from here, the next start need not
        // check it again.
        backup::mark_verified(path);
        let marker = backup::damage_marker(path);
        let db = path.to_owned();
        let (jobs, queue) = mpsc::channel::<Job>();
        let writer_thread = thread::Builder::new()
            .name("tidings-store-writer".into())
            .spawn(move || {
                if backup_due.load(Ordering::SeqCst) {
                    if let Err(e) = backup::create(&conn, &backups) {
                        tracing::warn!("the daily backup failed: {e}");
                    }
                    backup_due.store(false, Ordering::SeqCst);
                }
                // A window left open for days still gets its daily backup.
                let mut checked = std::time::Instant::now();
                loop {
                    if checked.elapsed() >= BACKUP_CHECK {
                        checked = std::time::Instant::now();
                        if backup::due(&backups)
                            && has_accounts(&conn)
                            && let Err(e) = backup::create(&conn, &backups)
                        {
                            tracing::warn!("the daily backup failed: {e}");
                        }
                    }
                    match queue.recv_timeout(BACKUP_CHECK) {
                        Ok(job) => job(&mut conn, &marker),
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        Err(mpsc::RecvTimeoutError::Disconnected) => {
                            // Left cleanly: remembered as sound unless the program saw damage.
                            drop(conn);
                            if !marker.exists() {
                                backup::mark_verified(&db);
                            }
                            return;
                        }
                    }
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the writer thread: {e}")))?;
        Ok(Store {
            thread: Arc::new(writer_thread),
            backing_up,
            path: path.to_owned(),
            writer: Writer { jobs },
            recovery,
        })
    }

    /// Lets go of the database and, when this was its last handle, waits for the backup due
    /// at open, then (a few seconds at most) for the writer to close the database and record
    /// it as sound: a process that ends first leaves it unrecorded, and its next start checks
    /// the whole file again.
    pub fn close(self) {
        let thread = self.thread.clone();
        let backing_up = self.backing_up.clone();
        drop(self);
        if Arc::strong_count(&thread) > 1 {
            return;
        }
        while backing_up.load(Ordering::SeqCst) && !thread.is_finished() {
            thread::sleep(Duration::from_millis(5));
        }
        // A writer handle kept elsewhere keeps the thread alive: never wait for ever.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !thread.is_finished() && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Backs up the local-only data now, on the writer thread (outside any transaction).
    pub fn backup_now(&self) -> Result<PathBuf, StoreError> {
        let dir = backup::dir_for(&self.path);
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |conn, _| {
            let _ = tx.send(backup::create(conn, &dir));
        });
        self.writer
            .jobs
            .send(job)
            .map_err(|_| StoreError::WriterGone)?;
        rx.recv().map_err(|_| StoreError::WriterGone)?
    }

    /// What opening had to repair, if the database was found damaged.
    pub fn recovery(&self) -> Option<&backup::Recovery> {
        self.recovery.as_ref()
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
        let job: Job = Box::new(move |conn, marker| {
            let result = in_transaction(conn, f);
            if let Err(StoreError::Sql { source, .. }) = &result
                && source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt)
            {
                // Repaired at the next start, from the backup; the user is told now.
                tracing::error!("the database reports itself damaged: {source}");
                let _ = std::fs::write(marker, b"SQLITE_CORRUPT\n");
            }
            reply(result)
        });
        self.jobs.send(job).map_err(|_| StoreError::WriterGone)
    }
}

fn has_accounts(conn: &Connection) -> bool {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM accounts)", [], |r| r.get(0))
        .unwrap_or(false)
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
