//! The window's side of writing mail: opening the composer (new, reply, forward, a recovered
//! draft, a refused send), autosaving through the engine, sending, and the outbox's problems.

use std::path::PathBuf;
use std::time::Duration;

use iced::Task;

use super::app::{App, Message, Screen};
use super::compose_data::{self, Outbox, Prefilled};
use super::composer::{self, Composer, Effect};
use super::composer_view;
use super::data;
use crate::engine::Command;
use crate::store::drafts::{Draft, DraftAttachment};

/// How long after the last keystroke a draft is saved.
pub const AUTOSAVE: Duration = Duration::from_millis(2500);

/// What happens around the composer.
#[derive(Debug, Clone)]
pub enum ComposeMsg {
    /// A new message (c).
    New,
    /// Reply to the open message (r), or to everyone (a).
    Reply {
        /// To everyone.
        all: bool,
    },
    /// Forward the open message (f).
    Forward,
    /// A prefilled draft was read.
    Opened(Result<Box<Prefilled>, String>),
    /// An edit in the composer.
    Edit(composer::Edit),
    /// The quiet moment after an edit of this generation passed.
    Autosave(u64),
    /// Send (Ctrl+Enter).
    Send,
    /// Close (Esc): saved first, never lost.
    Close,
    /// Choose files to attach.
    PickFiles,
    /// Files were chosen or dropped and read.
    Picked(Result<Vec<DraftAttachment>, String>),
    /// A file was dropped on the window.
    Dropped(PathBuf),
    /// The address book was read.
    Addresses(Result<Vec<(String, String)>, String>),
    /// Drafts left unsent (read at start).
    Unsent(Result<Vec<Draft>, String>),
    /// Open an unsent draft.
    OpenDraft(i64),
    /// Forget the offer of unsent drafts.
    DismissUnsent,
    /// The outbox was read.
    OutboxRead(Result<Outbox, String>),
    /// Put a refused message back in the composer.
    EditRefused(i64),
    /// A refused message was read back: open it, saved as a draft at once, then drop the
    /// outbox copy.
    OpenedRefused(i64, Result<Box<Prefilled>, String>),
    /// Try a refused message again.
    RetryRefused(i64),
}

/// How long a passing notice ("Sent") stays in the status bar.
const NOTICE_FOR: std::time::Duration = std::time::Duration::from_secs(4);

