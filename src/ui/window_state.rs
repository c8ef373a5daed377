//! What the window keeps besides its screens and its place on the desktop: its files, the
//! launch, the status bar, the password prompts, and what the engine reports.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::engine::{AccountState, Command, EngineHandle, ErrorKind, Event};
use crate::i18n::I18n;

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

impl Paths {
    /// The window's files around the store at `db`: attachments saved to the user's Downloads
    /// (or the temporary folder), opened ones in the private cache.
    pub fn new(db: PathBuf) -> Paths {
        Paths {
            db,
            prefs_file: None,
            downloads: directories::UserDirs::new()
                .and_then(|u| u.download_dir().map(|d| d.to_path_buf()))
                .unwrap_or_else(std::env::temp_dir),
            open_dir: crate::paths::opened_attachments_dir(),
        }
    }

    /// The folder the log of this window's store is in.
    pub fn log_dir(&self) -> PathBuf {
        let data = self.db.parent().unwrap_or(std::path::Path::new("."));
        crate::paths::log_dir_for(data)
    }
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

/// How long a passing notice ("Sent") stays in the status bar.
const NOTICE_FOR: std::time::Duration = std::time::Duration::from_secs(4);

impl Status {
    /// Shows `text` for a few seconds; the task answers with the notice's number when it is
    /// due to go.
    pub fn flash(&mut self, text: String) -> iced::Task<u64> {
        self.notice = Some(text);
        self.notice_id += 1;
        let id = self.notice_id;
        // Made lazily: the timer needs the runtime the task runs on.
        iced::Task::perform(async { tokio::time::sleep(NOTICE_FOR).await }, move |()| id)
    }

    /// Clears the notice `id` when no newer one replaced it.
    pub fn expire(&mut self, id: u64) {
        if id == self.notice_id {
            self.notice = None;
        }
    }

    /// An error the engine reported for `account` (0: none in particular).
    pub fn engine_error(&mut self, account: i64, kind: ErrorKind, message: String, i18n: &I18n) {
        self.last_error = Some(if kind == ErrorKind::DiskFull {
            i18n.t("ui-disk-full", &[])
        } else {
            message
        });
        self.error_account = Some(account).filter(|a| *a != 0);
    }
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
    /// From now on, a copy of every command sent goes to the returned receiver: how tests see
    /// what a screen asked the engine for.
    pub fn tap(&mut self) -> std::sync::mpsc::Receiver<Command> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.tap = Some(tx);
        rx
    }

    /// Hands `command` to the engine (once it runs); nothing of it is kept.
    pub fn send<T: Send + 'static>(&self, command: Command) -> iced::Task<T> {
        if let Some(tap) = &self.tap {
            let _ = tap.send(command.clone());
        }
        match self.engine.clone() {
            Some(engine) => iced::Task::future(async move {
                let _ = engine.send(command).await;
            })
            .discard(),
            None => iced::Task::none(),
        }
    }

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
