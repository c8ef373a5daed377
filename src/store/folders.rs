//! Folder rows: one per server folder (or the local POP3 inbox), with IMAP sync state.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{SqlContext, StoreError, flag};

/// What a folder is for, from SPECIAL-USE or a well-known name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// INBOX.
    Inbox,
    /// Sent mail.
    Sent,
    /// Drafts.
    Drafts,
    /// Trash.
    Trash,
    /// Junk / spam.
    Junk,
    /// Archive.
    Archive,
    /// Anything else.
    Other,
}

impl Role {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Inbox => "inbox",
            Role::Sent => "sent",
            Role::Drafts => "drafts",
            Role::Trash => "trash",
            Role::Junk => "junk",
            Role::Archive => "archive",
            Role::Other => "other",
        }
    }

    /// Reads the stored spelling.
    pub fn parse(s: &str) -> Result<Role, StoreError> {
        Ok(match s {
            "inbox" => Role::Inbox,
            "sent" => Role::Sent,
            "drafts" => Role::Drafts,
            "trash" => Role::Trash,
            "junk" => Role::Junk,
            "archive" => Role::Archive,
            "other" => Role::Other,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown folder role {other:?}"
                )));
            }
        })
    }
}

/// Whether a folder mirrors the server or is the account's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Mirrors an IMAP folder.
    Imap,
    /// Kept only here (the POP3 inbox).
    Local,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Imap => "imap",
            Origin::Local => "local",
        }
    }
}

/// A stored folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Row id; 0 before insertion.
    pub id: i64,
    /// Owning account.
    pub account_id: i64,
    /// Server mirror or local.
    pub source: Origin,
    /// Decoded for display (modified UTF-7 undone).
    pub name: String,
    /// Exactly as the server spells it.
    pub wire_name: String,
    /// Hierarchy delimiter.
    pub delimiter: String,
    /// What it is for.
    pub role: Role,
    /// Subscribed on the server.
    pub subscribed: bool,
    /// Can be SELECTed (not \Noselect).
    pub selectable: bool,
    /// IMAP sync state.
    pub uidvalidity: u32,
    /// IMAP sync state; 0 when the server gives none (some NetEase servers).
    pub uidnext: u32,
    /// CONDSTORE state.
    pub highestmodseq: u64,
    /// Messages in the folder.
    pub total_count: u32,
    /// Unseen messages.
    pub unread_count: u32,
}

impl Folder {
    /// A new IMAP folder for `account_id`, not yet synced.
    pub fn new_imap(account_id: i64, name: &str, wire_name: &str, role: Role) -> Folder {
        Folder {
            id: 0,
            account_id,
            source: Origin::Imap,
            name: name.to_owned(),
            wire_name: wire_name.to_owned(),
            delimiter: "/".to_owned(),
            role,
            subscribed: true,
            selectable: true,
            uidvalidity: 0,
            uidnext: 0,
            highestmodseq: 0,
            total_count: 0,
            unread_count: 0,
        }
    }
}

const COLUMNS: &str = "id, account_id, source, name, wire_name, delimiter, role, subscribed, \
    selectable, uidvalidity, uidnext, highestmodseq, total_count, unread_count";

/// Inserts a folder and returns its id.
pub fn insert(conn: &Connection, f: &Folder) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO folders (account_id, source, name, wire_name, delimiter, role, subscribed, \
            selectable, uidvalidity, uidnext, highestmodseq, total_count, unread_count) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            f.account_id,
            f.source.as_str(),
            f.name,
            f.wire_name,
            f.delimiter,
            f.role.as_str(),
            f.subscribed,
            f.selectable,
            f.uidvalidity,
            f.uidnext,
            f.highestmodseq as i64,
            f.total_count,
            f.unread_count,
        ],
    )
    .ctx(&format!("adding folder {}", f.wire_name))?;
    Ok(conn.last_insert_rowid())
}

/// Records the IMAP sync state after a SELECT or a completed sync step.
pub fn set_sync_state(
    conn: &Connection,
    id: i64,
    uidvalidity: u32,
    uidnext: u32,
    highestmodseq: u64,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE folders SET uidvalidity = ?2, uidnext = ?3, highestmodseq = ?4, \
            synced_at = unixepoch() WHERE id = ?1",
        params![id, uidvalidity, uidnext, highestmodseq as i64],
    )
    .ctx("saving folder sync state")?;
    Ok(())
}

