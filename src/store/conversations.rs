//! Conversations as the list and the reader show them: one row per thread that has mail in the
//! folder shown (its newest message there stands for it), and the whole thread, across
//! folders, for the reader. Threads themselves are kept by `threads`.

use std::collections::HashSet;

use rusqlite::{Connection, ToSql, params_from_iter};

use super::folders::Role;
use super::messages::{COLUMNS, Envelope, from_row};
use super::{SqlContext, StoreError};

/// A thread's messages read for its summary at most: a hostile list thread of a million
/// replies costs one bounded read, and its count says "5000".
const SUMMARY_LIMIT: u32 = 5_000;
/// Messages the reader stacks at most (the newest ones).
pub const READER_LIMIT: u32 = 200;
/// Names a row lists at most.
const PARTICIPANTS: usize = 4;

/// What the list shows: one folder, or every account's folders of a role (a unified folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One folder.
    Folder(i64),
    /// Every folder with this role.
    Role(Role),
}

impl Scope {
    /// The SQL filter on messages aliased `alias`, with its one parameter as `?1`; `plus`
    /// keeps SQLite from choosing an index by the folder for it.
    fn filter(self, alias: &str, plus: bool) -> String {
        let plus = if plus { "+" } else { "" };
        match self {
            Scope::Folder(_) => format!("{plus}{alias}.folder_id = ?1"),
            Scope::Role(_) => {
                format!("{plus}{alias}.folder_id IN (SELECT id FROM folders WHERE role = ?1)")
            }
        }
    }

    fn param(self) -> Box<dyn ToSql> {
        match self {
            Scope::Folder(id) => Box::new(id),
            Scope::Role(role) => Box::new(role.as_str()),
        }
    }

    /// Whether a message in `folder` (with `role`) is in view.
    fn holds(self, folder: i64, role: Role) -> bool {
        match self {
            Scope::Folder(id) => id == folder,
            Scope::Role(r) => r == role,
        }
    }
}

/// One conversation row: what the whole thread adds up to, and which of its messages are in
/// the folder shown (what the row's actions apply to).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The thread.
    pub thread: i64,
    /// The message standing for it in the list (the newest in view).
    pub head: i64,
    /// Messages in it (a message kept twice, by POP3 and IMAP or in two folders, counts once;
    /// Trash and Junk count only when shown).
    pub messages: u32,
    /// Of those, unread.
    pub unread: u32,
    /// Any flagged.
    pub flagged: bool,
    /// Any with attachments.
    pub attachments: bool,
    /// Who wrote in it, in the order they first did (at most four).
    pub participants: Vec<String>,
    /// Its messages in the folder shown, oldest first.
    pub members: Vec<i64>,
}

/// How many conversations have mail in view.
pub fn count(conn: &Connection, scope: Scope) -> Result<u32, StoreError> {
    // Threaded and unthreaded rows apart, so each count streams over messages_folder_thread.
    let sql = format!(
        "SELECT (SELECT COUNT(DISTINCT m.thread_id) FROM messages m \
                 WHERE {0} AND m.hidden = 0 AND m.thread_id <> 0) \
              + (SELECT COUNT(*) FROM messages m WHERE {0} AND m.hidden = 0 AND m.thread_id = 0)",
        scope.filter("m", false)
    );
    conn.prepare_cached(&sql)
        .ctx("preparing the conversation count")?
        .query_row([scope.param()], |r| r.get(0))
        .ctx("counting conversations")
}

/// Conversations `offset..offset + limit` in view, newest first, each as its newest message in
/// view with its summary. Walks the folder newest first and keeps a message when nothing newer
/// of its thread is in view, so the first page reads a page's worth of rows, not the folder.
/// The unary `+` keeps SQLite from answering "anything newer?" through the folder's date index
/// (every newer message of the folder, quadratic: minutes at 100k) instead of the thread's.
pub fn page(
    conn: &Connection,
    scope: Scope,
    offset: u32,
    limit: u32,
) -> Result<Vec<(Envelope, Summary)>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM messages m WHERE {} AND m.hidden = 0 AND NOT (m.thread_id <> 0 \
            AND EXISTS (SELECT 1 FROM messages n WHERE n.thread_id = m.thread_id \
                AND +n.hidden = 0 AND {} \
                AND (+n.date > m.date OR (+n.date = m.date AND n.id > m.id)))) \
         ORDER BY m.date DESC, m.id DESC LIMIT ?2 OFFSET ?3",
        scope.filter("m", false),
        scope.filter("n", true),
    );
    let mut stmt = conn
        .prepare_cached(&sql)
        .ctx("preparing a conversation page")?;
    let args: [Box<dyn ToSql>; 3] = [scope.param(), Box::new(limit), Box::new(offset)];
    let mut rows = stmt
        .query(params_from_iter(args.iter()))
        .ctx("reading a conversation page")?;
    let mut heads = Vec::new();
    while let Some(row) = rows.next().ctx("reading a conversation")? {
        heads.push(from_row(row).ctx("reading a conversation")?);
    }
    drop(rows);
    let mut out = Vec::with_capacity(heads.len());
    for head in heads {
        let summary = summary(conn, scope, &head)?;
        out.push((head, summary));
    }
    Ok(out)
}

