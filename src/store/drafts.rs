//! Drafts: what the user is writing, saved locally first so no word is lost.

use rusqlite::{Connection, Row, params};

use super::{SqlContext, StoreError};

/// Why the draft was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftKind {
    /// A new message.
    New,
    /// A reply to the sender.
    Reply,
    /// A reply to everyone.
    ReplyAll,
    /// A forward with the original quoted inline.
    ForwardInline,
    /// A forward with the original attached.
    ForwardAttachment,
}

impl DraftKind {
    fn as_str(self) -> &'static str {
        match self {
            DraftKind::New => "new",
            DraftKind::Reply => "reply",
            DraftKind::ReplyAll => "reply_all",
            DraftKind::ForwardInline => "forward_inline",
            DraftKind::ForwardAttachment => "forward_attachment",
        }
    }

    fn parse(s: &str) -> Result<DraftKind, StoreError> {
        Ok(match s {
            "new" => DraftKind::New,
            "reply" => DraftKind::Reply,
            "reply_all" => DraftKind::ReplyAll,
            "forward_inline" => DraftKind::ForwardInline,
            "forward_attachment" => DraftKind::ForwardAttachment,
            other => return Err(StoreError::Corrupt(format!("unknown draft kind {other:?}"))),
        })
    }
}

/// A draft as the composer edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Row id; 0 before insertion.
    pub id: i64,
    /// Sending account.
    pub account_id: i64,
    /// Why it was started.
    pub kind: DraftKind,
    /// The message replied to or forwarded, 0 if none.
    pub source_message_id: i64,
    /// To, as typed.
    pub to_addrs: String,
    /// Cc, as typed.
    pub cc_addrs: String,
    /// Bcc, as typed.
    pub bcc_addrs: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body when the user used formatting; empty otherwise.
    pub body_html: String,
    /// In-Reply-To for replies.
    pub in_reply_to: String,
    /// References for replies.
    pub refs: String,
    /// Message-ID, fixed once so server copies can be recognised.
    pub rfc_message_id: String,
    /// Folder of the server copy, 0 if none.
    pub server_folder_id: i64,
    /// UID of the server copy, 0 if none.
    pub server_uid: u32,
}

/// One attachment of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftAttachment {
    /// File name as shown and sent.
    pub file_name: String,
    /// MIME type.
    pub mime_type: String,
    /// Content-ID for inline images; empty for ordinary attachments.
    pub content_id: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// Inserts a new draft or replaces an existing one (`id != 0`) with its attachments (None: the
