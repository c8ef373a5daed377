//! The sync engine: tokio tasks that own the network and the writes, driven by `Command`s and
//! reporting `Event`s. The UI and the CLI are its only clients; neither touches a socket.
//!
//! Its core in parts: `api` (what clients send and hear), `context` (what the tasks share),
//! `router` (the main loop that hands each command to its part), `trust` (certificates).

mod account;
mod actions;
mod admin;
mod api;
mod backoff;
mod context;
mod drafts;
mod errors;
mod folder_list;
mod idle;
mod imap_sync;
mod indexer;
pub mod ingest;
mod local;
pub mod outbox;
mod pop3_fetch;
mod pop3_store;
mod remote;
mod router;
pub mod server_search;
mod trust;
mod worker;

pub use api::{
    AccountState, Change, Command, EngineHandle, EngineOptions, EngineStopped, Event, Typed,
};
pub(crate) use context::Context;
pub use errors::ErrorKind;
pub use router::spawn;
pub(crate) use trust::{account_trust, tls_for};

pub use crate::accounts::secrets::{SecretError, Secrets};
pub use crate::store::accounts::Protocol;
