//! The engine's main loop: starts and stops the per-account tasks and routes each command to
//! the part that does it.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::context::Context;
use super::{
    AccountState, Command, EngineHandle, EngineOptions, ErrorKind, Event, Protocol, Secrets,
    account, admin, drafts, indexer, local, outbox, pop3_fetch, remote, server_search, worker,
};
use crate::store::Store;
use crate::store::accounts::Account;

/// Starts the engine on the current tokio runtime.
pub fn spawn(
    store: Store,
    secrets: Arc<dyn Secrets>,
    options: EngineOptions,
) -> (EngineHandle, mpsc::UnboundedReceiver<Event>) {
    let (commands, command_rx) = mpsc::channel(64);
    let (events, event_rx) = mpsc::unbounded_channel();
    let ctx = Context {
        store,
        secrets,
        options: Arc::new(options),
        events,
        reachable: tokio::sync::broadcast::channel(64).0,
        actions_queued: tokio::sync::broadcast::channel(64).0,
        single_uid_ranges: Arc::default(),
        indexer_wake: Arc::default(),
        syncing: Arc::default(),
    };
    tokio::spawn(run(ctx, command_rx));
    (EngineHandle { commands }, event_rx)
}

/// The engine's running tasks: an IMAP supervisor and an outbox sender per account.
#[derive(Default)]
struct Tasks {
    supervisors: HashMap<i64, account::Supervisor>,
    senders: HashMap<i64, worker::Worker>,
    pollers: HashMap<i64, worker::Worker>,
}

