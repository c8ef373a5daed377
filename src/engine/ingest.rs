//! The one way a message enters the store: IMAP envelopes and then their bodies, POP3
//! downloads (whole, or headers only when too large), server search hits, and the Sent and
//! Drafts copies we filed coming back from the server. What every arrival needs happens here,
//! once: de-duplication, the search queue, and telling the window (`MessagesChanged`, and
//! `NewMail` for new mail only). Threads and rules join here when they come, so a first sync or
//! an import never fires them thousands of times.

use std::sync::atomic::Ordering;

use rusqlite::Transaction;

use super::{Context, Event};
use crate::mime::envelope::{self, BodyFields, ListFields};
use crate::search::index::{self, BodyText};
use crate::store::folders::{self, Role};
use crate::store::messages::{self, Envelope, Flags};
use crate::store::{Store, StoreError};
use crate::store::{bodies, threads};

/// Held while a sync or a download brings mail in. The indexer leaves its queue alone
/// meanwhile: the bodies coming are indexed as they are stored (`add_body`, `admit`), so
/// indexing their envelopes first would only be done twice, on the same two cores the
/// download needs. What stays without a body (too large, outside the sync window) is indexed
/// by its headers when the last sync ends.
pub(crate) struct Syncing(Context);

impl Syncing {
    /// Marks a sync as running until the guard drops.
    pub(crate) fn start(ctx: &Context) -> Syncing {
        ctx.syncing.fetch_add(1, Ordering::SeqCst);
        Syncing(ctx.clone())
    }
}

impl Drop for Syncing {
    fn drop(&mut self) {
        if self.0.syncing.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.indexer_wake.notify_one();
        }
    }
}

/// `f` over `items` on one thread per core, in order: reading a batch of downloaded bodies
/// (the parse and the display model) is the sync's main cost, and one thread left the other
/// core idle while the network waited. Blocks; call it from a blocking task.
pub(crate) fn read_in_parallel<T: Send, U: Send>(
    items: Vec<T>,
    f: impl Fn(T) -> U + Sync,
) -> Vec<U> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if workers < 2 || items.len() < 2 {
        return items.into_iter().map(f).collect();
    }
    let per = items.len().div_ceil(workers);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(workers);
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(done) => done,
                // The closures catch what the display model may throw; a panic here is a bug
                // elsewhere, passed on as it would be without the threads.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// What an arrival is: only new mail is announced (and, later, run through rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// Arrived after the folder's first sync: above what it held.
    New,
    /// Older mail: a first sync, the gaps of an interrupted one, a UIDVALIDITY resync, a
    /// server search's hits, a first POP3 download.
    Backfill,
    /// A copy we filed ourselves (Sent, Drafts) coming back from the server.
    Filed,
}

impl Arrival {
    /// Classifies mail arriving in a folder of `role`; `fresh` when it came above what the
    /// folder held before (a first sync is never fresh).
    pub(crate) fn of(role: Role, fresh: bool) -> Arrival {
        match role {
            Role::Sent | Role::Drafts => Arrival::Filed,
            _ if fresh => Arrival::New,
            _ => Arrival::Backfill,
        }
    }
}

/// What became of one arriving message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admitted {
    /// A new row.
    Added(i64),
    /// A placeholder (a local move, or a row kept across a UIDVALIDITY change) took its UID.
    Adopted(i64),
    /// The store has it already: a retried batch, or a second copy of a downloaded message.
    Known,
}

impl Admitted {
    /// The row the message now has, unless it was known already.
    pub(crate) fn id(self) -> Option<i64> {
        match self {
            Admitted::Added(id) | Admitted::Adopted(id) => Some(id),
            Admitted::Known => None,
        }
    }
}

