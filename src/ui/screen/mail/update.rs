//! The mail screen's update: folders and pages of the list, the selection, opening a message
//! (downloading its body when the mirror has none), remote content, attachments and the
//! toolbar's actions.

use std::sync::Arc;

use iced::Task;
use iced::widget::pane_grid;

use super::{Act, Action, Message, State};
use crate::engine::{Change, Command};
use crate::ui::attachments::{self, Outcome};
use crate::ui::data::{self, Shown};
use crate::ui::list::{Extend, MessageList};
use crate::ui::reader::Event;
use crate::ui::screen::Ctx;
use crate::ui::search::RESULTS;

/// How long the dividers stay still before their place is saved.
const PANES_SETTLE: std::time::Duration = std::time::Duration::from_millis(800);

impl State {
    /// Handles one of the mail screen's messages.
    pub fn update(&mut self, message: Message, ctx: Ctx<'_>) -> Action {
        match message {
            Message::OpenFolder(id) => {
                self.searching = None;
                self.message = None;
                self.reading = None;
                self.conversation = None;
                self.open_folder(id, ctx)
            }
            Message::PageLoaded(folder, page, Ok(read)) => {
                if self.list.folder != Some(folder) {
                    return Action::None;
                }
                // Read before conversations were switched on or off: the other mode's rows.
                let grouped = !read.summaries.is_empty();
                let want = ctx.conversations && self.hits().is_none();
                if !read.rows.is_empty() && grouped != want {
                    return Action::None;
                }
                self.list.page_loaded(page, read.total, read.rows);
                self.list.summarised(read.summaries);
                self.follow_head();
                if ctx.desktop {
                    self.now = chrono::Utc::now().timestamp();
                }
                // A changed count may have dropped rows the viewport shows.
                let pages = self.list.wanted_pages();
                self.load_pages(pages, ctx)
            }
            Message::PageLoaded(_, _, Err(e))
            | Message::MessageLoaded(_, Err(e))
            | Message::AttachmentSaved(Err(e))
            | Message::AttachmentOpened(Err(e)) => Action::Error(e),
            Message::ListScrolled(offset, height) => {
                self.list.offset = offset;
                self.list.height = height;
                let pages = self.list.wanted_pages();
                self.load_pages(pages, ctx)
            }
            Message::ClickRow(id) => self.click(id, ctx),
            Message::OpenSelected => match self.list.selected.first().copied() {
                Some(id) if self.list.selected.len() == 1 && self.current_row() != Some(id) => {
                    self.open_message(id, ctx)
                }
                _ => Action::None,
            },
            Message::Modifiers(modifiers) => {
                self.modifiers = modifiers;
                Action::None
            }
            Message::PaneResized(pane_grid::ResizeEvent { split, ratio }) => {
                // Keep every pane usable: no drag makes one vanish.
                let ratio = ratio.clamp(0.12, 0.8);
                self.panes.resize(split, ratio);
                let outer = matches!(self.panes.layout(), pane_grid::Node::Split { id, .. } if *id == split);
                self.pane_generation += 1;
                let generation = self.pane_generation;
                // Saved once the drag is over, not at every step of it.
                Action::Many(vec![
                    Action::Panes(usize::from(!outer), ratio),
                    Action::Run(Task::perform(
                        async { tokio::time::sleep(PANES_SETTLE).await },
                        move |()| Message::PanesSettled(generation),
                    )),
                ])
            }
            Message::PanesSettled(generation) if generation == self.pane_generation => {
                Action::SavePanes
            }
            Message::PanesSettled(_) => Action::None,
            Message::ToggleAccount(id) => {
                if !self.collapsed.remove(&id) {
                    self.collapsed.insert(id);
                }
                Action::None
            }
            Message::OpenMessage(id) => self.open_message(id, ctx),
            Message::MessageLoaded(id, Ok(model)) => self.message_loaded(id, model),
            Message::Act(act) => self.act(act),
            Message::Step(delta) => {
                let at = self
                    .current_row()
                    .and_then(|id| self.list.find(id))
                    .map(|(p, _)| p);
                let next = match at {
                    Some(p) => i64::from(p) + i64::from(delta),
                    None => 0,
                };
                match u32::try_from(next).ok().and_then(|p| self.list.get(p)) {
                    Some(m) => {
                        let id = m.id;
                        self.open_message(id, ctx)
                    }
                    None => Action::None,
                }
            }
            Message::Reader(event) => self.reader(event, ctx),
            Message::Conversation(msg) => self.conversation(msg, ctx),
            Message::SwitchConversations(on) => Action::Conversations(on),
            Message::Regroup => match self.folder {
                Some(folder) if self.searching.is_none() => {
                    self.message = None;
                    self.reading = None;
                    self.conversation = None;
                    self.open_folder(folder, ctx)
                }
                _ => Action::None,
            },
            Message::AttachmentSaved(Ok(path)) => {
                Action::Notice(attachments::saved(ctx.i18n, &path))
            }
            Message::AttachmentOpened(Ok(_)) => Action::None,
            Message::Search(msg) => self.search(msg, ctx),
            Message::Reply { all } if self.message.is_some() => Action::Reply { all },
            Message::Forward if self.message.is_some() => Action::Forward,
            Message::Reply { .. } | Message::Forward => Action::None,
            Message::Changed { folder, ids } => self.changed(folder, &ids, ctx),
            Message::AccountRemoved(account) => {
                let shown = ctx
                    .tree
                    .accounts
                    .iter()
                    .find(|(a, _)| a.id == account)
                    .is_some_and(|(_, folders)| folders.iter().any(|f| Some(f.id) == self.folder));
                if shown {
                    self.folder = None;
                    self.list = MessageList::default();
                    self.message = None;
                    self.reading = None;
                    self.conversation = None;
                }
                Action::None
            }
            Message::RemoteImage {
                message,
                url,
                image,
            } => {
                match image {
                    Ok(bytes) if self.shows(message) => {
                        let image = iced::widget::image::Handle::from_bytes(bytes);
                        self.images.insert(url, image);
                    }
                    Ok(_) => {}
                    // A missing image is shown by its alt text; no error for it.
                    Err(e) => tracing::info!(target: "tidings::ui", "remote image: {e}"),
                }
                Action::None
            }
        }
    }

