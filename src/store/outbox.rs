//! The outbox: finished messages waiting for (or failing at) SMTP. A row leaves only after the
//! server accepted the message.

use rusqlite::{Connection, Row, params};

use super::{SqlContext, StoreError, flag};

/// Where a queued message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent.
    Queued,
    /// Handed to the server; a crash here means "maybe sent".
    Sending,
    /// Accepted; kept until the Sent copy is filed.
    Sent,
    /// Refused for good (5xx, auth); waits for the user.
    Failed,
    /// Found in `Sending` after a restart and not found in Sent: the user decides.
    Uncertain,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Failed => "failed",
            OutboxState::Uncertain => "uncertain",
        }
    }

    fn parse(s: &str) -> Result<OutboxState, StoreError> {
        Ok(match s {
            "queued" => OutboxState::Queued,
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "failed" => OutboxState::Failed,
            "uncertain" => OutboxState::Uncertain,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown outbox state {other:?}"
                )));
            }
        })
    }
}

/// One outgoing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxItem {
    /// Row id; 0 before insertion.
    pub id: i64,
    /// Sending account.
    pub account_id: i64,
    /// Message-ID of the bytes, to find a Sent copy after a crash.
    pub rfc_message_id: String,
    /// SMTP MAIL FROM.
    pub envelope_from: String,
    /// SMTP RCPT TO (including Bcc).
    pub recipients: Vec<String>,
    /// The exact bytes to send.
    pub raw: Vec<u8>,
    /// Life-cycle state.
    pub state: OutboxState,
    /// Attempts so far.
    pub attempts: u32,
    /// The server's last refusal, for the user.
    pub last_error: String,
    /// Unix seconds before which no retry happens.
    pub next_attempt_at: i64,
    /// The Sent copy has been filed.
    pub sent_copy_saved: bool,
    /// The draft this came from, 0 if none.
    pub draft_id: i64,
    /// The message this answers or forwards (row id), 0 if none.
    pub answers_message: i64,
    /// The flag the original gets once this is sent: `\Answered`, `$Forwarded` or "".
    pub answers_mark: String,
}

/// Queues a message.
pub fn enqueue(conn: &Connection, item: &OutboxItem) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO outbox (account_id, rfc_message_id, envelope_from, recipients, raw, state, \
            attempts, last_error, next_attempt_at, sent_copy_saved, draft_id, answers_message, \
            answers_mark) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            item.account_id,
            item.rfc_message_id,
            item.envelope_from,
            item.recipients.join("\n"),
            item.raw,
            item.state.as_str(),
            item.attempts,
            item.last_error,
            item.next_attempt_at,
            item.sent_copy_saved,
            item.draft_id,
            item.answers_message,
            item.answers_mark,
        ],
    )
    .ctx("queueing a message in the outbox")?;
    Ok(conn.last_insert_rowid())
}

/// Moves an item to `state`, recording the error text (empty when there is none).
pub fn set_state(
    conn: &Connection,
    id: i64,
    state: OutboxState,
    last_error: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET state = ?2, last_error = ?3, updated_at = unixepoch() WHERE id = ?1",
        params![id, state.as_str(), last_error],
    )
    .ctx("updating an outbox item")?;
    Ok(())
}

/// Loads one item.
pub fn get(conn: &Connection, id: i64) -> Result<Option<OutboxItem>, StoreError> {
    Ok(query(conn, "id = ?1", params![id])?.into_iter().next())
}

/// Every item of an account, oldest first.
pub fn list(conn: &Connection, account_id: i64) -> Result<Vec<OutboxItem>, StoreError> {
    query(conn, "account_id = ?1 ORDER BY id", params![account_id])
}

/// Removes an item once it is sent and filed.
pub fn remove(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute("DELETE FROM outbox WHERE id = ?1", [id])
        .ctx("removing a sent outbox item")?;
    Ok(())
}

