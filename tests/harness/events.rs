//! What tests of the engine share, whatever server they run against: passwords in memory,
//! and waiting for events.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tidings::engine::{self, Event, Protocol, SecretError, Secrets};
use tidings::store::accounts::Account;
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
