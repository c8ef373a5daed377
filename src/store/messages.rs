//! Message rows: what the list shows. Bodies live in `bodies`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{SqlContext, StoreError, flag};

/// The IMAP system flags we keep as columns, plus other keywords as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// \Seen
    pub seen: bool,
    /// \Flagged
    pub flagged: bool,
    /// \Answered
    pub answered: bool,
    /// \Draft
    pub draft: bool,
    /// \Deleted
    pub deleted: bool,
    /// Any other keywords, space separated.
    pub keywords: String,
}

/// One message as the list needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// Row id; 0 before insertion.
    pub id: i64,
    /// Owning account.
    pub account_id: i64,
    /// Folder it is in.
    pub folder_id: i64,
    /// IMAP UID; 0 for POP3 and local messages.
    pub uid: u32,
    /// POP3 UIDL; empty for IMAP messages.
    pub pop3_uidl: String,
    /// The Message-ID header, without angle brackets.
    pub rfc_message_id: String,
    /// In-Reply-To.
    pub in_reply_to: String,
    /// References, space separated.
    pub refs: String,
    /// Unix seconds of the Date header (or INTERNALDATE).
    pub date: i64,
    /// Unix seconds the server received it.
    pub internal_date: i64,
    /// Sender's display name.
    pub from_name: String,
    /// Sender's address.
    pub from_addr: String,
    /// To, for display.
    pub to_addrs: String,
    /// Cc, for display.
    pub cc_addrs: String,
    /// Decoded subject.
    pub subject: String,
    /// First words of the body.
    pub snippet: String,
    /// Flags.
    pub flags: Flags,
    /// RFC822.SIZE.
    pub size: u64,
    /// Whether it has attachments.
    pub has_attachments: bool,
    /// CONDSTORE MODSEQ.
    pub modseq: u64,
    /// Hash of the main headers, for messages without Message-ID.
    pub header_hash: String,
    /// Hidden while a local delete/move waits to reach the server.
    pub hidden: bool,
    /// Its conversation: the smallest message id linked to it (0 until it is threaded).
    pub thread_id: i64,
}

pub(crate) const COLUMNS: &str = "id, account_id, folder_id, uid, pop3_uidl, rfc_message_id, in_reply_to, \
    refs, date, internal_date, from_name, from_addr, to_addrs, cc_addrs, subject, snippet, seen, \
    flagged, answered, draft, deleted, keywords, size, has_attachments, modseq, header_hash, hidden, \
    thread_id";

/// Inserts a message row and returns its id.
pub fn insert(conn: &Connection, m: &Envelope) -> Result<i64, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO messages (account_id, folder_id, uid, pop3_uidl, rfc_message_id, \
                in_reply_to, refs, date, internal_date, from_name, from_addr, to_addrs, cc_addrs, \
                subject, snippet, seen, flagged, answered, draft, deleted, keywords, size, \
                has_attachments, modseq, header_hash, hidden) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
                ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
        )
        .ctx("preparing message insert")?;
    stmt.execute(params![
        m.account_id,
        m.folder_id,
        m.uid,
        m.pop3_uidl,
        m.rfc_message_id,
        m.in_reply_to,
        m.refs,
        m.date,
        m.internal_date,
        m.from_name,
        m.from_addr,
        m.to_addrs,
        m.cc_addrs,
        m.subject,
        m.snippet,
        m.flags.seen,
        m.flags.flagged,
        m.flags.answered,
        m.flags.draft,
        m.flags.deleted,
        m.flags.keywords,
        m.size as i64,
        m.has_attachments,
        m.modseq as i64,
        m.header_hash,
        m.hidden,
    ])
    .ctx("adding a message")?;
    Ok(conn.last_insert_rowid())
}

/// Replaces a message's flags (and MODSEQ) as the server reported them.
pub fn set_flags(conn: &Connection, id: i64, f: &Flags, modseq: u64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE messages SET seen = ?2, flagged = ?3, answered = ?4, draft = ?5, deleted = ?6, \
            keywords = ?7, modseq = ?8 WHERE id = ?1",
    )
    .ctx("preparing flag update")?
    .execute(params![
        id,
        f.seen,
        f.flagged,
        f.answered,
        f.draft,
        f.deleted,
        f.keywords,
        modseq as i64
    ])
    .ctx("updating message flags")?;
    Ok(())
}

