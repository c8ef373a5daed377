//! Network protocol clients; only the engine uses them.

pub mod imap;
pub mod tls;