impl App {
    /// Handles everything about writing mail.
    pub fn compose(&mut self, msg: ComposeMsg) -> Task<Message> {
        match msg {
            ComposeMsg::New => {
                let Some((id, address)) = self.default_sender() else {
                    return Task::none();
                };
                self.start_composer(Composer::blank(id, &address))
            }
            // A message file's reader answers from its own bytes.
            ComposeMsg::Reply { all } if self.screen == Screen::File => self.answer_file(Some(all)),
            ComposeMsg::Forward if self.screen == Screen::File => self.answer_file(None),
            ComposeMsg::Close if self.screen == Screen::File => self.close_file(),
            ComposeMsg::Reply { all } => {
                self.prefill(move |db, id, locale| compose_data::reply(db, id, all, &locale))
            }
            ComposeMsg::Forward => {
                self.prefill(|db, id, locale| compose_data::forward(db, id, &locale))
            }
            ComposeMsg::Opened(Ok(prefilled)) => {
                let (draft, attachments) = *prefilled;
                let sender = self.address_of(draft.account_id).unwrap_or_default();
                self.start_composer(Composer::open(draft, attachments, &sender))
            }
            ComposeMsg::Opened(Err(e)) | ComposeMsg::Picked(Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            ComposeMsg::Edit(edit) => {
                let Some(c) = &mut self.composer else {
                    return Task::none();
                };
                match c.apply(edit) {
                    // Lazily: the timer is made on the runtime when the task first runs.
                    Effect::SaveSoon(generation) => {
                        Task::perform(async { tokio::time::sleep(AUTOSAVE).await }, move |()| {
                            Message::Compose(ComposeMsg::Autosave(generation))
                        })
                    }
                    Effect::None => Task::none(),
                }
            }
            ComposeMsg::Autosave(generation) => match &self.composer {
                Some(c) if c.generation == generation => self.autosave(),
                _ => Task::none(),
            },
            ComposeMsg::Send => self.send_composed(),
            ComposeMsg::Close => {
                let Some(c) = &self.composer else {
                    return Task::none();
                };
                // Saved on the way out; an untouched new message leaves nothing behind.
                let save = if c.unsaved() && !c.is_empty() {
                    self.save_draft()
                } else {
                    Task::none()
                };
                self.composer = None;
                self.screen = Screen::Mail;
                save
            }
            ComposeMsg::PickFiles => Task::perform(
                async {
                    let files = rfd::AsyncFileDialog::new().pick_files().await;
                    let paths: Vec<PathBuf> = files
                        .unwrap_or_default()
                        .iter()
                        .map(|f| f.path().to_path_buf())
                        .collect();
                    tokio::task::spawn_blocking(move || composer::read_files(&paths))
                        .await
                        .map_err(|e| e.to_string())?
                },
                |r| Message::Compose(ComposeMsg::Picked(r)),
            ),
            ComposeMsg::Dropped(path) => {
                if self.composer.is_none() {
                    return Task::none();
                }
                Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || composer::read_files(&[path]))
                            .await
                            .map_err(|e| e.to_string())?
                    },
                    |r| Message::Compose(ComposeMsg::Picked(r)),
                )
            }
            ComposeMsg::Picked(Ok(files)) => {
                self.compose(ComposeMsg::Edit(composer::Edit::Attached(files)))
            }
            ComposeMsg::Addresses(Ok(book)) => {
                self.address_book = book;
                Task::none()
            }
            ComposeMsg::Addresses(Err(e))
            | ComposeMsg::Unsent(Err(e))
            | ComposeMsg::OutboxRead(Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            ComposeMsg::Unsent(Ok(drafts)) => {
                self.unsent = drafts;
                Task::none()
            }
            ComposeMsg::OpenDraft(id) => {
                self.unsent.retain(|d| d.id != id);
                Task::perform(
                    data::off_thread(self.db.clone(), move |db| compose_data::draft(db, id)),
                    |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
                )
            }
            ComposeMsg::DismissUnsent => {
                self.unsent.clear();
                Task::none()
            }
            ComposeMsg::OutboxRead(Ok(outbox)) => {
                self.outbox = outbox;
                Task::none()
            }
            ComposeMsg::EditRefused(item) => {
                self.outbox.problems.retain(|p| p.item != item);
                Task::perform(
                    data::off_thread(self.db.clone(), move |db| compose_data::refused(db, item)),
                    move |r| Message::Compose(ComposeMsg::OpenedRefused(item, r.map(Box::new))),
                )
            }
            ComposeMsg::OpenedRefused(item, Ok(prefilled)) => {
                let (draft, attachments) = *prefilled;
                let sender = self.address_of(draft.account_id).unwrap_or_default();
                let mut c = Composer::open(draft, attachments, &sender);
                // Saved as a draft before the outbox copy goes (the engine takes commands in
                // order), so the text is never only in memory.
                c.generation = 1;
                let open = self.start_composer(c);
                let save = self.save_draft();
                Task::batch([open, save, self.send(Command::DiscardSend { item })])
            }
            ComposeMsg::OpenedRefused(_, Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            ComposeMsg::RetryRefused(item) => {
                self.outbox.problems.retain(|p| p.item != item);
                self.send(Command::RetrySend { item })
            }
        }
    }

    pub(super) fn default_sender(&self) -> Option<(i64, String)> {
        // The account of the open folder, else the first that can send, else the first.
        let of_folder = self.folder.and_then(|f| {
            self.tree
                .accounts
                .iter()
                .find(|(_, folders)| folders.iter().any(|x| x.id == f))
        });
        of_folder
            .or_else(|| self.tree.accounts.iter().find(|(a, _)| a.smtp.enabled))
            .or_else(|| self.tree.accounts.first())
            .map(|(a, _)| (a.id, a.address.clone()))
    }

    fn address_of(&self, account: i64) -> Option<String> {
        self.tree
            .accounts
            .iter()
            .find(|(a, _)| a.id == account)
            .map(|(a, _)| a.address.clone())
    }

    fn prefill(
        &mut self,
        make: impl FnOnce(&std::path::Path, i64, String) -> Result<Prefilled, crate::store::StoreError>
        + Send
        + 'static,
    ) -> Task<Message> {
        let Some(id) = self.message else {
            return Task::none();
        };
        let locale = self.i18n.locale().to_owned();
        Task::perform(
            data::off_thread(self.db.clone(), move |db| make(db, id, locale)),
            |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
        )
    }

    pub(super) fn start_composer(&mut self, c: Composer) -> Task<Message> {
        let focus = iced::widget::operation::focus(composer_view::first_field(&c));
        if let Some(old) = &self.composer
            && old.unsaved()
            && !old.is_empty()
        {
            // One composer at a time: the one open is saved, never dropped.
            let save = self.save_draft();
            self.composer = Some(c);
            self.screen = Screen::Compose;
            return Task::batch([save, focus]);
        }
        self.composer = Some(c);
        self.screen = Screen::Compose;
        if self.address_book.is_empty() {
            Task::batch([
                focus,
                Task::perform(
                    data::off_thread(self.db.clone(), compose_data::address_book),
                    |r| Message::Compose(ComposeMsg::Addresses(r)),
                ),
            ])
        } else {
            focus
        }
    }

