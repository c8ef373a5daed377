//! The window's side of writing mail: opening the composer (new, reply, forward, a recovered
//! draft, a refused send), autosaving through the engine, sending, and the outbox's problems.

use iced::Task;

use super::app::{App, Message, Screen, ctx};
use super::compose_data::{self, Prefilled};
use super::composer::Composer;
use super::data;
use super::message::ComposeMsg;
use super::screen::compose;
use crate::engine::Command;

/// How long a passing notice ("Sent") stays in the status bar.
const NOTICE_FOR: std::time::Duration = std::time::Duration::from_secs(4);

impl App {
    /// A reply (`Some(all)`) or a forward (None) of the mail screen's open message.
    pub(super) fn answer_mail(&mut self, reply: Option<bool>) -> Task<Message> {
        match reply {
            Some(all) => {
                self.prefill(move |db, id, locale| compose_data::reply(db, id, all, &locale))
            }
            None => self.prefill(|db, id, locale| compose_data::forward(db, id, &locale)),
        }
    }

    /// Handles everything about writing mail.
    pub fn compose(&mut self, msg: ComposeMsg) -> Task<Message> {
        match msg {
            ComposeMsg::New => {
                let Some((id, address)) = self.default_sender() else {
                    return Task::none();
                };
                self.start_composer(Composer::blank(id, &address))
            }
            ComposeMsg::Opened(Ok(prefilled)) => {
                let (draft, attachments) = *prefilled;
                let sender = self.address_of(draft.account_id).unwrap_or_default();
                self.start_composer(Composer::open(draft, attachments, &sender))
            }
            ComposeMsg::Opened(Err(e)) => self.failed(e),
            ComposeMsg::Addresses(Ok(book)) => {
                self.writing.address_book = book;
                Task::none()
            }
            ComposeMsg::Addresses(Err(e))
            | ComposeMsg::Unsent(Err(e))
            | ComposeMsg::OutboxRead(Err(e)) => self.failed(e),
            ComposeMsg::Unsent(Ok(drafts)) => {
                self.writing.unsent = drafts;
                Task::none()
            }
            ComposeMsg::OpenDraft(id) => {
                self.writing.unsent.retain(|d| d.id != id);
                Task::perform(
                    data::off_thread(self.paths.db.clone(), move |db| compose_data::draft(db, id)),
                    |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
                )
            }
            ComposeMsg::DismissUnsent => {
                self.writing.unsent.clear();
                Task::none()
            }
            ComposeMsg::OutboxRead(Ok(outbox)) => {
                self.writing.outbox = outbox;
                Task::none()
            }
            ComposeMsg::EditRefused(item) => {
                self.writing.outbox.problems.retain(|p| p.item != item);
                Task::perform(
                    data::off_thread(self.paths.db.clone(), move |db| {
                        compose_data::refused(db, item)
                    }),
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
            ComposeMsg::OpenedRefused(_, Err(e)) => self.failed(e),
            ComposeMsg::RetryRefused(item) => {
                self.writing.outbox.problems.retain(|p| p.item != item);
                self.send(Command::RetrySend { item })
            }
        }
    }

    pub(super) fn default_sender(&self) -> Option<(i64, String)> {
        // The account of the open folder, else the first that can send, else the first.
        let of_folder = self.mail.folder.and_then(|f| {
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
        let Some(id) = self.mail.message else {
            return Task::none();
        };
        let locale = self.i18n.locale().to_owned();
        Task::perform(
            data::off_thread(self.paths.db.clone(), move |db| make(db, id, locale)),
            |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
        )
    }

    pub(super) fn start_composer(&mut self, c: Composer) -> Task<Message> {
        let focus = iced::widget::operation::focus(compose::first_field(&c));
        if let Some(old) = &self.writing.composer
            && old.unsaved()
            && !old.is_empty()
        {
            // One composer at a time: the one open is saved, never dropped.
            let save = self.save_draft();
            self.writing.composer = Some(c);
            self.screen = Screen::Compose;
            return Task::batch([save, focus]);
        }
        self.writing.composer = Some(c);
        self.screen = Screen::Compose;
        if self.writing.address_book.is_empty() {
            Task::batch([
                focus,
                Task::perform(
                    data::off_thread(self.paths.db.clone(), compose_data::address_book),
                    |r| Message::Compose(ComposeMsg::Addresses(r)),
                ),
            ])
        } else {
            focus
        }
    }

    /// Asks the engine to save the composer's draft and file it in the server's Drafts (on
    /// closing, quitting, sending).
    pub(super) fn save_draft(&mut self) -> Task<Message> {
        match self.writing.composer.as_mut().and_then(|c| c.save(true)) {
            Some(command) => self.send(command),
            None => Task::none(),
        }
    }

    /// Routes a composer message to the open composer and acts on its answer.
    pub(super) fn on_composer(&mut self, msg: compose::Message) -> Task<Message> {
        let Some(c) = &mut self.writing.composer else {
            return Task::none();
        };
        let action = c.update(msg, ctx!(self));
        self.composer_action(action)
    }

    /// Does what the composer asked of the window.
    fn composer_action(&mut self, action: compose::Action) -> Task<Message> {
        match action {
            compose::Action::None => Task::none(),
            compose::Action::Run(task) => task.map(Message::Composer),
            compose::Action::Send(command) => self.send(command),
            compose::Action::Close(save) => {
                self.writing.composer = None;
                self.screen = Screen::Mail;
                match save {
                    Some(command) => self.send(command),
                    None => Task::none(),
                }
            }
            compose::Action::SentOff(draft) => {
                self.writing.composer = None;
                self.screen = Screen::Mail;
                self.status.notice = Some(self.i18n.t("compose-sending", &[]));
                self.send(Command::Send { draft })
            }
            compose::Action::Quit => self.quit_now(),
            compose::Action::Error(e) => self.failed(e),
        }
    }

    /// The engine saved a draft: the composer it belongs to learns its id, saves again if it
    /// changed meanwhile, or sends it if that was asked.
    pub(super) fn draft_saved(&mut self, id: i64, message_id: &str) -> Task<Message> {
        let quitting = self.desktop.quitting;
        let Some(c) = &mut self.writing.composer else {
            return Task::none();
        };
        let action = c.draft_saved(id, message_id, quitting);
        self.composer_action(action)
    }

    /// Reads the outbox for the status bar.
    /// Shows `text` in the status bar for a few seconds.
    pub(super) fn flash(&mut self, text: String) -> Task<Message> {
        self.status.notice = Some(text);
        self.status.notice_id += 1;
        let id = self.status.notice_id;
        // Made lazily: the timer needs the runtime the task runs on.
        Task::perform(async { tokio::time::sleep(NOTICE_FOR).await }, move |()| {
            Message::NoticeExpired(id)
        })
    }

    /// Clears the notice `id` when no newer one replaced it.
    pub(super) fn expire_notice(&mut self, id: u64) -> Task<Message> {
        if id == self.status.notice_id {
            self.status.notice = None;
        }
        Task::none()
    }

    pub(super) fn read_outbox(&self) -> Task<Message> {
        Task::perform(
            data::off_thread(self.paths.db.clone(), compose_data::outbox),
            |r| Message::Compose(ComposeMsg::OutboxRead(r)),
        )
    }

    /// Reads the drafts left unsent (at start).
    pub(super) fn read_unsent(&self) -> Task<Message> {
        Task::perform(
            data::off_thread(self.paths.db.clone(), compose_data::unsent),
            |r| Message::Compose(ComposeMsg::Unsent(r)),
        )
    }
}