/// One thread's messages with their folder's role, oldest first (bounded).
fn thread_rows(
    conn: &Connection,
    thread: i64,
    newest: u32,
) -> Result<Vec<(Envelope, Role)>, StoreError> {
    // The newest `newest`, turned oldest first.
    let sql = format!(
        "SELECT * FROM (SELECT {}, f.role FROM messages m JOIN folders f ON f.id = m.folder_id \
            WHERE m.thread_id = ?1 AND m.hidden = 0 ORDER BY m.date DESC, m.id DESC LIMIT ?2) \
         ORDER BY date, id",
        COLUMNS
            .split(", ")
            .map(|c| format!("m.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql).ctx("preparing a thread read")?;
    let mut rows = stmt
        .query(rusqlite::params![thread, newest])
        .ctx("reading a thread")?;
    let mut out = Vec::new();
    let role_at = COLUMNS.split(", ").count();
    while let Some(row) = rows.next().ctx("reading a thread's message")? {
        let m = from_row(row).ctx("reading a thread's message")?;
        let role: String = row.get(role_at).ctx("reading a message's folder role")?;
        out.push((m, Role::parse(&role)?));
    }
    Ok(out)
}

/// Whether the row belongs in the conversation as shown from `scope`: Trash and Junk only when
/// they are what is shown.
fn counts(scope: Scope, m: &Envelope, role: Role) -> bool {
    !matches!(role, Role::Trash | Role::Junk) || scope.holds(m.folder_id, role)
}

/// One copy of each message: the same Message-ID kept twice (POP3 and IMAP, or two folders)
/// is one message.
fn key(m: &Envelope) -> String {
    if m.rfc_message_id.is_empty() {
        format!("#{}", m.id)
    } else {
        m.rfc_message_id.clone()
    }
}

fn summary(conn: &Connection, scope: Scope, head: &Envelope) -> Result<Summary, StoreError> {
    let rows = if head.thread_id == 0 {
        Vec::new()
    } else {
        thread_rows(conn, head.thread_id, SUMMARY_LIMIT)?
    };
    let mut s = Summary {
        thread: head.thread_id,
        head: head.id,
        ..Summary::default()
    };
    let mut seen_keys = HashSet::new();
    let mut seen_people = HashSet::new();
    let mut add = |s: &mut Summary, m: &Envelope, in_view: bool| {
        if in_view {
            s.members.push(m.id);
        }
        if !seen_keys.insert(key(m)) {
            return;
        }
        s.messages += 1;
        s.unread += u32::from(!m.flags.seen);
        s.flagged |= m.flags.flagged;
        s.attachments |= m.has_attachments;
        let who = if m.from_name.is_empty() {
            &m.from_addr
        } else {
            &m.from_name
        };
        if s.participants.len() < PARTICIPANTS
            && !who.is_empty()
            && seen_people.insert(m.from_addr.to_lowercase())
        {
            s.participants.push(who.clone());
        }
    };
    if rows.is_empty() {
        add(&mut s, head, true);
    }
    for (m, role) in &rows {
        if counts(scope, m, *role) {
            add(&mut s, m, scope.holds(m.folder_id, *role));
        }
    }
    Ok(s)
}

/// The conversation `head` stands for, as the reader stacks it: oldest first, one copy of each
/// message (the one in view when there are several), Trash and Junk left out unless shown.
pub fn messages(conn: &Connection, scope: Scope, head: i64) -> Result<Vec<Envelope>, StoreError> {
    let Some(first) = super::messages::get(conn, head)? else {
        return Ok(Vec::new());
    };
    if first.thread_id == 0 {
        return Ok(vec![first]);
    }
    let rows = thread_rows(conn, first.thread_id, READER_LIMIT)?;
    let mut out: Vec<Envelope> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (m, role) in rows {
        if !counts(scope, &m, role) {
            continue;
        }
        let in_view = scope.holds(m.folder_id, role);
        match at.get(&key(&m)) {
            Some(&i) if in_view && out[i].id != head => out[i] = m,
            Some(_) => {}
            None => {
                at.insert(key(&m), out.len());
                out.push(m);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::folders::{self, Folder};
    use crate::store::messages::{self, Flags};
    use crate::store::threads;

    struct Mail {
        folder: i64,
        id: &'static str,
        parent: &'static str,
        date: i64,
        from: &'static str,
        seen: bool,
    }

    fn mail(folder: i64, id: &'static str, parent: &'static str, date: i64) -> Mail {
        Mail {
            folder,
            id,
            parent,
            date,
            from: "a@example.org",
            seen: true,
        }
    }

    fn store(mails: &[Mail]) -> Result<(Connection, [i64; 4]), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("opening")?;
        crate::store::migrations::migrate(&mut conn)?;
        let account = crate::store::accounts::insert(&conn, &crate::store::tests::account())?;
        let mut ids = [0; 4];
        for (i, (name, role)) in [
            ("INBOX", Role::Inbox),
            ("Sent", Role::Sent),
            ("Trash", Role::Trash),
            ("Work", Role::Other),
        ]
        .into_iter()
        .enumerate()
        {
            ids[i] = folders::insert(&conn, &Folder::new_imap(account, name, name, role))?;
        }
        for (n, m) in mails.iter().enumerate() {
            let id = messages::insert(
                &conn,
                &Envelope {
                    account_id: account,
                    folder_id: ids[m.folder as usize],
                    uid: n as u32 + 1,
                    rfc_message_id: m.id.into(),
                    in_reply_to: m.parent.into(),
                    date: m.date,
                    from_addr: m.from.into(),
                    subject: m.id.into(),
                    flags: Flags {
                        seen: m.seen,
                        ..Flags::default()
                    },
                    ..Envelope::default()
                },
            )?;
            threads::place(&conn, id)?;
        }
        Ok((conn, ids))
    }

    fn subjects(rows: &[(Envelope, Summary)]) -> Vec<(&str, u32)> {
        rows.iter()
            .map(|(m, s)| (m.subject.as_str(), s.messages))
            .collect()
    }

    #[test]
    fn a_folder_lists_each_conversation_once_by_its_newest_message() -> Result<(), StoreError> {
        let (conn, f) = store(&[
            mail(0, "a", "", 10),
            mail(0, "b", "", 20),
            mail(0, "a2", "a", 30),
            // The user's reply in Sent: counted, but the Inbox row stays the Inbox's newest.
            mail(1, "a3", "a2", 40),
            mail(0, "c", "", 25),
            // A copy in Trash does not count from the Inbox.
            mail(2, "b2", "b", 50),
            // The same message twice (POP3 and IMAP copies): one message.
            mail(3, "c", "", 25),
        ])?;
        let inbox = Scope::Folder(f[0]);
        assert_eq!(count(&conn, inbox)?, 3);
        let rows = page(&conn, inbox, 0, 10)?;
        assert_eq!(subjects(&rows), [("a2", 3), ("c", 1), ("b", 1)]);
        assert_eq!(rows[0].1.members.len(), 2, "a and a2 are in the Inbox");
        assert_eq!(subjects(&page(&conn, inbox, 1, 1)?), [("c", 1)]);
        // From Trash, the thread shows with its Trash message.
        let trash = page(&conn, Scope::Folder(f[2]), 0, 10)?;
        assert_eq!(subjects(&trash), [("b2", 2)]);
        let stacked: Vec<String> = messages(&conn, inbox, rows[0].0.id)?
            .into_iter()
            .map(|m| m.subject)
            .collect();
        assert_eq!(stacked, ["a", "a2", "a3"]);
        assert_eq!(
            messages(&conn, inbox, rows[2].0.id)?.len(),
            1,
            "b2 is in Trash"
        );
        // A unified Inbox is scoped by role.
        assert_eq!(count(&conn, Scope::Role(Role::Inbox))?, 3);
        Ok(())
    }

    #[test]
    fn the_summary_counts_unread_and_names_each_writer_once() -> Result<(), StoreError> {
        let mut mails = vec![mail(0, "root", "", 1)];
        let people = [
            "x@a.org", "y@a.org", "x@a.org", "z@a.org", "w@a.org", "v@a.org",
        ];
        let ids = ["r1", "r2", "r3", "r4", "r5", "r6"];
        for (i, (from, id)) in people.iter().zip(ids).enumerate() {
            mails.push(Mail {
                from,
                seen: i % 2 == 0,
                ..mail(0, id, "root", 2 + i as i64)
            });
        }
        let (conn, f) = store(&mails)?;
        let rows = page(&conn, Scope::Folder(f[0]), 0, 10)?;
        assert_eq!(rows.len(), 1);
        let s = &rows[0].1;
        assert_eq!((s.messages, s.unread), (7, 3));
        assert_eq!(
            s.participants,
            ["a@example.org", "x@a.org", "y@a.org", "z@a.org"]
        );
        assert_eq!(s.members.len(), 7);
        assert_eq!(rows[0].0.subject, "r6");
        Ok(())
    }
}
