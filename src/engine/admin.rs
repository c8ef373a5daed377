//! Account administration for the window: save, remove and test settings. Writes go through
//! the store's writer and passwords through the secrets provider, both off the async threads.

use super::{Context, ErrorKind, Event, Protocol, account_trust};
use crate::store::accounts::{self, Account};

fn storage_error(ctx: &Context, account: i64, err: impl Into<super::errors::EngineError>) {
    let err = err.into();
    ctx.emit(Event::Error {
        account,
        kind: err.kind,
        message: err.message,
    });
}

/// Reads a stored account; a failure is reported and gives None.
async fn load(ctx: &Context, id: i64) -> Option<Account> {
    let store = ctx.store.clone();
    match tokio::task::spawn_blocking(move || accounts::get(&store.reader()?, id)).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => {
            storage_error(ctx, id, e);
            None
        }
        Err(e) => {
            storage_error(ctx, id, e);
            None
        }
    }
}

/// Inserts or updates `account` and keeps the typed passwords. Returns whether it was saved.
pub(super) async fn save(
    ctx: &Context,
    mut account: Account,
    passwords: Vec<(Protocol, String)>,
    trust: Vec<(String, u16, Vec<u8>)>,
) -> bool {
    // The keyring entries are named after the address: a renamed account carries them over.
    let before = if account.id == 0 {
        None
    } else {
        load(ctx, account.id).await
    };
    let row = account.clone();
    let written = ctx
        .store
        .writer()
        .write(move |tx| {
            let id = if row.id == 0 {
                accounts::insert(tx, &row)?
            } else {
                accounts::update(tx, &row)?;
                row.id
            };
            // Pinned in the same transaction: an account never exists without the
            // certificates its user chose to trust.
            for (host, port, der) in &trust {
                crate::store::certificates::pin(tx, id, host, *port, der)?;
            }
            Ok(id)
        })
        .await;
    account.id = match written {
        Ok(id) => id,
        Err(e) => {
            storage_error(ctx, account.id, e);
            return false;
        }
    };
    let (secrets, who) = (ctx.secrets.clone(), account.clone());
    let renamed = before.filter(|b| b.address != account.address);
    let kept = tokio::task::spawn_blocking(move || {
        if let Some(old) = &renamed {
            // Read every old one first: forgetting the old name also clears this run's memory.
            let carried: Vec<(Protocol, String)> = [Protocol::Imap, Protocol::Pop3, Protocol::Smtp]
                .into_iter()
                .filter(|p| !passwords.iter().any(|(q, pw)| q == p && !pw.is_empty()))
                .filter_map(|p| secrets.password(old, p).ok().map(|pw| (p, pw)))
                .collect();
            secrets.forget(old)?;
            for (protocol, password) in &carried {
                secrets.save(&who, *protocol, password)?;
            }
        }
        for (protocol, password) in passwords.iter().filter(|(_, p)| !p.is_empty()) {
            secrets.save(&who, *protocol, password)?;
        }
        Ok::<(), super::SecretError>(())
    })
    .await;
    let id = account.id;
    match kept {
        Ok(Ok(())) => {}
        Ok(Err(e)) => ctx.emit(Event::Error {
            account: id,
            kind: ErrorKind::KeyringUnavailable,
            message: e.to_string(),
        }),
        Err(e) => storage_error(ctx, id, e),
    }
    ctx.emit(Event::AccountSaved { account: id });
    ctx.emit(Event::AccountChanged { account: id });
    true
}

/// Removes an account, or with `keep_mirror` switches every protocol off and keeps its mail.
/// Its passwords are forgotten either way. Returns whether anything changed.
pub(super) async fn remove(ctx: &Context, id: i64, keep_mirror: bool) -> bool {
    let Some(mut account) = load(ctx, id).await else {
        return false;
    };
    let (secrets, who) = (ctx.secrets.clone(), account.clone());
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || secrets.forget(&who)).await {
        // The account goes anyway; the stale keyring entry is reported, not fatal.
        ctx.emit(Event::Error {
            account: id,
            kind: ErrorKind::KeyringUnavailable,
            message: e.to_string(),
        });
    }
    let written = if keep_mirror {
        account.imap.enabled = false;
        account.pop3.enabled = false;
        account.smtp.enabled = false;
        ctx.store
            .writer()
            .write(move |tx| accounts::update(tx, &account))
            .await
    } else {
        ctx.store
            .writer()
            .write(move |tx| accounts::delete(tx, id))
            .await
    };
    if let Err(e) = written {
        storage_error(ctx, id, e);
        return false;
    }
    ctx.emit(Event::AccountRemoved { account: id });
    true
}

