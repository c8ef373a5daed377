//! "Search on the server": for mail the mirror holds no body of (outside the sync window) or
//! has not seen yet. Every IMAP account in scope gets a connection of its own, each folder is
//! EXAMINEd (read-only, flags untouched) and asked with UID SEARCH; hits not mirrored yet get
//! their envelopes, the answer goes to the client, and then the newest hits' bodies are
//! downloaded so they open, are marked in the reader and become searchable here. The same
//! download serves a message outside the sync window that the user opens (`fetch_now`).

use std::time::Duration;

use super::errors::{EngineError, ErrorKind};
use super::ingest::Arrival;
use super::{Context, Event, imap_sync};
use crate::protocols::imap::ImapSession;
use crate::protocols::imap::search::{self, Literals, SearchError};
use crate::search::Scope;
use crate::search::server::ServerQuery;
use crate::store::accounts::Account;
use crate::store::folders::{self, Folder, Origin};
use crate::store::messages::{self, BodyBacklog};

/// The charset asked first.
pub const CHARSET: &str = "UTF-8";
/// Most bodies downloaded per account after a search (the newest hits).
const BODIES: usize = 100;
/// Most envelopes fetched per folder for hits not mirrored yet (the highest UIDs).
const NEW_ENVELOPES: usize = 5_000;
/// How long one folder's SEARCH may take (a large folder on a slow server).
pub use super::api::ServerFailure;

