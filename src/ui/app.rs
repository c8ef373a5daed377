//! The window's state and its update logic. The window reads the store (read-only, off the UI
//! thread) and talks to the engine only through commands and events.

use std::path::PathBuf;

use iced::widget::pane_grid;
use iced::{Subscription, Task, Theme};

use super::compose_data::Outbox;
use super::composer::Composer;
use super::data::{self, Tree};
use super::engine_link;
use super::list::{Extend, MessageList};
use super::message::ComposeMsg;
use super::message::DesktopMsg;
use super::message::SearchMsg;
use super::notify::{self, Notice};
use super::screen::settings;
use super::screen::{compose, mail, setup};
use super::window_state::{Desktop, Prompts, Status, Sync};
use crate::engine::{Change, Command, Protocol};
use crate::i18n::I18n;

pub use super::message::{
    Action, DEFAULT_PANES, Message, Pane, PasswordPrompt, Screen, ThemeChoice, panes, panes_with,
    shortcut,
};

/// The screens' shared context, borrowed from the window's fields one by one, so a screen's
/// state can be borrowed mutably beside it.
macro_rules! ctx {
    ($app:expr) => {
        $crate::ui::screen::Ctx {
            i18n: &$app.i18n,
            tree: &$app.tree,
            language: &$app.prefs.language,
            theme: $app.prefs.theme,
            notifications: $app.prefs.notifications,
            background: $app.prefs.background,
            tray_shown: $app.desktop.tray_shown,
            desktop: $app.with_engine,
            db: &$app.db,
        }
    };
}
pub(crate) use ctx;

/// The whole window.
pub struct App {
    /// The store file (read-only here).
    pub db: PathBuf,
    /// Whether to start the engine (tests drive the window without one).
    pub with_engine: bool,
    /// Messages in the user's language.
    pub i18n: I18n,
    /// Current screen.
    pub screen: Screen,
    /// Accounts and folders.
    pub tree: Tree,
    /// A copy of each command for a test to read (`tap`); None in the real window, which
    /// keeps nothing once it is handed to the engine (a draft's attachments, passwords).
    tap: Option<std::sync::mpsc::Sender<Command>>,
    /// Where language and theme choices are saved (None: not saved, as in tests).
    pub prefs_file: Option<PathBuf>,
    /// Where attachments are saved.
    pub downloads: PathBuf,
    /// Where attachments opened with another application are put.
    pub open_dir: Option<PathBuf>,
    /// The desktop's light/dark mode (for ThemeChoice::System).
    pub system_mode: iced::theme::Mode,
    /// Notifications raised (tests read them; the desktop shows them).
    pub notified: Vec<Notice>,
    /// The account setup, while it runs.
    pub setup: Option<setup::State>,
    /// Settings: the app's choices and the account pages.
    pub settings: settings::State,
    /// The mail screen: folders, the list, the reader.
    pub mail: mail::State,
    /// The window and the tray on the desktop.
    pub desktop: Desktop,
    /// The status bar's words.
    pub status: Status,
    /// The user's choices that window.json keeps: language, theme, notifications, panes, tray.
    pub prefs: super::prefs::Prefs,
    /// Asking for passwords the accounts need.
    pub prompts: Prompts,
    /// The engine, and what it reported of the accounts.
    pub sync: Sync,
    /// The message being written.
    pub composer: Option<Composer>,
    /// What the launch asked for, acted on once the accounts are read.
    pub pending_launch: Option<crate::launch::Launch>,
    /// A message file shown in a reader of its own.
    pub file: Option<super::message_file::OpenFile>,
    /// Addresses for completion (read when a composer first opens).
    pub address_book: Vec<(String, String)>,
    /// Drafts left unsent last time, offered again.
    pub unsent: Vec<crate::store::drafts::Draft>,
    /// What waits in the outbox and what needs the user.
    pub outbox: Outbox,
    /// Whether the first tree load happened (the start-up reads run once).
    pub started: bool,
}

