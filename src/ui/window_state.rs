//! What the window keeps besides its screens: its place on the desktop (the window, the tray,
//! the instance socket), the status bar, and what the engine reports.

use std::collections::{HashMap, HashSet};

use crate::engine::{AccountState, EngineHandle};
use crate::ui::message::PasswordPrompt;

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
