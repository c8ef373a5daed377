//! Around the composer: starting one (new, reply, forward, a recovered draft, a refused send),
//! one composer at a time with the open one saved first, the address book, drafts a crash left
//! unsent, and the outbox's problems. Its `update` answers with an `Action` for the window.

use iced::Task;

use super::{Message, first_field};
use crate::engine::Command;
use crate::i18n::I18n;
use crate::launch::mailto;
use crate::mime::compose;
use crate::store::drafts::Draft;
use crate::ui::compose_data::{self, Outbox, Prefilled};
use crate::ui::composer::Composer;
use crate::ui::data::{self, Tree};
use crate::ui::failure::Failure;
use crate::ui::screen::Ctx;

/// Writing mail: the composer and what surrounds it.
#[derive(Default)]
pub struct Writing {
    /// The message being written.
    pub composer: Option<Composer>,
    /// Addresses for completion (read when a composer first opens).
    pub address_book: Vec<(String, String)>,
    /// Drafts left unsent last time, offered again.
    pub unsent: Vec<Draft>,
    /// What waits in the outbox and what needs the user.
    pub outbox: Outbox,
}

/// What happens around the composer.
#[derive(Debug, Clone)]
pub enum ComposeMsg {
    /// A new message (c).
    New,
    /// A prefilled draft was read.
    Opened(Result<Box<Prefilled>, Failure>),
    /// The address book was read.
    Addresses(Result<Vec<(String, String)>, Failure>),
    /// Drafts left unsent (read at start).
    Unsent(Result<Vec<Draft>, Failure>),
    /// Open an unsent draft.
    OpenDraft(i64),
    /// Forget the offer of unsent drafts.
    DismissUnsent,
    /// The outbox was read.
    OutboxRead(Result<Outbox, Failure>),
    /// Put a refused message back in the composer.
    EditRefused(i64),
    /// A refused message was read back: open it, saved as a draft at once, then drop the
    /// outbox copy.
    OpenedRefused(i64, Result<Box<Prefilled>, Failure>),
    /// Try a refused message again.
    RetryRefused(i64),
}

/// What writing mail needs of the window.
pub enum Action {
    /// Nothing.
    None,
    /// Work of its own, answered by one of its messages.
    Run(Task<ComposeMsg>),
    /// The composer's own work, answered by one of the composer's messages.
    RunComposer(Task<Message>),
    /// Hand this to the engine.
    Send(Command),
    /// Several of these.
    Many(Vec<Action>),
    /// A composer opened: show it.
    Opened,
    /// The composer closed: back to the mail.
    Closed,
    /// Say this in the status bar.
    Notice(String),
    /// The last save before quitting landed: quit.
    Quit,
    /// Something failed; the status bar says it.
    Error(Failure),
}

/// The account to write from: the open folder's, else the first that can send, else the
/// first; with its address.
pub fn default_sender(tree: &Tree, folder: Option<i64>) -> Option<(i64, String)> {
    let of_folder = folder.and_then(|f| {
        tree.accounts
            .iter()
            .find(|(_, folders)| folders.iter().any(|x| x.id == f))
    });
    of_folder
        .or_else(|| tree.accounts.iter().find(|(a, _)| a.smtp.enabled))
        .or_else(|| tree.accounts.first())
        .map(|(a, _)| (a.id, a.address.clone()))
}

/// A composer filled from a mailto: link, writing from `account`. A link that cannot be read
/// opens an empty composer that says so; addresses that cannot be read stay typed in their
/// field, with a note, instead of vanishing.
pub fn from_mailto(url: &str, account: i64, sender: &str, i18n: &I18n) -> Composer {
    let Ok(link) = mailto::parse(url) else {
        let mut c = Composer::blank(account, sender);
        c.error = Some(i18n.t("launch-mailto-bad", &[]));
        return c;
    };
    let mut c = Composer::open(draft_from(&link, account), Vec::new(), sender);
    let fields = [&link.to, &link.cc, &link.bcc];
    for (typed, text) in c.typing.iter_mut().zip(fields) {
        if !text.is_empty() && compose::parse_addresses("To", text).is_err() {
            *typed = text.clone();
            c.error = Some(i18n.t("launch-mailto-bad-address", &[]));
        }
    }
    c
}