    /// Asks the engine to save the composer's draft and file it in the server's Drafts (on
    /// closing, quitting, sending): one save in flight at a time, so a new draft is inserted
    /// once.
    pub(super) fn save_draft(&mut self) -> Task<Message> {
        self.save_draft_filing(true)
    }

    /// A pause in typing: saved locally; filed on the server only every `FILE_EVERY`.
    fn autosave(&mut self) -> Task<Message> {
        let due = self
            .composer
            .as_ref()
            .is_some_and(|c| c.filed_at.elapsed() >= composer::FILE_EVERY);
        self.save_draft_filing(due)
    }

    fn save_draft_filing(&mut self, file: bool) -> Task<Message> {
        let Some(c) = &mut self.composer else {
            return Task::none();
        };
        if c.saving {
            // The answer to the save in flight saves again, filing it if asked now.
            c.file_wanted |= file;
            return Task::none();
        }
        // Taken first: a filing asked for meanwhile is done by this save.
        let file = std::mem::take(&mut c.file_wanted) || file;
        if file {
            c.filed_at = std::time::Instant::now();
        }
        c.saving = true;
        c.saved_generation = c.generation;
        let draft = Box::new(c.to_draft());
        let attachments = c.attachments_to_save();
        self.send(Command::SaveDraft {
            draft,
            attachments,
            file,
        })
    }

    fn send_composed(&mut self) -> Task<Message> {
        let Some(c) = &mut self.composer else {
            return Task::none();
        };
        for field in [
            composer::AddrField::To,
            composer::AddrField::Cc,
            composer::AddrField::Bcc,
        ] {
            c.apply(composer::Edit::AddrCommit(field));
        }
        if let Some(key) = c.send_problem() {
            c.error = Some(self.i18n.t(key, &[]));
            return Task::none();
        }
        let account = c.draft.account_id;
        let can_send = self
            .tree
            .accounts
            .iter()
            .any(|(a, _)| a.id == account && a.smtp.enabled);
        if !can_send {
            c.error = Some(self.i18n.t("compose-sending-off", &[]));
            return Task::none();
        }
        c.send_after_save = true;
        if c.draft.id != 0 && !c.unsaved() && !c.saving {
            let draft = c.draft.id;
            return self.sent_off(draft);
        }
        // Saved first (the newest text), then sent when the engine says it is saved; with a
        // save in flight, its answer saves again and then sends.
        self.save_draft()
    }

    /// The draft is in the engine's hands: send it and close the composer.
    fn sent_off(&mut self, draft: i64) -> Task<Message> {
        self.composer = None;
        self.screen = Screen::Mail;
        self.notice = Some(self.i18n.t("compose-sending", &[]));
        self.send(Command::Send { draft })
    }

    /// The engine saved a draft: the composer it belongs to learns its id, saves again if it
    /// changed meanwhile, or sends it if that was asked.
    pub(super) fn draft_saved(&mut self, id: i64, message_id: &str) -> Task<Message> {
        let Some(c) = &mut self.composer else {
            return Task::none();
        };
        if c.draft.rfc_message_id != message_id {
            return Task::none();
        }
        let again = c.saved(id);
        if self.quitting {
            return if again {
                self.save_draft()
            } else {
                self.quit_now()
            };
        }
        if c.send_after_save {
            if again {
                return self.save_draft();
            }
            return self.sent_off(id);
        }
        if again {
            return self.save_draft();
        }
        Task::none()
    }

    /// Reads the outbox for the status bar.
    /// Shows `text` in the status bar for a few seconds.
    pub(super) fn flash(&mut self, text: String) -> Task<Message> {
        self.notice = Some(text);
        self.notice_id += 1;
        let id = self.notice_id;
        // Made lazily: the timer needs the runtime the task runs on.
        Task::perform(async { tokio::time::sleep(NOTICE_FOR).await }, move |()| {
            Message::NoticeExpired(id)
        })
    }

    /// Clears the notice `id` when no newer one replaced it.
    pub(super) fn expire_notice(&mut self, id: u64) -> Task<Message> {
        if id == self.notice_id {
            self.notice = None;
        }
        Task::none()
    }

    pub(super) fn read_outbox(&self) -> Task<Message> {
        Task::perform(
            data::off_thread(self.db.clone(), compose_data::outbox),
            |r| Message::Compose(ComposeMsg::OutboxRead(r)),
        )
    }

    /// Reads the drafts left unsent (at start).
    pub(super) fn read_unsent(&self) -> Task<Message> {
        Task::perform(
            data::off_thread(self.db.clone(), compose_data::unsent),
            |r| Message::Compose(ComposeMsg::Unsent(r)),
        )
    }
}