    /// The list rows a toolbar action applies to: the selection, or the open one.
    pub fn target_rows(&self) -> Vec<i64> {
        if self.list.selected.len() > 1 {
            self.list.selected.iter().copied().collect()
        } else {
            self.current_row().into_iter().collect()
        }
    }

    /// The messages a toolbar action applies to: those of the rows it applies to (a
    /// conversation row stands for its messages in the folder shown).
    pub fn targets(&self) -> Vec<i64> {
        self.target_rows()
            .into_iter()
            .flat_map(|id| self.list.members(id))
            .collect()
    }

    /// Whether the first row acted on reads as read and as flagged (a conversation is read
    /// when none of it is unread, flagged when any of it is).
    pub fn row_marks(&self) -> (bool, bool) {
        let Some(id) = self.target_rows().first().copied() else {
            return (true, false);
        };
        match (self.list.summary(id), self.list.find(id)) {
            (Some(s), _) => (s.unread == 0, s.flagged),
            (None, Some((_, m))) => (m.flags.seen, m.flags.flagged),
            (None, None) => (true, false),
        }
    }

    /// The search's hits, while the list shows them.
    pub fn hits(&self) -> Option<Arc<Vec<i64>>> {
        self.searching
            .as_ref()
            .filter(|_| self.list.folder == Some(RESULTS))
            .and_then(|s| s.hits.clone())
    }

    /// The open folder when it is one of an account's (not a unified one): what a search can
    /// be scoped to.
    pub fn real_folder(&self) -> Option<i64> {
        self.folder.filter(|f| data::unified_role(*f).is_none())
    }

    /// Opens `folder` in the list, keeping the viewport's size.
    pub fn open_folder(&mut self, folder: i64, ctx: Ctx<'_>) -> Action {
        self.folder = Some(folder);
        let height = self.list.height;
        self.list = MessageList::open(folder);
        if height > 0.0 {
            // The viewport keeps its size from folder to folder.
            self.list.height = height;
        }
        let pages = self.list.wanted_pages();
        self.load_pages(pages, ctx)
    }

