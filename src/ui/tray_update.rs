//! Living in the background: the window can close while Tidings goes on syncing, with the
//! tray icon to come back by (where a tray host shows one; without one, closing quits). The
//! tray's menu opens the window, a composer, a sync, or quits. Also the two settings that go
//! with it: keep running when the window closes, and start at login in the tray.

use iced::{Task, window};

use super::app::{App, Message};
use super::message::ComposeMsg;
use super::message::DesktopMsg;
use crate::engine::Command;
use crate::tray::{Action, Event, Look};

/// How long a start in the tray waits for a tray host before it opens the window after all.
const TRAY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long the program may take to end once the user quit. iced's runtime waits for every
/// blocking task when it drops, and a keyring that never answers (a Secret Service activated
/// but hung) would keep Tidings alive without a window; past this, it ends anyway. Everything
/// worth keeping is in SQLite by then: the drafts are saved before quit is asked for.
const QUIT_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

impl App {
    /// Acts on the window's and the tray's messages.
    pub(super) fn on_desktop(&mut self, message: DesktopMsg) -> Task<Message> {
        match message {
            DesktopMsg::CloseRequested(id) => {
                if self.prefs.background && self.desktop.tray_shown {
                    // Words typed just now are saved; the composer waits for the window.
                    self.desktop.window = None;
                    let save = match &self.writing.composer {
                        Some(c) if c.unsaved() && !c.is_empty() => {
                            let save = self.writing.save_draft();
                            self.writing_action(save)
                        }
                        _ => Task::none(),
                    };
                    tracing::info!(target: "tidings::ui", "window closed; running in the tray");
                    Task::batch([save, window::close(id)])
                } else {
                    self.update(Message::Quit)
                }
            }
            DesktopMsg::Closed(id) => {
                if self.desktop.window == Some(id) {
                    self.desktop.window = None;
                }
                Task::none()
            }
            DesktopMsg::TrayStart(events) => {
                #[cfg(any(windows, target_os = "macos"))]
                {
                    let started = tray::start(events);
                    self.on_desktop(DesktopMsg::TrayStarted(started))
                }
                // The StatusNotifierItem started off this thread already.
                #[cfg(not(any(windows, target_os = "macos")))]
                {
                    drop(events);
                    Task::none()
                }
            }
            DesktopMsg::TrayStarted(Ok(handle)) => {
                // Shown until the tray says there is no host to show it.
                self.desktop.tray_shown = true;
                self.desktop.tray = Some(handle);
                self.desktop.tray_look = None;
                self.show_tray()
            }
            DesktopMsg::TrayStarted(Err(e)) => {
                tracing::info!("no tray: {e}");
                self.desktop.tray_shown = false;
                self.window_if_hidden()
            }
            DesktopMsg::Tray(Event::Shown(shown)) => {
                self.desktop.tray_shown = shown;
                // Without a tray there is no way back to a closed window: it opens again.
                if shown {
                    Task::none()
                } else {
                    self.window_if_hidden()
                }
            }
            DesktopMsg::Tray(Event::Picked(action)) => {
                tracing::info!(target: "tidings::ui", "tray: {action:?}");
                match action {
                    Action::Open => self.show_window(),
                    Action::Compose => {
                        let shown = self.show_window();
                        Task::batch([shown, self.update(Message::Compose(ComposeMsg::New))])
                    }
                    Action::SyncNow => self.send(Command::SyncNow { account: None }),
                    Action::Quit => self.update(Message::Quit),
                }
            }
            DesktopMsg::TrayWaited => {
                if self.desktop.tray_shown {
                    Task::none()
                } else {
                    self.window_if_hidden()
                }
            }
        }
    }

    /// Ends the program: the tray icon taken away first (a moment at most), then the rest.
    pub(super) fn quit_now(&mut self) -> Task<Message> {
        // Only the real program: iced_test runs App inside the test process.
        if self.desktop.instance.is_some() {
            end_after_grace();
        }
        match self.desktop.tray.take() {
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
        match self.desktop.window {
            Some(id) => Task::batch([window::minimize(id, false), window::gain_focus(id)]),
            None => {
                let (id, opened) = window::open(super::window_settings::main_window());
                self.desktop.window = Some(id);
                tracing::info!(target: "tidings::ui", "window opened");
                opened.discard()
            }
        }
    }

    /// Opens the window when it is closed (or was never opened) and the tray cannot show.
    fn window_if_hidden(&mut self) -> Task<Message> {
        if self.desktop.window.is_none() && !self.desktop.quitting {
            self.show_window()
        } else {
            Task::none()
        }
    }

    /// At a start in the tray: opens the window after all if no tray host shows up in time.
    pub fn wait_for_tray(&self) -> Task<Message> {
        Task::perform(tokio::time::sleep(TRAY_WAIT), |()| {
            Message::Desktop(DesktopMsg::TrayWaited)
        })
    }

    /// What the tray should show now: the unread count of the inboxes, in the user's words.
    pub fn tray_look(&self) -> Look {
        let unread: u32 = self
            .tree
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
                0 => self.i18n.t("tray-title", &[]),
                _ => self.i18n.t("tray-title-unread", &[("count", &count)]),
            },
            open: self.i18n.t("tray-open", &[]),
            compose: self.i18n.t("tray-compose", &[]),
            sync: self.i18n.t("tray-sync", &[]),
            quit: self.i18n.t("tray-quit", &[]),
        }
    }

    /// Brings the tray up to date when what it shows has changed (called after each update).
    pub fn show_tray(&mut self) -> Task<Message> {
        let Some(handle) = &self.desktop.tray else {
            return Task::none();
        };
        let look = self.tray_look();
        if self.desktop.tray_look.as_ref() == Some(&look) {
            return Task::none();
        }
        self.desktop.tray_look = Some(look.clone());
        Task::future(handle.show(look)).discard()
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