/// Puts one message in the store inside the caller's transaction, with its bytes when they
/// came with it. A server row (a UID) takes over a placeholder with its Message-ID, is skipped
/// when the folder has its UID, and otherwise hides a POP3 copy of itself; a POP3 row is
/// skipped when the account has the message (by Message-ID, else by its header hash). The
/// store queues each written message and body for search in the same transaction (its
/// triggers), so nothing admitted is missed by the index, even after a kill.
pub(crate) fn admit(
    tx: &Transaction,
    envelope: &Envelope,
    raw: Option<(&[u8], Option<BodyText>)>,
) -> Result<Admitted, StoreError> {
    let admitted = if envelope.uid != 0 {
        let adopted = messages::adopt_placeholder(
            tx,
            envelope.folder_id,
            &envelope.rfc_message_id,
            envelope.uid,
            &envelope.flags,
            envelope.modseq,
        )?;
        match adopted {
            Some(id) => Admitted::Adopted(id),
            None if messages::by_uid(tx, envelope.folder_id, envelope.uid)?.is_some() => {
                Admitted::Known
            }
            None => {
                let id = messages::insert(tx, envelope)?;
                messages::drop_local_duplicates(tx, envelope.account_id, &envelope.rfc_message_id)?;
                Admitted::Added(id)
            }
        }
    } else if messages::account_has(
        tx,
        envelope.account_id,
        &envelope.rfc_message_id,
        &envelope.header_hash,
    )? {
        Admitted::Known
    } else {
        Admitted::Added(messages::insert(tx, envelope)?)
    };
    if let Admitted::Added(id) = admitted {
        threads::place(tx, id)?;
        if let Some((raw, text)) = raw {
            bodies::put(tx, id, raw)?;
            index::index_arrival(tx, id, text)?;
        }
    }
    Ok(admitted)
}

/// Stores the downloaded bytes of a message admitted from its envelope, with what the list
/// shows of them.
pub(crate) fn add_body(
    tx: &Transaction,
    id: i64,
    raw: &[u8],
    fields: &BodyFields,
    text: Option<BodyText>,
) -> Result<(), StoreError> {
    bodies::put(tx, id, raw)?;
    messages::set_body_fields(
        tx,
        id,
        &fields.snippet,
        fields.has_attachments,
        &fields.list.in_reply_to,
        &fields.list.refs,
    )?;
    // The body's headers may name what the envelope did not (References).
    threads::place(tx, id)?;
    index::index_arrival(tx, id, text)
}

/// Messages that came without a server — generated by a benchmark now, imported files later —
/// admitted into `folder` the way a POP3 download is: read on every core, then one
/// transaction for the rows, bodies, threads and search entries. The new messages' ids (one
/// the account already has is skipped). Blocks; call it from a blocking thread.
pub fn admit_local(
    store: &Store,
    account_id: i64,
    folder: i64,
    raws: Vec<Vec<u8>>,
) -> Result<Vec<i64>, StoreError> {
    let read = read_in_parallel(raws, |raw| {
        let (fields, text) = index::read_arrival(&raw);
        let hash = envelope::header_hash(&fields.list);
        (raw, fields, hash, text)
    });
    store.writer().write_blocking(move |tx| {
        let mut added = Vec::new();
        for (raw, fields, hash, text) in read {
            let row = Envelope {
                snippet: fields.snippet.clone(),
                has_attachments: fields.has_attachments,
                ..local_row(
                    account_id,
                    folder,
                    "",
                    &fields.list,
                    &hash,
                    raw.len() as u64,
                )
            };
            added.extend(admit(tx, &row, Some((&raw, text)))?.id());
        }
        if !added.is_empty() {
            folders::recount(tx, folder)?;
        }
        Ok(added)
    })
}

/// The row of a message that has no server copy (a POP3 download, an import), from its
/// headers.
pub(crate) fn local_row(
    account_id: i64,
    folder: i64,
    uidl: &str,
    list: &ListFields,
    hash: &str,
    size: u64,
) -> Envelope {
    Envelope {
        account_id,
        folder_id: folder,
        pop3_uidl: uidl.to_owned(),
        rfc_message_id: list.rfc_message_id.clone(),
        in_reply_to: list.in_reply_to.clone(),
        refs: list.refs.clone(),
        date: list.date.unwrap_or_else(unix_now),
        internal_date: unix_now(),
        from_name: list.from_name.clone(),
        from_addr: list.from_addr.clone(),
        to_addrs: list.to.clone(),
        cc_addrs: list.cc.clone(),
        subject: list.subject.clone(),
        flags: Flags::default(),
        size,
        header_hash: hash.to_owned(),
        ..Envelope::default()
    }
}

/// Unix seconds now.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Tells the window (and the search indexer) that a committed batch changed these rows.
pub(crate) fn changed(ctx: &Context, folder: i64, ids: Vec<i64>) {
    if !ids.is_empty() {
        ctx.emit(Event::MessagesChanged { folder, ids });
    }
}