/// Looks a message up by folder and UID. The literal `uid > 0` lets SQLite use the partial UID
/// index; without it every lookup scans the folder, which is quadratic over a large sync.
pub(crate) const UID_FILTER: &str = "folder_id = ?1 AND uid > 0 AND uid = ?2";

/// Loads one message row.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Envelope>, StoreError> {
    query_one(conn, "id = ?1", params![id])
}

/// Finds a message by its UID in a folder.
pub fn by_uid(conn: &Connection, folder_id: i64, uid: u32) -> Result<Option<Envelope>, StoreError> {
    query_one(conn, UID_FILTER, params![folder_id, uid])
}

/// Finds the messages of an account carrying a Message-ID (a message can be in several folders).
pub fn by_rfc_message_id(
    conn: &Connection,
    account_id: i64,
    rfc_message_id: &str,
) -> Result<Vec<Envelope>, StoreError> {
    query(
        conn,
        "account_id = ?1 AND rfc_message_id = ?2 ORDER BY id",
        params![account_id, rfc_message_id],
    )
}

/// One page of a folder's visible messages, newest first.
pub fn page(
    conn: &Connection,
    folder_id: i64,
    offset: u32,
    limit: u32,
) -> Result<Vec<Envelope>, StoreError> {
    // The offset is walked in the list index alone (`messages_list` holds the order and the
    // id), and only the page's rows are read: half the time of reading every skipped row.
    query(
        conn,
        "id IN (SELECT id FROM messages WHERE folder_id = ?1 AND hidden = 0 \
            ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3) \
         ORDER BY date DESC, id DESC",
        params![folder_id, limit, offset],
    )
}

/// Rows `offset..offset + limit` of every account's folders with `role` together (a unified
/// Inbox), newest first.
pub fn page_in_role(
    conn: &Connection,
    role: crate::store::folders::Role,
    offset: u32,
    limit: u32,
) -> Result<Vec<Envelope>, StoreError> {
    query(
        conn,
        "folder_id IN (SELECT id FROM folders WHERE role = ?1) AND hidden = 0 \
         ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3",
        params![role.as_str(), limit, offset],
    )
}

/// How many messages every account's folders with `role` show together.
pub fn count_in_role(
    conn: &Connection,
    role: crate::store::folders::Role,
) -> Result<u32, StoreError> {
    conn.query_row(
        "SELECT COUNT(*) FROM messages WHERE hidden = 0 AND folder_id IN \
            (SELECT id FROM folders WHERE role = ?1)",
        [role.as_str()],
        |r| r.get(0),
    )
    .ctx("counting a unified folder's messages")
}

fn query_one(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Option<Envelope>, StoreError> {
    Ok(query(conn, filter, args)?.into_iter().next())
}

fn query(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Envelope>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM messages WHERE {filter}"))
        .ctx("preparing message query")?;
    let mut rows = stmt.query(args).ctx("querying messages")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx("reading a message")? {
        out.push(from_row(row).ctx("reading a message")?);
    }
    Ok(out)
}

pub(crate) fn from_row(row: &Row<'_>) -> Result<Envelope, rusqlite::Error> {
    Ok(Envelope {
        id: row.get(0)?,
        account_id: row.get(1)?,
        folder_id: row.get(2)?,
        uid: row.get(3)?,
        pop3_uidl: row.get(4)?,
        rfc_message_id: row.get(5)?,
        in_reply_to: row.get(6)?,
        refs: row.get(7)?,
        date: row.get(8)?,
        internal_date: row.get(9)?,
        from_name: row.get(10)?,
        from_addr: row.get(11)?,
        to_addrs: row.get(12)?,
        cc_addrs: row.get(13)?,
        subject: row.get(14)?,
        snippet: row.get(15)?,
        flags: Flags {
            seen: flag(row.get(16)?),
            flagged: flag(row.get(17)?),
            answered: flag(row.get(18)?),
            draft: flag(row.get(19)?),
            deleted: flag(row.get(20)?),
            keywords: row.get(21)?,
        },
        size: row.get::<_, i64>(22)? as u64,
        has_attachments: flag(row.get(23)?),
        modseq: row.get::<_, i64>(24)? as u64,
        header_hash: row.get(25)?,
        hidden: flag(row.get(26)?),
        thread_id: row.get(27)?,
    })
}

/// Every UID mirrored in a folder (placeholders with UID 0 excluded).
pub fn uids(conn: &Connection, folder_id: i64) -> Result<Vec<u32>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT uid FROM messages WHERE folder_id = ?1 AND uid > 0 ORDER BY uid")
        .ctx("preparing UID list")?;
    stmt.query_map([folder_id], |r| r.get(0))
        .ctx("listing UIDs")?
        .collect::<Result<Vec<u32>, _>>()
        .ctx("listing UIDs")
}

