//! Which certificates an account's servers may present.

use std::sync::Arc;

use super::context::Context;
use super::{ErrorKind, errors};
use crate::store::accounts::Account;

/// What an account trusts beyond the OS store: the engine's extra roots for every server, and
/// the certificates the user trusted, each for its own server.
pub(crate) async fn account_trust(
    ctx: &Context,
    account: &Account,
) -> Result<crate::protocols::tls::Trust, errors::EngineError> {
    let store = ctx.store.clone();
    let id = account.id;
    let entries = tokio::task::spawn_blocking(move || {
        crate::store::certificates::for_account(&store.reader()?, id)
    })
    .await??;
    Ok(crate::protocols::tls::Trust {
        roots: ctx.options.extra_roots.clone(),
        entries,
    })
}

/// The TLS config for one of the account's servers.
pub(crate) async fn tls_for(
    ctx: &Context,
    account: &Account,
    server: &crate::store::accounts::ServerSettings,
) -> Result<Arc<rustls::ClientConfig>, errors::EngineError> {
    account_trust(ctx, account)
        .await?
        .config_for(&server.host, server.port)
        .map_err(|e| errors::EngineError::new(ErrorKind::Tls, e.to_string()))
}
