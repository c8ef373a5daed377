//! Mirroring IMAP folders into SQLite: the folder list, envelopes newest first, flags and
//! expunges, then bodies in the background. Every batch is committed at once, so a kill at any
//! moment loses at most the batch in flight, and the next run fills exactly the gaps.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use async_imap::types::{Capabilities, Fetch, Flag};
use futures::TryStreamExt;

use super::errors::EngineError;
use super::idle::drain;
use super::ingest::{self, Admitted, Arrival};
use super::{Context, Event};
use crate::mime::envelope::{self, LIST_HEADER_FIELDS};
use crate::protocols::imap::{self, ImapSession};
use crate::store::accounts::Account;
use crate::store::folders::{self, Folder, Role};
use crate::store::messages::{self, Envelope, Flags};

/// Envelope batches grow so the newest messages show at once and the rest stream efficiently.
const ENVELOPE_BATCHES: &[usize] = &[50, 200, 500, 1000, 2000];
/// Bodies per FETCH and per transaction, at most...
const BODY_BATCH: usize = 500;
/// ...and about this many bytes (a batch always takes at least one message): three batches are
/// held at once (one downloading, two being read and committed), so this bounds the sync's
/// memory...
const BODY_BATCH_BYTES: std::ops::RangeInclusive<u64> = 1024 * 1024..=8 * 1024 * 1024;
/// ...between which a batch is sized to download in this many round trips' time, so waiting
/// for each FETCH's first byte costs a tenth of the time on a distant server.
const ROUND_TRIPS_PER_BATCH: f64 = 9.0;
/// An envelope batch being committed: the ids it wrote, when it is done.
type Committing = tokio::task::JoinHandle<Result<Vec<i64>, EngineError>>;
/// Downloaded body batches being read and committed at once, behind the one downloading.
const STORING: usize = 2;

/// Syncs the folder list (when `all`) and then every folder, or only INBOX.
pub(crate) async fn sync_account(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    account: &Account,
    all: bool,
) -> Result<(), EngineError> {
    let _syncing = ingest::Syncing::start(ctx);
    let mut list = if all {
        super::folder_list::sync_folder_list(ctx, session, caps, account).await?
    } else {
        let id = account.id;
        ctx.store
            .writer()
            .write(move |tx| folders::list(tx, id))
            .await?
            .into_iter()
            .filter(|f| f.role == Role::Inbox)
            .collect()
    };
    list.retain(|f| f.selectable && f.source == folders::Origin::Imap);
    if crate::accounts::providers::by_id(&account.provider_id, &account.address)
        .is_some_and(|p| p.single_uid_ranges)
    {
        ctx.learn_single_uid_ranges(account.id);
    }
    // INBOX first: it is what people look at.
    list.sort_by_key(|f| (f.role != Role::Inbox, f.name.clone()));
    let condstore = caps.has_str("CONDSTORE");
    for folder in &list {
        sync_envelopes(ctx, session, folder, condstore).await?;
    }
    let since = match account.sync_window_days {
        0 => i64::MIN,
        days => ingest::unix_now() - i64::from(days) * 86_400,
    };
    for folder in &list {
        fetch_bodies(ctx, session, folder, since).await?;
    }
    Ok(())
}

/// Brings one mirrored folder up to date at once, bodies included: after this client filed a
/// message there (the Sent copy, a draft), so it shows without waiting for the next full sync.
/// A folder never synced is left to that sync, which mirrors it whole.
pub(crate) async fn refresh_folder(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    account: &Account,
    folder: &Folder,
) -> Result<(), EngineError> {
    if folder.uidvalidity == 0 || !folder.selectable {
        return Ok(());
    }
    let _syncing = ingest::Syncing::start(ctx);
    sync_envelopes(ctx, session, folder, caps.has_str("CONDSTORE")).await?;
    let since = match account.sync_window_days {
        0 => i64::MIN,
        days => ingest::unix_now() - i64::from(days) * 86_400,
    };
    fetch_bodies(ctx, session, folder, since).await
}

fn flags_of(fetch: &Fetch) -> Flags {
    let mut flags = Flags::default();
    let mut keywords = Vec::new();
    for flag in fetch.flags() {
        match flag {
            Flag::Seen => flags.seen = true,
            Flag::Answered => flags.answered = true,
            Flag::Flagged => flags.flagged = true,
            Flag::Deleted => flags.deleted = true,
            Flag::Draft => flags.draft = true,
            Flag::Recent | Flag::MayCreate => {}
            Flag::Custom(k) => keywords.push(k.into_owned()),
        }
    }
    flags.keywords = keywords.join(" ");
    flags
}

