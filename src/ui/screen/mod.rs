//! The window's screens. Each owns its state and its messages; its `update` answers with an
//! `Action` for what only the window can do, and its `view` draws from its own state and the
//! shared `Ctx`. `App` holds them and routes; no screen imports app.rs.

pub mod compose;
pub mod file;
pub mod mail;
pub mod settings;
pub mod setup;

use std::path::Path;

use super::data::Tree;
use super::theme::ThemeChoice;
use crate::i18n::I18n;

impl<'a> Ctx<'a> {
    /// Where the screens' attachments come from and go.
    pub fn places(&self) -> crate::ui::attachments::Places<'a> {
        crate::ui::attachments::Places {
            db: self.db,
            downloads: self.downloads,
            open_dir: self.open_dir,
        }
    }
}

/// What every screen may read of the window: its language, the accounts and the user's choices.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// Messages in the user's language.
    pub i18n: &'a I18n,
    /// Accounts and their folders.
    pub tree: &'a Tree,
    /// The language chosen ("" follows the system).
    pub language: &'a str,
    /// Light, dark or the system's.
    pub theme: ThemeChoice,
    /// Desktop notifications for new mail.
    pub notifications: bool,
    /// Closing the window keeps Tidings running in the tray.
    pub background: bool,
    /// Every account's Inbox, Sent and Drafts together at the top of the folder pane.
    pub unified: bool,
    /// One list row per conversation, the reader stacking its messages.
    pub conversations: bool,
    /// Whether a tray host shows the icon now.
    pub tray_shown: bool,
    /// The real window, which may ask the desktop things (tests drive a window without one).
    pub desktop: bool,
    /// The store file (its folder holds the log).
    pub db: &'a Path,
    /// Where attachments are saved.
    pub downloads: &'a Path,
    /// Where attachments opened with another application are put (None: no home).
    pub open_dir: Option<&'a Path>,
}