/// Keeps passwords typed at a prompt for a saved account. Returns whether all were kept.
pub(super) async fn provide(ctx: &Context, id: i64, passwords: Vec<(Protocol, String)>) -> bool {
    let Some(account) = load(ctx, id).await else {
        return false;
    };
    let secrets = ctx.secrets.clone();
    let kept = tokio::task::spawn_blocking(move || {
        for (protocol, password) in passwords.iter().filter(|(_, p)| !p.is_empty()) {
            secrets.save(&account, *protocol, password)?;
        }
        Ok::<(), super::SecretError>(())
    })
    .await;
    match kept {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            ctx.emit(Event::Error {
                account: id,
                kind: ErrorKind::KeyringUnavailable,
                message: e.to_string(),
            });
            false
        }
        Err(e) => {
            storage_error(ctx, id, e);
            false
        }
    }
}

/// The doctor on a saved account.
pub(super) async fn test_saved(ctx: Context, id: i64) {
    if let Some(account) = load(&ctx, id).await {
        test_settings(ctx, account, Vec::new(), Vec::new()).await;
    }
}

/// The doctor on `account` as given (perhaps not saved): typed passwords first, then stored.
pub(super) async fn test_settings(
    ctx: Context,
    account: Account,
    typed: Vec<(Protocol, String)>,
    trust: Vec<(String, u16, Vec<u8>)>,
) {
    let roots = match account_trust(&ctx, &account).await {
        Ok(mut known) => {
            // Certificates accepted in the form, not saved yet: pins of their servers.
            known
                .entries
                .extend(trust.into_iter().map(|(host, port, der)| {
                    crate::protocols::tls::TrustEntry {
                        host,
                        port,
                        kind: crate::protocols::tls::TrustKind::Pin,
                        der,
                    }
                }));
            known
        }
        Err(e) => {
            return ctx.emit(Event::Error {
                account: account.id,
                kind: e.kind,
                message: e.message,
            });
        }
    };
    let (secrets, who) = (ctx.secrets.clone(), account.clone());
    let stored = tokio::task::spawn_blocking(move || {
        [Protocol::Imap, Protocol::Pop3, Protocol::Smtp].map(|p| {
            let known = if who.id == 0 {
                None
            } else {
                secrets.password(&who, p).ok()
            };
            (p, known)
        })
    })
    .await
    .unwrap_or([
        (Protocol::Imap, None),
        (Protocol::Pop3, None),
        (Protocol::Smtp, None),
    ]);
    let password = |p: Protocol| {
        typed
            .iter()
            .find(|(q, pw)| *q == p && !pw.is_empty())
            .map(|(_, pw)| pw.clone())
            .or_else(|| {
                stored
                    .iter()
                    .find(|(q, _)| *q == p)
                    .and_then(|(_, pw)| pw.clone())
            })
    };
    let live = |protocol: Protocol, step: &crate::accounts::doctor::StepResult| {
        ctx.emit(Event::DoctorStep {
            protocol,
            step: step.clone(),
        });
    };
    let report = crate::accounts::doctor::examine_live(&account, password, &roots, &live).await;
    ctx.emit(Event::ConnectionReport(report));
}

/// Looks up the settings for an address and reports what was found.
pub(super) async fn autoconfig(ctx: Context, address: String) {
    use crate::accounts::autoconfig::{self, Lookup};
    let how = ctx.options.autoconfig.clone().unwrap_or_else(|| Lookup {
        extra_roots: ctx.options.extra_roots.clone(),
        ..Lookup::default()
    });
    let result = autoconfig::lookup(&address, &how)
        .await
        .map(Box::new)
        .map_err(|e| e.to_string());
    ctx.emit(Event::AutoconfigFound { address, result });
}

/// Saves the user's choice of a folder for `role` (None: automatic again) and shows it at
/// once. Returns whether it was saved.
pub(super) async fn choose_role(
    ctx: &Context,
    account: i64,
    role: crate::store::folders::Role,
    folder: Option<i64>,
) -> bool {
    use crate::store::folders;
    let saved = ctx
        .store
        .writer()
        .write(move |tx| match folder {
            Some(id) => match folders::get(tx, id)? {
                Some(f) if f.account_id == account => {
                    folders::choose_role(tx, account, &f.wire_name, role)
                }
                _ => Ok(()),
            },
            None => folders::clear_chosen_role(tx, account, None, Some(role)),
        })
        .await;
    match saved {
        Ok(()) => {
            ctx.emit(Event::FoldersChanged { account });
            true
        }
        Err(e) => {
            storage_error(ctx, account, e);
            false
        }
    }
}
