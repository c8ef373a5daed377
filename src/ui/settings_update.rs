//! The window's side of Settings: hands its messages to the screen and does what the screen
//! asks of the window (engine commands, the shared choices saved to window.json, the setup).

use iced::Task;

use super::app::{App, Message, Screen};
use super::screen::settings::{self, Action, Pref};
use crate::engine::{Command, Protocol};
use crate::i18n::I18n;

impl App {
    /// Routes a Settings message to the screen and acts on its answer.
    pub(super) fn on_settings(&mut self, message: settings::Message) -> Task<Message> {
        let action = self.settings.update(message, super::app::ctx!(self));
        self.settings_action(action)
    }

    /// Does what Settings asked of the window.
    pub(super) fn settings_action(&mut self, action: Action) -> Task<Message> {
        match action {
            Action::None => Task::none(),
            Action::Run(task) => task.map(Message::Settings),
            Action::Send(command) => self.send(command),
            Action::SwitchProtocol(account, protocol, enabled) => {
                // Shown at once; the engine saves it and stops or starts the protocol.
                for (a, _) in &mut self.tree.accounts {
                    if a.id == account {
                        match protocol {
                            Protocol::Imap => a.imap.enabled = enabled,
                            Protocol::Pop3 => a.pop3.enabled = enabled,
                            Protocol::Smtp => a.smtp.enabled = enabled,
                        }
                    }
                }
                self.send(Command::SetProtocol {
                    account,
                    protocol,
                    enabled,
                })
            }
            Action::ChooseFolderRole(account, role, folder) => {
                // Shown at once; the engine saves it and tells the folder list to reload.
                if let Some(folder) = folder {
                    for (a, folders) in &mut self.tree.accounts {
                        if a.id != account {
                            continue;
                        }
                        for f in folders.iter_mut() {
                            if f.id == folder {
                                f.role = role;
                            } else if f.role == role {
                                f.role = crate::store::folders::Role::Other;
                            }
                        }
                    }
                }
                self.send(Command::ChooseFolderRole {
                    account,
                    role,
                    folder,
                })
            }
            Action::Pref(pref) => {
                match pref {
                    Pref::Language(locale) => {
                        self.i18n = if locale.is_empty() {
                            I18n::from_env()
                        } else {
                            I18n::new(&locale)
                        };
                        self.prefs.language = locale;
                    }
                    Pref::Theme(choice) => self.prefs.theme = choice,
                    Pref::Notifications(on) => self.prefs.notifications = on,
                    Pref::Background(on) => self.prefs.background = on,
                }
                self.save_prefs()
            }
            Action::StartSetup => self.start_setup(),
            Action::Show => {
                self.screen = Screen::Settings;
                Task::none()
            }
            Action::Error(e) => self.failed(e),
        }
    }

    /// Saves the language, theme, notification, pane and tray choices (off the UI thread).
    pub(super) fn save_prefs(&mut self) -> Task<Message> {
        let Some(path) = self.paths.prefs_file.clone() else {
            return Task::none();
        };
        let prefs = self.prefs.clone();
        // Even a small file write stays off the UI thread.
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || {
                    super::prefs::save(&path, &prefs).map_err(|e| {
                        super::failure::Failure::new(
                            super::failure::Kind::Write,
                            format!("{}: {e}", path.display()),
                        )
                    })
                })
                .await?
            },
            Message::PrefsSaved,
        )
    }
}
