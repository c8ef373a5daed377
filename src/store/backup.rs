//! Backups of what exists only on this computer, and recovery from a damaged database.
//!
//! POP3-downloaded mail, drafts, the outbox and the settings live only here; the IMAP mirror
//! can always be downloaded again. So a backup copies just the former (a 100k-message IMAP
//! mirror does not double the disk use): daily and before each migration, the newest two kept
//! in `backups/` beside the database. At start a damaged database (`quick_check`, or one the
//! program saw fail with SQLITE_CORRUPT) is moved aside, a fresh one is made, the local data
//! comes back from the newest good backup, and IMAP accounts sync again from their servers.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags};

use super::{SqlContext, StoreError, migrations};

/// Backups kept.
const KEEP: usize = 2;
/// How old the newest backup may get.
pub const DAILY: Duration = Duration::from_secs(24 * 3600);

/// What a backup holds, table by table, in an order that satisfies the foreign keys.
const LOCAL_ONLY: &[(&str, &str)] = &[
    ("accounts", "1"),
    ("trusted_certificates", "1"),
    ("remote_allowed", "1"),
    ("folders", "source = 'local'"),
    (
        "messages",
        "folder_id IN (SELECT id FROM {db}.folders WHERE source = 'local')",
    ),
    (
        "message_bodies",
        "message_id IN (SELECT m.id FROM {db}.messages m JOIN {db}.folders f \
         ON f.id = m.folder_id WHERE f.source = 'local')",
    ),
    ("pop3_uidls", "1"),
    ("drafts", "1"),
    ("draft_attachments", "1"),
    ("outbox", "1"),
    ("pending_actions", "kind = 'pop3_delete'"),
];

/// The folder the backups of `db` live in.
pub fn dir_for(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("backups")
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The backups in `dir`, newest first, with the time each was taken.
pub fn list(dir: &Path) -> Vec<(PathBuf, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, u64)> = entries
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?;
            let stamp = name.strip_prefix("local-")?.strip_suffix(".sqlite3")?;
            Some((path.clone(), stamp.parse().ok()?))
        })
        .collect();
    found.sort_by_key(|b| std::cmp::Reverse(b.1));
    found
}

/// Whether a new daily backup is due.
pub fn due(dir: &Path) -> bool {
    list(dir)
        .first()
        .is_none_or(|(_, at)| unix_now().saturating_sub(*at) >= DAILY.as_secs())
}

fn quote(path: &Path) -> String {
    path.to_string_lossy().replace('\'', "''")
}

/// Copies the local-only data of `conn`'s database into a new backup in `dir`, keeps the
/// newest two, and returns the new file. The copy has the same schema version as `conn`.
pub fn create(conn: &Connection, dir: &Path) -> Result<PathBuf, StoreError> {
    crate::paths::private_dir(dir)
        .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .ctx("reading the schema version")?;
    // A clock that went back must not make a newer backup look older.
    let stamp = unix_now().max(list(dir).first().map_or(0, |(_, at)| at + 1));
    let path = dir.join(format!("local-{stamp}.sqlite3"));
    let partial = dir.join(format!("local-{stamp}.sqlite3.partial"));
    let _ = std::fs::remove_file(&partial);
    crate::paths::private_database(&partial)
        .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", partial.display())))?;
    {
        let mut copy = Connection::open(&partial).ctx("creating a backup")?;
        migrations::migrate_to(&mut copy, version)?;
    }
    conn.execute(
        &format!("ATTACH DATABASE '{}' AS backup", quote(&partial)),
        [],
    )
    .ctx("opening the backup")?;
    let copied = copy_tables(conn, "main", "backup");
    let detached = conn
        .execute("DETACH DATABASE backup", [])
        .ctx("closing the backup");
    copied?;
    detached?;
    std::fs::rename(&partial, &path)
        .map_err(|e| StoreError::Corrupt(format!("cannot finish {}: {e}", path.display())))?;
    for (old, _) in list(dir).into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(old);
    }
    tracing::info!(backup = %path.display(), "backup of the local data made");
    Ok(path)
}

/// Copies the local-only rows of database `from` into `to` (both attached to `conn`).
fn copy_tables(conn: &Connection, from: &str, to: &str) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN").ctx("starting the copy")?;
    for (table, filter) in LOCAL_ONLY {
        let filter = filter.replace("{db}", from);
        let sql = format!("INSERT INTO {to}.{table} SELECT * FROM {from}.{table} WHERE {filter}");
        if let Err(e) = conn.execute(&sql, []) {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(StoreError::Sql {
                context: format!("copying {table}"),
                source: e,
            });
        }
    }
    conn.execute_batch("COMMIT").ctx("finishing the copy")
}

/// Whether the database file at `path` opens and passes `quick_check` (for choosing a backup).
pub fn is_sound(path: &Path) -> bool {
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return false;
    };
    conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0))
        .is_ok_and(|r| r == "ok")
}

/// Whether the database file at `path` is damaged: `quick_check` finds a fault, or SQLite
/// says the file is corrupt or no database. A busy or locked file (another Tidings is
/// writing) is not damaged: moving it aside would pull it from under that program.
pub fn is_damaged(path: &Path) -> bool {
    use rusqlite::ErrorCode;
    let damage = |e: &rusqlite::Error| {
        matches!(
            e.sqlite_error_code(),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
        )
    };
    let conn = match Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Ok(conn) => conn,
        Err(e) => return damage(&e),
    };
    let _ = conn.busy_timeout(Duration::from_secs(10));
    match conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)) {
        Ok(result) => result != "ok",
        Err(e) => damage(&e),
    }
}