/// How many rows of a folder still wait to be matched to a server UID (after a move or a
/// UIDVALIDITY change).
pub fn placeholder_count(conn: &Connection, folder_id: i64) -> Result<u64, StoreError> {
    conn.prepare_cached("SELECT count(*) FROM messages WHERE folder_id = ?1 AND uid = 0")
        .ctx("preparing placeholder count")?
        .query_row([folder_id], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .ctx("counting placeholders")
}

/// Finds a placeholder by Message-ID. Named index: the planner otherwise prefers a folder-wide
/// index and every fetched envelope would scan the folder.
pub(crate) const PLACEHOLDER_LOOKUP: &str = "SELECT id FROM messages \
    INDEXED BY messages_placeholders \
    WHERE folder_id = ?1 AND uid = 0 AND rfc_message_id = ?2 ORDER BY id LIMIT 1";

/// Gives a placeholder row with this Message-ID its server UID; returns its id if one matched.
pub fn adopt_placeholder(
    conn: &Connection,
    folder_id: i64,
    rfc_message_id: &str,
    uid: u32,
    flags: &Flags,
    modseq: u64,
) -> Result<Option<i64>, StoreError> {
    if rfc_message_id.is_empty() {
        return Ok(None);
    }
    let id: Option<i64> = conn
        .prepare_cached(PLACEHOLDER_LOOKUP)
        .ctx("preparing placeholder lookup")?
        .query_row(params![folder_id, rfc_message_id], |r| r.get(0))
        .optional()
        .ctx("looking up a placeholder")?;
    if let Some(id) = id {
        conn.execute(
            "UPDATE messages SET uid = ?2 WHERE id = ?1",
            params![id, uid],
        )
        .ctx("adopting a placeholder")?;
        // A flag change still queued for this message wins over the server's old flags.
        update_flags_by_uid(conn, folder_id, uid, flags, modseq)?;
    }
    Ok(id)
}

/// Turns every row of a folder into a placeholder (its UIDVALIDITY changed).
pub fn forget_uids(conn: &Connection, folder_id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE messages SET uid = 0 WHERE folder_id = ?1",
        [folder_id],
    )
    .ctx("forgetting UIDs after a UIDVALIDITY change")?;
    Ok(())
}

/// Removes rows whose UIDs the server no longer has; returns their ids.
pub fn remove_uids(
    conn: &Connection,
    folder_id: i64,
    uids: &[u32],
) -> Result<Vec<i64>, StoreError> {
    let mut find = conn
        .prepare_cached(&format!("SELECT id FROM messages WHERE {UID_FILTER}"))
        .ctx("preparing expunge lookup")?;
    let mut ids = Vec::with_capacity(uids.len());
    for uid in uids {
        if let Some(id) = find
            .query_row(params![folder_id, uid], |r| r.get::<_, i64>(0))
            .optional()
            .ctx("looking up an expunged message")?
        {
            ids.push(id);
        }
    }
    let mut delete = conn
        .prepare_cached("DELETE FROM messages WHERE id = ?1")
        .ctx("preparing expunge")?;
    for id in &ids {
        delete.execute([id]).ctx("removing an expunged message")?;
    }
    Ok(ids)
}

/// Applies flags the server reported for a UID, unless a local flag change is still queued for
/// that message (the server has not heard of it yet). Returns the id when something changed.
pub fn update_flags_by_uid(
    conn: &Connection,
    folder_id: i64,
    uid: u32,
    f: &Flags,
    modseq: u64,
) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "UPDATE messages SET seen = ?3, flagged = ?4, answered = ?5, draft = ?6, \
                deleted = ?7, keywords = ?8, modseq = ?9 \
             WHERE folder_id = ?1 AND uid > 0 AND uid = ?2 \
               AND (seen, flagged, answered, draft, deleted, keywords) \
                   IS NOT (?3, ?4, ?5, ?6, ?7, ?8) \
               AND id NOT IN (SELECT message_id FROM pending_actions WHERE kind = 'set_flags') \
             RETURNING id",
        )
        .ctx("preparing flag update")?;
    stmt.query_row(
        params![
            folder_id,
            uid,
            f.seen,
            f.flagged,
            f.answered,
            f.draft,
            f.deleted,
            f.keywords,
            modseq as i64
        ],
        |r| r.get(0),
    )
    .optional()
    .ctx("updating flags from the server")
}

