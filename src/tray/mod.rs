//! The tray icon: the unread count on the app icon and a menu with Open, New message, Sync
//! now and Quit. On Linux and the BSDs it is a StatusNotifierItem on the session bus (ksni);
//! on Windows the notification area and on macOS the menu bar (tray-icon). No iced here: the
//! window reaches it through `Event`s and `Handle::show`.

pub mod badge;
#[cfg(any(windows, target_os = "macos"))]
mod native;
#[cfg(all(unix, not(target_os = "macos")))]
mod sni;

#[cfg(any(windows, target_os = "macos"))]
pub use native::{Handle, start};
#[cfg(all(unix, not(target_os = "macos")))]
pub use sni::{Handle, start};

/// The desktop-wide name of the item (the StatusNotifierItem id, the tray-icon id).
pub const ID: &str = "org.tidings.Tidings";

/// What the user picked in the tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Show the window (also a click on the icon).
    Open,
    /// A new message in the composer.
    Compose,
    /// Check every account now.
    SyncNow,
    /// Quit Tidings.
    Quit,
}

/// What the tray tells the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The user picked this.
    Picked(Action),
    /// Whether a tray host shows the icon now (a desktop's panel can come and go).
    Shown(bool),
}

/// What the tray shows, in the user's language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Look {
    /// Unread messages in the inboxes.
    pub unread: u32,
    /// The title and tooltip line ("Tidings — 3 unread").
    pub title: String,
    /// "Open Tidings" (the menu's first entry).
    pub open: String,
    /// "New message".
    pub compose: String,
    /// "Sync now".
    pub sync: String,
    /// "Quit".
    pub quit: String,
}

/// Where the tray's events go.
pub type Events = futures::channel::mpsc::UnboundedSender<Event>;
