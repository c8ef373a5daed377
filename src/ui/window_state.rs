//! What the window keeps besides its screens and its place on the desktop: its files, the
//! launch, the status bar, the password prompts, and what the engine reports.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::engine::{AccountState, Command, EngineHandle, Event};

/// The files the window reads and writes.
#[derive(Debug)]
pub struct Paths {
    /// The store file (read-only here).
    pub db: PathBuf,
    /// Where language and theme choices are saved (None: not saved, as in tests).
    pub prefs_file: Option<PathBuf>,
    /// Where attachments are saved.
    pub downloads: PathBuf,
    /// Where attachments opened with another application are put.
    pub open_dir: Option<PathBuf>,
}

/// What the launch asked for, and the start-up reads.
#[derive(Debug, Default)]
pub struct Launching {
    /// What the launch asked for, acted on once the accounts are read.
    pub pending: Option<crate::launch::Launch>,
    /// Whether the first tree load happened (the start-up reads run once).
    pub started: bool,
}

/// The status bar's words.
#[derive(Debug, Default)]
pub struct Status {
    /// The last error, in words.
    pub last_error: Option<String>,
    /// The account the last error came from.
    pub error_account: Option<i64>,
    /// The last thing done that the status bar should mention.
    pub notice: Option<String>,
    /// Counts notices, so a timer clears only the one it was started for.
    pub notice_id: u64,
}

/// The engine, and what it reported of the accounts.
#[derive(Default)]
pub struct Sync {
    /// The engine, once it runs.
    pub engine: Option<EngineHandle>,
    /// Each account's connection state.
    pub states: HashMap<i64, AccountState>,
    /// Sync progress per account: done, total.
    pub progress: HashMap<i64, (u64, u64)>,
    /// Messages still waiting to be indexed for search (shown while a large backlog lasts).
    pub indexing: u64,
    /// A copy of each command for a test to read (`App::tap`); None in the real window, which
    /// keeps nothing once it is handed to the engine (a draft's attachments, passwords).
    pub tap: Option<std::sync::mpsc::Sender<Command>>,
}

impl Sync {
    /// Keeps what `event` says of the accounts' connections, sync progress and the search
    /// backlog.
    pub fn note(&mut self, event: &Event) {
        match event {
            Event::AccountState { account, state } => {
                self.states.insert(*account, state.clone());
            }
            // A folder's last batch ends its count: a quick refresh after filing a message (no
            // SyncDone follows it) must not leave "Syncing" behind.
            Event::SyncProgress {
                account,
                done,
                total,
                ..
            } if done >= total => {
                self.progress.remove(account);
            }
            Event::SyncProgress {
                account,
                done,
                total,
                ..
            } => {
                self.progress.insert(*account, (*done, *total));
            }
            Event::Indexing { left } => self.indexing = *left,
            Event::SyncDone { account, .. } => {
                self.progress.remove(account);
            }
            _ => {}
        }
    }
}
