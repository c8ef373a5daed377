//! A message file (`tidings FILE.eml`, a double-click in the file manager) in a reader of its
//! own: read off the UI thread, bounded in size, shown as the reader shows mail (remote
//! content blocked), never imported into any folder. Reply, reply to all and forward start
//! from the default account; its attachments open and save as a mirrored message's do.

use std::path::PathBuf;
use std::sync::Arc;

use iced::Task;

use super::app::{App, Message, Screen};
use super::message::ComposeMsg;
use super::message_file::{OpenFile, answer, read};
use crate::mime::model::DisplayMessage;

impl App {
    /// Reads `path` off the UI thread, then shows it.
    pub(super) fn open_file(&mut self, path: PathBuf) -> Task<Message> {
        Task::perform(
            async move { tokio::task::spawn_blocking(move || read(&path).map(Box::new)).await? },
            Message::FileLoaded,
        )
    }

    /// A message file was read (or could not be).
    pub(super) fn file_loaded(
        &mut self,
        file: Result<Box<OpenFile>, super::failure::Failure>,
    ) -> Task<Message> {
        match file {
            Ok(file) => {
                self.file = Some(*file);
                self.screen = Screen::File;
            }
            Err(e) => return self.failed(e),
        }
        Task::none()
    }

    /// Back to the mail (or to the setup it was opened over).
    pub(super) fn close_file(&mut self) -> Task<Message> {
        self.file = None;
        self.mail.confirm_open = None;
        // Back where it was opened from: a file handed over during setup returns to it.
        self.screen = if self.setup.is_some() {
            Screen::Setup
        } else {
            Screen::Mail
        };
        Task::none()
    }

    /// The message the reader shows: the file on its screen, else the mirrored one.
    pub(super) fn shown_model(&self) -> Option<&DisplayMessage> {
        match (&self.file, self.screen) {
            (Some(file), Screen::File) => Some(&file.model),
            _ => self.mail.reading.as_ref(),
        }
    }

    /// The file's bytes when its screen shows.
    pub(super) fn shown_file(&self) -> Option<Arc<Vec<u8>>> {
        match (&self.file, self.screen) {
            (Some(file), Screen::File) => Some(file.raw.clone()),
            _ => None,
        }
    }

    /// A reply (to all) or a forward of the file, from the default account.
    pub(super) fn answer_file(&mut self, reply: Option<bool>) -> Task<Message> {
        let (Some(raw), Some((account, _))) = (self.shown_file(), self.default_sender()) else {
            return Task::none();
        };
        let locale = self.i18n.locale().to_owned();
        Task::perform(
            super::data::off_thread(self.db.clone(), move |db| {
                answer(db, account, &raw, reply, &locale)
            }),
            |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
        )
    }
}