/// stored ones stay, untouched), and returns its id. Call it inside one transaction so a save
/// is all or nothing.
pub fn save(
    conn: &Connection,
    d: &Draft,
    attachments: Option<&[DraftAttachment]>,
) -> Result<i64, StoreError> {
    let kind = d.kind.as_str();
    let mut args: Vec<&dyn rusqlite::ToSql> = params![
        d.account_id,
        kind,
        d.source_message_id,
        d.to_addrs,
        d.cc_addrs,
        d.bcc_addrs,
        d.subject,
        d.body_text,
        d.body_html,
        d.in_reply_to,
        d.refs,
        d.rfc_message_id,
        d.server_folder_id,
        d.server_uid,
    ]
    .to_vec();
    let id = if d.id == 0 {
        conn.execute(
            "INSERT INTO drafts (account_id, kind, source_message_id, to_addrs, cc_addrs, \
                bcc_addrs, subject, body_text, body_html, in_reply_to, refs, rfc_message_id, \
                server_folder_id, server_uid) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            args.as_slice(),
        )
        .ctx("saving a new draft")?;
        conn.last_insert_rowid()
    } else {
        args.push(&d.id);
        conn.execute(
            "UPDATE drafts SET account_id = ?1, kind = ?2, source_message_id = ?3, to_addrs = ?4, \
                cc_addrs = ?5, bcc_addrs = ?6, subject = ?7, body_text = ?8, body_html = ?9, \
                in_reply_to = ?10, refs = ?11, rfc_message_id = ?12, server_folder_id = ?13, \
                server_uid = ?14, updated_at = unixepoch() WHERE id = ?15",
            args.as_slice(),
        )
        .ctx("saving a draft")?;
        d.id
    };
    let Some(attachments) = attachments else {
        return Ok(id);
    };
    conn.execute("DELETE FROM draft_attachments WHERE draft_id = ?1", [id])
        .ctx("replacing draft attachments")?;
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO draft_attachments (draft_id, position, file_name, mime_type, content_id, \
                data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .ctx("preparing attachment insert")?;
    for (position, a) in attachments.iter().enumerate() {
        stmt.execute(params![
            id,
            position as i64,
            a.file_name,
            a.mime_type,
            a.content_id,
            a.data
        ])
        .ctx("saving a draft attachment")?;
    }
    Ok(id)
}

impl Draft {
    /// An empty new message from `account_id`, not saved yet.
    pub fn new(account_id: i64) -> Draft {
        Draft {
            id: 0,
            account_id,
            kind: DraftKind::New,
            source_message_id: 0,
            to_addrs: String::new(),
            cc_addrs: String::new(),
            bcc_addrs: String::new(),
            subject: String::new(),
            body_text: String::new(),
            body_html: String::new(),
            in_reply_to: String::new(),
            refs: String::new(),
            rfc_message_id: String::new(),
            server_folder_id: 0,
            server_uid: 0,
        }
    }
}

/// Loads a draft and its attachments in order.
pub fn get(
    conn: &Connection,
    id: i64,
) -> Result<Option<(Draft, Vec<DraftAttachment>)>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, account_id, kind, source_message_id, to_addrs, cc_addrs, bcc_addrs, \
                subject, body_text, body_html, in_reply_to, refs, rfc_message_id, \
                server_folder_id, server_uid FROM drafts WHERE id = ?1",
        )
        .ctx("preparing draft lookup")?;
    let mut rows = stmt.query([id]).ctx("looking up a draft")?;
    let Some(row) = rows.next().ctx("reading a draft")? else {
        return Ok(None);
    };
    let draft = from_row(row)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT file_name, mime_type, content_id, data FROM draft_attachments \
             WHERE draft_id = ?1 ORDER BY position",
        )
        .ctx("preparing attachment lookup")?;
    let attachments = stmt
        .query_map([id], |row| {
            Ok(DraftAttachment {
                file_name: row.get(0)?,
                mime_type: row.get(1)?,
                content_id: row.get(2)?,
                data: row.get(3)?,
            })
        })
        .ctx("reading draft attachments")?
        .collect::<Result<Vec<_>, _>>()
        .ctx("reading draft attachments")?;
    Ok(Some((draft, attachments)))
}

/// Every draft not sent yet, the most recently changed first.
pub fn list(conn: &Connection) -> Result<Vec<Draft>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, account_id, kind, source_message_id, to_addrs, cc_addrs, bcc_addrs, \
                subject, body_text, body_html, in_reply_to, refs, rfc_message_id, \
                server_folder_id, server_uid FROM drafts ORDER BY updated_at DESC, id DESC",
        )
        .ctx("preparing draft list")?;
    let mut rows = stmt.query([]).ctx("listing drafts")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx("reading a draft")? {
        out.push(from_row(row)?);
    }
    Ok(out)
}

/// Deletes a draft (after it was sent or discarded).
pub fn delete(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute("DELETE FROM drafts WHERE id = ?1", [id])
        .ctx("deleting a draft")?;
    Ok(())
}

fn from_row(row: &Row<'_>) -> Result<Draft, StoreError> {
    let c = "reading a draft";
    let kind: String = row.get(2).ctx(c)?;
    Ok(Draft {
        id: row.get(0).ctx(c)?,
        account_id: row.get(1).ctx(c)?,
        kind: DraftKind::parse(&kind)?,
        source_message_id: row.get(3).ctx(c)?,
        to_addrs: row.get(4).ctx(c)?,
        cc_addrs: row.get(5).ctx(c)?,
        bcc_addrs: row.get(6).ctx(c)?,
        subject: row.get(7).ctx(c)?,
        body_text: row.get(8).ctx(c)?,
        body_html: row.get(9).ctx(c)?,
        in_reply_to: row.get(10).ctx(c)?,
        refs: row.get(11).ctx(c)?,
        rfc_message_id: row.get(12).ctx(c)?,
        server_folder_id: row.get(13).ctx(c)?,
        server_uid: row.get(14).ctx(c)?,
    })
}

/// Records where the draft's server copy now is.
pub fn set_server_copy(
    conn: &Connection,
    id: i64,
    folder_id: i64,
    uid: u32,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE drafts SET server_folder_id = ?2, server_uid = ?3 WHERE id = ?1",
        params![id, folder_id, uid],
    )
    .ctx("recording the draft's server copy")?;
    Ok(())
}
