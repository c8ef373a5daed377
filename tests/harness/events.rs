//! What tests of the engine share, whatever server they run against: passwords in memory,
//! and waiting for events.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tidings::engine::{self, EngineOptions, Event, Protocol, SecretError, Secrets};
use tidings::store::Store;
use tidings::store::accounts::{self, Account, PasswordMode};
use tokio::sync::mpsc::UnboundedReceiver;

use super::Result;

/// Passwords held in memory for the engine.
pub struct TestSecrets(pub HashMap<i64, String>);

impl Secrets for TestSecrets {
    fn password(
        &self,
        account: &Account,
        _protocol: Protocol,
    ) -> std::result::Result<String, SecretError> {
        self.0.get(&account.id).cloned().ok_or(SecretError::Missing)
    }
}

/// Adds `account` to `store`, trusting each of `ca` (DER) for `host`; returns its id.
pub fn add_account(store: &Store, account: Account, host: &str, ca: Vec<Vec<u8>>) -> Result<i64> {
    let host = host.to_owned();
    Ok(store.writer().write_blocking(move |tx| {
        let id = accounts::insert(tx, &account)?;
        for der in &ca {
            tidings::store::certificates::trust_ca(tx, id, &host, der)?;
        }
        Ok(id)
    })?)
}

/// The kinds of the error events among `events`, in order.
pub fn error_kinds(events: &[Event]) -> Vec<engine::ErrorKind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Error { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect()
}

/// Waits (bounded) for an event matching `pred`; returns it.
pub async fn wait_for(
    events: &mut UnboundedReceiver<Event>,
    within: Duration,
    mut pred: impl FnMut(&Event) -> bool,
) -> Result<Event> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline.into(), events.recv()).await {
            Ok(Some(e)) if pred(&e) => return Ok(e),
            Ok(Some(e)) => seen.push(e),
            Ok(None) => return Err(format!("engine stopped; events: {seen:?}").into()),
            Err(_) => return Err(format!("no matching event in {within:?}; saw {seen:?}").into()),
        }
    }
}

/// The built binary on the store in `dir`, the password given the way a script gives it:
/// TIDINGS_PASSWORD, which only an "ask each start" account takes (so the account becomes
/// one) and only when the command names it (`--account` or the address).
pub fn cli(
    store: &Store,
    dir: &Path,
    account: i64,
    password: &str,
) -> Result<std::process::Command> {
    store.writer().write_blocking(move |tx| {
        let Some(mut a) = accounts::get(tx, account)? else {
            return Ok(());
        };
        a.password_mode = PasswordMode::Ask;
        accounts::update(tx, &a)
    })?;
    let mut p = std::process::Command::new(env!("CARGO_BIN_EXE_tidings"));
    p.arg("--data-dir")
        .arg(dir)
        .env("TIDINGS_PASSWORD", password)
        .stdin(std::process::Stdio::null());
    Ok(p)
}

/// Runs one sync pass (`once` is set here) and returns every event.
pub async fn sync_once(
    store: &Store,
    secrets: Arc<dyn Secrets>,
    options: EngineOptions,
) -> Result<Vec<Event>> {
    let (_handle, mut events) = engine::spawn(
        store.clone(),
        secrets,
        EngineOptions {
            once: true,
            ..options
        },
    );
    let mut all = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match tokio::time::timeout_at(deadline.into(), events.recv()).await {
            Ok(Some(e)) => all.push(e),
            Ok(None) => return Ok(all),
            Err(_) => return Err(format!("sync did not finish: {all:?}").into()),
        }
    }
}