impl App {
    /// A window over the store at `db`; `with_engine` starts the sync engine.
    pub fn new(db: PathBuf, i18n: I18n, with_engine: bool) -> (App, Task<Message>) {
        let app = App {
            db,
            with_engine,
            i18n,
            screen: Screen::Mail,
            system_mode: iced::theme::Mode::None,
            notified: Vec::new(),
            setup: None,
            settings: settings::State::default(),
            mail: mail::State::default(),
            desktop: Desktop::default(),
            status: Status::default(),
            prefs: super::prefs::Prefs {
                theme: ThemeChoice::Light,
                ..super::prefs::Prefs::default()
            },
            prompts: Prompts::default(),
            sync: Sync::default(),
            composer: None,
            pending_launch: None,
            file: None,
            address_book: Vec::new(),
            unsent: Vec::new(),
            outbox: Outbox::default(),
            started: false,
            tree: Tree::default(),
            tap: None,
            prefs_file: None,
            downloads: directories::UserDirs::new()
                .and_then(|u| u.download_dir().map(|d| d.to_path_buf()))
                .unwrap_or_else(std::env::temp_dir),
            open_dir: crate::paths::opened_attachments_dir(),
        };
        let task = app.load_tree();
        (app, task)
    }

    /// The folder the log of this window's store is in.
    pub fn log_dir(&self) -> PathBuf {
        let data = self.db.parent().unwrap_or(std::path::Path::new("."));
        crate::paths::log_dir_for(data)
    }

    pub(super) fn load_tree(&self) -> Task<Message> {
        Task::perform(
            data::off_thread(self.db.clone(), data::tree),
            Message::TreeLoaded,
        )
    }

    pub(super) fn load_pages(&self, pages: Vec<u32>) -> Task<Message> {
        let Some(folder) = self.mail.list.folder else {
            return Task::none();
        };
        if let Some(hits) = self.hits() {
            return Task::batch(pages.into_iter().map(|page| {
                let hits = hits.clone();
                Task::perform(
                    data::off_thread(self.db.clone(), move |p| {
                        super::search::results_page(p, &hits, page)
                    }),
                    move |r| Message::PageLoaded(folder, page, r),
                )
            }));
        }
        Task::batch(pages.into_iter().map(|page| {
            Task::perform(
                data::off_thread(self.db.clone(), move |p| data::page(p, folder, page)),
                move |r| Message::PageLoaded(folder, page, r),
            )
        }))
    }

    pub(super) fn open_folder(&mut self, folder: i64) -> Task<Message> {
        self.mail.folder = Some(folder);
        let height = self.mail.list.height;
        self.mail.list = MessageList::open(folder);
        if height > 0.0 {
            // The viewport keeps its size from folder to folder.
            self.mail.list.height = height;
        }
        let pages = self.mail.list.wanted_pages();
        self.load_pages(pages)
    }

    /// Shows a failure in the status bar, in the user's language.
    pub(super) fn failed(&mut self, failure: super::failure::Failure) -> Task<Message> {
        tracing::warn!(target: "tidings::ui", "{failure}");
        self.status.last_error = Some(failure.text(&self.i18n));
        Task::none()
    }

    /// The messages a toolbar action applies to: the selection, or the open message.
    pub fn targets(&self) -> Vec<i64> {
        if self.mail.list.selected.len() > 1 {
            self.mail.list.selected.iter().copied().collect()
        } else {
            self.mail.message.into_iter().collect()
        }
    }

    pub(super) fn load_message(&self, id: i64) -> Task<Message> {
        let once = self.mail.remote_once.contains(&id);
        Task::perform(
            data::off_thread(self.db.clone(), move |p| data::open(p, id, once)),
            move |r| Message::MessageLoaded(id, r),
        )
    }

    /// The opened message has no body here (outside the sync window, or not reached yet):
    /// the engine fetches it now, once per message; its arrival reloads the reader.
    fn download_now(&mut self, id: i64) -> Task<Message> {
        self.mail.reading = None;
        let fetchable = self.mail.list.find(id).is_some_and(|(_, m)| {
            m.uid > 0 && m.size <= crate::protocols::DEFAULT_MAX_MESSAGE_BYTES
        });
        if !fetchable || !self.mail.fetching.insert(id) {
            return Task::none();
        }
        self.send(Command::Download { messages: vec![id] })
    }

