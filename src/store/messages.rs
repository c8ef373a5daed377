//! Message rows: what the list shows. Bodies live in `bodies`.

use rusqlite::{Connection, Row, params};

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
}

const COLUMNS: &str = "id, account_id, folder_id, uid, pop3_uidl, rfc_message_id, in_reply_to, \
    refs, date, internal_date, from_name, from_addr, to_addrs, cc_addrs, subject, snippet, seen, \
    flagged, answered, draft, deleted, keywords, size, has_attachments, modseq, header_hash, hidden";

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

/// Loads one message row.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Envelope>, StoreError> {
    query_one(conn, "id = ?1", params![id])
}

/// Finds a message by its UID in a folder.
pub fn by_uid(conn: &Connection, folder_id: i64, uid: u32) -> Result<Option<Envelope>, StoreError> {
    query_one(conn, "folder_id = ?1 AND uid = ?2", params![folder_id, uid])
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
    query(
        conn,
        "folder_id = ?1 AND hidden = 0 ORDER BY date DESC, id DESC LIMIT ?2 OFFSET ?3",
        params![folder_id, limit, offset],
    )
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

fn from_row(row: &Row<'_>) -> Result<Envelope, rusqlite::Error> {
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
    })
}