/// Announces what arrived in an inbox, when it is new mail: never a first sync, an older page
/// or our own copies.
pub(crate) fn arrived(
    ctx: &Context,
    account: i64,
    folder: (i64, Role),
    arrival: Arrival,
    messages: Vec<i64>,
) {
    if arrival == Arrival::New && folder.1 == Role::Inbox && !messages.is_empty() {
        ctx.emit(Event::NewMail {
            account,
            folder: folder.0,
            messages,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::folders::{self, Folder, Origin};

    #[test]
    fn only_fresh_mail_outside_sent_and_drafts_is_new() {
        assert_eq!(Arrival::of(Role::Inbox, true), Arrival::New);
        assert_eq!(Arrival::of(Role::Inbox, false), Arrival::Backfill);
        assert_eq!(Arrival::of(Role::Sent, true), Arrival::Filed);
        assert_eq!(Arrival::of(Role::Drafts, false), Arrival::Filed);
        assert_eq!(Arrival::of(Role::Other, true), Arrival::New);
    }

    fn envelope(account: i64, folder: i64, uid: u32, message_id: &str) -> Envelope {
        Envelope {
            account_id: account,
            folder_id: folder,
            uid,
            rfc_message_id: message_id.into(),
            header_hash: format!("hash-{message_id}"),
            subject: "测试".into(),
            ..Envelope::default()
        }
    }

    #[test]
    fn each_message_enters_once_whichever_way_it_comes() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let store = Store::open(&dir.path().join("mirror.db"))?;
        store.writer().write_blocking(|tx| {
            let account = crate::store::accounts::insert(tx, &crate::store::tests::account())?;
            let server = folders::insert(
                tx,
                &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
            )?;
            let mut pop3_inbox = Folder::new_imap(account, "Inbox", "", Role::Inbox);
            pop3_inbox.source = Origin::Local;
            let local = folders::insert(tx, &pop3_inbox)?;

            // A POP3 download, then the same message again (a second copy on the server).
            let pop3 = envelope(account, local, 0, "<a@example.com>");
            let first = admit(
                tx,
                &pop3,
                Some((b"Subject: a\r\n\r\nbody".as_slice(), None)),
            )?;
            let Admitted::Added(copy) = first else {
                panic!("a new download is added: {first:?}");
            };
            assert!(bodies::get(tx, copy)?.is_some(), "its bytes came with it");
            assert_eq!(
                admit(tx, &pop3, Some((b"again".as_slice(), None)))?,
                Admitted::Known
            );

            // The IMAP mirror of it: added, and the downloaded copy stops counting as one.
            let mirrored = envelope(account, server, 7, "<a@example.com>");
            assert!(matches!(admit(tx, &mirrored, None)?, Admitted::Added(_)));
            // A retried envelope batch adds nothing.
            assert_eq!(admit(tx, &mirrored, None)?, Admitted::Known);

            // A placeholder (a local move waiting for its UID) is adopted, not doubled.
            let placeholder = messages::insert(tx, &envelope(account, server, 0, "<b@x>"))?;
            assert_eq!(
                admit(tx, &envelope(account, server, 8, "<b@x>"), None)?,
                Admitted::Adopted(placeholder)
            );
            assert_eq!(messages::uids(tx, server)?, vec![7, 8]);
            Ok(())
        })
    }

    fn found(tx: &Transaction, word: &str) -> Result<Vec<i64>, StoreError> {
        use crate::store::SqlContext;
        let mut stmt = tx
            .prepare("SELECT rowid FROM search WHERE search MATCH ?1")
            .ctx("search")?;
        let rows = stmt
            .query_map([word], |r| r.get(0))
            .ctx("search")?
            .collect::<Result<Vec<i64>, _>>()
            .ctx("search")?;
        Ok(rows)
    }

    fn queued(tx: &Transaction, id: i64) -> Result<bool, StoreError> {
        use crate::store::SqlContext;
        tx.query_row(
            "SELECT count(*) FROM search_queue WHERE message_id = ?1",
            [id],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .ctx("queue")
    }

    #[test]
    fn a_downloaded_body_is_searchable_in_the_transaction_that_stores_it() -> Result<(), StoreError>
    {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let store = Store::open(&dir.path().join("mirror.db"))?;
        store.writer().write_blocking(|tx| {
            let account = crate::store::accounts::insert(tx, &crate::store::tests::account())?;
            let inbox = folders::insert(
                tx,
                &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
            )?;
            // An IMAP envelope, then its body as a sync downloads it: the envelope waits in
            // the queue, the body's arrival indexes it at once and takes it off the queue.
            let raw = "Subject: =?UTF-8?B?5a2j5bqm5oql5ZGK?=\r\nContent-Type: text/plain; \
                       charset=utf-8\r\n\r\nthe quarterly figures\r\n> older words\r\n"
                .as_bytes();
            let Admitted::Added(id) = admit(tx, &envelope(account, inbox, 3, "<c@x>"), None)?
            else {
                panic!("a new envelope is added");
            };
            assert!(queued(tx, id)?, "an envelope alone waits for the indexer");
            let (fields, text) = index::read_arrival(raw);
            assert!(text.is_some(), "a plain body reads for the index");
            add_body(tx, id, raw, &fields, text)?;
            assert!(!queued(tx, id)?, "the body's arrival indexed it");
            assert_eq!(found(tx, "quarterly")?, vec![id]);
            assert_eq!(found(tx, "quoted:older")?, vec![id]);
            assert_eq!(
                found(tx, "subject:测试")?,
                vec![id],
                "headers from the stored row"
            );

            // A POP3 download is indexed as it is admitted.
            let mut pop3_inbox = Folder::new_imap(account, "Inbox", "", Role::Inbox);
            pop3_inbox.source = Origin::Local;
            let local = folders::insert(tx, &pop3_inbox)?;
            let raw = b"Subject: x\r\n\r\ndownloaded words\r\n".as_slice();
            let (_, text) = index::read_arrival(raw);
            let added = admit(tx, &envelope(account, local, 0, "<d@x>"), Some((raw, text)))?;
            let Admitted::Added(pop3) = added else {
                panic!("a new download is added: {added:?}");
            };
            assert!(!queued(tx, pop3)?);
            assert_eq!(found(tx, "downloaded")?, vec![pop3]);
            Ok(())
        })
    }

    #[test]
    fn local_messages_enter_as_downloads_do() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let store = Store::open(&dir.path().join("mirror.db"))?;
        let (account, folder) = store.writer().write_blocking(|tx| {
            let account = crate::store::accounts::insert(tx, &crate::store::tests::account())?;
            let mut local = Folder::new_imap(account, "Archive", "", Role::Other);
            local.source = Origin::Local;
            Ok((account, folders::insert(tx, &local)?))
        })?;
        let parent = "Message-ID: <p@x>\r\nSubject: =?GBK?B?vL62yLGouOY=?=\r\nDate: Mon, 7 Dec 2026 \
                      08:00:00 +0000\r\nFrom: Li <li@x>\r\n\r\nthe quarterly figures\r\n";
        let reply = "Message-ID: <r@x>\r\nIn-Reply-To: <p@x>\r\nSubject: Re: figures\r\n\r\n\
                     thanks\r\n";
        let added = admit_local(
            &store,
            account,
            folder,
            vec![parent.into(), reply.into(), parent.into()],
        )?;
        assert_eq!(added.len(), 2, "the second copy of the parent is skipped");
        store.writer().write_blocking(move |tx| {
            // Searchable at once, headers decoded from GBK, the list's fields filled.
            assert_eq!(found(tx, "quarterly")?, vec![added[0]]);
            assert_eq!(found(tx, "subject:季度")?, vec![added[0]]);
            assert!(!queued(tx, added[0])? && !queued(tx, added[1])?);
            let row = messages::get(tx, added[0])?
                .ok_or_else(|| StoreError::Corrupt("the parent is not stored".into()))?;
            assert_eq!(row.from_addr, "li@x");
            assert_eq!(row.date, 1_796_630_400);
            assert!(bodies::get(tx, added[1])?.is_some());
            // The reply joined its parent's conversation.
            let of_all = threads::of_all(tx)?;
            assert_eq!(of_all.get(&added[0]), of_all.get(&added[1]));
            assert_eq!(folders::get(tx, folder)?.map(|f| f.total_count), Some(2));
            Ok(())
        })
    }
}