fn envelope_of(fetch: &Fetch, folder: &Folder) -> Option<Envelope> {
    let uid = fetch.uid?;
    let fields = envelope::list_fields(fetch.header().unwrap_or_default());
    let internal_date = fetch.internal_date().map(|d| d.timestamp()).unwrap_or(0);
    Some(Envelope {
        account_id: folder.account_id,
        folder_id: folder.id,
        uid,
        rfc_message_id: fields.rfc_message_id,
        in_reply_to: fields.in_reply_to,
        refs: fields.refs,
        date: fields.date.unwrap_or(internal_date),
        internal_date,
        from_name: fields.from_name,
        from_addr: fields.from_addr,
        to_addrs: fields.to,
        cc_addrs: fields.cc,
        subject: fields.subject,
        flags: flags_of(fetch),
        size: u64::from(fetch.size.unwrap_or(0)),
        has_attachments: fields.likely_attachments,
        modseq: fetch.modseq.unwrap_or(0),
        ..Envelope::default()
    })
}

/// Turns sorted UIDs into a compact set: 1:5,9,12:14.
pub(crate) fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    let mut out = String::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

/// The UID sets to ask for `set` with: itself, or one range each for a server that takes no
/// lists.
fn uid_sets_for(ctx: &Context, account: i64, set: &str) -> std::collections::VecDeque<String> {
    if ctx.single_uid_ranges(account) {
        set.split(',').map(str::to_owned).collect()
    } else {
        std::iter::once(set.to_owned()).collect()
    }
}

/// A UID FETCH of `set` failed with `error`. When the server answered BAD to a UID list (QQ
/// Mail does), the account learns to send one range a command and `set`'s ranges are queued
/// in front of what is left; any other failure is the caller's.
fn split_refused_list(
    ctx: &Context,
    account: i64,
    set: &str,
    error: async_imap::error::Error,
    sets: &mut std::collections::VecDeque<String>,
) -> Result<(), async_imap::error::Error> {
    match error {
        async_imap::error::Error::Bad(why) if set.contains(',') => {
            tracing::warn!(
                account,
                why,
                "the server refused a UID list; one range a command"
            );
            ctx.learn_single_uid_ranges(account);
            for range in set.rsplit(',') {
                sets.push_front(range.to_owned());
            }
            Ok(())
        }
        other => Err(other),
    }
}

/// UID FETCH `query` for `set`, keeping what `pick` takes from each answer. The tagged status
/// is checked (async-imap hides a NO or BAD as an empty answer), and a server refusing a UID
/// list is asked one range at a time.
async fn fetch_uids<T>(
    ctx: &Context,
    account: i64,
    session: &mut ImapSession,
    set: &str,
    query: &str,
    pick: impl Fn(&async_imap::types::Fetch) -> Option<T>,
) -> Result<Vec<T>, async_imap::error::Error> {
    let mut out = Vec::new();
    let mut sets = uid_sets_for(ctx, account, set);
    while let Some(set) = sets.pop_front() {
        let got: Result<Vec<T>, _> = async {
            let got = session
                .uid_fetch(&set, query)
                .await?
                .try_filter_map(|f| {
                    let kept = pick(&f);
                    async move { Ok(kept) }
                })
                .try_collect()
                .await;
            drain(session);
            got.and_then(|got| imap::ensure_ok(session).map(|()| got))
        }
        .await;
        match got {
            Ok(got) => out.extend(got),
            Err(e) => split_refused_list(ctx, account, &set, e, &mut sets)?,
        }
    }
    Ok(out)
}

/// Fetches envelopes for a UID set and commits them as `arrival`; returns the ids written.
pub(crate) async fn fetch_envelopes(
    ctx: &Context,
    session: &mut ImapSession,
    folder: &Folder,
    set: &str,
    condstore: bool,
    (above, arrival): (u32, Arrival),
) -> Result<Vec<i64>, EngineError> {
    let fetched = download_envelopes(ctx, session, folder, set, condstore, above).await?;
    commit_envelopes(ctx.clone(), folder.clone(), fetched, arrival).await
}