    /// Reads `pages` of the open folder, or of the search's hits, off the UI thread.
    pub(super) fn load_pages(&self, pages: Vec<u32>, ctx: Ctx<'_>) -> Action {
        let Some(folder) = self.list.folder else {
            return Action::None;
        };
        let db = ctx.db.to_path_buf();
        let hits = self.hits();
        let conversations = ctx.conversations;
        Action::Run(Task::batch(pages.into_iter().map(|page| {
            let done = move |r| Message::PageLoaded(folder, page, r);
            match hits.clone() {
                Some(hits) => Task::perform(
                    data::off_thread(db.clone(), move |p| {
                        crate::ui::search::results_page(p, &hits, page)
                    }),
                    done,
                ),
                None => Task::perform(
                    data::off_thread(db.clone(), move |p| {
                        data::page(p, folder, page, conversations)
                    }),
                    done,
                ),
            }
        })))
    }

    fn click(&mut self, id: i64, ctx: Ctx<'_>) -> Action {
        let extend = if self.modifiers.shift() {
            Extend::Range
        } else if self.modifiers.command() {
            Extend::Toggle
        } else {
            Extend::Replace
        };
        if extend == Extend::Replace {
            return self.open_message(id, ctx);
        }
        self.list.click(id, extend);
        if self.list.selected.len() == 1
            && let Some(only) = self.list.selected.first().copied()
            && self.current_row() != Some(only)
        {
            return self.open_message(only, ctx);
        }
        if self.list.selected.len() > 1 {
            self.message = None;
            self.reading = None;
            self.conversation = None;
        }
        Action::None
    }

    fn open_message(&mut self, id: i64, ctx: Ctx<'_>) -> Action {
        self.list.click(id, Extend::Replace);
        if self.list.summary(id).is_some_and(|s| s.messages > 1) {
            return self.open_conversation(id, ctx);
        }
        self.conversation = None;
        if self.message != Some(id) {
            self.images.clear();
        }
        self.message = Some(id);
        self.reading = None;
        let unread = self.list.find(id).is_some_and(|(_, m)| !m.flags.seen);
        let load = self.load_message(id, ctx);
        if !unread {
            return load;
        }
        // Shown read at once; the engine records it and tells the server.
        if let Some(m) = self.list.find_mut(id) {
            m.flags.seen = true;
        }
        Action::Many(vec![
            load,
            Action::Send(Command::Change(Change::SetSeen {
                messages: vec![id],
                seen: true,
            })),
        ])
    }

    pub(super) fn load_message(&self, id: i64, ctx: Ctx<'_>) -> Action {
        let once = self.remote_once.contains(&id);
        Action::Run(Task::perform(
            data::off_thread(ctx.db.to_path_buf(), move |p| data::open(p, id, once)),
            move |r| Message::MessageLoaded(id, r),
        ))
    }

    fn message_loaded(
        &mut self,
        id: i64,
        model: Option<crate::mime::model::DisplayMessage>,
    ) -> Action {
        if !self.shows(id) {
            return Action::None;
        }
        let Some(model) = model else {
            return self.download_now(id);
        };
        if let Some(c) = &mut self.conversation {
            c.models.insert(id, model.clone());
        }
        if self.message != Some(id) {
            return Action::None;
        }
        self.reading = Some(model);
        self.confirm_open = None;
        // Allowed (once or for the sender): the engine fetches the images.
        let urls: Vec<String> = self
            .reading
            .as_ref()
            .filter(|m| m.remote_blocked == 0)
            .map(data::remote_images)
            .unwrap_or_default()
            .into_iter()
            .filter(|u| !self.images.contains_key(u))
            .collect();
        if urls.is_empty() {
            return Action::None;
        }
        Action::Send(Command::FetchRemote { message: id, urls })
    }

    /// The opened message has no body here (outside the sync window, or not reached yet):
    /// the engine fetches it now, once per message; its arrival reloads the reader.
    fn download_now(&mut self, id: i64) -> Action {
        if self.message == Some(id) {
            self.reading = None;
        }
        let fetchable = self
            .envelope(id)
            .is_some_and(|m| m.uid > 0 && m.size <= crate::protocols::DEFAULT_MAX_MESSAGE_BYTES);
        if !fetchable || !self.fetching.insert(id) {
            return Action::None;
        }
        Action::Send(Command::Download { messages: vec![id] })
    }