impl Tasks {
    async fn all_finished(&mut self) {
        loop {
            let done = self
                .supervisors
                .values()
                .all(account::Supervisor::is_finished)
                && self.senders.values().all(worker::Worker::is_finished)
                && self.pollers.values().all(worker::Worker::is_finished);
            if done {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// The engine's main loop: keeps the per-account tasks and routes commands.
async fn run(ctx: Context, mut commands: mpsc::Receiver<Command>) {
    let indexer = tokio::spawn(indexer::run(ctx.clone()));
    let mut tasks = Tasks::default();
    refresh_accounts(&ctx, &mut tasks).await;
    loop {
        let command = if ctx.options.once {
            // In --once mode the engine ends when every task has.
            tokio::select! {
                c = commands.recv() => c,
                _ = tasks.all_finished() => None,
            }
        } else {
            commands.recv().await
        };
        let Some(command) = command else { break };
        match command {
            Command::Shutdown => break,
            Command::AccountsChanged => refresh_accounts(&ctx, &mut tasks).await,
            Command::SetProtocol {
                account,
                protocol,
                enabled,
            } => {
                let saved = ctx
                    .store
                    .writer()
                    .write(move |tx| {
                        let Some(mut a) = crate::store::accounts::get(tx, account)? else {
                            return Ok(());
                        };
                        match protocol {
                            Protocol::Imap => a.imap.enabled = enabled,
                            Protocol::Pop3 => a.pop3.enabled = enabled,
                            Protocol::Smtp => a.smtp.enabled = enabled,
                        }
                        crate::store::accounts::update(tx, &a)
                    })
                    .await;
                match saved {
                    Ok(()) => ctx.emit(Event::AccountChanged { account }),
                    Err(e) => ctx.emit(Event::Error {
                        account,
                        kind: ErrorKind::Storage,
                        message: e.to_string(),
                    }),
                }
                refresh_accounts(&ctx, &mut tasks).await;
            }
            Command::ChooseFolderRole {
                account,
                role,
                folder,
            } => {
                if admin::choose_role(&ctx, account, role, folder).await {
                    // The next folder-list pass applies "as the server says".
                    for (id, sup) in &tasks.supervisors {
                        if *id == account {
                            sup.wake(account::Wake::All);
                        }
                    }
                }
            }
            Command::TestConnection { account } => {
                tokio::spawn(admin::test_saved(ctx.clone(), account));
            }
            Command::TestSettings {
                account,
                passwords,
                trust,
            } => {
                tokio::spawn(admin::test_settings(
                    ctx.clone(),
                    *account,
                    passwords.0,
                    trust,
                ));
            }
            Command::Autoconfig { address } => {
                tokio::spawn(admin::autoconfig(ctx.clone(), address));
            }
            Command::ProvidePassword { account, passwords } => {
                if admin::provide(&ctx, account, passwords.0).await {
                    if let Some(sup) = tasks.supervisors.get(&account) {
                        sup.wake(account::Wake::All);
                    }
                    for workers in [&tasks.pollers, &tasks.senders] {
                        if let Some(w) = workers.get(&account) {
                            w.wake();
                        }
                    }
                }
            }
            Command::AllowRemoteFrom { account, sender } => {
                remote::allow_sender(&ctx, account, sender).await;
            }
            Command::FetchRemote { message, urls } => {
                tokio::spawn(remote::fetch(ctx.clone(), message, urls));
            }
            Command::SearchServer {
                request,
                query,
                scope,
            } => {
                tokio::spawn(server_search::run(ctx.clone(), request, query, scope));
            }
            Command::Download { messages } => {
                tokio::spawn(server_search::fetch_now(ctx.clone(), messages));
            }
            Command::GroupBySubject(on) => {
                let written = ctx
                    .store
                    .writer()
                    .write(move |tx| crate::store::threads::set_by_subject(tx, on))
                    .await;
                match written {
                    Ok(_) => ctx.emit(Event::ThreadsChanged { by_subject: on }),
                    Err(e) => ctx.emit(Event::Error {
                        account: 0,
                        kind: ErrorKind::Storage,
                        message: e.to_string(),
                    }),
                }
            }
            Command::SaveAccount {
                account,
                passwords,
                trust,
            } => {
                if admin::save(&ctx, *account, passwords.0, trust).await {
                    refresh_accounts(&ctx, &mut tasks).await;
                }
            }
            Command::RemoveAccount {
                account,
                keep_mirror,
            } => {
                if admin::remove(&ctx, account, keep_mirror).await {
                    refresh_accounts(&ctx, &mut tasks).await;
                }
            }
            Command::SyncNow { account } => {
                for (id, sup) in &tasks.supervisors {
                    if account.is_none_or(|a| a == *id) {
                        sup.wake(account::Wake::All);
                    }
                }
                for (id, poller) in &tasks.pollers {
                    if account.is_none_or(|a| a == *id) {
                        poller.wake();
                    }
                }
                // An explicit sync also retries at once the mail the network held back.
                for (id, sender) in &tasks.senders {
                    if account.is_none_or(|a| a == *id) {
                        if let Err(e) = outbox::retry_held_back(&ctx, sender.config()).await {
                            ctx.emit(Event::Error {
                                account: *id,
                                kind: e.kind,
                                message: e.message,
                            });
                        }
                        sender.wake();
                    }
                }
            }
            Command::Send { draft } => {
                if let Some(account) = drafts::send(&ctx, draft).await
                    && let Some(sender) = tasks.senders.get(&account)
                {
                    sender.wake();
                }
            }
            Command::SaveDraft {
                draft,
                attachments,
                file,
            } => {
                if let Some(account) = drafts::save(&ctx, *draft, attachments, file).await
                    && let Some(sup) = tasks.supervisors.get(&account)
                {
                    sup.wake(account::Wake::Actions);
                }
            }
            Command::RetrySend { item } | Command::DiscardSend { item } => {
                let retry = matches!(command, Command::RetrySend { .. });
                if let Some(account) = drafts::resolve(&ctx, item, retry).await
                    && let Some(sender) = tasks.senders.get(&account)
                {
                    sender.wake();
                }
            }
            Command::Change(change) => {
                let touched = local::apply(&ctx, change).await;
                for id in touched {
                    if let Some(sup) = tasks.supervisors.get(&id) {
                        sup.wake(account::Wake::Actions);
                    }
                    if let Some(poller) = tasks.pollers.get(&id) {
                        poller.wake();
                    }
                }
            }
        }
    }
    for (_, sup) in tasks.supervisors.drain() {
        sup.stop().await;
    }
    for (_, worker) in tasks.senders.drain().chain(tasks.pollers.drain()) {
        worker.stop().await;
    }
    indexer.abort();
    if ctx.options.once {
        // `sync --once` ends with everything it mirrored searchable.
        if let Err(e) = indexer::drain(&ctx).await {
            ctx.emit(Event::Error {
                account: 0,
                kind: ErrorKind::Storage,
                message: format!("indexing for search: {e}"),
            });
        }
    }
}

async fn refresh_accounts(ctx: &Context, tasks: &mut Tasks) {
    let store = ctx.store.clone();
    let listed = tokio::task::spawn_blocking(move || {
        let reader = store.reader()?;
        crate::store::accounts::list(&reader)
    })
    .await;
    let wanted: Vec<Account> = match listed {
        Ok(Ok(list)) => list
            .into_iter()
            .filter(|a| {
                ctx.options.only_accounts.is_empty() || ctx.options.only_accounts.contains(&a.id)
            })
            .collect(),
        Ok(Err(e)) => {
            ctx.emit(Event::Error {
                account: 0,
                kind: ErrorKind::Storage,
                message: e.to_string(),
            });
            return;
        }
        Err(e) => {
            ctx.emit(Event::Error {
                account: 0,
                kind: ErrorKind::Storage,
                message: e.to_string(),
            });
            return;
        }
    };
    let stale: Vec<i64> = tasks
        .supervisors
        .iter()
        .filter(|(id, sup)| !wanted.iter().any(|a| a.id == **id && sup.config() == a))
        .map(|(id, _)| *id)
        .collect();
    for id in stale {
        if let Some(sup) = tasks.supervisors.remove(&id) {
            sup.stop().await;
            if !wanted.iter().any(|a| a.id == id && a.imap.enabled) {
                // Switched off (or removed): the mirrored mail stays, the connection goes.
                ctx.emit(Event::AccountState {
                    account: id,
                    state: AccountState::Offline("IMAP is switched off".into()),
                });
            }
        }
    }
    for workers in [&mut tasks.senders, &mut tasks.pollers] {
        let stale: Vec<i64> = workers
            .iter()
            .filter(|(id, w)| !wanted.iter().any(|a| a.id == **id && w.config() == a))
            .map(|(id, _)| *id)
            .collect();
        for id in stale {
            if let Some(worker) = workers.remove(&id) {
                worker.stop().await;
            }
        }
    }
    for account in wanted {
        if account.imap.enabled
            && !ctx.options.send_only
            && !tasks.supervisors.contains_key(&account.id)
        {
            tasks.supervisors.insert(
                account.id,
                account::Supervisor::start(ctx.clone(), account.clone()),
            );
        }
        if account.pop3.enabled
            && !ctx.options.send_only
            && !tasks.pollers.contains_key(&account.id)
        {
            tasks
                .pollers
                .insert(account.id, pop3_fetch::start(ctx.clone(), account.clone()));
        }
        if account.smtp.enabled && !tasks.senders.contains_key(&account.id) {
            tasks
                .senders
                .insert(account.id, outbox::start(ctx.clone(), account));
        }
    }
}