/// The envelopes of a UID set above UID `above`, as the server sends them.
async fn download_envelopes(
    ctx: &Context,
    session: &mut ImapSession,
    folder: &Folder,
    set: &str,
    condstore: bool,
    above: u32,
) -> Result<Vec<Envelope>, EngineError> {
    let query = format!(
        "(UID FLAGS INTERNALDATE RFC822.SIZE{} BODY.PEEK[HEADER.FIELDS ({LIST_HEADER_FIELDS})])",
        if condstore { " MODSEQ" } else { "" }
    );
    fetch_uids(ctx, folder.account_id, session, set, &query, |f| {
        envelope_of(f, folder).filter(|e| e.uid > above)
    })
    .await
    .map_err(|e| EngineError::imap("fetching envelopes", e))
}

/// Commits downloaded envelopes as `arrival` and tells the window; returns the ids written.
async fn commit_envelopes(
    ctx: Context,
    folder: Folder,
    fetched: Vec<Envelope>,
    arrival: Arrival,
) -> Result<Vec<i64>, EngineError> {
    if fetched.is_empty() {
        return Ok(Vec::new());
    }
    let fid = folder.id;
    let (ids, added) = ctx
        .store
        .writer()
        .write(move |tx| {
            let mut ids = Vec::with_capacity(fetched.len());
            let mut added = Vec::new();
            for m in &fetched {
                match ingest::admit(tx, m, None)? {
                    Admitted::Added(id) => {
                        ids.push(id);
                        added.push(id);
                    }
                    Admitted::Adopted(id) => ids.push(id),
                    Admitted::Known => {}
                }
            }
            folders::recount(tx, fid)?;
            Ok((ids, added))
        })
        .await?;
    ingest::changed(&ctx, folder.id, ids.clone());
    ingest::arrived(
        &ctx,
        folder.account_id,
        (folder.id, folder.role),
        arrival,
        added,
    );
    Ok(ids)
}

async fn sync_envelopes(
    ctx: &Context,
    session: &mut ImapSession,
    folder: &Folder,
    condstore: bool,
) -> Result<(), EngineError> {
    let mailbox = if condstore {
        session.select_condstore(&folder.wire_name).await
    } else {
        session.select(&folder.wire_name).await
    }
    .map_err(|e| EngineError::imap(&format!("opening {}", folder.name), e))?;
    drain(session);
    let uidvalidity = mailbox.uid_validity.unwrap_or(0);
    let server_modseq = mailbox.highest_modseq.unwrap_or(0);
    let fid = folder.id;
    let validity_changed = folder.uidvalidity != 0 && uidvalidity != folder.uidvalidity;
    let (local, placeholders) = ctx
        .store
        .writer()
        .write(move |tx| {
            if validity_changed {
                // Keep every row as a placeholder; the fetch below re-matches them by
                // Message-ID, so bodies and queued changes survive.
                messages::forget_uids(tx, fid)?;
                folders::set_sync_state(tx, fid, uidvalidity, 0, 0)?;
            }
            Ok((
                messages::uids(tx, fid)?,
                messages::placeholder_count(tx, fid)?,
            ))
        })
        .await?;
    let first_sync = folder.uidvalidity == 0 || validity_changed;
    let unchanged = condstore
        && !first_sync
        && server_modseq != 0
        && server_modseq == folder.highestmodseq
        && mailbox.exists as usize == local.len()
        && placeholders == 0;
    if unchanged {
        return Ok(());
    }

    let mut known: HashSet<u32> = local.iter().copied().collect();
    let max_local = local.last().copied().unwrap_or(0);
    if max_local > 0 && placeholders == 0 {
        // New mail arrives at the top of the UID range; a first sync never announces old mail.
        let ids = fetch_envelopes(
            ctx,
            session,
            folder,
            &format!("{}:*", max_local + 1),
            condstore,
            (max_local, Arrival::of(folder.role, true)),
        )
        .await?;
        if !ids.is_empty() {
            let fid = folder.id;
            let fresh = ctx
                .store
                .writer()
                .write(move |tx| messages::uids(tx, fid))
                .await?;
            known = fresh.into_iter().collect();
        }
    }

    if mailbox.exists as usize != known.len() || placeholders > 0 {
        fill_gaps(ctx, session, folder, condstore, &known).await?;
    }

    if !first_sync {
        sync_flags(ctx, session, folder, condstore).await?;
    }

    let fid = folder.id;
    // Kept for information only: new mail is found from the highest mirrored UID (`n:*`
    // above), so a server that leaves UIDNEXT out of SELECT (Courier) syncs just the same.
    let uidnext = mailbox.uid_next.unwrap_or(0);
    ctx.store
        .writer()
        .write(move |tx| {
            folders::set_sync_state(tx, fid, uidvalidity, uidnext, server_modseq)?;
            folders::recount(tx, fid)
        })
        .await?;
    Ok(())
}

