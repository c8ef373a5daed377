//! POP3 download mode: new messages (by UIDL) into the account's local Inbox, newest first,
//! each committed before anything else happens to it; deletion on the server only after the
//! commit, and recorded only after QUIT succeeded — so a kill at any point loses nothing and
//! downloads or deletes nothing twice.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::errors::{EngineError, ErrorKind};
use super::ingest::{self, Arrival};
use super::pop3_store;
use super::worker::{Signals, Worker};
use super::{Context, Event, Protocol};
use crate::protocols::pop3::{self, Pop3Error, Pop3Login, Pop3Options};
use crate::store::accounts::Account;
use crate::store::actions::{self, ActionKind, PendingAction};
use crate::store::folders::{self, Role};
use crate::store::pop3 as seen;

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
                    full: true,
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

/// Downloaded batches being read and committed at once, behind the one downloading.
const STORING: usize = 2;

/// One download pass.
async fn pass(ctx: &Context, account: &Account) -> Result<(), EngineError> {
    let _syncing = super::ingest::Syncing::start(ctx);
    let (secrets, who) = (ctx.secrets.clone(), account.clone());
    let password = tokio::task::spawn_blocking(move || secrets.password(&who, Protocol::Pop3))
        .await?
        .map_err(|e| EngineError::new(ErrorKind::NoPassword, e.to_string()))?;
    let config = super::tls_for(ctx, account, &account.pop3).await?;
    let login = Pop3Login::new(&account.pop3, &account.address, password);
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
        pop3_store::store_headers_only(ctx, id, inbox, uidl, head, size).await?;
    }
    let numbers: Vec<u32> = new.iter().map(|(n, _)| *n).collect();
    let total = numbers.len() as u64;
    let mut progress = Progress {
        account: account.id,
        inbox,
        done: 0,
        total,
        stored: HashSet::new(),
        arrived: Vec::new(),
    };
    {
        let utf8 = session.utf8();
        let mut downloads = session.retr_many(&numbers);
        let mut batch = pop3_store::Batch::new();
        // At most two batches are read and committed while the next downloads: one can be
        // read while the writer commits the other.
        let mut in_flight: VecDeque<JoinHandle<Result<pop3_store::Committed, EngineError>>> =
            VecDeque::new();
        let ended = loop {
            let Some(next) = downloads.next().await else {
                break Ok(());
            };
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
                        pop3_store::store_headers_only(ctx, id, inbox, uidl, head, limit + 1)
                            .await?;
                    }
                    break Err(EngineError::new(
                        ErrorKind::Protocol,
                        format!(
                            "message {number} on {} is larger than the limit of {limit} bytes; \
                             it is listed from its headers only",
                            account.pop3.host
                        ),
                    ));
                }
                Err(e) => break Err(e.into()),
            };
            let Some(uidl) = uidl_of.get(&n) else {
                continue;
            };
            if batch.push(uidl.clone(), raw) {
                while in_flight.len() >= STORING {
                    if let Some(oldest) = in_flight.pop_front() {
                        progress.add(ctx, oldest.await??);
                    }
                }
                in_flight.push_back(tokio::spawn(pop3_store::commit(
                    ctx.clone(),
                    id,
                    inbox,
                    batch.take(),
                    utf8,
                )));
            }
        };
        // What arrived is committed even when the pass ends in an error: it is not fetched
        // again.
        for previous in in_flight {
            progress.add(ctx, previous.await??);
        }
        if !batch.is_empty() {
            let last = pop3_store::commit(ctx.clone(), id, inbox, batch.take(), utf8).await?;
            progress.add(ctx, last);
        }
        ended?;
    }
    let Progress {
        stored, arrived, ..
    } = progress;

    // The first download of a mailbox is old mail, not news.
    ingest::arrived(
        ctx,
        account.id,
        (inbox, Role::Inbox),
        Arrival::of(Role::Inbox, !known.is_empty()),
        arrived,
    );

    // Deletions: only messages whose bytes are committed, as the account's policy says.
    let options = &account.pop3_options;
    let cutoff = ingest::unix_now() - i64::from(options.delete_after_days) * 86_400;
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
    let gone: HashSet<String> = deleting.into_iter().map(|(_, u)| u).collect();
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

/// Downloads committed so far in a pass, told to the window as they land.
struct Progress {
    account: i64,
    inbox: i64,
    done: u64,
    total: u64,
    stored: HashSet<String>,
    arrived: Vec<i64>,
}

impl Progress {
    fn add(&mut self, ctx: &Context, batch: pop3_store::Committed) {
        self.done += batch.uidls.len() as u64;
        self.stored.extend(batch.uidls);
        self.arrived.extend(batch.messages);
        ctx.emit(Event::SyncProgress {
            account: self.account,
            folder: self.inbox,
            done: self.done,
            total: self.total,
        });
    }
}

/// The pending action that deletes a POP3 message on the server at the next pass.
pub(crate) fn delete_action(account: i64, uidl: &str) -> PendingAction {
    PendingAction {
        pop3_uidl: uidl.to_owned(),
        ..PendingAction::new(account, ActionKind::Pop3Delete)
    }
}