/// Loads one folder.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Folder>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM folders WHERE id = ?1"))
        .ctx("preparing folder lookup")?;
    let mut rows = stmt.query([id]).ctx("looking up a folder")?;
    match rows.next().ctx("reading a folder")? {
        Some(row) => Ok(Some(from_row(row)?)),
        None => Ok(None),
    }
}

/// Every folder of an account, by name.
pub fn list(conn: &Connection, account_id: i64) -> Result<Vec<Folder>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM folders WHERE account_id = ?1 ORDER BY name"
        ))
        .ctx("preparing folder list")?;
    let mut rows = stmt.query([account_id]).ctx("listing folders")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx("reading a folder")? {
        out.push(from_row(row)?);
    }
    Ok(out)
}

/// The account's folders as the user sees them. Beside a server's folders, the POP3 folder
/// shows only while it holds mail (downloads the server's Inbox did not already have): an
/// empty second Inbox is noise. On a POP3-only account it is the Inbox, always shown.
pub fn listed(conn: &Connection, account_id: i64) -> Result<Vec<Folder>, StoreError> {
    let mut all = list(conn, account_id)?;
    if all.iter().any(|f| f.source == Origin::Imap) {
        all.retain(|f| f.source == Origin::Imap || f.total_count > 0);
    }
    Ok(all)
}

/// Whether `f` is the POP3 folder shown beside a server's folders (in `listed`): it is then
/// named for what it is ("Downloaded (POP3)"), not a second "Inbox".
pub fn is_downloads_beside_server(all: &[Folder], f: &Folder) -> bool {
    f.source == Origin::Local && all.iter().any(|o| o.source == Origin::Imap)
}

fn from_row(row: &Row<'_>) -> Result<Folder, StoreError> {
    let source: String = row.get(2).ctx("reading folder source")?;
    let role: String = row.get(6).ctx("reading folder role")?;
    let modseq: i64 = row.get(11).ctx("reading folder modseq")?;
    Ok(Folder {
        id: row.get(0).ctx("reading folder")?,
        account_id: row.get(1).ctx("reading folder")?,
        source: match source.as_str() {
            "imap" => Origin::Imap,
            "local" => Origin::Local,
            other => {
                return Err(StoreError::Corrupt(format!(
                    "unknown folder source {other:?}"
                )));
            }
        },
        name: row.get(3).ctx("reading folder")?,
        wire_name: row.get(4).ctx("reading folder")?,
        delimiter: row.get(5).ctx("reading folder")?,
        role: Role::parse(&role)?,
        subscribed: flag(row.get(7).ctx("reading folder")?),
        selectable: flag(row.get(8).ctx("reading folder")?),
        uidvalidity: row.get(9).ctx("reading folder")?,
        uidnext: row.get(10).ctx("reading folder")?,
        highestmodseq: modseq as u64,
        total_count: row.get(12).ctx("reading folder")?,
        unread_count: row.get(13).ctx("reading folder")?,
    })
}