/// Compares the server's UIDs with ours: removes what it expunged and fetches what we lack,
/// newest first in growing batches.
async fn fill_gaps(
    ctx: &Context,
    session: &mut ImapSession,
    folder: &Folder,
    condstore: bool,
    known: &HashSet<u32>,
) -> Result<(), EngineError> {
    let server = session
        .uid_search("ALL")
        .await
        .map_err(|e| EngineError::imap("listing UIDs", e))?;
    drain(session);
    // An empty answer from a failed SEARCH would read as "everything was expunged".
    imap::ensure_ok(session).map_err(|e| EngineError::imap("listing UIDs", e))?;
    let vanished: Vec<u32> = known
        .iter()
        .filter(|u| !server.contains(u))
        .copied()
        .collect();
    let mut missing: Vec<u32> = server
        .iter()
        .filter(|u| !known.contains(u))
        .copied()
        .collect();
    missing.sort_unstable_by(|a, b| b.cmp(a));
    let fid = folder.id;
    let removed = ctx
        .store
        .writer()
        .write(move |tx| messages::remove_uids(tx, fid, &vanished))
        .await?;
    if !removed.is_empty() {
        ctx.emit(Event::MessagesChanged {
            folder: fid,
            ids: removed,
        });
    }
    let total = missing.len() as u64;
    let mut done = 0u64;
    let mut batch_no = 0;
    let mut rest = missing.as_slice();
    // One batch commits while the next downloads; progress counts what is committed.
    let mut committing: Option<(u64, Committing)> = None;
    let progress = |done: u64| Event::SyncProgress {
        account: folder.account_id,
        folder: fid,
        done,
        total,
    };
    while !rest.is_empty() {
        let size = ENVELOPE_BATCHES[batch_no.min(ENVELOPE_BATCHES.len() - 1)];
        batch_no += 1;
        let (batch, tail) = rest.split_at(size.min(rest.len()));
        rest = tail;
        let fetched =
            download_envelopes(ctx, session, folder, &uid_set(batch), condstore, 0).await?;
        if let Some((count, previous)) = committing.take() {
            previous.await??;
            done += count;
            ctx.emit(progress(done));
        }
        let commit = commit_envelopes(ctx.clone(), folder.clone(), fetched, Arrival::Backfill);
        committing = Some((batch.len() as u64, tokio::spawn(commit)));
    }
    if let Some((count, last)) = committing {
        last.await??;
        done += count;
        ctx.emit(progress(done));
    }
    // Placeholders nothing matched (moved messages without a Message-ID, or gone meanwhile)
    // would show twice or never go away; queued actions still referring to them keep them.
    let dropped = ctx
        .store
        .writer()
        .write(move |tx| messages::drop_unmatched_placeholders(tx, fid))
        .await?;
    if !dropped.is_empty() {
        ctx.emit(Event::MessagesChanged {
            folder: fid,
            ids: dropped,
        });
    }
    Ok(())
}

async fn sync_flags(
    ctx: &Context,
    session: &mut ImapSession,
    folder: &Folder,
    condstore: bool,
) -> Result<(), EngineError> {
    let query = if condstore && folder.highestmodseq > 0 {
        format!("(UID FLAGS) (CHANGEDSINCE {})", folder.highestmodseq)
    } else {
        "(UID FLAGS)".to_owned()
    };
    let updates: Vec<(u32, Flags, u64)> = session
        .uid_fetch("1:*", &query)
        .await
        .map_err(|e| EngineError::imap("fetching flags", e))?
        .try_filter_map(|f| async move {
            Ok(f.uid.map(|uid| (uid, flags_of(&f), f.modseq.unwrap_or(0))))
        })
        .try_collect()
        .await
        .map_err(|e| EngineError::imap("fetching flags", e))?;
    drain(session);
    imap::ensure_ok(session).map_err(|e| EngineError::imap("fetching flags", e))?;
    if updates.is_empty() {
        return Ok(());
    }
    let fid = folder.id;
    let changed = ctx
        .store
        .writer()
        .write(move |tx| {
            let mut changed = Vec::new();
            for (uid, flags, modseq) in &updates {
                if let Some(id) = messages::update_flags_by_uid(tx, fid, *uid, flags, *modseq)? {
                    changed.push(id);
                }
            }
            if !changed.is_empty() {
                folders::recount(tx, fid)?;
            }
            Ok(changed)
        })
        .await?;
    if !changed.is_empty() {
        ctx.emit(Event::MessagesChanged {
            folder: fid,
            ids: changed,
        });
    }
    Ok(())
}

