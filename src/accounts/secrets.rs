//! Passwords in the OS keyring (Secret Service, Keychain, Credential Manager), one entry per
//! account and protocol, or — for machines without a keyring — held in memory for this run only
//! when the account is in "ask each start" mode. Never in SQLite, a file or a log.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use keyring_core::{Entry, Error as KeyringError};

use crate::store::accounts::{Account, PasswordMode, Protocol};

/// Why no password could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// None is stored (or typed) for this account and protocol.
    #[error("no password is stored for this account")]
    Missing,
    /// The keyring cannot be reached; the text says what to do.
    #[error("{0}")]
    Unavailable(String),
}

/// Where the engine (and the doctor, the CLI) get passwords; they are held in memory only for a login. Implementations
/// may block (keyring calls): the engine calls them off its async threads.
pub trait Secrets: Send + Sync {
    /// The password for `account`'s `protocol`.
    fn password(&self, account: &Account, protocol: Protocol) -> Result<String, SecretError>;

    /// Keeps a password the user typed (in the keyring, or for this run for "ask" accounts).
    fn save(
        &self,
        account: &Account,
        protocol: Protocol,
        password: &str,
    ) -> Result<(), SecretError> {
        let _ = (account, protocol, password);
        Err(SecretError::Unavailable(
            "this secrets provider cannot keep passwords".into(),
        ))
    }

    /// Forgets every password of an account.
    fn forget(&self, account: &Account) -> Result<(), SecretError> {
        let _ = account;
        Ok(())
    }
}

/// The keyring service name all Tidings entries share.
const SERVICE: &str = "Tidings";

/// Result of installing the platform store, once per process.
static STORE: OnceLock<Result<(), String>> = OnceLock::new();

fn platform_store() -> Result<(), String> {
    STORE
        .get_or_init(|| {
            #[cfg(target_os = "linux")]
            let store = zbus_secret_service_keyring_store::Store::new();
            #[cfg(target_os = "macos")]
            let store = apple_native_keyring_store::keychain::Store::new();
            #[cfg(target_os = "windows")]
            let store = windows_native_keyring_store::Store::new();
            #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
            let store: Result<Arc<keyring_core::CredentialStore>, String> =
                Err("this platform has no supported keyring".to_owned());
            match store {
                Ok(store) => {
                    keyring_core::set_default_store(store);
                    Ok(())
                }
                Err(e) => Err(e.to_string()),
            }
        })
        .clone()
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Imap => "imap",
        Protocol::Pop3 => "pop3",
        Protocol::Smtp => "smtp",
    }
}

/// Runs a keyring operation on a thread of its own. The Secret Service store drives D-Bus with
/// a runtime of its own, and starting one inside a running tokio runtime panics ("Cannot start
/// a runtime from within a runtime"): that crashed `tidings account test`. Whatever thread the
/// caller is on (a tokio worker, a blocking-pool thread, the CLI's main thread), the operation
/// never runs inside a runtime. Keyring calls are rare, so the thread costs nothing noticeable.
fn off_runtime<T: Send>(
    op: impl FnOnce() -> Result<T, SecretError> + Send,
) -> Result<T, SecretError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("tidings-keyring".into())
            .spawn_scoped(scope, op)
            .map_err(|e| unavailable(format!("cannot start the keyring thread: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(unavailable("the keyring call failed".into())))
    })
}

fn entry(account: &Account, protocol: Protocol) -> Result<Entry, SecretError> {
    platform_store().map_err(unavailable)?;
    let user = format!(
        "{}/{}/{}",
        account.id,
        protocol_name(protocol),
        account.address
    );
    Entry::new(SERVICE, &user).map_err(|e| classify(&e))
}

fn unavailable(detail: String) -> SecretError {
    SecretError::Unavailable(format!(
        "no keyring is reachable ({detail}); start your desktop's keyring (Secret Service), or \
         switch this account to \"ask for the password each start\""
    ))
}

fn classify(err: &KeyringError) -> SecretError {
    match err {
        KeyringError::NoEntry => SecretError::Missing,
        KeyringError::NoStorageAccess(e) | KeyringError::PlatformFailure(e) => {
            unavailable(e.to_string())
        }
        other => unavailable(other.to_string()),
    }
}

/// Saves a password in the keyring. Blocking (call it off the async threads), and safe from
/// any thread.
pub fn store_password(
    account: &Account,
    protocol: Protocol,
    password: &str,
) -> Result<(), SecretError> {
    off_runtime(|| {
        entry(account, protocol)?
            .set_password(password)
            .map_err(|e| classify(&e))
    })
}

/// Reads a password from the keyring. Blocking, and safe from any thread.
pub fn load_password(account: &Account, protocol: Protocol) -> Result<String, SecretError> {
    off_runtime(|| {
        entry(account, protocol)?
            .get_password()
            .map_err(|e| classify(&e))
    })
}

/// Removes an account's entries (all protocols); missing ones are fine. Blocking, and safe
/// from any thread.
pub fn forget(account: &Account) -> Result<(), SecretError> {
    off_runtime(|| {
        for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
            match entry(account, protocol)?.delete_credential() {
                Ok(()) | Err(KeyringError::NoEntry) => {}
                Err(e) => return Err(classify(&e)),
            }
        }
        Ok(())
    })
}

/// The secrets provider the app and the CLI give the engine: the keyring for keyring accounts,
/// and passwords typed this run (kept in memory only) for "ask" accounts or as an override.
#[derive(Default)]
pub struct AccountSecrets {
    typed: Mutex<HashMap<(i64, Protocol), String>>,
}

impl AccountSecrets {
    /// An empty provider.
    pub fn new() -> Arc<AccountSecrets> {
        Arc::new(AccountSecrets::default())
    }

    /// Remembers a password for this run only.
    pub fn remember(&self, account: i64, protocol: Protocol, password: String) {
        if let Ok(mut typed) = self.typed.lock() {
            typed.insert((account, protocol), password);
        }
    }
}

impl Secrets for AccountSecrets {
    fn password(&self, account: &Account, protocol: Protocol) -> Result<String, SecretError> {
        let typed = self
            .typed
            .lock()
            .ok()
            .and_then(|t| t.get(&(account.id, protocol)).cloned());
        if let Some(password) = typed {
            return Ok(password);
        }
        match account.password_mode {
            PasswordMode::Keyring => load_password(account, protocol),
            PasswordMode::Ask => Err(SecretError::Missing),
        }
    }

    fn save(
        &self,
        account: &Account,
        protocol: Protocol,
        password: &str,
    ) -> Result<(), SecretError> {
        if account.password_mode == PasswordMode::Keyring {
            store_password(account, protocol, password)?;
        }
        self.remember(account.id, protocol, password.to_owned());
        Ok(())
    }

    fn forget(&self, account: &Account) -> Result<(), SecretError> {
        if let Ok(mut typed) = self.typed.lock() {
            typed.retain(|(id, _), _| *id != account.id);
        }
        forget(account)
    }
}
