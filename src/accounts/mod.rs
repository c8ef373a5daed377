//! Accounts: the settings model (stored in SQLite) and the passwords (in the OS keyring).

pub mod autoconfig;
pub mod doctor;
pub mod providers;
pub mod secrets;

pub use crate::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
