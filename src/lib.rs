//! Tidings: a desktop mail client for IMAP, POP3 and SMTP.
//!
//! The library holds everything but the process entry point, so integration tests and
//! benchmarks reach the same code the application runs.

pub mod accounts;
#[cfg(test)]
mod architecture;
pub mod cli;
pub mod engine;
pub mod i18n;
pub mod launch;
pub mod logging;
pub mod mime;
pub mod paths;
pub mod protocols;
pub mod search;
pub mod store;
pub mod tray;
pub mod ui;
