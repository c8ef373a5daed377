//! The window's state and its update logic. The window reads the store (read-only, off the UI
//! thread) and talks to the engine only through commands and events.

use std::collections::HashMap;
use std::path::PathBuf;

use iced::{Subscription, Task, Theme};

use super::data::{self, Tree};
use super::engine_link::{self, Link};
use crate::engine::{AccountState, Command, EngineHandle, Event, Protocol};
use crate::i18n::I18n;
use crate::mime::model::DisplayMessage;
use crate::store::messages::Envelope;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Folders, list, reader.
    Mail,
    /// App and account settings.
    Settings,
}

/// Light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// What happens in the window.
#[derive(Debug, Clone)]
pub enum Message {
    /// From the engine subscription.
    Engine(Link),
    /// The account and folder tree was read.
    TreeLoaded(Result<Tree, String>),
    /// A folder was chosen.
    OpenFolder(i64),
    /// A page of the folder was read.
    PageLoaded(i64, Result<Vec<Envelope>, String>),
    /// The list was scrolled to this fraction of its height (0 top, 1 bottom).
    ListScrolled(f32),
    /// A further page of the open folder was read: folder, offset, rows.
    MoreLoaded(i64, u32, Result<Vec<Envelope>, String>),
    /// A message was chosen.
    OpenMessage(i64),
    /// A message's display model was built.
    MessageLoaded(i64, Result<Option<DisplayMessage>, String>),
    /// Switch screens.
    Show(Screen),
    /// Sync every account now.
    SyncNow,
    /// A protocol switch in settings was flipped: account, protocol, on.
    SwitchProtocol(i64, Protocol, bool),
    /// Choose the language.
    Language(String),
    /// Choose the theme.
    Theme(ThemeChoice),
    /// Something done to the open message.
    Act(Action),
    /// Move the selection down (+1) or up (-1) the list.
    Step(i32),
    /// Quit the application.
    Quit,
    /// The language and theme choice was saved (or not).
    PrefsSaved(Result<(), String>),
    /// Save attachment `part` of the open message into the downloads folder.
    SaveAttachment(u32),
    /// An attachment was saved here (or not).
    AttachmentSaved(Result<PathBuf, String>),
}

/// What can be done to the open message from the toolbar or the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move to Archive.
    Archive,
    /// Move to Trash (from Trash: delete for good).
    Delete,
    /// Mark read or unread.
    ToggleRead,
    /// Flag or unflag.
    ToggleFlag,
}

/// The mail shortcuts: j/k and arrows move, Delete deletes, u toggles read, s flags, Ctrl+Q quits.
pub fn shortcut(event: iced::keyboard::Event) -> Option<Message> {
    use iced::keyboard::key::Named;
    use iced::keyboard::{Event as K, Key};
    let K::KeyPressed { key, modifiers, .. } = event else {
        return None;
    };
    match key.as_ref() {
        Key::Character("q") if modifiers.command() => Some(Message::Quit),
        _ if modifiers.command() || modifiers.alt() => None,
        Key::Character("j") | Key::Named(Named::ArrowDown) => Some(Message::Step(1)),
        Key::Character("k") | Key::Named(Named::ArrowUp) => Some(Message::Step(-1)),
        Key::Named(Named::Delete) => Some(Message::Act(Action::Delete)),
        Key::Character("u") => Some(Message::Act(Action::ToggleRead)),
        Key::Character("s") => Some(Message::Act(Action::ToggleFlag)),
        _ => None,
    }
}

