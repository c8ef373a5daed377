//! IMAP: connecting and logging in, folder-name encoding.

pub mod connect;
pub mod guard;
pub mod namespace;
pub mod search;
pub mod utf7;

pub use connect::{ImapError, ImapSession, Login, connect, ensure_ok};
