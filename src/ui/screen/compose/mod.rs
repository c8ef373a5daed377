//! Writing a message: the composer's own edits, autosaves through the engine (filed on the
//! server only now and then), attachments picked or dropped, sending and closing. Starting a
//! composer (new, reply, forward, a recovered draft) is the window's, as is the outbox.

mod view;
pub mod writing;

use std::path::PathBuf;
use std::time::Duration;

use iced::Task;

pub use view::{addr_id, first_field, view};
pub use writing::{ComposeMsg, Writing};

use super::Ctx;
use crate::engine::Command;
use crate::store::drafts::DraftAttachment;
use crate::ui::composer::{self, AddrField, Composer, Edit, Effect};
use crate::ui::failure::Failure;

/// How long after the last keystroke a draft is saved.
pub const AUTOSAVE: Duration = Duration::from_millis(2500);

/// What happens in the composer.
#[derive(Debug, Clone)]
pub enum Message {
    /// An edit in the composer.
    Edit(Edit),
    /// The pause after typing passed for this generation: save.
    Autosave(u64),
    /// Send (Ctrl+Enter).
    Send,
    /// Close, saving what was written.
    Close,
    /// Choose files to attach.
    PickFiles,
    /// Files were read for attaching (or not).
    Picked(Result<Vec<DraftAttachment>, Failure>),
    /// A file was dropped on the window.
    Dropped(PathBuf),
}

/// What the composer needs of the window.
pub enum Action {
    /// Nothing.
    None,
    /// Work of the composer's own, answered by one of its messages.
    Run(Task<Message>),
    /// Hand this to the engine (a draft's save).
    Send(Command),
    /// Close the composer, after handing this save to the engine if there is one.
    Close(Option<Command>),
    /// The draft is in the engine's hands: send it and close the composer.
    SentOff(i64),
    /// The last save before quitting landed: quit.
    Quit,
    /// Something failed; the status bar says it.
    Error(Failure),
}

impl Composer {
    /// Handles one of the composer's messages.
    pub fn update(&mut self, msg: Message, ctx: Ctx<'_>) -> Action {
        match msg {
            Message::Edit(edit) => match self.apply(edit) {
                // Lazily: the timer is made on the runtime when the task first runs.
                Effect::SaveSoon(generation) => Action::Run(Task::perform(
                    async { tokio::time::sleep(AUTOSAVE).await },
                    move |()| Message::Autosave(generation),
                )),
                Effect::None => Action::None,
            },
            Message::Autosave(generation) if generation == self.generation => {
                // A pause in typing: saved locally; filed on the server only every FILE_EVERY.
                let due = self.filed_at.elapsed() >= composer::FILE_EVERY;
                self.save(due).map_or(Action::None, Action::Send)
            }
            Message::Autosave(_) => Action::None,
            Message::Send => self.send(ctx),
            Message::Close => {
                // Saved on the way out; an untouched new message leaves nothing behind.
                let save = if self.unsaved() && !self.is_empty() {
                    self.save(true)
                } else {
                    None
                };
                Action::Close(save)
            }
            Message::PickFiles => Action::Run(Task::perform(
                async {
                    let files = rfd::AsyncFileDialog::new().pick_files().await;
                    let paths: Vec<PathBuf> = files
                        .unwrap_or_default()
                        .iter()
                        .map(|f| f.path().to_path_buf())
                        .collect();
                    tokio::task::spawn_blocking(move || composer::read_files(&paths)).await?
                },
                Message::Picked,
            )),
            Message::Dropped(path) => Action::Run(Task::perform(
                async move { tokio::task::spawn_blocking(move || composer::read_files(&[path])).await? },
                Message::Picked,
            )),
            Message::Picked(Ok(files)) => self.update(Message::Edit(Edit::Attached(files)), ctx),
            Message::Picked(Err(e)) => Action::Error(e),
        }
    }

    /// The command that saves the draft (filed in the server's Drafts when `file`): one save in
    /// flight at a time, so a new draft is inserted once; None while one is.
    pub fn save(&mut self, file: bool) -> Option<Command> {
        if self.saving {
            // The answer to the save in flight saves again, filing it if asked now.
            self.file_wanted |= file;
            return None;
        }
        // Taken first: a filing asked for meanwhile is done by this save.
        let file = std::mem::take(&mut self.file_wanted) || file;
        if file {
            self.filed_at = std::time::Instant::now();
        }
        self.saving = true;
        self.saved_generation = self.generation;
        Some(Command::SaveDraft {
            draft: Box::new(self.to_draft()),
            attachments: self.attachments_to_save(),
            file,
        })
    }

    /// Sends: the newest text is saved first, then sent when the engine says it is saved.
    fn send(&mut self, ctx: Ctx<'_>) -> Action {
        for field in [AddrField::To, AddrField::Cc, AddrField::Bcc] {
            self.apply(Edit::AddrCommit(field));
        }
        if let Some(key) = self.send_problem() {
            self.error = Some(ctx.i18n.t(key, &[]));
            return Action::None;
        }
        let account = self.draft.account_id;
        let can_send = ctx
            .tree
            .accounts
            .iter()
            .any(|(a, _)| a.id == account && a.smtp.enabled);
        if !can_send {
            self.error = Some(ctx.i18n.t("compose-sending-off", &[]));
            return Action::None;
        }
        self.send_after_save = true;
        if self.draft.id != 0 && !self.unsaved() && !self.saving {
            return Action::SentOff(self.draft.id);
        }
        // With a save in flight, its answer saves again and then sends.
        self.save(true).map_or(Action::None, Action::Send)
    }

    /// The engine saved a draft: if it is this one, learn its id, then save again if it
    /// changed meanwhile, send it if that was asked, or quit if the window is quitting.
    pub fn draft_saved(&mut self, id: i64, message_id: &str, quitting: bool) -> Action {
        if self.draft.rfc_message_id != message_id {
            return Action::None;
        }
        let again = self.saved(id);
        if again {
            return self.save(true).map_or(Action::None, Action::Send);
        }
        if quitting {
            Action::Quit
        } else if self.send_after_save {
            Action::SentOff(id)
        } else {
            Action::None
        }
    }
}
