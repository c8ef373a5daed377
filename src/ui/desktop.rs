//! The window's place on the desktop: it can close while Tidings goes on syncing, with the
//! tray icon to come back by (where a tray host shows one; without one, closing quits). The
//! tray's menu opens the window, a composer, a sync, or quits; the tray shows the inboxes'
//! unread count. Ending the program takes the tray icon away first.

use iced::{Task, window};

use super::data::Tree;
use super::message::{DesktopMsg, Message};
use super::notify::Notice;
use crate::i18n::I18n;
use crate::tray::{Event, Look};

/// How long a start in the tray waits for a tray host before it opens the window after all.
const TRAY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long the program may take to end once the user quit. iced's runtime waits for every
/// blocking task when it drops, and a keyring that never answers (a Secret Service activated
/// but hung) would keep Tidings alive without a window; past this, it ends anyway. Everything
/// worth keeping is in SQLite by then: the drafts are saved before quit is asked for.
const QUIT_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

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

/// What the desktop's messages need of the rest of the window.
pub enum Action {
    /// Nothing.
    None,
    /// Window or timer work, answered by a message.
    Run(Task<Message>),
    /// The window went to the tray: save what was typed in the composer, with this work.
    ToTray(Task<Message>),
    /// Quit the way Ctrl+Q does (saving drafts first).
    Quit,
    /// Raise the window and start a new message.
    Compose(Task<Message>),
    /// Sync every account now.
    SyncNow,
}

impl Desktop {
    /// Acts on the window's and the tray's messages; `background` is the user's choice to keep
    /// running in the tray when the window closes.
    pub fn update(&mut self, message: DesktopMsg, background: bool) -> Action {
        match message {
            DesktopMsg::CloseRequested(id) => {
                if background && self.tray_shown {
                    // Words typed just now are saved; the composer waits for the window.
                    self.window = None;
                    tracing::info!(target: "tidings::ui", "window closed; running in the tray");
                    Action::ToTray(window::close(id))
                } else {
                    Action::Quit
                }
            }
            DesktopMsg::Closed(id) => {
                if self.window == Some(id) {
                    self.window = None;
                }
                Action::None
            }
            DesktopMsg::TrayStart(events) => {
                #[cfg(any(windows, target_os = "macos"))]
                {
                    let started = crate::tray::start(events);
                    self.update(DesktopMsg::TrayStarted(started), background)
                }
                // The StatusNotifierItem started off this thread already.
                #[cfg(not(any(windows, target_os = "macos")))]
                {
                    drop(events);
                    Action::None
                }
            }
            DesktopMsg::TrayStarted(Ok(handle)) => {
                // Shown until the tray says there is no host to show it.
                self.tray_shown = true;
                self.tray = Some(handle);
                self.tray_look = None;
                Action::None
            }
            DesktopMsg::TrayStarted(Err(e)) => {
                tracing::info!("no tray: {e}");
                self.tray_shown = false;
                Action::Run(self.window_if_hidden())
            }
            DesktopMsg::Tray(Event::Shown(shown)) => {
                self.tray_shown = shown;
                // Without a tray there is no way back to a closed window: it opens again.
                if shown {
                    Action::None
                } else {
                    Action::Run(self.window_if_hidden())
                }
            }
            DesktopMsg::Tray(Event::Picked(action)) => {
                tracing::info!(target: "tidings::ui", "tray: {action:?}");
                match action {
                    crate::tray::Action::Open => Action::Run(self.show_window()),
                    crate::tray::Action::Compose => Action::Compose(self.show_window()),
                    crate::tray::Action::SyncNow => Action::SyncNow,
                    crate::tray::Action::Quit => Action::Quit,
                }
            }
            DesktopMsg::TrayWaited => {
                if self.tray_shown {
                    Action::None
                } else {
                    Action::Run(self.window_if_hidden())
                }
            }
        }
    }

    /// Ends the program: the tray icon taken away first (a moment at most), then the rest.
    pub fn quit_now(&mut self) -> Task<Message> {
        // Only the real program: iced_test runs App inside the test process.
        if self.instance.is_some() {
            end_after_grace();
        }
        match self.tray.take() {
            Some(tray) => Task::future(tokio::time::timeout(
                std::time::Duration::from_secs(1),
                tray.close(),
            ))
            .then(|_| iced::exit()),
            None => iced::exit(),
        }
    }

    /// The window raised, or opened again if it was closed to the tray.
    pub fn show_window(&mut self) -> Task<Message> {
        match self.window {
            Some(id) => Task::batch([window::minimize(id, false), window::gain_focus(id)]),
            None => {
                let (id, opened) = window::open(super::window_settings::main_window());
                self.window = Some(id);
                tracing::info!(target: "tidings::ui", "window opened");
                opened.discard()
            }
        }
    }

    /// Opens the window when it is closed (or was never opened) and the tray cannot show.
    fn window_if_hidden(&mut self) -> Task<Message> {
        if self.window.is_none() && !self.quitting {
            self.show_window()
        } else {
            Task::none()
        }
    }

    /// At a start in the tray: opens the window after all if no tray host shows up in time.
    pub fn wait_for_tray() -> Task<Message> {
        Task::perform(tokio::time::sleep(TRAY_WAIT), |()| {
            Message::Desktop(DesktopMsg::TrayWaited)
        })
    }

    /// Brings the tray up to date when what it shows has changed (called after each update).
    pub fn show_tray(&mut self, tree: &Tree, i18n: &I18n) -> Task<Message> {
        let Some(handle) = &self.tray else {
            return Task::none();
        };
        let look = tray_look(tree, i18n);
        if self.tray_look.as_ref() == Some(&look) {
            return Task::none();
        }
        self.tray_look = Some(look.clone());
        Task::future(handle.show(look)).discard()
    }
}

/// What the tray should show now: the unread count of the inboxes, in the user's words.
pub fn tray_look(tree: &Tree, i18n: &I18n) -> Look {
    let unread: u32 = tree
        .accounts
        .iter()
        .flat_map(|(_, folders)| folders)
        .filter(|f| f.role == crate::store::folders::Role::Inbox)
        .map(|f| f.unread_count)
        .sum();
    let count = unread.to_string();
    Look {
        unread,
        title: match unread {
            0 => i18n.t("tray-title", &[]),
            _ => i18n.t("tray-title-unread", &[("count", &count)]),
        },
        open: i18n.t("tray-open", &[]),
        compose: i18n.t("tray-compose", &[]),
        sync: i18n.t("tray-sync", &[]),
        quit: i18n.t("tray-quit", &[]),
    }
}

/// Ends the process if it is still running `QUIT_GRACE` from now.
fn end_after_grace() {
    let spawned = std::thread::Builder::new()
        .name("tidings-quit".into())
        .spawn(|| {
            std::thread::sleep(QUIT_GRACE);
            tracing::warn!(
                target: "tidings::ui",
                "a background task did not finish within {QUIT_GRACE:?} of quit; ending anyway"
            );
            std::process::exit(0);
        });
    if let Err(e) = spawned {
        tracing::warn!(target: "tidings::ui", "no quit guard: {e}");
    }
}