/// Downloads missing bodies newest first. Batches are bounded by count and bytes, so memory
/// stays small, and the parse and commit of one batch overlap the download of the next.
async fn fetch_bodies(
    ctx: &Context,
    session: &mut ImapSession,
    folder: &Folder,
    since: i64,
) -> Result<(), EngineError> {
    let fid = folder.id;
    let limit = ctx.options.max_message();
    let backlog = ctx
        .store
        .writer()
        .write(move |tx| messages::without_body(tx, fid, since, limit))
        .await?;
    fetch_bodies_of(ctx, session, folder, &backlog).await
}

/// Downloads the bodies of `backlog` (messages of `folder`, newest first).
pub(crate) async fn fetch_bodies_of(
    ctx: &Context,
    session: &mut ImapSession,
    folder: &Folder,
    backlog: &[messages::BodyBacklog],
) -> Result<(), EngineError> {
    if backlog.is_empty() {
        return Ok(());
    }
    let limit = ctx.options.max_message();
    session
        .select(&folder.wire_name)
        .await
        .map_err(|e| EngineError::imap(&format!("opening {}", folder.name), e))?;
    // One NOOP measures the round trip that each FETCH waits for before its first byte.
    let started = Instant::now();
    session
        .noop()
        .await
        .map_err(|e| EngineError::imap("measuring the round trip", e))?;
    let round_trip = started.elapsed();
    let mut batch_bytes = *BODY_BATCH_BYTES.start();
    let mut in_flight: std::collections::VecDeque<
        tokio::task::JoinHandle<Result<(), EngineError>>,
    > = std::collections::VecDeque::new();
    let mut rest = backlog;
    while !rest.is_empty() {
        let mut bytes = 0u64;
        let mut n = 0;
        while n < rest.len() && n < BODY_BATCH && (n == 0 || bytes < batch_bytes) {
            bytes += rest[n].size;
            n += 1;
        }
        let (batch, tail) = rest.split_at(n);
        rest = tail;
        let uids: Vec<u32> = batch.iter().map(|b| b.uid).collect();
        // A partial fetch one byte past the limit: a server that announced a small size
        // cannot make us hold a larger message, and what comes back over it is recognised.
        let query = format!("(UID BODY.PEEK[]<0.{}>)", limit + 1);
        let started = Instant::now();
        let fetched: Vec<(u32, Vec<u8>)> = fetch_uids(
            ctx,
            folder.account_id,
            session,
            &uid_set(&uids),
            &query,
            |f| match (f.uid, f.body()) {
                (Some(uid), Some(body)) => Some((uid, body.to_vec())),
                _ => None,
            },
        )
        .await
        .map_err(|e| EngineError::imap("fetching messages", e))?;
        let got: u64 = fetched.iter().map(|(_, raw)| raw.len() as u64).sum();
        batch_bytes = next_batch_bytes(batch_bytes, round_trip, got, started.elapsed());
        // At most two batches are read and committed while the next downloads: one can be
        // read while the writer commits the other.
        while in_flight.len() >= STORING {
            if let Some(oldest) = in_flight.pop_front() {
                oldest.await??;
            }
        }
        in_flight.push_back(tokio::spawn(store_bodies(
            ctx.clone(),
            folder.id,
            batch.to_vec(),
            fetched,
            limit,
        )));
    }
    for batch in in_flight {
        batch.await??;
    }
    Ok(())
}

