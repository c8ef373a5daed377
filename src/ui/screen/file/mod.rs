//! A message file (`tidings FILE.eml`, a double-click in the file manager) in a reader of its
//! own: shown as the reader shows mail (remote content blocked), never imported into any
//! folder. Reply, reply to all and forward start from the default account (the window's
//! part); its attachments open and save as a mirrored message's do.

mod view;

use std::path::PathBuf;

use iced::Task;

pub use view::view;

use super::Ctx;
use crate::ui::attachments::{self, Outcome};
use crate::ui::data::Shown;
use crate::ui::failure::Failure;
use crate::ui::message_file::OpenFile;
use crate::ui::reader;

/// The message file shown.
#[derive(Debug)]
pub struct State {
    /// The file: its path, bytes and display model.
    pub file: OpenFile,
    /// An attachment that could run code, waiting for the user to confirm opening it.
    pub confirm_open: Option<u32>,
}

/// What happens in the message file's reader.
#[derive(Debug, Clone)]
pub enum Message {
    /// A button of the message: its attachments.
    Reader(reader::Event),
    /// An attachment was saved here (or not).
    AttachmentSaved(Result<PathBuf, Failure>),
    /// An attachment was handed to its application (or not).
    AttachmentOpened(Result<PathBuf, Failure>),
    /// Reply to the file's sender (or everyone).
    Reply {
        /// To everyone.
        all: bool,
    },
    /// Forward the file.
    Forward,
    /// Leave the reader.
    Close,
}

/// What the file's reader needs of the window.
pub enum Action {
    /// Nothing.
    None,
    /// Work of the reader's own, answered by one of its messages.
    Run(Task<Message>),
    /// Start a reply (`Some(all)`) or a forward (None) of the file's bytes.
    Answer(Option<bool>),
    /// Leave the reader.
    Close,
    /// Say this in the status bar for a moment.
    Notice(String),
    /// Something failed; the status bar says it.
    Error(Failure),
}

impl State {
    /// The reader of `file`.
    pub fn new(file: OpenFile) -> State {
        State {
            file,
            confirm_open: None,
        }
    }

    /// Handles one of the reader's messages.
    pub fn update(&mut self, msg: Message, ctx: Ctx<'_>) -> Action {
        match msg {
            Message::Reader(event) => {
                let source = Shown::File(self.file.raw.clone());
                let outcome = attachments::on_event(
                    &event,
                    &self.file.model,
                    source,
                    &mut self.confirm_open,
                    ctx.places(),
                );
                match outcome {
                    Outcome::None => Action::None,
                    Outcome::Saving(task) => Action::Run(task.map(Message::AttachmentSaved)),
                    Outcome::Opening(task) => Action::Run(task.map(Message::AttachmentOpened)),
                    Outcome::Failed(e) => Action::Error(e),
                }
            }
            Message::AttachmentSaved(Ok(path)) => {
                Action::Notice(attachments::saved(ctx.i18n, &path))
            }
            Message::AttachmentOpened(Ok(_)) => Action::None,
            Message::AttachmentSaved(Err(e)) | Message::AttachmentOpened(Err(e)) => {
                Action::Error(e)
            }
            // Replies need an account to write from.
            Message::Reply { .. } | Message::Forward if ctx.tree.accounts.is_empty() => {
                Action::None
            }
            Message::Reply { all } => Action::Answer(Some(all)),
            Message::Forward => Action::Answer(None),
            Message::Close => Action::Close,
        }
    }
}