    /// From now on, a copy of every command the window sends goes to the returned receiver:
    /// how tests see what a screen asked the engine for.
    pub fn tap(&mut self) -> std::sync::mpsc::Receiver<Command> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.tap = Some(tx);
        rx
    }

    /// Hands `command` to the engine; the window keeps no copy.
    pub(super) fn send(&mut self, command: Command) -> Task<Message> {
        if let Some(tap) = &self.tap {
            let _ = tap.send(command.clone());
        }
        match self.sync.engine.clone() {
            Some(engine) => Task::future(async move {
                let _ = engine.send(command).await;
            })
            .discard(),
            None => Task::none(),
        }
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        // Keyboard actions on the list and the open message only act where the list is shown.
        let mail_only = matches!(
            message,
            Message::Act(_)
                | Message::Step(_)
                | Message::OpenSelected
                | Message::Compose(ComposeMsg::Reply { .. } | ComposeMsg::Forward)
        );
        let composing =
            matches!(message, Message::Compose(ComposeMsg::New)) && self.screen == Screen::Compose;
        if (mail_only && self.screen != Screen::Mail) || composing {
            return Task::none();
        }
        match message {
            Message::Engine(link) => self.on_engine(link),
            Message::Compose(msg) => self.compose(msg),
            Message::Composer(msg) => self.on_composer(msg),
            Message::Escape => match self.screen {
                Screen::File => self.close_file(),
                _ => self.on_composer(compose::Message::Close),
            },
            Message::Setup(msg) => self.on_setup(msg),
            Message::Search(msg) => self.search(msg),
            Message::Settings(msg) => self.on_settings(msg),
            Message::SystemTheme(mode) => {
                self.system_mode = mode;
                Task::none()
            }
            Message::PrefsSaved(Ok(())) => Task::none(),
            Message::PrefsSaved(Err(e)) => self.failed(e),
            Message::ShowErrorAccount => match self.status.error_account {
                Some(id) => self.on_settings(settings::Message::EditAccount(id)),
                None => Task::none(),
            },
            Message::TreeLoaded(Ok(tree)) => self.tree_loaded(tree),
            Message::Launch(launch) => self.launch(launch),
            Message::FileLoaded(file) => self.file_loaded(file),
            Message::CloseFile => self.close_file(),
            Message::TreeLoaded(Err(e))
            | Message::PageLoaded(_, _, Err(e))
            | Message::MessageLoaded(_, Err(e)) => self.failed(e),
            Message::Show(screen) => {
                self.screen = screen;
                if screen == Screen::Settings {
                    let action = self.settings.opened(ctx!(self));
                    return self.settings_action(action);
                }
                Task::none()
            }
            Message::Desktop(message) => self.on_desktop(message),
            Message::SyncNow => self.send(Command::SyncNow { account: None }),
            Message::NewMailLoaded(Ok(rows)) => self.notify_new_mail(&rows),
            Message::NewMailLoaded(Err(e)) => self.failed(e),
            Message::Notified(Ok(Some((folder, message)))) => self.open_notified(folder, message),
            Message::Notified(Ok(None)) => Task::none(),
            Message::Notified(Err(e)) => {
                // No notification service is not worth an error in the status bar.
                tracing::info!("{e}");
                Task::none()
            }
            Message::Quit => self.quit(),
            m @ (Message::SaveAttachment(_)
            | Message::OpenAttachment(_)
            | Message::CancelOpen
            | Message::OpenRiskyAttachment(_)
            | Message::AttachmentOpened(_)
            | Message::AttachmentSaved(_)) => self.on_attachment(m),
            Message::NoticeExpired(id) => self.expire_notice(id),
            m @ (Message::OpenFolder(_)
            | Message::PageLoaded(_, _, Ok(_))
            | Message::ListScrolled(..)
            | Message::ClickRow(_)
            | Message::OpenSelected
            | Message::Modifiers(_)
            | Message::PaneResized(_)
            | Message::PanesSettled(_)
            | Message::ToggleAccount(_)
            | Message::OpenMessage(_)
            | Message::MessageLoaded(_, Ok(_))
            | Message::AllowRemoteOnce
            | Message::AllowRemoteSender
            | Message::Act(_)
            | Message::Step(_)) => self.on_mail(m),
            m @ (Message::PromptInput(_) | Message::PromptSubmit | Message::PromptDismiss) => {
                self.on_prompt(m)
            }
        }
    }

    /// Quits, once the words typed in the last moments are saved.
    fn quit(&mut self) -> Task<Message> {
        // Words typed in the last moments are saved before the window goes.
        let pending = self
            .composer
            .as_ref()
            .is_some_and(|c| (c.unsaved() && !c.is_empty()) || c.saving);
        if pending {
            self.desktop.quitting = true;
            return self.save_draft();
        }
        self.quit_now()
    }

    /// New mail arrived: a desktop notification (the real window), one for the batch.
    fn notify_new_mail(&mut self, rows: &[crate::store::messages::Envelope]) -> Task<Message> {
        let Some(notice) = notify::for_new_mail(&self.i18n, rows) else {
            return Task::none();
        };
        self.notified.push(notice.clone());
        if !self.with_engine {
            return Task::none();
        }
        Task::perform(
            async move { tokio::task::spawn_blocking(move || notify::show(&notice)).await? },
            Message::Notified,
        )
    }

    /// The mail screen's messages: folders, the list, the reader and its remote content.
    fn on_mail(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::OpenFolder(id) => {
                self.mail.searching = None;
                self.mail.message = None;
                self.mail.reading = None;
                self.open_folder(id)
            }
            Message::PageLoaded(folder, page, Ok((total, rows))) => {
                if self.mail.list.folder != Some(folder) {
                    return Task::none();
                }
                self.mail.list.page_loaded(page, total, rows);
                if self.with_engine {
                    self.mail.now = chrono::Utc::now().timestamp();
                }
                // A changed count may have dropped rows the viewport shows.
                let pages = self.mail.list.wanted_pages();
                self.load_pages(pages)
            }
            Message::ListScrolled(offset, height) => {
                self.mail.list.offset = offset;
                self.mail.list.height = height;
                let pages = self.mail.list.wanted_pages();
                self.load_pages(pages)
            }
            Message::ClickRow(id) => {
                let extend = if self.mail.modifiers.shift() {
                    Extend::Range
                } else if self.mail.modifiers.command() {
                    Extend::Toggle
                } else {
                    Extend::Replace
                };
                if extend == Extend::Replace {
                    return self.update(Message::OpenMessage(id));
                }
                self.mail.list.click(id, extend);
                if self.mail.list.selected.len() == 1
                    && let Some(only) = self.mail.list.selected.first().copied()
                    && self.mail.message != Some(only)
                {
                    return self.update(Message::OpenMessage(only));
                }
                if self.mail.list.selected.len() > 1 {
                    self.mail.message = None;
                    self.mail.reading = None;
                }
                Task::none()
            }
            Message::OpenSelected => match self.mail.list.selected.first().copied() {
                Some(id) if self.mail.list.selected.len() == 1 && self.mail.message != Some(id) => {
                    self.update(Message::OpenMessage(id))
                }
                _ => Task::none(),
            },
            Message::Modifiers(modifiers) => {
                self.mail.modifiers = modifiers;
                Task::none()
            }
            Message::PaneResized(pane_grid::ResizeEvent { split, ratio }) => {
                // Keep every pane usable: no drag makes one vanish.
                let ratio = ratio.clamp(0.12, 0.8);
                self.mail.panes.resize(split, ratio);
                let outer = matches!(self.mail.panes.layout(), pane_grid::Node::Split { id, .. } if *id == split);
                self.prefs.panes[usize::from(!outer)] = ratio;
                self.mail.pane_generation += 1;
                let generation = self.mail.pane_generation;
                // Saved once the drag is over, not at every step of it.
                Task::perform(
                    async { tokio::time::sleep(std::time::Duration::from_millis(800)).await },
                    move |()| Message::PanesSettled(generation),
                )
            }
            Message::PanesSettled(generation) => {
                if generation == self.mail.pane_generation {
                    self.save_prefs()
                } else {
                    Task::none()
                }
            }
            Message::ToggleAccount(id) => {
                if !self.mail.collapsed.remove(&id) {
                    self.mail.collapsed.insert(id);
                }
                Task::none()
            }
            Message::OpenMessage(id) => {
                self.mail.list.click(id, Extend::Replace);
                if self.mail.message != Some(id) {
                    self.mail.images.clear();
                }
                self.mail.message = Some(id);
                self.mail.reading = None;
                let unread = self.mail.list.find(id).is_some_and(|(_, m)| !m.flags.seen);
                let load = self.load_message(id);
                if unread {
                    // Shown read at once; the engine records it and tells the server.
                    if let Some(m) = self.mail.list.find_mut(id) {
                        m.flags.seen = true;
                    }
                    Task::batch([
                        load,
                        self.send(Command::Change(Change::SetSeen {
                            messages: vec![id],
                            seen: true,
                        })),
                    ])
                } else {
                    load
                }
            }
            Message::MessageLoaded(id, Ok(model)) => {
                if self.mail.message != Some(id) {
                    return Task::none();
                }
                if model.is_none() {
                    return self.download_now(id);
                }
                self.mail.reading = model;
                self.mail.confirm_open = None;
                // Allowed (once or for the sender): the engine fetches the images.
                let urls = self
                    .mail
                    .reading
                    .as_ref()
                    .filter(|m| m.remote_blocked == 0)
                    .map(data::remote_images)
                    .unwrap_or_default();
                let urls: Vec<String> = urls
                    .into_iter()
                    .filter(|u| !self.mail.images.contains_key(u))
                    .collect();
                if urls.is_empty() {
                    return Task::none();
                }
                self.send(Command::FetchRemote { message: id, urls })
            }
            Message::AllowRemoteOnce => {
                let Some(id) = self.mail.message else {
                    return Task::none();
                };
                self.mail.remote_once.insert(id);
                self.load_message(id)
            }
            Message::AllowRemoteSender => {
                let Some(id) = self.mail.message else {
                    return Task::none();
                };
                let Some((_, m)) = self.mail.list.find(id) else {
                    return Task::none();
                };
                let (account, sender) = (m.account_id, m.from_addr.clone());
                // Shown at once; the engine remembers the sender for next time.
                self.mail.remote_once.insert(id);
                Task::batch([
                    self.send(Command::AllowRemoteFrom { account, sender }),
                    self.load_message(id),
                ])
            }
            Message::Act(action) => self.act(action),
            Message::Step(delta) => {
                let at = self
                    .mail
                    .message
                    .and_then(|id| self.mail.list.find(id))
                    .map(|(p, _)| p);
                let next = match at {
                    Some(p) => i64::from(p) + i64::from(delta),
                    None => 0,
                };
                let next = u32::try_from(next).ok().and_then(|p| self.mail.list.get(p));
                match next {
                    Some(m) => {
                        let id = m.id;
                        self.update(Message::OpenMessage(id))
                    }
                    None => Task::none(),
                }
            }
            _ => Task::none(),
        }
    }

    /// The password prompt: typing, using the password, or not now.
    fn on_prompt(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::PromptInput(typed) => {
                if let Some(p) = &mut self.prompts.shown {
                    p.typed = typed;
                }
                Task::none()
            }
            Message::PromptSubmit => {
                let Some(mut prompt) = self.prompts.shown.take() else {
                    return Task::none();
                };
                if prompt.typed.is_empty() {
                    self.prompts.shown = Some(prompt);
                    return Task::none();
                }
                // One password for every protocol the account uses, as providers issue them.
                let passwords = self
                    .tree
                    .accounts
                    .iter()
                    .find(|(a, _)| a.id == prompt.account)
                    .map(|(a, _)| {
                        [
                            (Protocol::Imap, a.imap.enabled),
                            (Protocol::Pop3, a.pop3.enabled),
                            (Protocol::Smtp, a.smtp.enabled),
                        ]
                        .into_iter()
                        .filter(|(_, on)| *on)
                        .map(|(p, _)| (p, prompt.typed.clone()))
                        .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                super::account_form::wipe(&mut prompt.typed);
                if self.status.last_error.is_some()
                    && self.status.error_account == Some(prompt.account)
                {
                    self.status.last_error = None;
                }
                self.send(Command::ProvidePassword {
                    account: prompt.account,
                    passwords: passwords.into(),
                })
            }
            Message::PromptDismiss => {
                if let Some(p) = self.prompts.shown.take() {
                    self.prompts.dismissed.insert(p.account);
                }
                Task::none()
            }
            _ => Task::none(),
        }
    }

    fn act(&mut self, action: Action) -> Task<Message> {
        let ids = self.targets();
        if ids.is_empty() {
            return Task::none();
        }
        // Several selected: read/flag follow the first one, as other mail clients do.
        let first = ids
            .first()
            .and_then(|id| self.mail.list.find(*id))
            .map(|(_, m)| m.flags.clone());
        let Some(first) = first else {
            return Task::none();
        };
        // The list changes at once; the engine writes the store and tells the server.
        let change = match action {
            Action::ToggleRead => {
                let seen = !first.seen;
                for id in &ids {
                    if let Some(m) = self.mail.list.find_mut(*id) {
                        m.flags.seen = seen;
                    }
                }
                Change::SetSeen {
                    messages: ids,
                    seen,
                }
            }
            Action::ToggleFlag => {
                let flagged = !first.flagged;
                for id in &ids {
                    if let Some(m) = self.mail.list.find_mut(*id) {
                        m.flags.flagged = flagged;
                    }
                }
                Change::SetFlagged {
                    messages: ids,
                    flagged,
                }
            }
            Action::Archive | Action::Delete => {
                self.mail.list.remove(&ids);
                self.mail.message = None;
                self.mail.reading = None;
                if action == Action::Archive {
                    Change::Archive { messages: ids }
                } else {
                    Change::Delete { messages: ids }
                }
            }
        };
        // No pages are read now: read before the engine commits, they would bring a deleted
        // row back for a moment. The engine's MessagesChanged reads them once it has.
        self.send(Command::Change(change))
    }

    /// The engine's events, while it is wanted, and the keyboard shortcuts.
    pub fn subscription(&self) -> Subscription<Message> {
        let keys = Subscription::batch([
            iced::keyboard::listen().filter_map(shortcut),
            // Files dropped on the window are attached to the message being written.
            iced::event::listen_with(|event, _, _| match event {
                iced::Event::Window(iced::window::Event::FileDropped(path)) => {
                    Some(Message::Composer(compose::Message::Dropped(path)))
                }
                // Seen even when the search field took it: Esc leaves the search at once.
                iced::Event::Keyboard(iced::keyboard::Event::KeyPressed {
                    key: iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape),
                    ..
                }) => Some(Message::Search(SearchMsg::Clear)),
                _ => None,
            }),
        ]);
        let second_launches = match &self.desktop.instance {
            Some(address) => super::instance_link::listen(address.clone()).map(Message::Launch),
            None => Subscription::none(),
        };
        if self.with_engine {
            Subscription::batch([
                engine_link::connect(self.db.clone()).map(Message::Engine),
                second_launches,
                keys,
                // Closing the window goes to the tray, or quits the way Ctrl+Q does (saving
                // drafts first).
                iced::window::close_requests()
                    .map(|id| Message::Desktop(DesktopMsg::CloseRequested(id))),
                iced::window::close_events().map(|id| Message::Desktop(DesktopMsg::Closed(id))),
                super::tray_link::run().map(Message::Desktop),
                iced::system::theme_changes().map(Message::SystemTheme),
            ])
        } else {
            keys
        }
    }

    /// The iced theme.
    pub fn theme(&self) -> Theme {
        match (self.prefs.theme, self.system_mode) {
            (ThemeChoice::Light, _) => Theme::Light,
            (ThemeChoice::Dark, _) | (ThemeChoice::System, iced::theme::Mode::Dark) => Theme::Dark,
            (ThemeChoice::System, _) => Theme::Light,
        }
    }

    /// The window title.
    pub fn title(&self) -> String {
        "Tidings".to_owned()
    }
}