/// The next body batch's size from the round trip and how fast the last batch (`got` bytes in
/// `took`) came: big enough that the round trip is a small part of its time.
fn next_batch_bytes(previous: u64, round_trip: Duration, got: u64, took: Duration) -> u64 {
    let streaming = took.saturating_sub(round_trip).as_secs_f64();
    if got == 0 || streaming <= 0.0 {
        // Nothing came to learn the speed from.
        return previous;
    }
    let rate = got as f64 / streaming;
    let wanted = ROUND_TRIPS_PER_BATCH * round_trip.as_secs_f64() * rate;
    (wanted as u64).clamp(*BODY_BATCH_BYTES.start(), *BODY_BATCH_BYTES.end())
}

/// Parses a downloaded batch off the async threads and commits it in one transaction.
async fn store_bodies(
    ctx: Context,
    folder: i64,
    batch: Vec<messages::BodyBacklog>,
    fetched: Vec<(u32, Vec<u8>)>,
    limit: u64,
) -> Result<(), EngineError> {
    let ids: Vec<i64> = batch.iter().map(|b| b.id).collect();
    // More than the limit came back: the size the server announced was wrong. The message
    // keeps its headers in the list and is marked by its real (at least) size.
    let (fetched, oversized): (Vec<_>, Vec<_>) = fetched
        .into_iter()
        .partition(|(_, raw)| raw.len() as u64 <= limit);
    let oversized: Vec<(i64, u64)> = oversized
        .into_iter()
        .filter_map(|(uid, raw)| Some((batch.iter().find(|b| b.uid == uid)?.id, raw.len() as u64)))
        .collect();
    // One parse per body gives the list's fields and the search index's text, so the body is
    // never read back from the store to be indexed.
    let parsed: Vec<(
        i64,
        Vec<u8>,
        envelope::BodyFields,
        Option<crate::search::index::BodyText>,
    )> = tokio::task::spawn_blocking(move || {
        let known: Vec<(i64, Vec<u8>)> = fetched
            .into_iter()
            .filter_map(|(uid, raw)| Some((batch.iter().find(|b| b.uid == uid)?.id, raw)))
            .collect();
        ingest::read_in_parallel(known, |(id, raw)| {
            let (fields, text) = crate::search::index::read_arrival(&raw);
            (id, raw, fields, text)
        })
    })
    .await?;
    let stored: HashSet<i64> = parsed
        .iter()
        .map(|(id, _, _, _)| *id)
        .chain(oversized.iter().map(|(id, _)| *id))
        .collect();
    let gone: Vec<i64> = ids
        .iter()
        .filter(|id| !stored.contains(id))
        .copied()
        .collect();
    ctx.store
        .writer()
        .write(move |tx| {
            for (id, raw, fields, text) in parsed {
                ingest::add_body(tx, id, &raw, &fields, text)?;
            }
            for (id, size) in &oversized {
                messages::set_size(tx, *id, *size)?;
            }
            // The server returned nothing for these: expunged meanwhile. The next sync of the
            // folder confirms; dropping the rows keeps them from being asked for forever.
            for id in &gone {
                messages::delete(tx, *id)?;
            }
            Ok(())
        })
        .await?;
    ingest::changed(&ctx, folder, ids);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_are_compact() {
        assert_eq!(uid_set(&[5, 1, 2, 3, 9, 12, 13, 14]), "1:3,5,9,12:14");
        assert_eq!(uid_set(&[7]), "7");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn body_batches_grow_with_the_distance_to_the_server() {
        const MB: u64 = 1024 * 1024;
        let ms = Duration::from_millis;
        // Loopback: a round trip of a tenth of a millisecond at 200 MB/s wants ~180 KB, so the
        // smallest batch keeps memory low.
        assert_eq!(
            next_batch_bytes(MB, Duration::from_micros(100), 2 * MB, ms(10)),
            MB
        );
        // 50 ms away at 5 MB/s: nine round trips' worth is 2.25 MB.
        let far = next_batch_bytes(MB, ms(50), MB, ms(250));
        assert!((2 * MB..3 * MB).contains(&far), "{far}");
        // 300 ms away at 10 MB/s would want 27 MB; memory caps it.
        assert_eq!(next_batch_bytes(MB, ms(300), 10 * MB, ms(1300)), 8 * MB);
        // An empty batch or one faster than the round trip teaches nothing: the size stays.
        assert_eq!(next_batch_bytes(3 * MB, ms(50), 0, ms(60)), 3 * MB);
        assert_eq!(next_batch_bytes(3 * MB, ms(50), MB, ms(40)), 3 * MB);
    }
}
