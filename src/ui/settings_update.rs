//! The window's side of Settings: hands its messages to the screen and does what the screen
//! asks of the window (engine commands, the shared choices saved to window.json, the setup).

use iced::Task;

use super::app::{App, Message, Screen};
use super::screen::settings::{self, Action};
use crate::engine::Command;

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
                self.tree.switch_protocol(account, protocol, enabled);
                self.send(Command::SetProtocol {
                    account,
                    protocol,
                    enabled,
                })
            }
            Action::ChooseFolderRole(account, role, folder) => {
                // Shown at once; the engine saves it and tells the folder list to reload.
                if let Some(folder) = folder {
                    self.tree.choose_role(account, role, folder);
                }
                self.send(Command::ChooseFolderRole {
                    account,
                    role,
                    folder,
                })
            }
            Action::Pref(pref) => {
                if let Some(i18n) = self.prefs.apply(pref) {
                    self.i18n = i18n;
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
        match &self.paths.prefs_file {
            Some(path) => {
                super::prefs::saving(path.clone(), self.prefs.clone()).map(Message::PrefsSaved)
            }
            None => Task::none(),
        }
    }
}
