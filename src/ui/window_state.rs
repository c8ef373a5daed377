//! What the window keeps besides its screens: its place on the desktop (the window, the tray,
//! the instance socket), the status bar, and what the engine reports.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::engine::{AccountState, Command, EngineHandle};
use crate::ui::message::PasswordPrompt;
use crate::ui::notify::Notice;

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

/// The window and the tray on the desktop.
#[derive(Default)]
pub struct Desktop {
    /// The main window, while it is open (None: closed to the tray, or not opened yet).
    pub window: Option<iced::window::Id>,
    /// The tray, once it runs (the real window only).
    pub tray: Option<crate::tray::Handle>,
    /// Whether a tray host shows the icon now.
    pub tray_shown: bool,
    /// What the tray shows now (it is told only of changes).
    pub tray_look: Option<crate::tray::Look>,
    /// Where second launches reach this window (the real window only).
    pub instance: Option<crate::launch::instance::Address>,
    /// Quitting once the composer's last save lands.
    pub quitting: bool,
    /// Whether this is the real window with an engine (tests drive a window without one).
    pub with_engine: bool,
    /// The desktop's light/dark mode (for ThemeChoice::System).
    pub system_mode: iced::theme::Mode,
    /// Notifications raised (tests read them; the desktop shows them).
    pub notified: Vec<Notice>,
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

/// Asking for the passwords accounts need.
#[derive(Debug, Default)]
pub struct Prompts {
    /// The password prompt, when an account needs one.
    pub shown: Option<PasswordPrompt>,
    /// Accounts whose prompt the user dismissed this run.
    pub dismissed: HashSet<i64>,
    /// A password asked for before the account list was read: (account, refused).
    pub waiting: Option<(i64, bool)>,
}
