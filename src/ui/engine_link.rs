//! The engine as an iced subscription: it opens the store's writer, starts the engine, hands
//! the window an `EngineHandle` (the `Ready` handshake), then forwards every event.

use std::path::PathBuf;
use std::sync::Arc;

use futures::SinkExt;
use iced::Subscription;

use crate::accounts::secrets::AccountSecrets;
use crate::engine::{self, EngineHandle, EngineOptions, Event};
use crate::store::Store;

/// What the subscription reports.
#[derive(Debug, Clone)]
pub enum Link {
    /// The engine runs; send commands through this.
    Ready(EngineHandle),
    /// An engine event.
    Event(Event),
    /// The engine could not start.
    Failed(String),
}

/// The subscription for the store at `db`.
pub fn connect(db: PathBuf) -> Subscription<Link> {
    Subscription::run_with(db, |db| {
        let db = db.clone();
        iced::stream::channel(100, async move |mut output| {
            let store = match Store::open(&db) {
                Ok(store) => store,
                Err(e) => {
                    let _ = output.send(Link::Failed(e.to_string())).await;
                    return;
                }
            };
            let secrets: Arc<AccountSecrets> = AccountSecrets::new();
            let (handle, mut events) = engine::spawn(store, secrets, EngineOptions::default());
            let _ = output.send(Link::Ready(handle)).await;
            while let Some(event) = events.recv().await {
                if output.send(Link::Event(event)).await.is_err() {
                    return;
                }
            }
        })
    })
}
