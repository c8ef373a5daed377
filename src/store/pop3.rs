//! The POP3 UIDLs an account has seen, downloaded and deleted, so a kill at any moment neither
//! loses mail nor fetches or deletes anything twice.

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqlContext, StoreError};

/// What we know about one UIDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UidlRecord {
    /// The server's unique id.
    pub uidl: String,
    /// Unix seconds we first saw it.
    pub first_seen_at: i64,
    /// Unix seconds its bytes were committed locally; 0 if not yet.
    pub downloaded_at: i64,
    /// Unix seconds we deleted it on the server; 0 if not.
    pub deleted_on_server_at: i64,
    /// Local message, 0 when it was a duplicate of a message we already had.
    pub message_id: i64,
}

/// Records that a message was downloaded and committed (as `message_id`, 0 for a duplicate).
pub fn mark_downloaded(
    conn: &Connection,
    account_id: i64,
    uidl: &str,
    message_id: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO pop3_uidls (account_id, uidl, downloaded_at, message_id) \
         VALUES (?1, ?2, unixepoch(), ?3) \
         ON CONFLICT (account_id, uidl) DO UPDATE SET downloaded_at = excluded.downloaded_at, \
            message_id = excluded.message_id",
    )
    .ctx("preparing UIDL record")?
    .execute(params![account_id, uidl, message_id])
    .ctx("recording a POP3 download")?;
    Ok(())
}

/// Records that a message over the size limit is listed from its headers only (as
/// `message_id`, 0 when the account had it already): not downloaded, never deleted.
pub fn mark_headers_only(
    conn: &Connection,
    account_id: i64,
    uidl: &str,
    message_id: i64,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO pop3_uidls (account_id, uidl, message_id, headers_only) \
         VALUES (?1, ?2, ?3, 1) \
         ON CONFLICT (account_id, uidl) DO UPDATE SET message_id = excluded.message_id, \
            headers_only = 1",
        params![account_id, uidl, message_id],
    )
    .ctx("recording a message too large to download")?;
    Ok(())
}

/// The UIDLs listed from their headers only, because they are over the size limit.
pub fn headers_only(conn: &Connection, account_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT uidl FROM pop3_uidls WHERE account_id = ?1 AND headers_only = 1 \
             AND downloaded_at = 0",
        )
        .ctx("preparing the headers-only list")?;
    stmt.query_map([account_id], |row| row.get(0))
        .ctx("listing headers-only UIDLs")?
        .collect::<Result<Vec<_>, _>>()
        .ctx("listing headers-only UIDLs")
}

/// Records that the server copy was deleted.
pub fn mark_deleted_on_server(
    conn: &Connection,
    account_id: i64,
    uidl: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE pop3_uidls SET deleted_on_server_at = unixepoch() \
         WHERE account_id = ?1 AND uidl = ?2",
        params![account_id, uidl],
    )
    .ctx("recording a POP3 server delete")?;
    Ok(())
}

/// What we know about a UIDL, if anything.
pub fn get(
    conn: &Connection,
    account_id: i64,
    uidl: &str,
) -> Result<Option<UidlRecord>, StoreError> {
    conn.prepare_cached(
        "SELECT uidl, first_seen_at, downloaded_at, deleted_on_server_at, message_id \
         FROM pop3_uidls WHERE account_id = ?1 AND uidl = ?2",
    )
    .ctx("preparing UIDL lookup")?
    .query_row(params![account_id, uidl], |row| {
        Ok(UidlRecord {
            uidl: row.get(0)?,
            first_seen_at: row.get(1)?,
            downloaded_at: row.get(2)?,
            deleted_on_server_at: row.get(3)?,
            message_id: row.get(4)?,
        })
    })
    .optional()
    .ctx("looking up a UIDL")
}

/// Every UIDL of an account whose message is safely stored (or was a duplicate).
pub fn downloaded(conn: &Connection, account_id: i64) -> Result<Vec<UidlRecord>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT uidl, first_seen_at, downloaded_at, deleted_on_server_at, message_id \
             FROM pop3_uidls WHERE account_id = ?1 AND downloaded_at > 0",
        )
        .ctx("preparing the UIDL list")?;
    stmt.query_map([account_id], |row| {
        Ok(UidlRecord {
            uidl: row.get(0)?,
            first_seen_at: row.get(1)?,
            downloaded_at: row.get(2)?,
            deleted_on_server_at: row.get(3)?,
            message_id: row.get(4)?,
        })
    })
    .ctx("listing downloaded UIDLs")?
    .collect::<Result<Vec<_>, _>>()
    .ctx("listing downloaded UIDLs")
}