/// The whole window.
pub struct App {
    /// The store file (read-only here).
    pub db: PathBuf,
    /// Whether to start the engine (tests drive the window without one).
    pub with_engine: bool,
    /// Messages in the user's language.
    pub i18n: I18n,
    /// Light or dark.
    pub theme: ThemeChoice,
    /// Current screen.
    pub screen: Screen,
    /// Accounts and folders.
    pub tree: Tree,
    /// The open folder.
    pub folder: Option<i64>,
    /// Its rows read so far, newest first (a page at a time as the user scrolls).
    pub list: Vec<Envelope>,
    /// Whether the folder may have rows beyond those read.
    pub more: bool,
    /// A further page is being read.
    pub loading_more: bool,
    /// The open message.
    pub message: Option<i64>,
    /// Its display model (None while downloading).
    pub reading: Option<DisplayMessage>,
    /// The engine, once it runs.
    pub engine: Option<EngineHandle>,
    /// Each account's connection state.
    pub states: HashMap<i64, AccountState>,
    /// Sync progress per account: done, total.
    pub progress: HashMap<i64, (u64, u64)>,
    /// The last error, in words.
    pub last_error: Option<String>,
    /// Commands sent (for tests to assert on, and the status bar).
    pub sent: Vec<Command>,
    /// Where language and theme choices are saved (None: not saved, as in tests).
    pub prefs_file: Option<PathBuf>,
    /// Where attachments are saved.
    pub downloads: PathBuf,
    /// The last thing done that the status bar should mention.
    pub notice: Option<String>,
}

impl App {
    /// A window over the store at `db`; `with_engine` starts the sync engine.
    pub fn new(db: PathBuf, i18n: I18n, with_engine: bool) -> (App, Task<Message>) {
        let app = App {
            db,
            with_engine,
            i18n,
            theme: ThemeChoice::Light,
            screen: Screen::Mail,
            tree: Tree::default(),
            folder: None,
            list: Vec::new(),
            more: false,
            loading_more: false,
            message: None,
            reading: None,
            engine: None,
            states: HashMap::new(),
            progress: HashMap::new(),
            last_error: None,
            sent: Vec::new(),
            prefs_file: None,
            downloads: directories::UserDirs::new()
                .and_then(|u| u.download_dir().map(|d| d.to_path_buf()))
                .unwrap_or_else(std::env::temp_dir),
            notice: None,
        };
        let task = app.load_tree();
        (app, task)
    }

    fn load_tree(&self) -> Task<Message> {
        Task::perform(
            data::off_thread(self.db.clone(), data::tree),
            Message::TreeLoaded,
        )
    }

    fn load_page(&self, folder: i64) -> Task<Message> {
        Task::perform(
            data::off_thread(self.db.clone(), move |p| data::page(p, folder, 0)),
            move |r| Message::PageLoaded(folder, r),
        )
    }

    fn load_message(&self, id: i64) -> Task<Message> {
        Task::perform(
            data::off_thread(self.db.clone(), move |p| data::open(p, id)),
            move |r| Message::MessageLoaded(id, r),
        )
    }