    /// The engine changed messages: the open one's body may have come, the list may show them.
    fn changed(&mut self, folder: i64, ids: &[i64], ctx: Ctx<'_>) -> Action {
        let mut actions = Vec::new();
        // The open message's body arrived: it said "still being downloaded".
        if let Some(open) = self.message
            && self.reading.is_none()
            && ids.contains(&open)
        {
            actions.push(self.load_message(open, ctx));
        }
        // Bodies of the open conversation's messages came.
        if let Some(c) = &self.conversation {
            for id in ids {
                if c.open.contains(id) && !c.models.contains_key(id) && self.message != Some(*id) {
                    actions.push(self.load_message(*id, ctx));
                }
            }
        }
        self.list.landed(ids);
        // Search results mix folders: any change may show in them.
        // A unified folder shows every account's folder of its role.
        let gathered = self
            .folder
            .and_then(data::unified_role)
            .is_some_and(|role| {
                ctx.tree
                    .accounts
                    .iter()
                    .flat_map(|(_, folders)| folders)
                    .any(|f| f.id == folder && f.role == role)
            });
        if self.folder == Some(folder) || gathered || self.hits().is_some() {
            let pages = self.list.refresh();
            actions.push(self.load_pages(pages, ctx));
        }
        // New mail or flags in the open conversation (from any folder: replies in Sent too).
        if self.conversation.is_some() {
            actions.push(self.refresh_conversation(ctx));
        }
        Action::Many(actions)
    }

    /// The reader's buttons: remote content, then attachments.
    pub(super) fn reader(&mut self, event: Event, ctx: Ctx<'_>) -> Action {
        let Some(id) = self.message else {
            return Action::None;
        };
        match event {
            Event::AllowRemoteOnce => {
                self.remote_once.insert(id);
                self.load_message(id, ctx)
            }
            Event::AllowRemoteSender => {
                let Some(m) = self.envelope(id) else {
                    return Action::None;
                };
                let (account, sender) = (m.account_id, m.from_addr.clone());
                // Shown at once; the engine remembers the sender for next time.
                self.remote_once.insert(id);
                Action::Many(vec![
                    Action::Send(Command::AllowRemoteFrom { account, sender }),
                    self.load_message(id, ctx),
                ])
            }
            Event::ShowQuotes => {
                if let Some(c) = &mut self.conversation {
                    c.quotes.insert(id);
                }
                Action::None
            }
            event => {
                let Some(model) = &self.reading else {
                    return Action::None;
                };
                let outcome = attachments::on_event(
                    &event,
                    model,
                    Shown::Stored(id),
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
        }
    }

    fn act(&mut self, act: Act) -> Action {
        let rows = self.target_rows();
        let ids = self.targets();
        if ids.is_empty() {
            return Action::None;
        }
        // Several selected: read/flag follow the first one, as other mail clients do.
        let (seen, flagged) = self.row_marks();
        // The list changes at once; the engine writes the store and tells the server.
        let change = match act {
            Act::ToggleRead => {
                let seen = !seen;
                for id in rows.iter().chain(&ids) {
                    if let Some(m) = self.list.find_mut(*id) {
                        m.flags.seen = seen;
                    }
                    if let Some(s) = self.list.summary_mut(*id) {
                        s.unread = if seen { 0 } else { s.members.len() as u32 };
                    }
                }
                Change::SetSeen {
                    messages: ids,
                    seen,
                }
            }
            Act::ToggleFlag => {
                let flagged = !flagged;
                for id in rows.iter().chain(&ids) {
                    if let Some(m) = self.list.find_mut(*id) {
                        m.flags.flagged = flagged;
                    }
                    if let Some(s) = self.list.summary_mut(*id) {
                        s.flagged = flagged;
                    }
                }
                Change::SetFlagged {
                    messages: ids,
                    flagged,
                }
            }
            Act::Archive | Act::Delete => {
                self.list.remove(&rows);
                self.message = None;
                self.reading = None;
                self.conversation = None;
                if act == Act::Archive {
                    Change::Archive { messages: ids }
                } else {
                    Change::Delete { messages: ids }
                }
            }
        };
        // No pages are read now: read before the engine commits, they would bring a deleted
        // row back for a moment. The engine's MessagesChanged reads them once it has.
        Action::Send(Command::Change(change))
    }
}
