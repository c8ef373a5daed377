//! POP3 download mode: new messages (by UIDL) into the account's local Inbox, newest first,
//! each committed before anything else happens to it; deletion on the server only after the
//! commit, and recorded only after QUIT succeeded — so a kill at any point loses nothing and
//! downloads or deletes nothing twice.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use super::errors::{EngineError, ErrorKind};
use super::worker::{Signals, Worker};
use super::{Context, Event, Protocol};
use crate::mime::envelope;
use crate::protocols::pop3::{self, Pop3Error, Pop3Login, Pop3Options};
use crate::store::accounts::Account;
use crate::store::actions::{self, ActionKind, PendingAction};
use crate::store::messages::{self, Envelope, Flags};
use crate::store::{bodies, folders, pop3 as seen};

/// Starts the poller for `account`.
pub(crate) fn start(ctx: Context, account: Account) -> Worker {
    Worker::start(ctx, account, run)
}

async fn run(ctx: Context, account: Account, mut signals: Signals) {
    // The outbox retries at its own start; after that, only a recovery is news to it.
    let mut failing = false;
    loop {
        match pass(&ctx, &account).await {
            Ok(()) => {
                if std::mem::take(&mut failing) {
                    ctx.reachable(account.id);
                }
                ctx.emit(Event::SyncDone {
                    account: account.id,
                })
            }
            Err(e) => {
                failing = true;
                ctx.emit(Event::Error {
                    account: account.id,
                    kind: e.kind,
                    message: e.message,
                })
            }
        }
        if ctx.options.once {
            return;
        }
        let minutes = u64::from(account.pop3_options.poll_minutes.max(1));
        if !signals.wait(Duration::from_secs(minutes * 60)).await {
            return;
        }
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// One download pass.
async fn pass(ctx: &Context, account: &Account) -> Result<(), EngineError> {
    let (secrets, who) = (ctx.secrets.clone(), account.clone());
    let password = tokio::task::spawn_blocking(move || secrets.password(&who, Protocol::Pop3))
        .await?
        .map_err(|e| EngineError::new(ErrorKind::NoPassword, e.to_string()))?;
    let config = super::tls_for(ctx, account, &account.pop3).await?;
    let login = Pop3Login {
        host: account.pop3.host.clone(),
        port: account.pop3.port,
        security: account.pop3.security,
        username: if account.pop3.username.is_empty() {
            account.address.clone()
        } else {
            account.pop3.username.clone()
        },
        password,
    };
    ctx.emit(Event::AccountState {
        account: account.id,
        state: super::AccountState::Connecting,
    });
    let options = Pop3Options {
        apop: account.pop3_options.use_apop,
        max_message_bytes: ctx.options.max_message(),
    };
    // POP3 locks the mailbox for one session at a time; another client that just quit may
    // still hold it for a moment ([IN-USE], RFC 3206), so try again briefly before giving up.
    let mut attempt = 0;
    let mut session = loop {
        match pop3::connect_with(&login, config.clone(), options).await {
            Err(Pop3Error::AuthFailed { message, .. })
                if message.contains("[IN-USE]") && attempt < 5 =>
            {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
            }
            other => break other?,
        }
    };
    ctx.emit(Event::AccountState {
        account: account.id,
        state: super::AccountState::Online,
    });
    let listing = session.uidl().await?;
    let sizes: HashMap<u32, u64> = session.list().await?.into_iter().collect();
    let id = account.id;
    let (known, partial, deletes, inbox) = ctx
        .store
        .writer()
        .write(move |tx| {
            let known = seen::downloaded(tx, id)?;
            let partial = seen::headers_only(tx, id)?;
            let deletes: Vec<PendingAction> = actions::pending(tx, id)?
                .into_iter()
                .filter(|a| a.kind == ActionKind::Pop3Delete)
                .collect();
            Ok((known, partial, deletes, folders::local_inbox(tx, id)?))
        })
        .await?;
    let known: HashMap<String, seen::UidlRecord> =
        known.into_iter().map(|r| (r.uidl.clone(), r)).collect();
    let partial: HashSet<String> = partial.into_iter().collect();

    // Newest first: POP3 numbers grow with arrival.
    let mut new: Vec<(u32, String)> = listing
        .iter()
        .filter(|(_, uidl)| !known.contains_key(uidl) && !partial.contains(uidl))
        .cloned()
        .collect();
    new.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let uidl_of: HashMap<u32, String> = new.iter().cloned().collect();
    // Over the limit: listed from their headers (TOP n 0), never downloaded or deleted.
    let limit = ctx.options.max_message();
    let (large, new): (Vec<_>, Vec<_>) = new
        .into_iter()
        .partition(|(n, _)| sizes.get(n).is_some_and(|s| *s > limit));
    for (n, uidl) in &large {
        let head = match session.top(*n, 0).await {
            Ok(head) => head,
            // TOP is optional (RFC 1939): then the list shows the size alone.
            Err(Pop3Error::Protocol { .. }) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let size = sizes.get(n).copied().unwrap_or(limit + 1);
        store_headers_only(ctx, account, inbox, uidl, head, size).await?;
    }
    let numbers: Vec<u32> = new.iter().map(|(n, _)| *n).collect();
    let total = numbers.len() as u64;
    let mut done = 0u64;
    let mut stored: HashSet<String> = HashSet::new();
    let mut arrived: Vec<i64> = Vec::new();
    {
        let utf8 = session.utf8();
        let mut downloads = session.retr_many(&numbers);
        while let Some(next) = downloads.next().await {
            let (n, raw) = match next {
                Ok(got) => got,
                // Larger than LIST said: keep its headers, mark it, and end this pass (the
                // rest of its bytes are still on the wire); the next pass goes on without it.
                Err(Pop3Error::TooLarge {
                    number,
                    limit,
                    head,
                    ..
                }) => {
                    if let Some(uidl) = uidl_of.get(&number) {
                        store_headers_only(ctx, account, inbox, uidl, head, limit + 1).await?;
                    }
                    return Err(EngineError::new(
                        ErrorKind::Protocol,
                        format!(
                            "message {number} on {} is larger than the limit of {limit} bytes; \
                             it is listed from its headers only",
                            account.pop3.host
                        ),
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            let Some(uidl) = uidl_of.get(&n) else {
                continue;
            };
            let changed = store_download(ctx, account, inbox, uidl, raw, utf8).await?;
            stored.insert(uidl.clone());
            done += 1;
            if let Some(message) = changed {
                arrived.push(message);
                ctx.emit(Event::MessagesChanged {
                    folder: inbox,
                    ids: vec![message],
                });
            }
            ctx.emit(Event::SyncProgress {
                account: account.id,
                folder: inbox,
                done,
                total,
            });
        }
    }

    if !known.is_empty() && !arrived.is_empty() {
        // The first download of a mailbox is old mail, not news.
        ctx.emit(Event::NewMail {
            account: account.id,
            folder: inbox,
            messages: arrived,
        });
    }

    // Deletions: only messages whose bytes are committed, as the account's policy says.
    let options = &account.pop3_options;
    let cutoff = now() - i64::from(options.delete_after_days) * 86_400;
    let asked: HashSet<&str> = deletes.iter().map(|a| a.pop3_uidl.as_str()).collect();
    let committed = |uidl: &str| known.contains_key(uidl) || stored.contains(uidl);
    let mut deleting: Vec<(u32, String)> = Vec::new();
    for (n, uidl) in &listing {
        if !committed(uidl) {
            continue;
        }
        let record = known.get(uidl);
        let by_policy = !options.leave_on_server
            || (options.delete_after_days > 0 && record.is_some_and(|r| r.downloaded_at <= cutoff));
        if by_policy || asked.contains(uidl.as_str()) {
            deleting.push((*n, uidl.clone()));
        }
    }
    for (n, _) in &deleting {
        session.dele(*n).await?;
    }
    // Deletions happen at QUIT; only a successful QUIT lets us record them.
    session.quit().await?;
    let gone: Vec<String> = deleting.into_iter().map(|(_, u)| u).collect();
    let on_server: HashSet<String> = listing.into_iter().map(|(_, u)| u).collect();
    ctx.store
        .writer()
        .write(move |tx| {
            for uidl in &gone {
                seen::mark_deleted_on_server(tx, id, uidl)?;
            }
            for action in &deletes {
                // Done when deleted now, or when the server no longer has it anyway.
                if gone.contains(&action.pop3_uidl) || !on_server.contains(&action.pop3_uidl) {
                    actions::done(tx, action)?;
                }
            }
            Ok(())
        })
        .await?;
    Ok(())
}

/// Commits one downloaded message (or, for one the account already has, just its UIDL);
/// returns the new message's id.
async fn store_download(
    ctx: &Context,
    account: &Account,
    inbox: i64,
    uidl: &str,
    raw: Vec<u8>,
    utf8: bool,
) -> Result<Option<i64>, EngineError> {
    let (account_id, uidl) = (account.id, uidl.to_owned());
    let parsed = tokio::task::spawn_blocking(move || {
        // Without UTF8 a server may send a stand-in with the real message inside; the real one
        // is what is kept (and its UIDL is recorded only with it).
        let raw = match (utf8, crate::mime::downgrade::original_of(&raw)) {
            (false, Some(original)) => original.to_vec(),
            _ => raw,
        };
        let fields = envelope::body_fields(&raw);
        (raw, fields)
    })
    .await?;
    let (raw, fields) = parsed;
    let hash = envelope::header_hash(&fields.list);
    let changed = ctx
        .store
        .writer()
        .write(move |tx| {
            let list = &fields.list;
            if messages::account_has(tx, account_id, &list.rfc_message_id, &hash)? {
                // Both IMAP and POP3 on: the IMAP mirror has it already; never show it twice.
                seen::mark_downloaded(tx, account_id, &uidl, 0)?;
                return Ok(None);
            }
            let envelope = Envelope {
                snippet: fields.snippet.clone(),
                has_attachments: fields.has_attachments,
                ..inbox_row(account_id, inbox, &uidl, list, &hash, raw.len() as u64)
            };
            let id = messages::insert(tx, &envelope)?;
            bodies::put(tx, id, &raw)?;
            seen::mark_downloaded(tx, account_id, &uidl, id)?;
            folders::recount(tx, inbox)?;
            Ok(Some(id))
        })
        .await?;
    Ok(changed)
}

/// The local Inbox row of a POP3 message, from its headers.
fn inbox_row(
    account_id: i64,
    inbox: i64,
    uidl: &str,
    list: &envelope::ListFields,
    hash: &str,
    size: u64,
) -> Envelope {
    Envelope {
        account_id,
        folder_id: inbox,
        pop3_uidl: uidl.to_owned(),
        rfc_message_id: list.rfc_message_id.clone(),
        in_reply_to: list.in_reply_to.clone(),
        refs: list.refs.clone(),
        date: list.date.unwrap_or_else(now),
        internal_date: now(),
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

/// Lists a message over the size limit from its headers: a row in the Inbox with its real
/// size and no body, and its UIDL recorded so it is neither fetched nor deleted.
async fn store_headers_only(
    ctx: &Context,
    account: &Account,
    inbox: i64,
    uidl: &str,
    head: Vec<u8>,
    size: u64,
) -> Result<(), EngineError> {
    let (account_id, uidl) = (account.id, uidl.to_owned());
    let list = tokio::task::spawn_blocking(move || envelope::list_fields(&head)).await?;
    let hash = envelope::header_hash(&list);
    ctx.store
        .writer()
        .write(move |tx| {
            if messages::account_has(tx, account_id, &list.rfc_message_id, &hash)? {
                return seen::mark_headers_only(tx, account_id, &uidl, 0);
            }
            let envelope = inbox_row(account_id, inbox, &uidl, &list, &hash, size);
            let id = messages::insert(tx, &envelope)?;
            seen::mark_headers_only(tx, account_id, &uidl, id)?;
            folders::recount(tx, inbox)
        })
        .await?;
    Ok(())
}

/// The pending action that deletes a POP3 message on the server at the next pass.
pub(crate) fn delete_action(account: i64, uidl: &str) -> PendingAction {
    PendingAction {
        pop3_uidl: uidl.to_owned(),
        ..PendingAction::new(account, ActionKind::Pop3Delete)
    }
}