const FOLDER_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs the search `text` on the servers of the accounts in `scope`, answers with
/// `Event::ServerSearchDone`, then downloads the newest hits' bodies.
pub(crate) async fn run(ctx: Context, request: u64, text: String, scope: Scope) {
    let now = chrono::Utc::now().timestamp();
    let parsed = crate::search::query::parse(&text, now);
    let query = crate::search::server::translate(&parsed);
    let accounts = match in_scope(&ctx, scope).await {
        Ok(accounts) if !query.nothing => accounts,
        Ok(_) => Vec::new(),
        Err(e) => {
            ctx.emit(Event::ServerSearchDone {
                request,
                hits: Vec::new(),
                failures: vec![ServerFailure {
                    account: 0,
                    kind: e.kind,
                    message: e.message,
                }],
            });
            return;
        }
    };
    let (found_tx, mut found_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tasks = Vec::new();
    for (account, folders) in accounts {
        let (ctx, query, found) = (ctx.clone(), query.clone(), found_tx.clone());
        tasks.push(tokio::spawn(async move {
            let id = account.id;
            match search_account(&ctx, &account, &folders, &query).await {
                Ok((mut session, hits)) => {
                    let _ = found.send(Ok((id, hits.clone())));
                    // After the answer: the user sees the hits while their bodies come.
                    if let Err(e) = download(&ctx, &mut session, &folders, &hits).await {
                        tracing::warn!(account = id, "downloading server hits: {}", e.message);
                    }
                    let _ = session.logout().await;
                }
                Err(e) => {
                    let _ = found.send(Err(ServerFailure {
                        account: id,
                        kind: e.kind,
                        message: e.message,
                    }));
                }
            }
        }));
    }
    drop(found_tx);
    let mut hits = Vec::new();
    let mut failures = Vec::new();
    while let Some(answer) = found_rx.recv().await {
        match answer {
            Ok((_, found)) => hits.extend(found),
            Err(failure) => failures.push(failure),
        }
    }
    let ordered = {
        let (store, only) = (ctx.store.clone(), query.local.clone());
        tokio::task::spawn_blocking(move || {
            crate::search::newest_first(&store.reader()?, &hits, &only)
        })
        .await
    };
    let hits = match ordered {
        Ok(Ok(hits)) => hits,
        Ok(Err(e)) => storage_failure(&mut failures, e.to_string()),
        Err(e) => storage_failure(&mut failures, e.to_string()),
    };
    ctx.emit(Event::ServerSearchDone {
        request,
        hits,
        failures,
    });
    for task in tasks {
        let _ = task.await;
    }
}

fn storage_failure(failures: &mut Vec<ServerFailure>, message: String) -> Vec<i64> {
    failures.push(ServerFailure {
        account: 0,
        kind: ErrorKind::Storage,
        message,
    });
    Vec::new()
}

/// The IMAP accounts in scope, each with the folders to search.
async fn in_scope(ctx: &Context, scope: Scope) -> Result<Vec<(Account, Vec<Folder>)>, EngineError> {
    let only = ctx.options.only_accounts.clone();
    Ok(ctx
        .store
        .writer()
        .write(move |tx| {
            let mut out = Vec::new();
            for account in crate::store::accounts::list(tx)? {
                let wanted = account.imap.enabled
                    && scope.account.is_none_or(|a| a == account.id)
                    && (only.is_empty() || only.contains(&account.id));
                if !wanted {
                    continue;
                }
                let folders: Vec<Folder> = folders::list(tx, account.id)?
                    .into_iter()
                    .filter(|f| {
                        f.source == Origin::Imap
                            && f.selectable
                            && f.uidvalidity != 0
                            && scope.folder.is_none_or(|id| id == f.id)
                    })
                    .collect();
                if !folders.is_empty() {
                    out.push((account, folders));
                }
            }
            Ok(out)
        })
        .await?)
}

/// Searches every folder of one account; returns the session (for the downloads) and the
/// hits' row ids.
async fn search_account(
    ctx: &Context,
    account: &Account,
    folders: &[Folder],
    query: &ServerQuery,
) -> Result<(ImapSession, Vec<i64>), EngineError> {
    let (mut session, caps) = super::account::open_imap(ctx, account).await?;
    let literals = Literals::of(&caps);
    let mut hits = Vec::new();
    for folder in folders {
        let searched = tokio::time::timeout(
            FOLDER_TIMEOUT,
            search_folder(ctx, &mut session, literals, folder, query),
        )
        .await
        .map_err(|_| {
            EngineError::new(
                ErrorKind::Timeout,
                format!("searching {} on the server took too long", folder.name),
            )
        })?;
        hits.extend(searched?);
    }
    Ok((session, hits))
}

fn search_error(folder: &Folder, e: SearchError) -> EngineError {
    let doing = format!("searching {} on the server", folder.name);
    match e {
        SearchError::Charset(why) => EngineError::new(
            ErrorKind::SearchCharset,
            format!("{doing}: the server cannot search for this text ({why})"),
        ),
        SearchError::Connection(e) => EngineError::imap(&doing, e),
        other => EngineError::new(ErrorKind::Protocol, format!("{doing}: {other}")),
    }
}

async fn search_folder(
    ctx: &Context,
    session: &mut ImapSession,
    literals: Literals,
    folder: &Folder,
    query: &ServerQuery,
) -> Result<Vec<i64>, EngineError> {
    let mailbox = session
        .examine(&folder.wire_name)
        .await
        .map_err(|e| EngineError::imap(&format!("opening {}", folder.name), e))?;
    super::idle::drain(session);
    if mailbox
        .uid_validity
        .is_some_and(|v| v != folder.uidvalidity)
    {
        // Renumbered since the last sync: its UIDs would name other messages. The next sync
        // re-keys the folder; until then it is left out.
        tracing::info!(folder = folder.id, "UIDVALIDITY changed; not searched");
        return Ok(Vec::new());
    }
    let uids = search::uid_search(session, literals, CHARSET, &query.keys)
        .await
        .map_err(|e| search_error(folder, e))?;
    let fid = folder.id;
    let wanted = uids.clone();
    let known = ctx
        .store
        .writer()
        .write(move |tx| messages::ids_of_uids(tx, fid, &wanted))
        .await?;
    let mut ids: Vec<i64> = known.iter().map(|(_, id)| *id).collect();
    let mirrored: std::collections::HashSet<u32> = known.iter().map(|(uid, _)| *uid).collect();
    let mut missing: Vec<u32> = uids.into_iter().filter(|u| !mirrored.contains(u)).collect();
    // The newest (highest UIDs) when a search finds more than a sensible list.
    missing.sort_unstable_by(|a, b| b.cmp(a));
    missing.truncate(NEW_ENVELOPES);
    if !missing.is_empty() {
        let set = imap_sync::uid_set(&missing);
        ids.extend(
            imap_sync::fetch_envelopes(ctx, session, folder, &set, false, (0, Arrival::Backfill))
                .await?,
        );
    }
    Ok(ids)
}

/// Downloads the bodies of the newest hits that have none, folder by folder.
async fn download(
    ctx: &Context,
    session: &mut ImapSession,
    folders: &[Folder],
    hits: &[i64],
) -> Result<(), EngineError> {
    let limit = ctx.options.max_message();
    let wanted = hits.to_vec();
    let mut backlog = ctx
        .store
        .writer()
        .write(move |tx| messages::without_body_among(tx, &wanted, limit))
        .await?;
    backlog.truncate(BODIES);
    for folder in folders {
        let mine: Vec<BodyBacklog> = backlog
            .iter()
            .filter(|(f, _)| *f == folder.id)
            .map(|(_, b)| *b)
            .collect();
        imap_sync::fetch_bodies_of(ctx, session, folder, &mine).await?;
    }
    Ok(())
}

/// Downloads the bodies of `ids` now (a message outside the sync window the user opened),
/// each account on a connection of its own.
pub(crate) async fn fetch_now(ctx: Context, ids: Vec<i64>) {
    let accounts = match in_scope(&ctx, Scope::default()).await {
        Ok(accounts) => accounts,
        Err(e) => {
            tracing::warn!("downloading opened messages: {}", e.message);
            return;
        }
    };
    for (account, folders) in accounts {
        let wanted = ids.clone();
        let folder_ids: Vec<i64> = folders.iter().map(|f| f.id).collect();
        let mine = ctx
            .store
            .writer()
            .write(move |tx| {
                let mut out = Vec::new();
                for id in wanted {
                    if let Some(m) = messages::get(tx, id)?
                        && folder_ids.contains(&m.folder_id)
                    {
                        out.push(id);
                    }
                }
                Ok(out)
            })
            .await;
        let mine = match mine {
            Ok(mine) if !mine.is_empty() => mine,
            Ok(_) => continue,
            Err(e) => {
                tracing::warn!("downloading opened messages: {e}");
                continue;
            }
        };
        let fetched = async {
            let (mut session, _) = super::account::open_imap(&ctx, &account).await?;
            download(&ctx, &mut session, &folders, &mine).await?;
            let _ = session.logout().await;
            Ok::<_, EngineError>(())
        }
        .await;
        if let Err(e) = fetched {
            ctx.emit(Event::Error {
                account: account.id,
                kind: e.kind,
                message: e.message,
            });
        }
    }
}
