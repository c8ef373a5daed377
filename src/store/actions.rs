//! Pending remote actions: local changes queued for the server, replayed in order.

use rusqlite::{Connection, Row, params};

use super::{SqlContext, StoreError};

/// What the server must be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// STORE flags.
    SetFlags,
    /// MOVE (or COPY + EXPUNGE) to `target_folder_id`.
    Move,
    /// Delete on the server.
    Delete,
    /// APPEND a local message (a Sent copy, a draft).
    Append,
    /// DELE a POP3 message.
    Pop3Delete,
    /// APPEND a POP3 download (`message_id`) to `target_folder_id`, then forget the local copy:
    /// a move out of the POP3 folder into a server folder.
    Upload,
}

impl ActionKind {
    fn as_str(self) -> &'static str {
        match self {
            ActionKind::SetFlags => "set_flags",
            ActionKind::Move => "move",
            ActionKind::Delete => "delete",
            ActionKind::Append => "append",
            ActionKind::Pop3Delete => "pop3_delete",
            ActionKind::Upload => "upload",
        }
    }

    fn parse(s: &str) -> Result<ActionKind, StoreError> {
        Ok(match s {
            "set_flags" => ActionKind::SetFlags,
            "move" => ActionKind::Move,
            "delete" => ActionKind::Delete,
            "append" => ActionKind::Append,
            "pop3_delete" => ActionKind::Pop3Delete,
            "upload" => ActionKind::Upload,
            other => return Err(StoreError::Corrupt(format!("unknown action {other:?}"))),
        })
    }
}

/// A queued action. It names the server object (folder, UIDVALIDITY, UID) directly so it still
/// makes sense after the local row is gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAction {
    /// Row id; 0 before insertion.
    pub id: i64,
    /// Account it belongs to.
    pub account_id: i64,
    /// What to do.
    pub kind: ActionKind,
    /// Local message id, 0 if none.
    pub message_id: i64,
    /// Source folder.
    pub folder_id: i64,
    /// UIDVALIDITY the UID belongs to; a mismatch means the action is void.
    pub uidvalidity: u32,
    /// IMAP UID.
    pub uid: u32,
    /// POP3 UIDL.
    pub pop3_uidl: String,
    /// Destination folder for moves and appends.
    pub target_folder_id: i64,
    /// Flags to add, space separated.
    pub flags_add: String,
    /// Flags to remove, space separated.
    pub flags_remove: String,
    /// Failed attempts so far.
    pub attempts: u32,
    /// The last failure, for the user.
    pub last_error: String,
}

impl PendingAction {
    /// A new action of `kind` for `account_id` with everything else empty.
    pub fn new(account_id: i64, kind: ActionKind) -> PendingAction {
        PendingAction {
            id: 0,
            account_id,
            kind,
            message_id: 0,
            folder_id: 0,
            uidvalidity: 0,
            uid: 0,
            pop3_uidl: String::new(),
            target_folder_id: 0,
            flags_add: String::new(),
            flags_remove: String::new(),
            attempts: 0,
            last_error: String::new(),
        }
    }
}

/// Queues an action; call it in the same transaction as the local change.
pub fn push(conn: &Connection, a: &PendingAction) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO pending_actions (account_id, kind, message_id, folder_id, uidvalidity, uid, \
            pop3_uidl, target_folder_id, flags_add, flags_remove, attempts, last_error) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )
    .ctx("preparing action insert")?
    .execute(params![
        a.account_id,
        a.kind.as_str(),
        a.message_id,
        a.folder_id,
        a.uidvalidity,
        a.uid,
        a.pop3_uidl,
        a.target_folder_id,
        a.flags_add,
        a.flags_remove,
        a.attempts,
        a.last_error,
    ])
    .ctx("queueing a remote action")?;
    Ok(conn.last_insert_rowid())
}

/// The account's queued actions, oldest first.
pub fn pending(conn: &Connection, account_id: i64) -> Result<Vec<PendingAction>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, account_id, kind, message_id, folder_id, uidvalidity, uid, pop3_uidl, \
                target_folder_id, flags_add, flags_remove, attempts, last_error \
             FROM pending_actions WHERE account_id = ?1 ORDER BY id",
        )
        .ctx("preparing action list")?;
    let mut rows = stmt.query([account_id]).ctx("listing remote actions")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx("reading a remote action")? {
        out.push(from_row(row)?);
    }
    Ok(out)
}

/// Removes an action once the server has done it. Row ids can be reused after a delete, so
/// the kind and message must match too: a newer action that took the id stays queued.
pub fn done(conn: &Connection, action: &PendingAction) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM pending_actions WHERE id = ?1 AND kind = ?2 AND message_id = ?3",
        params![action.id, action.kind.as_str(), action.message_id],
    )
    .ctx("removing a finished remote action")?;
    Ok(())
}

/// How many uploads of draft `draft_id` are queued.
pub fn appends_for(conn: &Connection, draft_id: i64) -> Result<u32, StoreError> {
    conn.query_row(
        "SELECT count(*) FROM pending_actions WHERE kind = 'append' AND message_id = ?1",
        [draft_id],
        |r| r.get(0),
    )
    .ctx("counting queued draft uploads")
}

fn from_row(row: &Row<'_>) -> Result<PendingAction, StoreError> {
    let c = "reading a remote action";
    let kind: String = row.get(2).ctx(c)?;
    Ok(PendingAction {
        id: row.get(0).ctx(c)?,
        account_id: row.get(1).ctx(c)?,
        kind: ActionKind::parse(&kind)?,
        message_id: row.get(3).ctx(c)?,
        folder_id: row.get(4).ctx(c)?,
        uidvalidity: row.get(5).ctx(c)?,
        uid: row.get(6).ctx(c)?,
        pop3_uidl: row.get(7).ctx(c)?,
        target_folder_id: row.get(8).ctx(c)?,
        flags_add: row.get(9).ctx(c)?,
        flags_remove: row.get(10).ctx(c)?,
        attempts: row.get(11).ctx(c)?,
        last_error: row.get(12).ctx(c)?,
    })
}

/// After this many refusals an action is set aside: kept with its error for the user, no
/// longer tried, so one action the server will never take cannot hold up the rest.
pub const SET_ASIDE_AFTER: u32 = 5;

/// Records a refused attempt; the action stays queued with the server's reason.
pub fn failed(conn: &Connection, id: i64, error: &str) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE pending_actions SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
        params![id, error],
    )
    .ctx("recording a failed remote action")?;
    Ok(())
}

/// Retargets a queued move of `message_id` (a second move before the first reached the server);
/// returns whether one was queued.
pub fn retarget_move(conn: &Connection, message_id: i64, target: i64) -> Result<bool, StoreError> {
    let n = conn
        .execute(
            "UPDATE pending_actions SET target_folder_id = ?2 \
             WHERE message_id = ?1 AND kind IN ('move', 'upload')",
            params![message_id, target],
        )
        .ctx("retargeting a queued move")?;
    Ok(n > 0)
}

/// Drops queued uploads of draft `draft_id` (a newer version replaces them, or it was sent).
pub fn drop_appends_for(conn: &Connection, draft_id: i64) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM pending_actions WHERE kind = 'append' AND message_id = ?1",
        [draft_id],
    )
    .ctx("dropping superseded draft uploads")?;
    Ok(())
}