/// Records a folder as the server listed it, keeping its sync state; returns its id and whether
/// it is new or its name, role or flags changed.
pub fn upsert_from_server(conn: &Connection, f: &Folder) -> Result<(i64, bool), StoreError> {
    let existing: Option<(i64, String, String, String, i64)> = conn
        .prepare_cached(
            "SELECT id, name, delimiter, role, selectable FROM folders \
             WHERE account_id = ?1 AND source = 'imap' AND wire_name = ?2",
        )
        .ctx("preparing folder lookup")?
        .query_row(params![f.account_id, f.wire_name], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()
        .ctx("looking up a folder by name")?;
    match existing {
        None => Ok((insert(conn, f)?, true)),
        Some((id, name, delimiter, role, selectable)) => {
            let changed = name != f.name
                || delimiter != f.delimiter
                || role != f.role.as_str()
                || flag(selectable) != f.selectable;
            if changed {
                conn.execute(
                    "UPDATE folders SET name = ?2, delimiter = ?3, role = ?4, selectable = ?5 \
                     WHERE id = ?1",
                    params![id, f.name, f.delimiter, f.role.as_str(), f.selectable],
                )
                .ctx("updating a folder")?;
            }
            Ok((id, changed))
        }
    }
}

/// The roles the user chose for this account's folders: wire name → role.
pub fn chosen_roles(
    conn: &Connection,
    account_id: i64,
) -> Result<std::collections::HashMap<String, Role>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT wire_name, role FROM chosen_roles WHERE account_id = ?1")
        .ctx("preparing chosen roles")?;
    let rows = stmt
        .query_map([account_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .ctx("reading chosen roles")?;
    let mut out = std::collections::HashMap::new();
    for row in rows {
        let (wire, role) = row.ctx("reading a chosen role")?;
        out.insert(wire, Role::parse(&role)?);
    }
    Ok(out)
}

/// Makes the folder `wire_name` the account's folder for `role`, now and at every sync; a
/// folder chosen for that role before gives it up. The folders' rows change at once.
pub fn choose_role(
    conn: &Connection,
    account_id: i64,
    wire_name: &str,
    role: Role,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM chosen_roles WHERE account_id = ?1 AND (wire_name = ?2 OR role = ?3)",
        params![account_id, wire_name, role.as_str()],
    )
    .ctx("clearing a chosen role")?;
    conn.execute(
        "INSERT INTO chosen_roles (account_id, wire_name, role) VALUES (?1, ?2, ?3)",
        params![account_id, wire_name, role.as_str()],
    )
    .ctx("saving a chosen role")?;
    conn.execute(
        "UPDATE folders SET role = 'other' \
         WHERE account_id = ?1 AND source = 'imap' AND role = ?2 AND wire_name <> ?3",
        params![account_id, role.as_str(), wire_name],
    )
    .ctx("moving a role")?;
    conn.execute(
        "UPDATE folders SET role = ?3 WHERE account_id = ?1 AND source = 'imap' AND wire_name = ?2",
        params![account_id, wire_name, role.as_str()],
    )
    .ctx("giving a folder its role")?;
    Ok(())
}

/// Forgets the user's choices for a folder (`wire_name`) or a role, so the server's
/// attributes and the names decide again at the next sync.
pub fn clear_chosen_role(
    conn: &Connection,
    account_id: i64,
    wire_name: Option<&str>,
    role: Option<Role>,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM chosen_roles WHERE account_id = ?1 AND (wire_name = ?2 OR role = ?3)",
        params![
            account_id,
            wire_name.unwrap_or(""),
            role.map(Role::as_str).unwrap_or("")
        ],
    )
    .ctx("clearing a chosen role")?;
    Ok(())
}

/// Removes a folder that vanished from the server, with its mirrored messages.
pub fn delete(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute("DELETE FROM folders WHERE id = ?1", [id])
        .ctx("removing a folder")?;
    Ok(())
}

/// The account's folder with `role`, if it has one.
pub fn with_role(
    conn: &Connection,
    account_id: i64,
    role: Role,
) -> Result<Option<Folder>, StoreError> {
    Ok(list(conn, account_id)?.into_iter().find(|f| f.role == role))
}

/// Recounts a folder's total and unread messages from the mirror.
pub fn recount(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE folders SET \
            total_count = (SELECT count(*) FROM messages WHERE folder_id = ?1 AND hidden = 0), \
            unread_count = (SELECT count(*) FROM messages WHERE folder_id = ?1 AND hidden = 0 \
                AND seen = 0) \
         WHERE id = ?1",
        [id],
    )
    .ctx("counting a folder's messages")?;
    Ok(())
}

/// The account's local Inbox, where POP3 downloads go; created on first use.
pub fn local_inbox(conn: &Connection, account_id: i64) -> Result<i64, StoreError> {
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM folders WHERE account_id = ?1 AND source = 'local' AND wire_name = ''",
            [account_id],
            |r| r.get(0),
        )
        .optional()
        .ctx("looking up the local Inbox")?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let mut folder = Folder::new_imap(account_id, "Inbox", "", Role::Inbox);
    folder.source = Origin::Local;
    insert(conn, &folder)
}
