//! The open conversation: its messages stacked oldest to newest, the read ones folded to a
//! line, the unread ones and the newest open, quoted text folded until asked for. One message
//! is in focus at a time (the one replies, forwards, attachments and remote content act on):
//! the newest at first, then whichever the user opens or presses a button of.

use std::collections::{HashMap, HashSet};

use iced::Task;

use super::{Action, Message, State};
use crate::engine::{Change, Command};
use crate::mime::model::DisplayMessage;
use crate::store::messages::Envelope;
use crate::ui::data;
use crate::ui::failure::Failure;
use crate::ui::reader;
use crate::ui::screen::Ctx;

/// What is done in the open conversation.
#[derive(Debug, Clone)]
pub enum Msg {
    /// The conversation of row `head` was read: its messages, oldest first.
    Loaded(i64, Result<Vec<Envelope>, Failure>),
    /// The open conversation was read again after a change (new mail, flags, a removal).
    Refreshed(i64, Result<Vec<Envelope>, Failure>),
    /// Open or fold a message.
    Toggle(i64),
    /// Show a message's quoted text.
    ShowQuotes(i64),
    /// A button of one message's reader.
    Reader(i64, reader::Event),
    /// Reply (to all) to this message.
    Reply(i64, bool),
    /// Forward this message.
    Forward(i64),
}

/// The conversation the reader shows.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    /// The list row it was opened from.
    pub head: i64,
    /// Its messages, oldest first (empty while they are read).
    pub messages: Vec<Envelope>,
    /// Messages shown whole.
    pub open: HashSet<i64>,
    /// Their display models, as they are built.
    pub models: HashMap<i64, DisplayMessage>,
    /// Messages whose quoted text the user asked to see.
    pub quotes: HashSet<i64>,
}

impl Conversation {
    /// The message with this id, if it is in the conversation.
    pub fn get(&self, id: i64) -> Option<&Envelope> {
        self.messages.iter().find(|m| m.id == id)
    }
}

impl State {
    /// Opens the conversation row `head` stands for: its messages are read off the UI thread.
    pub(super) fn open_conversation(&mut self, head: i64, ctx: Ctx<'_>) -> Action {
        self.images.clear();
        self.message = Some(head);
        self.reading = None;
        self.conversation = Some(Conversation {
            head,
            ..Conversation::default()
        });
        let Some(folder) = self.list.folder else {
            return Action::None;
        };
        Action::Run(Task::perform(
            data::off_thread(ctx.db.to_path_buf(), move |p| {
                data::conversation(p, folder, head)
            }),
            move |r| Message::Conversation(Msg::Loaded(head, r)),
        ))
    }

    /// Handles what is done in the open conversation.
    pub(super) fn conversation(&mut self, msg: Msg, ctx: Ctx<'_>) -> Action {
        match msg {
            Msg::Loaded(head, Ok(messages)) => self.conversation_loaded(head, messages, ctx),
            Msg::Loaded(_, Err(e)) | Msg::Refreshed(_, Err(e)) => Action::Error(e),
            Msg::Refreshed(head, Ok(messages)) => self.conversation_refreshed(head, messages, ctx),
            Msg::Toggle(id) => {
                let Some(c) = &mut self.conversation else {
                    return Action::None;
                };
                if c.open.remove(&id) {
                    return Action::None;
                }
                c.open.insert(id);
                self.focus(id, ctx)
            }
            Msg::ShowQuotes(id) => {
                if let Some(c) = &mut self.conversation {
                    c.quotes.insert(id);
                }
                Action::None
            }
            Msg::Reader(id, event) => {
                let focus = self.focus(id, ctx);
                Action::Many(vec![focus, self.reader(event, ctx)])
            }
            Msg::Reply(id, all) => {
                let focus = self.focus(id, ctx);
                Action::Many(vec![focus, Action::Reply { all }])
            }
            Msg::Forward(id) => {
                let focus = self.focus(id, ctx);
                Action::Many(vec![focus, Action::Forward])
            }
        }
    }

    fn conversation_loaded(&mut self, head: i64, messages: Vec<Envelope>, ctx: Ctx<'_>) -> Action {
        let Some(c) = self.conversation.as_mut().filter(|c| c.head == head) else {
            return Action::None;
        };
        // Unread mail and the newest open; the rest folded to a line.
        let newest = messages.last().map(|m| m.id);
        c.open = messages
            .iter()
            .filter(|m| !m.flags.seen || Some(m.id) == newest)
            .map(|m| m.id)
            .collect();
        let unread: Vec<i64> = messages
            .iter()
            .filter(|m| !m.flags.seen)
            .map(|m| m.id)
            .collect();
        c.messages = messages;
        let open: Vec<i64> = c.open.iter().copied().collect();
        let mut actions: Vec<Action> = open.iter().map(|id| self.load_message(*id, ctx)).collect();
        if let Some(newest) = newest {
            self.message = Some(newest);
        }
        if !unread.is_empty() {
            // Read by being shown; the list shows it at once.
            if let Some(c) = &mut self.conversation {
                for m in &mut c.messages {
                    m.flags.seen = true;
                }
            }
            if let Some(s) = self.list.summary_mut(head) {
                s.unread = 0;
            }
            for id in unread.iter().chain([&head]) {
                if let Some(m) = self.list.find_mut(*id) {
                    m.flags.seen = true;
                }
            }
            actions.push(Action::Send(Command::Change(Change::SetSeen {
                messages: unread,
                seen: true,
            })));
        }
        Action::Many(actions)
    }