/// A message whose body is still to be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyBacklog {
    /// Row id.
    pub id: i64,
    /// IMAP UID.
    pub uid: u32,
    /// RFC822.SIZE, to size download batches.
    pub size: u64,
}

/// Messages of a folder without a stored body, newest first, on or after `since`, no larger
/// than `max_size` (bigger ones stay listed from their headers).
pub fn without_body(
    conn: &Connection,
    folder_id: i64,
    since: i64,
    max_size: u64,
) -> Result<Vec<BodyBacklog>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT m.id, m.uid, m.size FROM messages m \
             LEFT JOIN message_bodies b ON b.message_id = m.id \
             WHERE m.folder_id = ?1 AND m.uid > 0 AND b.message_id IS NULL AND m.date >= ?2 \
             AND m.size <= ?3 \
             ORDER BY m.uid DESC",
        )
        .ctx("preparing body backlog")?;
    stmt.query_map(params![folder_id, since, max_size as i64], |r| {
        Ok(BodyBacklog {
            id: r.get(0)?,
            uid: r.get(1)?,
            size: r.get::<_, i64>(2)? as u64,
        })
    })
    .ctx("listing messages without bodies")?
    .collect::<Result<Vec<_>, _>>()
    .ctx("listing messages without bodies")
}

/// The mirrored rows of some UIDs of a folder, as (UID, row id); UIDs not mirrored are left out.
pub fn ids_of_uids(
    conn: &Connection,
    folder_id: i64,
    uids: &[u32],
) -> Result<Vec<(u32, i64)>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT id FROM messages WHERE folder_id = ?1 AND uid = ?2")
        .ctx("preparing UID lookup")?;
    let mut out = Vec::with_capacity(uids.len());
    for &uid in uids {
        if let Some(id) = stmt
            .query_row(params![folder_id, uid], |r| r.get(0))
            .optional()
            .ctx("looking up a UID")?
        {
            out.push((uid, id));
        }
    }
    Ok(out)
}

/// Which of `ids` have no stored body and are small enough to download, newest first.
pub fn without_body_among(
    conn: &Connection,
    ids: &[i64],
    max_size: u64,
) -> Result<Vec<(i64, BodyBacklog)>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT m.folder_id, m.id, m.uid, m.size, m.date FROM messages m \
             LEFT JOIN message_bodies b ON b.message_id = m.id \
             WHERE m.id = ?1 AND m.uid > 0 AND b.message_id IS NULL AND m.size <= ?2",
        )
        .ctx("preparing body backlog")?;
    let mut out = Vec::new();
    for &id in ids {
        let row = stmt
            .query_row(params![id, max_size as i64], |r| {
                Ok((
                    r.get::<_, i64>(4)?,
                    r.get(0)?,
                    BodyBacklog {
                        id: r.get(1)?,
                        uid: r.get(2)?,
                        size: r.get::<_, i64>(3)? as u64,
                    },
                ))
            })
            .optional()
            .ctx("listing messages without bodies")?;
        out.extend(row);
    }
    out.sort_by_key(|(date, _, b)| (std::cmp::Reverse(*date), std::cmp::Reverse(b.id)));
    Ok(out.into_iter().map(|(_, folder, b)| (folder, b)).collect())
}

/// Records a message's real size when the server sent more than it announced: over the limit,
/// it is not asked for again.
pub fn set_size(conn: &Connection, id: i64, size: u64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE messages SET size = ?2 WHERE id = ?1",
        params![id, size as i64],
    )
    .ctx("recording a message's size")?;
    Ok(())
}

/// Updates what only the whole message tells: snippet, attachments, threading headers.
pub fn set_body_fields(
    conn: &Connection,
    id: i64,
    snippet: &str,
    has_attachments: bool,
    in_reply_to: &str,
    refs: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE messages SET snippet = ?2, has_attachments = ?3, in_reply_to = ?4, refs = ?5 \
         WHERE id = ?1",
    )
    .ctx("preparing body field update")?
    .execute(params![id, snippet, has_attachments, in_reply_to, refs])
    .ctx("saving body fields")?;
    Ok(())
}

/// Every message of an account, for `tidings list`, by folder then date.
pub fn all_in_folder(conn: &Connection, folder_id: i64) -> Result<Vec<Envelope>, StoreError> {
    query(
        conn,
        "folder_id = ?1 AND hidden = 0 ORDER BY date DESC, id DESC",
        params![folder_id],
    )
}

