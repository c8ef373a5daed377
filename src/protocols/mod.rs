//! Network protocol clients; only the engine uses them.

pub mod imap;
pub mod pop3;
pub mod smtp;
pub mod tls;

/// The largest message downloaded by default (IMAP and POP3), in bytes. Bigger ones are listed
/// with their headers and a note instead of blocking every later message; a server cannot make
/// us hold more than this for one message.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 100 * 1024 * 1024;