    fn send(&mut self, command: Command) -> Task<Message> {
        self.sent.push(command.clone());
        match self.engine.clone() {
            Some(engine) => Task::future(async move {
                let _ = engine.send(command).await;
            })
            .discard(),
            None => Task::none(),
        }
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Engine(link) => self.on_engine(link),
            Message::TreeLoaded(Ok(tree)) => {
                self.tree = tree;
                // Open the first account's INBOX when nothing is open yet.
                if self.folder.is_none()
                    && let Some(first) = self.tree.accounts.first().and_then(|(_, f)| f.first())
                {
                    let id = first.id;
                    self.folder = Some(id);
                    return self.load_page(id);
                }
                Task::none()
            }
            Message::TreeLoaded(Err(e))
            | Message::PageLoaded(_, Err(e))
            | Message::MessageLoaded(_, Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            Message::OpenFolder(id) => {
                self.folder = Some(id);
                self.message = None;
                self.reading = None;
                self.load_page(id)
            }
            Message::PageLoaded(folder, Ok(rows)) => {
                if self.folder == Some(folder) {
                    self.more = rows.len() as u32 == data::PAGE;
                    self.list = rows;
                }
                Task::none()
            }
            Message::ListScrolled(fraction) => {
                // Near the end: read the next page before the user gets there.
                if fraction < 0.8 || !self.more || self.loading_more {
                    return Task::none();
                }
                let Some(folder) = self.folder else {
                    return Task::none();
                };
                self.loading_more = true;
                let offset = self.list.len() as u32;
                Task::perform(
                    data::off_thread(self.db.clone(), move |p| data::page(p, folder, offset)),
                    move |r| Message::MoreLoaded(folder, offset, r),
                )
            }
            Message::MoreLoaded(folder, offset, rows) => {
                self.loading_more = false;
                match rows {
                    Ok(rows)
                        if self.folder == Some(folder) && offset as usize == self.list.len() =>
                    {
                        self.more = rows.len() as u32 == data::PAGE;
                        self.list.extend(rows);
                    }
                    Ok(_) => {}
                    Err(e) => self.last_error = Some(e),
                }
                Task::none()
            }
            Message::OpenMessage(id) => {
                self.message = Some(id);
                self.reading = None;
                let unread = self.list.iter().any(|m| m.id == id && !m.flags.seen);
                let load = self.load_message(id);
                if unread {
                    // Shown read at once; the engine records it and tells the server.
                    for m in self.list.iter_mut().filter(|m| m.id == id) {
                        m.flags.seen = true;
                    }
                    Task::batch([
                        load,
                        self.send(Command::SetSeen {
                            messages: vec![id],
                            seen: true,
                        }),
                    ])
                } else {
                    load
                }
            }
            Message::MessageLoaded(id, Ok(model)) => {
                if self.message == Some(id) {
                    self.reading = model;
                }
                Task::none()
            }
            Message::Show(screen) => {
                self.screen = screen;
                Task::none()
            }
            Message::SyncNow => self.send(Command::SyncNow { account: None }),
            Message::SwitchProtocol(account, protocol, enabled) => {
                // Shown at once; the engine saves it and stops or starts the protocol.
                for (a, _) in &mut self.tree.accounts {
                    if a.id == account {
                        match protocol {
                            Protocol::Imap => a.imap.enabled = enabled,
                            Protocol::Pop3 => a.pop3.enabled = enabled,
                            Protocol::Smtp => a.smtp.enabled = enabled,
                        }
                    }
                }
                self.send(Command::SetProtocol {
                    account,
                    protocol,
                    enabled,
                })
            }
            Message::Language(locale) => {
                self.i18n = I18n::new(&locale);
                self.save_prefs()
            }
            Message::Theme(choice) => {
                self.theme = choice;
                self.save_prefs()
            }
            Message::Act(action) => self.act(action),
            Message::Step(delta) => {
                let at = self
                    .message
                    .and_then(|id| self.list.iter().position(|m| m.id == id));
                let next = match at {
                    Some(i) => i as i64 + i64::from(delta),
                    None => 0,
                };
                match usize::try_from(next).ok().and_then(|i| self.list.get(i)) {
                    Some(m) => {
                        let id = m.id;
                        self.update(Message::OpenMessage(id))
                    }
                    None => Task::none(),
                }
            }
            Message::Quit => iced::exit(),
            Message::PrefsSaved(Ok(())) => Task::none(),
            Message::SaveAttachment(part) => {
                let Some(id) = self.message else {
                    return Task::none();
                };
                let folder = self.downloads.clone();
                let name = self
                    .reading
                    .as_ref()
                    .and_then(|m| m.attachments.iter().find(|a| a.part == part))
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                Task::perform(
                    data::off_thread(self.db.clone(), move |db| {
                        let raw = crate::store::bodies::get(&crate::store::open_reader(db)?, id)?
                            .unwrap_or_default();
                        let bytes =
                            crate::mime::body::attachment_bytes(&raw, part).ok_or_else(|| {
                                crate::store::StoreError::Corrupt(format!("no attachment {part}"))
                            })?;
                        std::fs::create_dir_all(&folder)
                            .and_then(|()| crate::mime::attachments::save(&folder, &name, &bytes))
                            .map_err(|e| {
                                crate::store::StoreError::Corrupt(format!(
                                    "{}: {e}",
                                    folder.display()
                                ))
                            })
                    }),
                    Message::AttachmentSaved,
                )
            }
            Message::AttachmentSaved(Ok(path)) => {
                self.notice = Some(
                    self.i18n
                        .t("ui-saved", &[("path", &path.display().to_string())]),
                );
                Task::none()
            }
            Message::AttachmentSaved(Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            Message::PrefsSaved(Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
        }
    }

    fn save_prefs(&mut self) -> Task<Message> {
        let Some(path) = self.prefs_file.clone() else {
            return Task::none();
        };
        let prefs = super::prefs::Prefs {
            language: self.i18n.locale().to_owned(),
            theme: self.theme,
        };
        // Even a small file write stays off the UI thread.
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || {
                    super::prefs::save(&path, &prefs)
                        .map_err(|e| format!("{}: {e}", path.display()))
                })
                .await
                .map_err(|e| e.to_string())?
            },
            Message::PrefsSaved,
        )
    }

    fn act(&mut self, action: Action) -> Task<Message> {
        let Some(id) = self.message else {
            return Task::none();
        };
        let Some(current) = self.list.iter_mut().find(|m| m.id == id) else {
            return Task::none();
        };
        // The list changes at once; the engine writes the store and tells the server.
        let command = match action {
            Action::ToggleRead => {
                current.flags.seen = !current.flags.seen;
                Command::SetSeen {
                    messages: vec![id],
                    seen: current.flags.seen,
                }
            }
            Action::ToggleFlag => {
                current.flags.flagged = !current.flags.flagged;
                Command::SetFlagged {
                    messages: vec![id],
                    flagged: current.flags.flagged,
                }
            }
            Action::Archive | Action::Delete => {
                self.list.retain(|m| m.id != id);
                self.message = None;
                self.reading = None;
                if action == Action::Archive {
                    Command::Archive { messages: vec![id] }
                } else {
                    Command::Delete { messages: vec![id] }
                }
            }
        };
        self.send(command)
    }

    fn on_engine(&mut self, link: Link) -> Task<Message> {
        match link {
            Link::Ready(handle) => {
                self.engine = Some(handle);
                Task::none()
            }
            Link::Failed(e) => {
                self.last_error = Some(e);
                Task::none()
            }
            Link::Event(event) => match event {
                Event::AccountState { account, state } => {
                    self.states.insert(account, state);
                    Task::none()
                }
                Event::SyncProgress {
                    account,
                    done,
                    total,
                    ..
                } => {
                    self.progress.insert(account, (done, total));
                    Task::none()
                }
                Event::SyncDone { account } => {
                    self.progress.remove(&account);
                    self.load_tree()
                }
                Event::FoldersChanged { .. } | Event::AccountChanged { .. } => self.load_tree(),
                Event::MessagesChanged { folder, .. } if self.folder == Some(folder) => {
                    self.load_page(folder)
                }
                Event::Error { message, .. } => {
                    self.last_error = Some(message);
                    Task::none()
                }
                _ => Task::none(),
            },
        }
    }

    /// The engine's events, while it is wanted, and the keyboard shortcuts.
    pub fn subscription(&self) -> Subscription<Message> {
        let keys = iced::keyboard::listen().filter_map(shortcut);
        if self.with_engine {
            Subscription::batch([
                engine_link::connect(self.db.clone()).map(Message::Engine),
                keys,
            ])
        } else {
            keys
        }
    }

    /// The iced theme.
    pub fn theme(&self) -> Theme {
        match self.theme {
            ThemeChoice::Light => Theme::Light,
            ThemeChoice::Dark => Theme::Dark,
        }
    }

    /// The window title.
    pub fn title(&self) -> String {
        "Tidings".to_owned()
    }
}