/// The file that remembers the database as it was when this program last found it sound or
/// left it: its size and modification time, and its WAL's.
fn verified_marker(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".verified");
    PathBuf::from(name)
}

/// The database file's and its WAL's size and modification time, as one line.
fn fingerprint(db: &Path) -> Option<String> {
    let stamp = |p: &Path| -> String {
        match std::fs::metadata(p) {
            Ok(m) => {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {modified}", m.len())
            }
            Err(_) => "-".to_owned(),
        }
    };
    std::fs::metadata(db).ok()?;
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    // An empty WAL holds nothing: one that a reader merely opened (re)creating it is the
    // same database as none at all.
    let wal = Path::new(&wal);
    let wal = if std::fs::metadata(wal).is_ok_and(|m| m.len() == 0) {
        "-".to_owned()
    } else {
        stamp(wal)
    };
    Some(format!("{} / {wal}", stamp(db)))
}

/// Remembers the database as it is now as sound (after a check, or as this program leaves it).
pub fn mark_verified(db: &Path) {
    if let Some(f) = fingerprint(db) {
        let _ = std::fs::write(verified_marker(db), f);
    }
}

/// Whether the database is byte for byte as this program last found it sound or left it, so
/// the check at start can be skipped: a large mirror's `quick_check` takes seconds, and a
/// command-line search must not pay it every time. Any change by anyone makes it check again.
pub fn unchanged_since_verified(db: &Path) -> bool {
    match (
        fingerprint(db),
        std::fs::read_to_string(verified_marker(db)),
    ) {
        (Some(now), Ok(then)) => now == then,
        _ => false,
    }
}

/// The marker that says the program saw the database fail as corrupt while running.
pub fn damage_marker(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".damaged");
    PathBuf::from(name)
}

/// What recovery did, to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Where the damaged file was kept.
    pub damaged: PathBuf,
    /// The backup the local data came from, and when it was taken (Unix seconds); None when
    /// there was no usable backup.
    pub restored_from: Option<(PathBuf, u64)>,
}

impl Recovery {
    /// One sentence for the log, the command line and the status bar.
    pub fn describe(&self) -> String {
        match &self.restored_from {
            Some((_, at)) => format!(
                "The mail database was damaged. It was kept aside as {}; accounts, drafts, the \
                 outbox and POP3 mail were restored from the backup of {}, and IMAP mail is \
                 being downloaded again.",
                self.damaged.display(),
                chrono::DateTime::from_timestamp(*at as i64, 0)
                    .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                    .unwrap_or_default()
            ),
            None => format!(
                "The mail database was damaged and no backup could be read. It was kept aside \
                 as {}; add your accounts again.",
                self.damaged.display()
            ),
        }
    }
}

/// Moves the damaged database at `db` (and its WAL files) aside, creates a fresh one and fills
/// it from the newest sound backup.
pub fn recover(db: &Path) -> Result<Recovery, StoreError> {
    let stamp = unix_now();
    let mut damaged = db.as_os_str().to_owned();
    damaged.push(format!(".damaged-{stamp}"));
    let damaged = PathBuf::from(damaged);
    std::fs::rename(db, &damaged)
        .map_err(|e| StoreError::Corrupt(format!("cannot move {} aside: {e}", db.display())))?;
    for suffix in ["-wal", "-shm"] {
        let mut from = db.as_os_str().to_owned();
        from.push(suffix);
        let mut to = damaged.as_os_str().to_owned();
        to.push(suffix);
        let _ = std::fs::rename(PathBuf::from(from), PathBuf::from(to));
    }
    let _ = std::fs::remove_file(damage_marker(db));
    crate::paths::private_database(db)
        .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", db.display())))?;
    let mut conn = Connection::open(db).ctx("creating a fresh database")?;
    migrations::migrate(&mut conn)?;
    let backup = list(&dir_for(db))
        .into_iter()
        .find(|(path, _)| is_sound(path));
    let Some((path, at)) = backup else {
        let recovery = Recovery {
            damaged,
            restored_from: None,
        };
        tracing::error!("{}", recovery.describe());
        return Ok(recovery);
    };
    // Bring an older backup's schema up to date first (on a copy: the backup stays as it was).
    let work = dir_for(db).join("restoring.sqlite3");
    std::fs::copy(&path, &work)
        .map_err(|e| StoreError::Corrupt(format!("cannot read {}: {e}", path.display())))?;
    {
        let mut old = Connection::open(&work).ctx("opening the backup")?;
        migrations::migrate(&mut old)?;
    }
    conn.execute(&format!("ATTACH DATABASE '{}' AS backup", quote(&work)), [])
        .ctx("opening the backup")?;
    let copied = copy_tables(&conn, "backup", "main");
    let detached = conn
        .execute("DETACH DATABASE backup", [])
        .ctx("closing the backup");
    let _ = std::fs::remove_file(&work);
    copied?;
    detached?;
    let recovery = Recovery {
        damaged,
        restored_from: Some((path, at)),
    };
    tracing::warn!("{}", recovery.describe());
    Ok(recovery)
}
