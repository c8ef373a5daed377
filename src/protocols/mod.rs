//! Network protocol clients; only the engine uses them.

pub mod imap;
pub mod pop3;
pub mod smtp;
pub mod tls;
