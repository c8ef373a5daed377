//! What the composer reads from the store (off the UI thread): addresses for completion, the
//! drafts for replies and forwards, unsent drafts after a crash, and the outbox.

use std::path::Path;

use crate::i18n::I18n;
use crate::mime::text::Zone;
use crate::mime::{compose, redraft};
use crate::store::drafts::{self, Draft, DraftAttachment};
use crate::store::outbox::{self, OutboxState};
use crate::store::{self, SqlContext, StoreError, accounts, bodies, messages};

/// A draft and its attachments, ready for the composer.
pub type Prefilled = (Draft, Vec<DraftAttachment>);

/// Names and addresses seen in the mirror, most recent first, each address once.
pub fn address_book(path: &Path) -> Result<Vec<(String, String)>, StoreError> {
    let conn = store::open_reader(path)?;
    let mut stmt = conn
        .prepare(
            "SELECT from_name, from_addr, to_addrs, cc_addrs FROM messages \
             ORDER BY date DESC LIMIT 5000",
        )
        .ctx("preparing the address book")?;
    let mut rows = stmt.query([]).ctx("reading the address book")?;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |name: String, addr: String, out: &mut Vec<(String, String)>| {
        let key = addr.trim().to_ascii_lowercase();
        if key.contains('@') && seen.insert(key) {
            out.push((name, addr.trim().to_owned()));
        }
    };
    while let Some(row) = rows.next().ctx("reading the address book")? {
        let name: String = row.get(0).ctx("reading the address book")?;
        let addr: String = row.get(1).ctx("reading the address book")?;
        add(name, addr, &mut out);
        for col in [2, 3] {
            let list: String = row.get(col).ctx("reading the address book")?;
            for m in compose::parse_addresses("To", &list).unwrap_or_default() {
                add(m.name.unwrap_or_default(), m.email.to_string(), &mut out);
            }
        }
    }
    Ok(out)
}

/// The entries matching what is typed (name or address, any case), best first.
pub fn complete<'a>(
    book: &'a [(String, String)],
    typed: &str,
    n: usize,
) -> Vec<&'a (String, String)> {
    let q = typed.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<&(String, String)> = book
        .iter()
        .filter(|(name, addr)| name.to_lowercase().contains(&q) || addr.to_lowercase().contains(&q))
        .collect();
    // Prefix matches first; the book is already most-recent-first within each group.
    hits.sort_by_key(|(name, addr)| {
        !(addr.to_lowercase().starts_with(&q) || name.to_lowercase().starts_with(&q))
    });
    hits.truncate(n);
    hits
}

/// A reply (or reply to all) to `message`, from the account it arrived in.
pub fn reply(path: &Path, message: i64, all: bool, locale: &str) -> Result<Prefilled, StoreError> {
    let (account, raw) = source(path, message)?;
    let (mut draft, attachments) = answer(&account, &raw, Some(all), locale);
    draft.source_message_id = message;
    Ok((draft, attachments))
}

/// A forward of `message`, quoted inline with its attachments.
pub fn forward(path: &Path, message: i64, locale: &str) -> Result<Prefilled, StoreError> {
    let (account, raw) = source(path, message)?;
    let (mut draft, attachments) = answer(&account, &raw, None, locale);
    draft.source_message_id = message;
    Ok((draft, attachments))
}

/// The draft answering the message `raw` from `account`: a reply (to all, for `Some(true)`)
/// or, for None, a forward quoted inline with its attachments.
pub fn answer(
    account: &accounts::Account,
    raw: &[u8],
    reply: Option<bool>,
    locale: &str,
) -> Prefilled {
    let i18n = I18n::new(locale);
    match reply {
        Some(all) => (
            compose::reply(account, raw, all, &i18n, Zone::Local),
            Vec::new(),
        ),
        None => compose::forward(account, raw, false, &i18n, Zone::Local),
    }
}

fn source(path: &Path, message: i64) -> Result<(accounts::Account, Vec<u8>), StoreError> {
    let conn = store::open_reader(path)?;
    let m = messages::get(&conn, message)?
        .ok_or_else(|| StoreError::Corrupt(format!("message {message} is gone")))?;
    let account = accounts::get(&conn, m.account_id)?
        .ok_or_else(|| StoreError::Corrupt("the message's account is gone".into()))?;
    let raw = bodies::get(&conn, message)?.ok_or_else(|| {
        StoreError::Corrupt("the message is not downloaded yet; try again in a moment".into())
    })?;
    Ok((account, raw))
}

/// Drafts not sent, newest first (offered again after a crash).
pub fn unsent(path: &Path) -> Result<Vec<Draft>, StoreError> {
    drafts::list(&store::open_reader(path)?)
}

/// One draft with its attachments.
pub fn draft(path: &Path, id: i64) -> Result<Prefilled, StoreError> {
    drafts::get(&store::open_reader(path)?, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("draft {id} is gone")))
}

/// An outbox item the server refused, back as a draft to fix.
pub fn refused(path: &Path, item: i64) -> Result<Prefilled, StoreError> {
    let o = outbox::get(&store::open_reader(path)?, item)?
        .ok_or_else(|| StoreError::Corrupt(format!("outbox item {item} is gone")))?;
    Ok(redraft::draft_from_raw(o.account_id, &o.raw, &o.recipients))
}

/// One outbox item that needs the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Outbox item id.
    pub item: i64,
    /// The server's reason, or empty for "may have been sent".
    pub reason: String,
    /// Maybe sent already (a crash mid-send).
    pub uncertain: bool,
}

/// The outbox as the status bar shows it: how many wait, and which need the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    /// Queued or being sent.
    pub waiting: usize,
    /// Refused or uncertain.
    pub problems: Vec<Problem>,
}

/// Reads every account's outbox.
pub fn outbox(path: &Path) -> Result<Outbox, StoreError> {
    let conn = store::open_reader(path)?;
    let mut out = Outbox::default();
    for account in accounts::list(&conn)? {
        for state in [OutboxState::Queued, OutboxState::Sending] {
            out.waiting += outbox::in_state(&conn, account.id, state)?.len();
        }
        for state in [OutboxState::Failed, OutboxState::Uncertain] {
            for item in outbox::in_state(&conn, account.id, state)? {
                out.problems.push(Problem {
                    item: item.id,
                    reason: item.last_error,
                    uncertain: state == OutboxState::Uncertain,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_prefers_prefixes_and_matches_names() {
        let book = vec![
            ("Bob".to_owned(), "bob@example.org".to_owned()),
            ("李四".to_owned(), "lisi@126.com".to_owned()),
            ("Ann Lis".to_owned(), "ann@example.org".to_owned()),
        ];
        let hits: Vec<&str> = complete(&book, "LIS", 5)
            .iter()
            .map(|(_, a)| a.as_str())
            .collect();
        assert_eq!(hits, ["lisi@126.com", "ann@example.org"]);
        assert_eq!(complete(&book, "李", 5).len(), 1);
        assert!(complete(&book, " ", 5).is_empty());
    }
}
