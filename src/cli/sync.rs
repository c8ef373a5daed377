//! `tidings sync`: the engine without a window, printing what it does.

use super::error::{CliError, Kind};
use clap::Args;

use super::terminal;

use crate::accounts::secrets::AccountSecrets;
use crate::engine::outbox::SendOutcome;
use crate::engine::{self, AccountState, Command, EngineOptions, Event, Protocol};
use crate::store::Store;

/// Options of `tidings sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this account (address or name).
    #[arg(long)]
    account: Option<String>,
    /// Sync once and exit, instead of staying connected and idling.
    #[arg(long)]
    once: bool,
    /// Download messages up to this many megabytes (default 100); larger ones are listed
    /// from their headers only.
    #[arg(long, value_name = "MB")]
    max_message_mb: Option<u64>,
}

/// Runs the engine and prints its events; fails when any account reported an error.
pub fn run(store: Store, args: SyncArgs) -> Result<(), CliError> {
    let accounts = super::select_accounts(&store, args.account.as_deref())?;
    if accounts.is_empty() {
        return Err(CliError::new(
            Kind::NotFound,
            "no accounts to sync; add one with `tidings account add`",
        ));
    }
    let password = super::password_from_env(args.account.as_deref(), &accounts)?;
    drive(
        store,
        &accounts,
        EngineOptions {
            once: args.once,
            only_accounts: accounts.iter().map(|a| a.id).collect(),
            max_message_bytes: args
                .max_message_mb
                .map_or(0, |mb| mb.saturating_mul(1024 * 1024).max(1)),
            ..EngineOptions::default()
        },
        password,
    )
}

/// Runs one sending pass for `account` (no sync, no download), printing what happens. The
/// user chose this one account (by `--account` or by the outbox item).
pub fn send_pass(store: Store, account: &crate::store::accounts::Account) -> Result<(), CliError> {
    let password = super::password_from_env(Some(&account.address), std::slice::from_ref(account))?;
    drive(
        store,
        std::slice::from_ref(account),
        EngineOptions {
            once: true,
            send_only: true,
            only_accounts: vec![account.id],
            ..EngineOptions::default()
        },
        password,
    )
}

/// Runs the engine for `accounts` and prints its events; in `once` mode, fails with the last
/// error any account reported.
pub fn drive(
    store: Store,
    accounts: &[crate::store::accounts::Account],
    options: EngineOptions,
    password: Option<(i64, String)>,
) -> Result<(), CliError> {
    let once = options.once;
    let names: std::collections::HashMap<i64, String> =
        accounts.iter().map(|a| (a.id, a.address.clone())).collect();
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| CliError::new(Kind::Io, format!("cannot start: {e}")))?;
    runtime.block_on(async move {
        let secrets = AccountSecrets::new();
        // A password given to this run only, for the one "ask each start" account named.
        if let Some((account, password)) = password {
            for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
                secrets.remember(account, protocol, password.clone());
            }
        }
        let reader = store.reader().ok();
        let folder_name = |id: i64| {
            reader
                .as_ref()
                .and_then(|r| crate::store::folders::get(r, id).ok().flatten())
                .map(|f| f.name)
                .unwrap_or_else(|| format!("folder {id}"))
        };
        let (handle, mut events) = engine::spawn(store, secrets, options);
        let mut failure: Option<CliError> = None;
        let mut progress = terminal::Progress::new();
        loop {
            let event = tokio::select! {
                e = events.recv() => e,
                _ = tokio::signal::ctrl_c() => {
                    let _ = handle.send(Command::Shutdown).await;
                    None
                }
            };
            let Some(event) = event else { break };
            let name = |id: &i64| names.get(id).cloned().unwrap_or_else(|| id.to_string());
            match event {
                Event::AccountState { account, state } => match state {
                    AccountState::Connecting => terminal::say!("{}: connecting", name(&account)),
                    AccountState::Online => terminal::say!("{}: online", name(&account)),
                    AccountState::Offline(reason) => {
                        terminal::say!("{}: offline: {reason}", name(&account))
                    }
                },
                Event::SyncProgress {
                    account,
                    folder,
                    done,
                    total,
                } => progress.show(
                    &terminal::clean(&format!(
                        "{}: {}: {done}/{total}",
                        name(&account),
                        folder_name(folder)
                    )),
                    done >= total,
                ),
                Event::SyncDone { account, .. } => terminal::say!("{}: synced", name(&account)),
                Event::Indexing { left } => {
                    progress.show(&format!("indexing for search: {left} left"), left == 0)
                }
                Event::Error {
                    account,
                    kind,
                    message,
                } => {
                    terminal::say_err!("{}: error ({kind:?}): {message}", name(&account));
                    failure = Some(CliError::new(error_kind(kind), message));
                }
                Event::Sending { account, item } => {
                    terminal::say!("{}: sending outbox item {item}", name(&account))
                }
                Event::SendResult {
                    account,
                    item,
                    outcome,
                } => match outcome {
                    SendOutcome::Sent => {
                        terminal::say!("{}: sent outbox item {item}", name(&account))
                    }
                    SendOutcome::Retrying(why) => {
                        terminal::say_err!(
                            "{}: outbox item {item} will be retried: {why}",
                            name(&account)
                        );
                        failure = Some(CliError::new(Kind::Servers, why));
                    }
                    SendOutcome::Failed(why) => {
                        terminal::say_err!(
                            "{}: outbox item {item} was refused: {why}",
                            name(&account)
                        );
                        failure = Some(CliError::new(Kind::Servers, why));
                    }
                    SendOutcome::MayHaveBeenSent => {
                        let why = format!(
                            "outbox item {item} may have been sent already; check Sent, then \
                             `tidings outbox retry {item}` or `tidings outbox discard {item}`"
                        );
                        terminal::say_err!("{}: {why}", name(&account));
                        failure = Some(CliError::new(Kind::Servers, why));
                    }
                },
                Event::FoldersChanged { .. }
                | Event::AccountChanged { .. }
                | Event::MessagesChanged { .. }
                | Event::OutboxChanged { .. }
                | Event::DraftSaved { .. }
                | Event::AccountSaved { .. }
                | Event::NewMail { .. }
                | Event::DoctorStep { .. }
                | Event::AutoconfigFound { .. }
                | Event::RemoteAllowed { .. }
                | Event::ThreadsChanged { .. }
                | Event::RemoteImage { .. }
                | Event::AccountRemoved { .. }
                | Event::ServerSearchDone { .. }
                | Event::ConnectionReport(_) => {}
            }
        }
        terminal::end_progress();
        match failure {
            Some(failed) if once => Err(failed),
            _ => Ok(()),
        }
    })
}

/// What an engine error means for the command's exit status.
fn error_kind(kind: crate::engine::ErrorKind) -> Kind {
    use crate::engine::ErrorKind as E;
    match kind {
        E::Storage => Kind::Store,
        E::NoPassword | E::KeyringUnavailable => Kind::Keyring,
        _ => Kind::Servers,
    }
}