fn query(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<OutboxItem>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT id, account_id, rfc_message_id, envelope_from, recipients, raw, state, \
                attempts, last_error, next_attempt_at, sent_copy_saved, draft_id, \
                answers_message, answers_mark \
             FROM outbox WHERE {filter}"
        ))
        .ctx("preparing outbox query")?;
    let mut rows = stmt.query(args).ctx("querying the outbox")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx("reading an outbox item")? {
        out.push(from_row(row)?);
    }
    Ok(out)
}

fn from_row(row: &Row<'_>) -> Result<OutboxItem, StoreError> {
    let c = "reading an outbox item";
    let recipients: String = row.get(4).ctx(c)?;
    let state: String = row.get(6).ctx(c)?;
    Ok(OutboxItem {
        id: row.get(0).ctx(c)?,
        account_id: row.get(1).ctx(c)?,
        rfc_message_id: row.get(2).ctx(c)?,
        envelope_from: row.get(3).ctx(c)?,
        recipients: recipients
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        raw: row.get(5).ctx(c)?,
        state: OutboxState::parse(&state)?,
        attempts: row.get(7).ctx(c)?,
        last_error: row.get(8).ctx(c)?,
        next_attempt_at: row.get(9).ctx(c)?,
        sent_copy_saved: flag(row.get(10).ctx(c)?),
        draft_id: row.get(11).ctx(c)?,
        answers_message: row.get(12).ctx(c)?,
        answers_mark: row.get(13).ctx(c)?,
    })
}

/// An account's items in `state`, oldest first.
pub fn in_state(
    conn: &Connection,
    account_id: i64,
    state: OutboxState,
) -> Result<Vec<OutboxItem>, StoreError> {
    query(
        conn,
        "account_id = ?1 AND state = ?2 ORDER BY id",
        params![account_id, state.as_str()],
    )
}

/// Queued items of an account whose retry time has come, oldest first.
pub fn due(conn: &Connection, account_id: i64, now: i64) -> Result<Vec<OutboxItem>, StoreError> {
    query(
        conn,
        "account_id = ?1 AND state = 'queued' AND next_attempt_at <= ?2 ORDER BY id",
        params![account_id, now],
    )
}

/// The earliest retry time among an account's queued items.
pub fn next_due(conn: &Connection, account_id: i64) -> Result<Option<i64>, StoreError> {
    conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE account_id = ?1 AND state = 'queued'",
        [account_id],
        |r| r.get(0),
    )
    .ctx("finding the next outbox retry")
}

/// Puts an item back in the queue after a transient failure.
pub fn retry_later(
    conn: &Connection,
    id: i64,
    next_attempt_at: i64,
    error: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET state = 'queued', attempts = attempts + 1, next_attempt_at = ?2, \
            last_error = ?3, updated_at = unixepoch() WHERE id = ?1",
        params![id, next_attempt_at, error],
    )
    .ctx("scheduling an outbox retry")?;
    Ok(())
}

/// Makes every queued item of an account due now (the network is back, or the user asked for
/// a sync); failed and uncertain items are not touched.
pub fn retry_held_back(conn: &Connection, account_id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET next_attempt_at = 0 WHERE account_id = ?1 AND state = 'queued' \
         AND next_attempt_at > 0",
        [account_id],
    )
    .ctx("retrying held-back outbox items")?;
    Ok(())
}

/// Queues an item again at once (the user pressed retry, or chose to resend).
pub fn requeue(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET state = 'queued', next_attempt_at = 0, last_error = '', \
            updated_at = unixepoch() WHERE id = ?1",
        [id],
    )
    .ctx("queueing an outbox item again")?;
    Ok(())
}

/// Records that the Sent copy is filed.
pub fn mark_copy_saved(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE outbox SET sent_copy_saved = 1, updated_at = unixepoch() WHERE id = ?1",
        [id],
    )
    .ctx("recording the Sent copy")?;
    Ok(())
}
