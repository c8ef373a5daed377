//! Raw RFC 822 bytes of messages, so nothing is lost and any message can be re-parsed.

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqlContext, StoreError};

/// Stores (or replaces) the raw bytes of a message.
pub fn put(conn: &Connection, message_id: i64, raw: &[u8]) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO message_bodies (message_id, raw) VALUES (?1, ?2) \
         ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, fetched_at = unixepoch()",
    )
    .ctx("preparing body insert")?
    .execute(params![message_id, raw])
    .ctx("storing a message body")?;
    Ok(())
}

/// The raw bytes of a message, if they have been fetched.
pub fn get(conn: &Connection, message_id: i64) -> Result<Option<Vec<u8>>, StoreError> {
    conn.prepare_cached("SELECT raw FROM message_bodies WHERE message_id = ?1")
        .ctx("preparing body lookup")?
        .query_row([message_id], |row| row.get(0))
        .optional()
        .ctx("reading a message body")
}