    /// Reads the open conversation again (something in the folder shown changed).
    pub(super) fn refresh_conversation(&self, ctx: Ctx<'_>) -> Action {
        let (Some(c), Some(folder)) = (&self.conversation, self.list.folder) else {
            return Action::None;
        };
        let head = c.head;
        Action::Run(Task::perform(
            data::off_thread(ctx.db.to_path_buf(), move |p| {
                data::conversation(p, folder, head)
            }),
            move |r| Message::Conversation(Msg::Refreshed(head, r)),
        ))
    }

    /// The open conversation as it is now: what is new arrives open (and read only when the
    /// user opens the row again), what went is taken out; what the user opened stays open.
    fn conversation_refreshed(
        &mut self,
        head: i64,
        messages: Vec<Envelope>,
        ctx: Ctx<'_>,
    ) -> Action {
        // Read for the row it was opened from, or for that row's thread under a newer head; not
        // before the first read has come.
        let Some(c) = self.conversation.as_mut().filter(|c| {
            !c.messages.is_empty() && (c.head == head || messages.iter().any(|m| m.id == c.head))
        }) else {
            return Action::None;
        };
        if messages.is_empty() {
            // The conversation left the folder (moved or deleted elsewhere).
            self.conversation = None;
            self.message = None;
            self.reading = None;
            return Action::None;
        }
        let known: HashSet<i64> = c.messages.iter().map(|m| m.id).collect();
        let now: HashSet<i64> = messages.iter().map(|m| m.id).collect();
        let new: Vec<i64> = messages
            .iter()
            .filter(|m| !known.contains(&m.id))
            .map(|m| m.id)
            .collect();
        c.open.retain(|id| now.contains(id));
        c.models.retain(|id, _| now.contains(id));
        c.open.extend(new.iter().copied());
        c.messages = messages;
        let mut wanted = new;
        if self.message.is_some_and(|id| !now.contains(&id)) {
            // The focused message went: the newest takes its place, opened and read in.
            self.message = c.messages.last().map(|m| m.id);
            self.reading = self.message.and_then(|id| c.models.get(&id).cloned());
            if let Some(id) = self.message.filter(|id| !c.models.contains_key(id)) {
                c.open.insert(id);
                if !wanted.contains(&id) {
                    wanted.push(id);
                }
            }
        }
        let loads = wanted
            .iter()
            .map(|id| self.load_message(*id, ctx))
            .collect();
        Action::Many(loads)
    }

    /// After the list was read again, the open conversation's row may stand on a newer
    /// message (new mail arrived in it): the reader and the selection follow it.
    pub(super) fn follow_head(&mut self) {
        let Some(c) = &mut self.conversation else {
            return;
        };
        if self.list.find(c.head).is_some() {
            return;
        }
        let thread = c.messages.first().map(|m| m.thread_id).unwrap_or_default();
        let row = self
            .list
            .held()
            .find(|m| thread != 0 && m.thread_id == thread)
            .map(|m| m.id);
        if let Some(row) = row {
            self.list.selected.remove(&c.head);
            self.list.selected.insert(row);
            c.head = row;
        }
    }

    /// Puts `id` in focus (what replies and the reader's buttons act on), reading it if it is
    /// not yet.
    fn focus(&mut self, id: i64, ctx: Ctx<'_>) -> Action {
        let Some(c) = &mut self.conversation else {
            return Action::None;
        };
        c.open.insert(id);
        if self.message == Some(id) {
            return Action::None;
        }
        self.message = Some(id);
        self.confirm_open = None;
        self.reading = c.models.get(&id).cloned();
        if self.reading.is_some() {
            return Action::None;
        }
        self.load_message(id, ctx)
    }

    /// The message `id` with this id, from the list or the open conversation.
    pub(super) fn envelope(&self, id: i64) -> Option<&Envelope> {
        self.list
            .find(id)
            .map(|(_, m)| m)
            .or_else(|| self.conversation.as_ref().and_then(|c| c.get(id)))
    }

    /// Whether the reader shows message `id` (alone, or in the open conversation).
    pub(super) fn shows(&self, id: i64) -> bool {
        self.message == Some(id)
            || self
                .conversation
                .as_ref()
                .is_some_and(|c| c.open.contains(&id))
    }

    /// The list row the reader's message belongs to.
    pub fn current_row(&self) -> Option<i64> {
        self.conversation.as_ref().map(|c| c.head).or(self.message)
    }
}
