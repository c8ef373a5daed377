//! The window's side of the setup: starts it, hands its messages and autoconfig's answer to
//! the screen, and does what the screen asks of the window.

use iced::Task;

use super::app::{App, Message, Screen, ctx};
use super::screen::setup::{self, Action};
use crate::accounts::autoconfig::Found;

impl App {
    /// Starts a setup (first run, or Add account).
    pub(super) fn start_setup(&mut self) -> Task<Message> {
        self.setup = Some(setup::State::new());
        self.screen = Screen::Setup;
        // The first field takes the typing at once, as in every setup wizard.
        iced::widget::operation::focus("name-input")
    }

    /// Routes a setup message to the screen and acts on its answer.
    pub(super) fn on_setup(&mut self, msg: setup::Message) -> Task<Message> {
        let Some(s) = &mut self.setup else {
            return Task::none();
        };
        let action = s.update(msg, ctx!(self));
        self.setup_action(action)
    }

    /// Autoconfig answered for `address`.
    pub(super) fn autoconfig_found(
        &mut self,
        address: &str,
        result: Result<Box<Found>, String>,
    ) -> Task<Message> {
        let Some(s) = &mut self.setup else {
            return Task::none();
        };
        let action = s.autoconfig_found(address, result, ctx!(self));
        self.setup_action(action)
    }

    /// Does what the setup asked of the window.
    fn setup_action(&mut self, action: Action) -> Task<Message> {
        match action {
            Action::None => Task::none(),
            Action::Run(task) => task.map(Message::Setup),
            Action::Send(command) => self.send(command),
            Action::Manual(form, trust) => {
                self.setup = None;
                self.settings.open_form(Some(*form));
                self.settings.check.trust = trust;
                self.screen = Screen::Settings;
                Task::none()
            }
            Action::Leave => {
                self.setup = None;
                self.screen = Screen::Mail;
                Task::none()
            }
            Action::Error(e) => self.failed(e),
        }
    }

    /// A saved setup becomes the mail view, with its first sync's progress in the status bar.
    pub(super) fn setup_saved(&mut self) {
        if self.setup.take().is_some() {
            self.screen = Screen::Mail;
            self.mail.folder = None;
            self.launch.started = false;
        }
    }
}