/// Deletes rows of a folder still waiting for a UID that no queued action refers to; returns
/// their ids.
pub fn drop_unmatched_placeholders(
    conn: &Connection,
    folder_id: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "DELETE FROM messages WHERE folder_id = ?1 AND uid = 0 \
               AND id NOT IN (SELECT message_id FROM pending_actions) RETURNING id",
        )
        .ctx("preparing placeholder cleanup")?;
    stmt.query_map([folder_id], |r| r.get(0))
        .ctx("dropping unmatched placeholders")?
        .collect::<Result<Vec<i64>, _>>()
        .ctx("dropping unmatched placeholders")
}

/// Deletes one message row (its body goes with it).
pub fn delete(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM messages WHERE id = ?1")
        .ctx("preparing message delete")?
        .execute([id])
        .ctx("deleting a message")?;
    Ok(())
}

/// Sets \Seen locally.
pub fn set_seen(conn: &Connection, id: i64, seen: bool) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE messages SET seen = ?2 WHERE id = ?1",
        params![id, seen],
    )
    .ctx("marking a message read or unread")?;
    Ok(())
}

/// Sets \Flagged locally.
pub fn set_flagged(conn: &Connection, id: i64, flagged: bool) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE messages SET flagged = ?2 WHERE id = ?1",
        params![id, flagged],
    )
    .ctx("flagging a message")?;
    Ok(())
}

/// Moves a row to another folder locally; it waits there as a placeholder (UID 0) until the
/// server's copy is matched to it by Message-ID.
pub fn move_local(conn: &Connection, id: i64, folder_id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE messages SET folder_id = ?2, uid = 0 WHERE id = ?1",
        params![id, folder_id],
    )
    .ctx("moving a message")?;
    Ok(())
}

/// Hides a row while its deletion waits to reach the server.
pub fn hide(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute("UPDATE messages SET hidden = 1 WHERE id = ?1", [id])
        .ctx("hiding a deleted message")?;
    Ok(())
}

/// Whether the account already has this message (by Message-ID, or by header hash when it has
/// none), in any folder.
pub fn account_has(
    conn: &Connection,
    account_id: i64,
    rfc_message_id: &str,
    header_hash: &str,
) -> Result<bool, StoreError> {
    let (column, value) = if rfc_message_id.is_empty() {
        ("header_hash", header_hash)
    } else {
        ("rfc_message_id", rfc_message_id)
    };
    if value.is_empty() {
        return Ok(false);
    }
    conn.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM messages WHERE account_id = ?1 AND {column} = ?2)"
    ))
    .ctx("preparing duplicate check")?
    .query_row(params![account_id, value], |r| r.get(0))
    .ctx("checking for a duplicate")
}

/// Removes POP3 copies (local folders) of a message the IMAP mirror now has, so it shows once.
/// Their UIDLs stay recorded as downloaded, pointing at no local row.
pub fn drop_local_duplicates(
    conn: &Connection,
    account_id: i64,
    rfc_message_id: &str,
) -> Result<usize, StoreError> {
    if rfc_message_id.is_empty() {
        return Ok(0);
    }
    conn.prepare_cached(
        "UPDATE pop3_uidls SET message_id = 0 WHERE account_id = ?1 AND message_id IN \
            (SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id \
             WHERE m.account_id = ?1 AND m.rfc_message_id = ?2 AND f.source = 'local')",
    )
    .ctx("preparing duplicate cleanup")?
    .execute(params![account_id, rfc_message_id])
    .ctx("unlinking a POP3 duplicate")?;
    conn.prepare_cached(
        "DELETE FROM messages WHERE account_id = ?1 AND rfc_message_id = ?2 \
            AND folder_id IN (SELECT id FROM folders WHERE account_id = ?1 AND source = 'local')",
    )
    .ctx("preparing duplicate cleanup")?
    .execute(params![account_id, rfc_message_id])
    .ctx("removing a POP3 duplicate")
}

/// How many visible messages a folder holds (what the list can scroll through).
pub fn visible_count(conn: &Connection, folder_id: i64) -> Result<u32, StoreError> {
    conn.query_row(
        "SELECT COUNT(*) FROM messages WHERE folder_id = ?1 AND hidden = 0",
        [folder_id],
        |r| r.get(0),
    )
    .ctx("counting a folder's messages")
}