/// A new message from `account` with the link's fields.
fn draft_from(link: &mailto::Mailto, account: i64) -> Draft {
    let mut draft = Draft::new(account);
    draft.to_addrs = link.to.clone();
    draft.cc_addrs = link.cc.clone();
    draft.bcc_addrs = link.bcc.clone();
    draft.subject = link.subject.clone();
    draft.body_text = link.body.clone();
    // Drafts keep Message-IDs bare, as replies made here do.
    let answered = link.in_reply_to.trim_matches(['<', '>']).to_owned();
    draft.in_reply_to = answered.clone();
    draft.refs = answered;
    draft
}

fn address_of(tree: &Tree, account: i64) -> String {
    tree.accounts
        .iter()
        .find(|(a, _)| a.id == account)
        .map(|(a, _)| a.address.clone())
        .unwrap_or_default()
}

impl Writing {
    /// Handles what happens around the composer; `folder` is the mail screen's open one.
    pub fn update(&mut self, msg: ComposeMsg, ctx: Ctx<'_>, folder: Option<i64>) -> Action {
        match msg {
            ComposeMsg::New => match default_sender(ctx.tree, folder) {
                Some((id, address)) => self.start(Composer::blank(id, &address), ctx),
                None => Action::None,
            },
            ComposeMsg::Opened(Ok(prefilled)) => {
                let (draft, attachments) = *prefilled;
                let sender = address_of(ctx.tree, draft.account_id);
                self.start(Composer::open(draft, attachments, &sender), ctx)
            }
            ComposeMsg::Opened(Err(e))
            | ComposeMsg::Addresses(Err(e))
            | ComposeMsg::Unsent(Err(e))
            | ComposeMsg::OutboxRead(Err(e))
            | ComposeMsg::OpenedRefused(_, Err(e)) => Action::Error(e),
            ComposeMsg::Addresses(Ok(book)) => {
                self.address_book = book;
                Action::None
            }
            ComposeMsg::Unsent(Ok(drafts)) => {
                self.unsent = drafts;
                Action::None
            }
            ComposeMsg::OpenDraft(id) => {
                self.unsent.retain(|d| d.id != id);
                Action::Run(Task::perform(
                    data::off_thread(ctx.db.to_path_buf(), move |db| compose_data::draft(db, id)),
                    |r| ComposeMsg::Opened(r.map(Box::new)),
                ))
            }
            ComposeMsg::DismissUnsent => {
                self.unsent.clear();
                Action::None
            }
            ComposeMsg::OutboxRead(Ok(outbox)) => {
                self.outbox = outbox;
                Action::None
            }
            ComposeMsg::EditRefused(item) => {
                self.outbox.problems.retain(|p| p.item != item);
                Action::Run(Task::perform(
                    data::off_thread(ctx.db.to_path_buf(), move |db| {
                        compose_data::refused(db, item)
                    }),
                    move |r| ComposeMsg::OpenedRefused(item, r.map(Box::new)),
                ))
            }
            ComposeMsg::OpenedRefused(item, Ok(prefilled)) => {
                let (draft, attachments) = *prefilled;
                let sender = address_of(ctx.tree, draft.account_id);
                let mut c = Composer::open(draft, attachments, &sender);
                // Saved as a draft before the outbox copy goes (the engine takes commands in
                // order), so the text is never only in memory.
                c.generation = 1;
                let open = self.start(c, ctx);
                let save = self.save_draft();
                Action::Many(vec![
                    open,
                    save,
                    Action::Send(Command::DiscardSend { item }),
                ])
            }
            ComposeMsg::RetryRefused(item) => {
                self.outbox.problems.retain(|p| p.item != item);
                Action::Send(Command::RetrySend { item })
            }
        }
    }

