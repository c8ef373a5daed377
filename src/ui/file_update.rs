//! The window's side of a message file's reader: reading the file off the UI thread, showing
//! its screen, answering it from the default account, and closing it.

use std::path::PathBuf;

use iced::Task;

use super::app::{App, Message, Screen, ctx};
use super::failure::Failure;
use super::message::ComposeMsg;
use super::message_file::{OpenFile, answer, read};
use super::screen::compose::writing::default_sender;
use super::screen::file;

impl App {
    /// Reads `path` off the UI thread, then shows it.
    pub(super) fn open_file(&mut self, path: PathBuf) -> Task<Message> {
        Task::perform(
            async move { tokio::task::spawn_blocking(move || read(&path).map(Box::new)).await? },
            Message::FileLoaded,
        )
    }

    /// A message file was read (or could not be).
    pub(super) fn file_loaded(&mut self, file: Result<Box<OpenFile>, Failure>) -> Task<Message> {
        match file {
            Ok(file) => {
                self.file = Some(file::State::new(*file));
                self.screen = Screen::File;
                Task::none()
            }
            Err(e) => self.failed(e),
        }
    }

    /// The file reader's messages, and what it asks of the window.
    pub(super) fn on_file(&mut self, msg: file::Message) -> Task<Message> {
        let Some(state) = &mut self.file else {
            return Task::none();
        };
        match state.update(msg, ctx!(self)) {
            file::Action::None => Task::none(),
            file::Action::Run(task) => task.map(Message::File),
            file::Action::Answer(reply) => self.answer_file(reply),
            file::Action::Close => self.close_file(),
            file::Action::Notice(words) => {
                self.status.notice = Some(words);
                Task::none()
            }
            file::Action::Error(e) => self.failed(e),
        }
    }

    /// Back to the mail (or to the setup it was opened over).
    pub(super) fn close_file(&mut self) -> Task<Message> {
        self.file = None;
        // Back where it was opened from: a file handed over during setup returns to it.
        self.screen = if self.setup.is_some() {
            Screen::Setup
        } else {
            Screen::Mail
        };
        Task::none()
    }

    /// A reply (to all) or a forward of the file, from the default account.
    fn answer_file(&mut self, reply: Option<bool>) -> Task<Message> {
        let sender = default_sender(&self.tree, self.mail.folder);
        let (Some(state), Some((account, _))) = (&self.file, sender) else {
            return Task::none();
        };
        let raw = state.file.raw.clone();
        let locale = self.i18n.locale().to_owned();
        Task::perform(
            super::data::off_thread(self.paths.db.clone(), move |db| {
                answer(db, account, &raw, reply, &locale)
            }),
            |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
        )
    }
}
