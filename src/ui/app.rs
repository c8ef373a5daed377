//! The window's state and its update logic. The window reads the store (read-only, off the UI
//! thread) and talks to the engine only through commands and events.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use iced::widget::pane_grid;
use iced::{Subscription, Task, Theme};

use super::account_form::{AccountForm, Edit};
use super::compose_data::Outbox;
use super::compose_update::ComposeMsg;
use super::composer::Composer;
use super::data::{self, Tree};
use super::engine_link::{self, Link};
use super::list::{Extend, MessageList};
use super::notify::{self, Notice};
use super::setup::{Setup, SetupMsg};
use crate::accounts::doctor::Report;
use crate::engine::{AccountState, Command, EngineHandle, ErrorKind, Event, Protocol};
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
    /// Writing a message.
    Compose,
    /// Setting up an account (first run, or Add account).
    Setup,
}

/// Follow the system, light or dark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Whatever the desktop uses.
    System,
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
    /// Writing mail.
    Compose(ComposeMsg),
    /// Setting up an account.
    Setup(SetupMsg),
    /// Trust this certificate (host, DER) for the account being set up or edited, and test
    /// again.
    TrustCertificate(String, Vec<u8>),
    /// A folder was chosen.
    OpenFolder(i64),
    /// A page of a folder was read: folder, page, (folder count, rows).
    PageLoaded(i64, u32, Result<(u32, Vec<Envelope>), String>),
    /// The list was scrolled: offset of its top and its height, in pixels.
    ListScrolled(f32, f32),
    /// A row was clicked (Shift and Ctrl extend the selection).
    ClickRow(i64),
    /// A message was opened (alone in the selection).
    OpenMessage(i64),
    /// Enter: open the selected message.
    OpenSelected,
    /// The keyboard modifiers changed.
    Modifiers(iced::keyboard::Modifiers),
    /// A pane divider was dragged.
    PaneResized(pane_grid::ResizeEvent),
    /// An account's folders were shown or hidden in the folder pane.
    ToggleAccount(i64),
    /// A message's display model was built.
    MessageLoaded(i64, Result<Option<DisplayMessage>, String>),
    /// Switch screens.
    Show(Screen),
    /// Sync every account now.
    SyncNow,
    /// A protocol switch in settings was flipped: account, protocol, on.
    SwitchProtocol(i64, Protocol, bool),
    /// Choose the language ("" follows the system).
    Language(String),
    /// The desktop's light/dark mode, at start and when it changes.
    SystemTheme(iced::theme::Mode),
    /// Desktop notifications on or off.
    Notifications(bool),
    /// New mail arrived: the rows, read for the notification.
    NewMailLoaded(Result<Vec<Envelope>, String>),
    /// A notification was shown (or the desktop refused it).
    Notified(Result<(), String>),
    /// Open an account's settings form.
    EditAccount(i64),
    /// Add an account (the guided setup).
    NewAccount,
    /// Open an empty form for a new account (manual settings).
    ManualAccount,
    /// Back to the app settings (closing the form).
    CloseForm,
    /// A change in the account form.
    Form(Edit),
    /// Save the account form.
    SaveForm,
    /// Run the connection doctor on the form's settings.
    TestForm,
    /// Ask before removing the form's account.
    AskRemove,
    /// Remove the form's account: keep its local mirror or not.
    RemoveAccount { keep_mirror: bool },
    /// Do not remove after all.
    CancelRemove,
    /// The status bar's error was clicked: show that account's settings.
    ShowErrorAccount,
    /// Typing in the password prompt.
    PromptInput(String),
    /// Use the typed password.
    PromptSubmit,
    /// Not now.
    PromptDismiss,
    /// Show the open message's remote content this once.
    AllowRemoteOnce,
    /// Always show remote content from the open message's sender.
    AllowRemoteSender,
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
    /// Open attachment `part` of the open message with the desktop's default application.
    OpenAttachment(u32),
    /// An attachment was handed to its application (or not).
    AttachmentOpened(Result<PathBuf, String>),
}