    /// A reply (`Some(all)`) to `message`, or a forward (None), read off the UI thread.
    pub fn answer(message: i64, reply: Option<bool>, ctx: Ctx<'_>) -> Action {
        let locale = ctx.i18n.locale().to_owned();
        Action::Run(Task::perform(
            data::off_thread(ctx.db.to_path_buf(), move |db| match reply {
                Some(all) => compose_data::reply(db, message, all, &locale),
                None => compose_data::forward(db, message, &locale),
            }),
            |r| ComposeMsg::Opened(r.map(Box::new)),
        ))
    }

    /// Opens `c`; a composer already open with words in it is saved, never dropped.
    pub fn start(&mut self, c: Composer, ctx: Ctx<'_>) -> Action {
        let focus = Action::RunComposer(iced::widget::operation::focus(first_field(&c)));
        if let Some(old) = &self.composer
            && old.unsaved()
            && !old.is_empty()
        {
            let save = self.save_draft();
            self.composer = Some(c);
            return Action::Many(vec![Action::Opened, save, focus]);
        }
        self.composer = Some(c);
        if !self.address_book.is_empty() {
            return Action::Many(vec![Action::Opened, focus]);
        }
        let book = Action::Run(Task::perform(
            data::off_thread(ctx.db.to_path_buf(), compose_data::address_book),
            ComposeMsg::Addresses,
        ));
        Action::Many(vec![Action::Opened, focus, book])
    }

    /// Asks the engine to save the composer's draft and file it in the server's Drafts (on
    /// closing, quitting, sending, going to the tray).
    pub fn save_draft(&mut self) -> Action {
        match self.composer.as_mut().and_then(|c| c.save(true)) {
            Some(command) => Action::Send(command),
            None => Action::None,
        }
    }

    /// Whether the open composer holds words not yet saved.
    pub fn typed(&self) -> bool {
        self.composer
            .as_ref()
            .is_some_and(|c| c.unsaved() && !c.is_empty())
    }

    /// Whether words typed in the last moments still wait to be saved (or their save is on
    /// its way).
    pub fn unsaved(&self) -> bool {
        self.typed() || self.composer.as_ref().is_some_and(|c| c.saving)
    }

    /// A message in the open composer.
    pub fn composer(&mut self, msg: Message, ctx: Ctx<'_>) -> Action {
        let Some(c) = &mut self.composer else {
            return Action::None;
        };
        let action = c.update(msg, ctx);
        self.composer_action(action, ctx)
    }

    /// The engine saved a draft: the composer it belongs to learns its id, saves again if it
    /// changed meanwhile, sends it if that was asked, or quits if the window is quitting.
    pub fn draft_saved(
        &mut self,
        id: i64,
        message_id: &str,
        quitting: bool,
        ctx: Ctx<'_>,
    ) -> Action {
        let Some(c) = &mut self.composer else {
            return Action::None;
        };
        let action = c.draft_saved(id, message_id, quitting);
        self.composer_action(action, ctx)
    }

    fn composer_action(&mut self, action: super::Action, ctx: Ctx<'_>) -> Action {
        match action {
            super::Action::None => Action::None,
            super::Action::Run(task) => Action::RunComposer(task),
            super::Action::Send(command) => Action::Send(command),
            super::Action::Close(save) => {
                self.composer = None;
                let save = save.map_or(Action::None, Action::Send);
                Action::Many(vec![Action::Closed, save])
            }
            super::Action::SentOff(draft) => {
                self.composer = None;
                Action::Many(vec![
                    Action::Closed,
                    Action::Notice(ctx.i18n.t("compose-sending", &[])),
                    Action::Send(Command::Send { draft }),
                ])
            }
            super::Action::Quit => Action::Quit,
            super::Action::Error(e) => Action::Error(e),
        }
    }

    /// Reads the outbox for the status bar.
    pub fn read_outbox(ctx: Ctx<'_>) -> Action {
        Action::Run(Task::perform(
            data::off_thread(ctx.db.to_path_buf(), compose_data::outbox),
            ComposeMsg::OutboxRead,
        ))
    }

    /// Reads the drafts left unsent (at start).
    pub fn read_unsent(ctx: Ctx<'_>) -> Action {
        Action::Run(Task::perform(
            data::off_thread(ctx.db.to_path_buf(), compose_data::unsent),
            ComposeMsg::Unsent,
        ))
    }
}