/// Asking for an account's password: it has none stored ("ask each start"), or the server
/// refused the stored one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPrompt {
    /// The account.
    pub account: i64,
    /// Its address, for the question.
    pub address: String,
    /// The server refused the stored password (otherwise none was known).
    pub refused: bool,
    /// What the user typed so far.
    pub typed: String,
}

/// One of the mail screen's panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Accounts and folders.
    Folders,
    /// The message list.
    List,
    /// The open message.
    Reader,
}

/// Folders | list | reader, split 20% | 32% | rest.
pub fn panes() -> pane_grid::State<Pane> {
    use pane_grid::{Axis, Configuration};
    pane_grid::State::with_configuration(Configuration::Split {
        axis: Axis::Vertical,
        ratio: 0.2,
        a: Box::new(Configuration::Pane(Pane::Folders)),
        b: Box::new(Configuration::Split {
            axis: Axis::Vertical,
            ratio: 0.4,
            a: Box::new(Configuration::Pane(Pane::List)),
            b: Box::new(Configuration::Pane(Pane::Reader)),
        }),
    })
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

/// The shortcuts: j/k and arrows move, Enter opens, Delete deletes, u toggles read, s flags,
/// c composes, r/a reply (to all), f forwards, Ctrl+Enter sends, Esc closes the composer,
/// Ctrl+Q quits; modifier changes are tracked for Shift/Ctrl clicks. Keys typed into a field
/// never get here.
pub fn shortcut(event: iced::keyboard::Event) -> Option<Message> {
    use iced::keyboard::key::Named;
    use iced::keyboard::{Event as K, Key};
    let (key, modifiers) = match event {
        K::KeyPressed { key, modifiers, .. } => (key, modifiers),
        K::ModifiersChanged(modifiers) => return Some(Message::Modifiers(modifiers)),
        _ => return None,
    };
    match key.as_ref() {
        Key::Character("q") if modifiers.command() => Some(Message::Quit),
        Key::Named(Named::Enter) if modifiers.command() => Some(Message::Compose(ComposeMsg::Send)),
        Key::Named(Named::Escape) => Some(Message::Compose(ComposeMsg::Close)),
        _ if modifiers.command() || modifiers.alt() => None,
        Key::Character("j") | Key::Named(Named::ArrowDown) => Some(Message::Step(1)),
        Key::Character("k") | Key::Named(Named::ArrowUp) => Some(Message::Step(-1)),
        Key::Named(Named::Enter) => Some(Message::OpenSelected),
        Key::Named(Named::Delete) => Some(Message::Act(Action::Delete)),
        Key::Character("u") => Some(Message::Act(Action::ToggleRead)),
        Key::Character("s") => Some(Message::Act(Action::ToggleFlag)),
        Key::Character("c") => Some(Message::Compose(ComposeMsg::New)),
        Key::Character("r") => Some(Message::Compose(ComposeMsg::Reply { all: false })),
        Key::Character("a") => Some(Message::Compose(ComposeMsg::Reply { all: true })),
        Key::Character("f") => Some(Message::Compose(ComposeMsg::Forward)),
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
    /// Its list: the rows near the viewport and the selection.
    pub list: MessageList,
    /// The three mail panes and their sizes.
    pub panes: pane_grid::State<Pane>,
    /// Modifiers held now (for Shift/Ctrl clicks).
    pub modifiers: iced::keyboard::Modifiers,
    /// Accounts whose folders are hidden in the folder pane.
    pub collapsed: HashSet<i64>,
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
    /// Where attachments opened with another application are put.
    pub open_dir: PathBuf,
    /// The last thing done that the status bar should mention.
    pub notice: Option<String>,
    /// "Now" for list dates (today's mail shows a time), renewed as pages load.
    pub now: i64,
    /// The language chosen ("" follows the system).
    pub language: String,
    /// The desktop's light/dark mode (for ThemeChoice::System).
    pub system_mode: iced::theme::Mode,
    /// Desktop notifications for new mail.
    pub notifications: bool,
    /// Notifications raised (tests read them; the desktop shows them).
    pub notified: Vec<Notice>,
    /// The account form open in Settings (None: the app settings).
    pub form: Option<AccountForm>,
    /// The doctor's report for the form, and whether a test is running.
    pub report: Option<Report>,
    /// A connection test is running.
    pub testing: bool,
    /// The account setup, while it runs.
    pub setup: Option<Setup>,
    /// The running doctor's steps so far (shown ticking).
    pub steps: Vec<(Protocol, crate::accounts::doctor::StepResult)>,
    /// Certificates the user chose to trust in the open form or setup: (host, DER).
    pub trust: Vec<(String, Vec<u8>)>,
    /// The form is being saved.
    pub saving: bool,
    /// Removal asked: waiting for the user to choose.
    pub confirm_remove: bool,
    /// The account the last error came from.
    pub error_account: Option<i64>,
    /// The password prompt, when an account needs one.
    pub prompt: Option<PasswordPrompt>,
    /// Accounts whose prompt the user dismissed this run.
    pub prompt_dismissed: HashSet<i64>,
    /// The message being written.
    pub composer: Option<Composer>,
    /// Addresses for completion (read when a composer first opens).
    pub address_book: Vec<(String, String)>,
    /// Drafts left unsent last time, offered again.
    pub unsent: Vec<crate::store::drafts::Draft>,
    /// What waits in the outbox and what needs the user.
    pub outbox: Outbox,
    /// Whether the first tree load happened (the start-up reads run once).
    pub started: bool,
    /// Messages whose remote content the user allowed this once.
    pub remote_once: HashSet<i64>,
    /// Remote images of the open message, by address, as they arrive.
    pub images: HashMap<String, iced::widget::image::Handle>,
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
            language: String::new(),
            system_mode: iced::theme::Mode::None,
            notifications: true,
            notified: Vec::new(),
            form: None,
            report: None,
            testing: false,
            trust: Vec::new(),
            setup: None,
            steps: Vec::new(),
            saving: false,
            confirm_remove: false,
            error_account: None,
            prompt: None,
            prompt_dismissed: HashSet::new(),
            composer: None,
            address_book: Vec::new(),
            unsent: Vec::new(),
            outbox: Outbox::default(),
            started: false,
            remote_once: HashSet::new(),
            images: HashMap::new(),
            tree: Tree::default(),
            folder: None,
            list: MessageList::default(),
            panes: panes(),
            modifiers: iced::keyboard::Modifiers::default(),
            collapsed: HashSet::new(),
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
            open_dir: directories::ProjectDirs::from("org", "Tidings", "Tidings")
                .map(|d| d.cache_dir().join("opened"))
                .unwrap_or_else(|| std::env::temp_dir().join("tidings-opened")),
            now: chrono::Utc::now().timestamp(),
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

    fn load_pages(&self, pages: Vec<u32>) -> Task<Message> {
        let Some(folder) = self.list.folder else {
            return Task::none();
        };
        Task::batch(pages.into_iter().map(|page| {
            Task::perform(
                data::off_thread(self.db.clone(), move |p| data::page(p, folder, page)),
                move |r| Message::PageLoaded(folder, page, r),
            )
        }))
    }

    fn open_folder(&mut self, folder: i64) -> Task<Message> {
        self.folder = Some(folder);
        let height = self.list.height;
        self.list = MessageList::open(folder);
        if height > 0.0 {
            // The viewport keeps its size from folder to folder.
            self.list.height = height;
        }
        let pages = self.list.wanted_pages();
        self.load_pages(pages)
    }

    /// The messages a toolbar action applies to: the selection, or the open message.
    pub fn targets(&self) -> Vec<i64> {
        if self.list.selected.len() > 1 {
            self.list.selected.iter().copied().collect()
        } else {
            self.message.into_iter().collect()
        }
    }

    fn load_message(&self, id: i64) -> Task<Message> {
        let once = self.remote_once.contains(&id);
        Task::perform(
            data::off_thread(self.db.clone(), move |p| data::open(p, id, once)),
            move |r| Message::MessageLoaded(id, r),
        )
    }

    pub(super) fn send(&mut self, command: Command) -> Task<Message> {
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
            Message::Setup(msg) => self.setup(msg),
            Message::TrustCertificate(host, der) => {
                if !self.trust.iter().any(|(h, d)| *h == host && *d == der) {
                    self.trust.push((host, der));
                }
                if self.setup.is_some() {
                    self.setup(SetupMsg::Test)
                } else {
                    self.update(Message::TestForm)
                }
            }
            Message::TreeLoaded(Ok(tree)) => {
                self.tree = tree;
                if self.tree.accounts.is_empty() && self.setup.is_none() {
                    // First run: nothing to show but the way to add an account.
                    return self.setup(SetupMsg::Start);
                }
                if !self.started {
                    // Once per run: drafts a crash left unsent, and the outbox's state.
                    self.started = true;
                    let first = self.tree.accounts.first().and_then(|(_, f)| f.first());
                    let open = match (self.folder, first) {
                        (None, Some(f)) => {
                            let id = f.id;
                            self.open_folder(id)
                        }
                        _ => Task::none(),
                    };
                    return Task::batch([open, self.read_unsent(), self.read_outbox()]);
                }
                // Open the first account's INBOX when nothing is open yet.
                if self.folder.is_none()
                    && let Some(first) = self.tree.accounts.first().and_then(|(_, f)| f.first())
                {
                    let id = first.id;
                    return self.open_folder(id);
                }
                Task::none()
            }
            Message::TreeLoaded(Err(e))
            | Message::PageLoaded(_, _, Err(e))
            | Message::MessageLoaded(_, Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            Message::OpenFolder(id) => {
                self.message = None;
                self.reading = None;
                self.open_folder(id)
            }
            Message::PageLoaded(folder, page, Ok((total, rows))) => {
                if self.list.folder != Some(folder) {
                    return Task::none();
                }
                self.list.page_loaded(page, total, rows);
                if self.with_engine {
                    self.now = chrono::Utc::now().timestamp();
                }
                // A changed count may have dropped rows the viewport shows.
                let pages = self.list.wanted_pages();
                self.load_pages(pages)
            }
            Message::ListScrolled(offset, height) => {
                self.list.offset = offset;
                self.list.height = height;
                let pages = self.list.wanted_pages();
                self.load_pages(pages)
            }
            Message::ClickRow(id) => {
                let extend = if self.modifiers.shift() {
                    Extend::Range
                } else if self.modifiers.command() {
                    Extend::Toggle
                } else {
                    Extend::Replace
                };
                if extend == Extend::Replace {
                    return self.update(Message::OpenMessage(id));
                }
                self.list.click(id, extend);
                if self.list.selected.len() == 1
                    && let Some(only) = self.list.selected.first().copied()
                    && self.message != Some(only)
                {
                    return self.update(Message::OpenMessage(only));
                }
                if self.list.selected.len() > 1 {
                    self.message = None;
                    self.reading = None;
                }
                Task::none()
            }
            Message::OpenSelected => match self.list.selected.first().copied() {
                Some(id) if self.list.selected.len() == 1 && self.message != Some(id) => {
                    self.update(Message::OpenMessage(id))
                }
                _ => Task::none(),
            },
            Message::Modifiers(modifiers) => {
                self.modifiers = modifiers;
                Task::none()
            }
            Message::PaneResized(pane_grid::ResizeEvent { split, ratio }) => {
                // Keep every pane usable: no drag makes one vanish.
                self.panes.resize(split, ratio.clamp(0.12, 0.8));
                Task::none()
            }
            Message::ToggleAccount(id) => {
                if !self.collapsed.remove(&id) {
                    self.collapsed.insert(id);
                }
                Task::none()
            }
            Message::OpenMessage(id) => {
                self.list.click(id, Extend::Replace);
                if self.message != Some(id) {
                    self.images.clear();
                }
                self.message = Some(id);
                self.reading = None;
                let unread = self.list.find(id).is_some_and(|(_, m)| !m.flags.seen);
                let load = self.load_message(id);
                if unread {
                    // Shown read at once; the engine records it and tells the server.
                    if let Some(m) = self.list.find_mut(id) {
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
                if self.message != Some(id) {
                    return Task::none();
                }
                self.reading = model;
                // Allowed (once or for the sender): the engine fetches the images.
                let urls = self
                    .reading
                    .as_ref()
                    .filter(|m| m.remote_blocked == 0)
                    .map(data::remote_images)
                    .unwrap_or_default();
                let urls: Vec<String> = urls
                    .into_iter()
                    .filter(|u| !self.images.contains_key(u))
                    .collect();
                if urls.is_empty() {
                    return Task::none();
                }
                self.send(Command::FetchRemote { message: id, urls })
            }
            Message::PromptInput(typed) => {
                if let Some(p) = &mut self.prompt {
                    p.typed = typed;
                }
                Task::none()
            }
            Message::PromptSubmit => {
                let Some(prompt) = self.prompt.take() else {
                    return Task::none();
                };
                if prompt.typed.is_empty() {
                    self.prompt = Some(prompt);
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
                if self.last_error.is_some() && self.error_account == Some(prompt.account) {
                    self.last_error = None;
                }
                self.send(Command::ProvidePassword {
                    account: prompt.account,
                    passwords,
                })
            }
            Message::PromptDismiss => {
                if let Some(p) = self.prompt.take() {
                    self.prompt_dismissed.insert(p.account);
                }
                Task::none()
            }
            Message::AllowRemoteOnce => {
                let Some(id) = self.message else {
                    return Task::none();
                };
                self.remote_once.insert(id);
                self.load_message(id)
            }
            Message::AllowRemoteSender => {
                let Some(id) = self.message else {
                    return Task::none();
                };
                let Some((_, m)) = self.list.find(id) else {
                    return Task::none();
                };
                let (account, sender) = (m.account_id, m.from_addr.clone());
                // Shown at once; the engine remembers the sender for next time.
                self.remote_once.insert(id);
                Task::batch([
                    self.send(Command::AllowRemoteFrom { account, sender }),
                    self.load_message(id),
                ])
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
                self.i18n = if locale.is_empty() {
                    I18n::from_env()
                } else {
                    I18n::new(&locale)
                };
                self.language = locale;
                self.save_prefs()
            }
            Message::SystemTheme(mode) => {
                self.system_mode = mode;
                Task::none()
            }
            Message::Notifications(on) => {
                self.notifications = on;
                self.save_prefs()
            }
            Message::NewMailLoaded(Ok(rows)) => {
                let Some(notice) = notify::for_new_mail(&self.i18n, &rows) else {
                    return Task::none();
                };
                self.notified.push(notice.clone());
                if !self.with_engine {
                    return Task::none();
                }
                Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || notify::show(&notice))
                            .await
                            .map_err(|e| e.to_string())?
                    },
                    Message::Notified,
                )
            }
            Message::NewMailLoaded(Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            Message::EditAccount(id) => {
                self.trust.clear();
                self.form = self
                    .tree
                    .accounts
                    .iter()
                    .find(|(a, _)| a.id == id)
                    .map(|(a, _)| AccountForm::edit(a));
                self.report = None;
                self.testing = false;
                self.confirm_remove = false;
                self.screen = Screen::Settings;
                Task::none()
            }
            // Adding an account starts the guided setup; manual settings are a click away.
            Message::NewAccount => self.setup(SetupMsg::Start),
            Message::ManualAccount => {
                self.trust.clear();
                self.form = Some(AccountForm::new_account());
                self.report = None;
                self.testing = false;
                self.confirm_remove = false;
                Task::none()
            }
            Message::CloseForm => {
                self.form = None;
                self.report = None;
                self.confirm_remove = false;
                Task::none()
            }
            Message::Notified(result) => {
                // No notification service is not worth an error in the status bar.
                if let Err(e) = result {
                    eprintln!("{e}");
                }
                Task::none()
            }
            Message::Form(edit) => {
                let Some(form) = &mut self.form else {
                    return Task::none();
                };
                form.apply(edit.clone());
                // A saved account's switch acts at once, as on a webmail's settings page;
                // switching on waits until that protocol's servers are filled in.
                if let Edit::Enabled(protocol, on) = edit
                    && form.id != 0
                {
                    use super::account_form::Field;
                    let ready = !form.problems().iter().any(|(f, _)| {
                        matches!(f, Field::Host(p) | Field::Port(p) | Field::Username(p) if *p == protocol)
                    });
                    if !on || ready {
                        let id = form.id;
                        return self.update(Message::SwitchProtocol(id, protocol, on));
                    }
                }
                Task::none()
            }
            Message::SaveForm => {
                let Some((account, passwords)) = self.form.as_ref().and_then(|f| f.to_account())
                else {
                    return Task::none();
                };
                self.saving = true;
                let trust = self.trust.clone();
                self.send(Command::SaveAccount {
                    account: Box::new(account),
                    passwords,
                    trust,
                })
            }
            Message::TestForm => {
                let Some((account, passwords)) = self.form.as_ref().and_then(|f| f.to_account())
                else {
                    return Task::none();
                };
                self.testing = true;
                self.report = None;
                let trust = self.trust.clone();
                self.send(Command::TestSettings {
                    account: Box::new(account),
                    passwords,
                    trust,
                })
            }
            Message::AskRemove => {
                self.confirm_remove = true;
                Task::none()
            }
            Message::CancelRemove => {
                self.confirm_remove = false;
                Task::none()
            }
            Message::RemoveAccount { keep_mirror } => {
                let Some(id) = self.form.as_ref().map(|f| f.id).filter(|id| *id != 0) else {
                    return Task::none();
                };
                self.confirm_remove = false;
                self.send(Command::RemoveAccount {
                    account: id,
                    keep_mirror,
                })
            }
            Message::ShowErrorAccount => match self.error_account {
                Some(id) => self.update(Message::EditAccount(id)),
                None => Task::none(),
            },
            Message::Theme(choice) => {
                self.theme = choice;
                self.save_prefs()
            }
            Message::Act(action) => self.act(action),
            Message::Step(delta) => {
                let at = self
                    .message
                    .and_then(|id| self.list.find(id))
                    .map(|(p, _)| p);
                let next = match at {
                    Some(p) => i64::from(p) + i64::from(delta),
                    None => 0,
                };
                let next = u32::try_from(next).ok().and_then(|p| self.list.get(p));
                match next {
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
                        data::save_attachment(db, id, part, &name, &folder)
                    }),
                    Message::AttachmentSaved,
                )
            }
            Message::OpenAttachment(part) => {
                let Some(id) = self.message else {
                    return Task::none();
                };
                let cache = self.open_dir.clone();
                let name = self
                    .reading
                    .as_ref()
                    .and_then(|m| m.attachments.iter().find(|a| a.part == part))
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                Task::perform(
                    data::off_thread(self.db.clone(), move |db| {
                        data::open_attachment(db, id, part, &name, &cache)
                    }),
                    Message::AttachmentOpened,
                )
            }
            Message::AttachmentOpened(Ok(_)) => Task::none(),
            Message::AttachmentOpened(Err(e)) => {
                self.last_error = Some(e);
                Task::none()
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
            language: self.language.clone(),
            theme: self.theme,
            notifications: self.notifications,
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
        let ids = self.targets();
        if ids.is_empty() {
            return Task::none();
        }
        // Several selected: read/flag follow the first one, as other mail clients do.
        let first = ids
            .first()
            .and_then(|id| self.list.find(*id))
            .map(|(_, m)| m.flags.clone());
        let Some(first) = first else {
            return Task::none();
        };
        // The list changes at once; the engine writes the store and tells the server.
        let command = match action {
            Action::ToggleRead => {
                let seen = !first.seen;
                for id in &ids {
                    if let Some(m) = self.list.find_mut(*id) {
                        m.flags.seen = seen;
                    }
                }
                Command::SetSeen {
                    messages: ids,
                    seen,
                }
            }
            Action::ToggleFlag => {
                let flagged = !first.flagged;
                for id in &ids {
                    if let Some(m) = self.list.find_mut(*id) {
                        m.flags.flagged = flagged;
                    }
                }
                Command::SetFlagged {
                    messages: ids,
                    flagged,
                }
            }
            Action::Archive | Action::Delete => {
                self.list.remove(&ids);
                self.message = None;
                self.reading = None;
                if action == Action::Archive {
                    Command::Archive { messages: ids }
                } else {
                    Command::Delete { messages: ids }
                }
            }
        };
        let pages = self.list.wanted_pages();
        Task::batch([self.send(command), self.load_pages(pages)])
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
                    let pages = self.list.refresh();
                    self.load_pages(pages)
                }
                Event::Error {
                    account,
                    kind,
                    message,
                } => {
                    self.last_error = Some(message);
                    self.error_account = Some(account).filter(|a| *a != 0);
                    let asks = matches!(kind, ErrorKind::NoPassword | ErrorKind::AuthFailed);
                    if asks && self.prompt.is_none() && !self.prompt_dismissed.contains(&account) {
                        let address = self
                            .tree
                            .accounts
                            .iter()
                            .find(|(a, _)| a.id == account)
                            .map(|(a, _)| a.address.clone());
                        if let Some(address) = address {
                            self.prompt = Some(PasswordPrompt {
                                account,
                                address,
                                refused: kind == ErrorKind::AuthFailed,
                                typed: String::new(),
                            });
                        }
                    }
                    Task::none()
                }
                Event::NewMail { messages, .. } if self.notifications => Task::perform(
                    data::off_thread(self.db.clone(), move |p| data::envelopes(p, &messages)),
                    Message::NewMailLoaded,
                ),
                Event::RemoteImage {
                    message,
                    url,
                    result,
                } if self.message == Some(message) => {
                    match result {
                        Ok(bytes) => {
                            self.images
                                .insert(url, iced::widget::image::Handle::from_bytes(bytes));
                        }
                        // A missing image is shown by its alt text; no error for it.
                        Err(e) => eprintln!("{e}"),
                    }
                    Task::none()
                }
                Event::DoctorStep { protocol, step } => {
                    if self.testing {
                        self.steps.push((protocol, step));
                    }
                    Task::none()
                }
                Event::AutoconfigFound { address, result } => {
                    self.autoconfig_found(&address, result)
                }
                Event::ConnectionReport(report) => {
                    if self.testing {
                        self.testing = false;
                        self.report = Some(report);
                    }
                    Task::none()
                }
                Event::DraftSaved { draft, message_id } => self.draft_saved(draft, &message_id),
                Event::OutboxChanged { .. } | Event::SendResult { .. } => self.read_outbox(),
                Event::AccountSaved { account } => {
                    self.setup_saved();
                    self.saving = false;
                    if let Some(form) = &mut self.form {
                        form.id = account;
                    }
                    self.notice = Some(self.i18n.t("form-saved", &[]));
                    self.load_tree()
                }
                Event::AccountRemoved { account } => {
                    if self.form.as_ref().is_some_and(|f| f.id == account) {
                        self.form = None;
                        self.report = None;
                    }
                    let gone = self
                        .tree
                        .accounts
                        .iter()
                        .find(|(a, _)| a.id == account)
                        .is_some_and(|(_, folders)| {
                            folders.iter().any(|f| Some(f.id) == self.folder)
                        });
                    if gone {
                        self.folder = None;
                        self.list = MessageList::default();
                        self.message = None;
                        self.reading = None;
                    }
                    self.load_tree()
                }
                _ => Task::none(),
            },
        }
    }

    /// The engine's events, while it is wanted, and the keyboard shortcuts.
    pub fn subscription(&self) -> Subscription<Message> {
        let keys = Subscription::batch([
            iced::keyboard::listen().filter_map(shortcut),
            // Files dropped on the window are attached to the message being written.
            iced::event::listen_with(|event, _, _| match event {
                iced::Event::Window(iced::window::Event::FileDropped(path)) => {
                    Some(Message::Compose(ComposeMsg::Dropped(path)))
                }
                _ => None,
            }),
        ]);
        if self.with_engine {
            Subscription::batch([
                engine_link::connect(self.db.clone()).map(Message::Engine),
                keys,
                iced::system::theme_changes().map(Message::SystemTheme),
            ])
        } else {
            keys
        }
    }

    /// The iced theme.
    pub fn theme(&self) -> Theme {
        match (self.theme, self.system_mode) {
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
