//! The window's state and its update logic. The window reads the store (read-only, off the UI
//! thread) and talks to the engine only through commands and events.

use std::path::PathBuf;

use iced::{Task, Theme};

use super::data::{self, Tree};
use super::desktop::{self, Desktop};
use super::engine_link::Link;
use super::failure::Failure;
use super::message::{ComposeMsg, DesktopMsg};
use super::message_file::{self, OpenFile};
use super::notify;
use super::prompt::Prompts;
use super::screen::compose::writing::default_sender;
use super::screen::compose::{self, Writing, writing};
use super::screen::mail::search;
use super::screen::{file, mail, settings, setup};
use super::window_state::{Launching, Paths, Status, Sync};
use crate::accounts::autoconfig::Found;
use crate::engine::{Command, ErrorKind, Event};
use crate::i18n::I18n;
use crate::launch::Launch;

pub use super::message::{
    DEFAULT_PANES, Message, Pane, PasswordPrompt, Screen, ThemeChoice, panes, panes_with, shortcut,
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
            unified: $app.prefs.unified,
            conversations: $app.prefs.conversations,
            tray_shown: $app.desktop.tray_shown,
            desktop: $app.desktop.with_engine,
            db: &$app.paths.db,
            downloads: &$app.paths.downloads,
            open_dir: $app.paths.open_dir.as_deref(),
        }
    };
}
pub(crate) use ctx;

/// The whole window: its screens, what they share, and what it keeps of its own place on the
/// desktop, the engine and the status bar.
pub struct App {
    /// Messages in the user's language.
    pub i18n: I18n,
    /// Current screen.
    pub screen: Screen,
    /// Accounts and folders.
    pub tree: Tree,
    /// The files the window reads and writes.
    pub paths: Paths,
    /// The user's choices that window.json keeps: language, theme, notifications, panes, tray.
    pub prefs: super::prefs::Prefs,
    /// The mail screen: folders, the list, the reader, the search.
    pub mail: mail::State,
    /// Settings: the app's choices and the account pages.
    pub settings: settings::State,
    /// The account setup, while it runs.
    pub setup: Option<setup::State>,
    /// Writing mail: the composer, the address book, unsent drafts, the outbox.
    pub writing: Writing,
    /// A message file shown in a reader of its own.
    pub file: Option<super::screen::file::State>,
    /// The window and the tray on the desktop.
    pub desktop: Desktop,
    /// The status bar's words.
    pub status: Status,
    /// Asking for passwords the accounts need.
    pub prompts: Prompts,
    /// The engine, and what it reported of the accounts.
    pub sync: Sync,
    /// What the launch asked for, and whether the start-up reads ran.
    pub launch: Launching,
}

impl App {
    /// A window over the store at `db`; `with_engine` starts the sync engine.
    pub fn new(db: PathBuf, i18n: I18n, with_engine: bool) -> (App, Task<Message>) {
        let app = App {
            i18n,
            screen: Screen::Mail,
            tree: Tree::default(),
            paths: Paths::new(db),
            prefs: super::prefs::Prefs {
                theme: ThemeChoice::Light,
                ..super::prefs::Prefs::default()
            },
            mail: mail::State::default(),
            settings: settings::State::default(),
            setup: None,
            writing: Writing::default(),
            file: None,
            desktop: Desktop {
                with_engine,
                ..Desktop::default()
            },
            status: Status::default(),
            prompts: Prompts::default(),
            sync: Sync::default(),
            launch: Launching::default(),
        };
        let task = app.load_tree();
        (app, task)
    }

    pub(super) fn load_tree(&self) -> Task<Message> {
        Task::perform(
            data::off_thread(self.paths.db.clone(), data::tree),
            Message::TreeLoaded,
        )
    }

    /// Shows a failure in the status bar, in the user's language.
    pub(super) fn failed(&mut self, failure: super::failure::Failure) -> Task<Message> {
        tracing::warn!(target: "tidings::ui", "{failure}");
        self.status.last_error = Some(failure.text(&self.i18n));
        Task::none()
    }

    /// From now on, a copy of every command the window sends goes to the returned receiver:
    /// how tests see what a screen asked the engine for.
    pub fn tap(&mut self) -> std::sync::mpsc::Receiver<Command> {
        self.sync.tap()
    }

    /// Hands `command` to the engine; the window keeps no copy.
    pub(super) fn send(&mut self, command: Command) -> Task<Message> {
        self.sync.send(command)
    }

    /// Handles one message.
    pub fn update(&mut self, message: Message) -> Task<Message> {
        // Keyboard actions on the list and the open message only act where the list is shown.
        let mail_only = matches!(&message, Message::Mail(m) if m.needs_the_list());
        let composing =
            matches!(message, Message::Compose(ComposeMsg::New)) && self.screen == Screen::Compose;
        if (mail_only && self.screen != Screen::Mail) || composing {
            return Task::none();
        }
        match message {
            Message::Engine(link) => self.on_engine(link),
            Message::Compose(msg) => self.on_writing(msg),
            Message::Composer(msg) => self.on_composer(msg),
            Message::Escape => match self.screen {
                Screen::File => self.close_file(),
                _ => self.on_composer(compose::Message::Close),
            },
            Message::Setup(msg) => self.on_setup(msg),
            Message::Mail(msg) => self.on_mail(msg),
            Message::Settings(msg) => self.on_settings(msg),
            Message::SystemTheme(mode) => {
                self.desktop.system_mode = mode;
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
            Message::File(msg) => self.on_file(msg),
            Message::TreeLoaded(Err(e)) => self.failed(e),
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
            Message::NoticeExpired(id) => {
                self.status.expire(id);
                Task::none()
            }
            Message::Prompt(msg) => {
                let Some(command) = self.prompts.update(msg, &self.tree) else {
                    return Task::none();
                };
                if let Command::ProvidePassword { account, .. } = &command
                    && self.status.error_account == Some(*account)
                {
                    self.status.last_error = None;
                }
                self.send(command)
            }
        }
    }

    /// One step of the real window: the message handled, what the status bar and the screen
    /// show logged when they change, and the tray brought up to date.
    pub fn step(
        &mut self,
        message: Message,
        shown: &std::sync::Mutex<String>,
        screen: &std::sync::Mutex<Option<Screen>>,
    ) -> Task<Message> {
        let task = self.update(message);
        super::status::log_change(shown, self.status_line());
        super::status::log_screen(screen, self.screen);
        let tray = self.desktop.show_tray(&self.tree, &self.i18n);
        Task::batch([task, tray])
    }

    /// Quits, once the words typed in the last moments are saved.
    fn quit(&mut self) -> Task<Message> {
        // Words typed in the last moments are saved before the window goes.
        if self.writing.unsaved() {
            self.desktop.quitting = true;
            let save = self.writing.save_draft();
            return self.writing_action(save);
        }
        self.desktop.quit_now()
    }

    /// New mail arrived: a desktop notification (the real window), one for the batch.
    fn notify_new_mail(&mut self, rows: &[crate::store::messages::Envelope]) -> Task<Message> {
        let Some(notice) = notify::for_new_mail(&self.i18n, rows) else {
            return Task::none();
        };
        self.desktop.notified.push(notice.clone());
        if !self.desktop.with_engine {
            return Task::none();
        }
        notify::showing(notice).map(Message::Notified)
    }

    /// The mail screen's messages, and what it asks of the window.
    pub(super) fn on_mail(&mut self, message: mail::Message) -> Task<Message> {
        let action = self.mail.update(message, ctx!(self));
        self.mail_action(action)
    }

    /// Opens `folder` on the mail screen.
    pub(super) fn open_folder(&mut self, folder: i64) -> Task<Message> {
        let action = self.mail.open_folder(folder, ctx!(self));
        self.mail_action(action)
    }

    /// A reply (`Some(all)`) or a forward (None) of the mail screen's open message.
    fn answer_mail(&mut self, reply: Option<bool>) -> Task<Message> {
        let Some(message) = self.mail.message else {
            return Task::none();
        };
        let action = Writing::answer(message, reply, ctx!(self));
        self.writing_action(action)
    }

    fn mail_action(&mut self, action: mail::Action) -> Task<Message> {
        match action {
            mail::Action::None => Task::none(),
            mail::Action::Run(task) => task.map(Message::Mail),
            mail::Action::Send(command) => self.send(command),
            mail::Action::Many(actions) => {
                Task::batch(actions.into_iter().map(|a| self.mail_action(a)))
            }
            mail::Action::Panes(index, ratio) => {
                self.prefs.panes[index] = ratio;
                Task::none()
            }
            mail::Action::SavePanes => self.save_prefs(),
            mail::Action::Reply { all } => self.answer_mail(Some(all)),
            mail::Action::Forward => self.answer_mail(None),
            mail::Action::Notice(words) => {
                self.status.notice = Some(words);
                Task::none()
            }
            mail::Action::Error(e) => self.failed(e),
            mail::Action::Conversations(on) => self.choose(settings::Pref::Conversations(on)),
        }
    }

    /// What happens around the composer, and what it asks of the window.
    fn on_writing(&mut self, msg: ComposeMsg) -> Task<Message> {
        let action = self.writing.update(msg, ctx!(self), self.mail.folder);
        self.writing_action(action)
    }

    /// A message in the open composer.
    fn on_composer(&mut self, msg: compose::Message) -> Task<Message> {
        let action = self.writing.composer(msg, ctx!(self));
        self.writing_action(action)
    }

    /// Does what writing mail asked of the window.
    pub(super) fn writing_action(&mut self, action: writing::Action) -> Task<Message> {
        match action {
            writing::Action::None => Task::none(),
            writing::Action::Run(task) => task.map(Message::Compose),
            writing::Action::RunComposer(task) => task.map(Message::Composer),
            writing::Action::Send(command) => self.send(command),
            writing::Action::Many(actions) => {
                Task::batch(actions.into_iter().map(|a| self.writing_action(a)))
            }
            writing::Action::Opened => {
                self.screen = Screen::Compose;
                Task::none()
            }
            writing::Action::Closed => {
                self.screen = Screen::Mail;
                Task::none()
            }
            writing::Action::Notice(words) => {
                self.status.notice = Some(words);
                Task::none()
            }
            writing::Action::Quit => self.desktop.quit_now(),
            writing::Action::Error(e) => self.failed(e),
        }
    }

    /// Shows `text` in the status bar for a few seconds.
    pub(super) fn flash(&mut self, text: String) -> Task<Message> {
        self.status.flash(text).map(Message::NoticeExpired)
    }

    /// The window's and the tray's messages, and what they need of the rest.
    fn on_desktop(&mut self, message: DesktopMsg) -> Task<Message> {
        match self.desktop.update(message, self.prefs.background) {
            desktop::Action::None => Task::none(),
            desktop::Action::Run(task) => task,
            desktop::Action::ToTray(task) => {
                let save = if self.writing.typed() {
                    let save = self.writing.save_draft();
                    self.writing_action(save)
                } else {
                    Task::none()
                };
                Task::batch([save, task])
            }
            desktop::Action::Quit => self.quit(),
            desktop::Action::Compose(shown) => {
                Task::batch([shown, self.update(Message::Compose(ComposeMsg::New))])
            }
            desktop::Action::SyncNow => self.send(Command::SyncNow { account: None }),
        }
    }

    /// Asks for `account`'s password; the field takes the typing on the mail screen (not while
    /// the user writes mail or fills a form, whose keystrokes it must not steal).
    pub(super) fn ask_password(&mut self, account: i64, refused: bool) -> Task<Message> {
        let shown = self.prompts.ask(account, refused, &self.tree);
        if shown && self.screen == Screen::Mail {
            iced::widget::operation::focus(super::prompt::FIELD)
        } else {
            Task::none()
        }
    }

    /// The form check the doctor's answers belong to: the setup's while it runs, else
    /// Settings'.
    fn form_check(&mut self) -> &mut super::form_check::FormCheck {
        match &mut self.setup {
            Some(setup) => &mut setup.check,
            None => &mut self.settings.check,
        }
    }

    /// Handles one thing the engine said.
    pub(super) fn on_engine(&mut self, link: Link) -> Task<Message> {
        match link {
            Link::Ready(handle) => {
                self.sync.engine = Some(handle);
                Task::none()
            }
            Link::Failed(e) => {
                self.status.last_error = Some(e);
                Task::none()
            }
            Link::Event(event) => self.on_event(event),
        }
    }

    fn on_event(&mut self, event: Event) -> Task<Message> {
        self.sync.note(&event);
        match event {
            Event::AccountState { .. } | Event::SyncProgress { .. } | Event::Indexing { .. } => {
                Task::none()
            }
            Event::SyncDone { .. }
            | Event::FoldersChanged { .. }
            | Event::AccountChanged { .. } => self.load_tree(),
            Event::MessagesChanged { folder, ids } => {
                self.on_mail(mail::Message::Changed { folder, ids })
            }
            Event::ServerSearchDone {
                request,
                hits,
                failures,
            } => self.on_mail(mail::Message::Search(search::Message::ServerDone(
                request, hits, failures,
            ))),
            Event::Error {
                account,
                kind,
                message,
            } => {
                self.status.engine_error(account, kind, message, &self.i18n);
                let asks = matches!(kind, ErrorKind::NoPassword | ErrorKind::AuthFailed);
                if asks {
                    return self.ask_password(account, kind == ErrorKind::AuthFailed);
                }
                Task::none()
            }
            Event::NewMail { messages, .. } if self.prefs.notifications => Task::perform(
                data::off_thread(self.paths.db.clone(), move |p| {
                    data::envelopes(p, &messages)
                }),
                Message::NewMailLoaded,
            ),
            Event::ThreadsChanged { .. } => {
                Task::batch([self.load_tree(), self.on_mail(mail::Message::Regroup)])
            }
            Event::RemoteImage {
                message,
                url,
                result,
            } => self.on_mail(mail::Message::RemoteImage {
                message,
                url,
                image: result,
            }),
            Event::DoctorStep { protocol, step } => {
                self.form_check().step(protocol, step);
                Task::none()
            }
            Event::AutoconfigFound { address, result } => self.autoconfig_found(&address, result),
            Event::ConnectionReport(report) => {
                self.form_check().finished(report);
                Task::none()
            }
            Event::DraftSaved { draft, message_id } => {
                let quitting = self.desktop.quitting;
                let action = self
                    .writing
                    .draft_saved(draft, &message_id, quitting, ctx!(self));
                self.writing_action(action)
            }
            Event::OutboxChanged { .. } => self.writing_action(Writing::read_outbox(ctx!(self))),
            Event::SendResult { outcome, .. } => {
                // "Sending…" follows the outbox: "Sent" for a moment, or the failure with
                // Edit and Retry (from the outbox read).
                let shown = match outcome {
                    crate::engine::outbox::SendOutcome::Sent => {
                        self.flash(self.i18n.t("compose-sent", &[]))
                    }
                    _ => {
                        self.status.notice = None;
                        Task::none()
                    }
                };
                Task::batch([self.writing_action(Writing::read_outbox(ctx!(self))), shown])
            }
            Event::AccountSaved { account } => {
                self.setup_saved();
                self.settings.saved(account);
                self.status.notice = Some(self.i18n.t("form-saved", &[]));
                self.load_tree()
            }
            Event::AccountRemoved { account } => {
                self.settings.removed(account);
                let forget = self.on_mail(mail::Message::AccountRemoved(account));
                Task::batch([forget, self.load_tree()])
            }
            _ => Task::none(),
        }
    }

    /// Takes in a newly read tree.
    pub(super) fn tree_loaded(&mut self, tree: Tree) -> Task<Message> {
        let then = self.after_tree(tree);
        let asked = match self.prompts.waiting {
            Some((account, refused)) => {
                self.prompts.waiting = None;
                self.ask_password(account, refused)
            }
            None => Task::none(),
        };
        let launched = self.launch_pending();
        Task::batch([then, asked, launched])
    }

    fn after_tree(&mut self, tree: Tree) -> Task<Message> {
        self.tree = tree;
        if self.tree.accounts.is_empty() && self.setup.is_none() {
            // First run: nothing to show but the way to add an account.
            return self.start_setup();
        }
        // Open the first account's INBOX when nothing is open yet.
        let first = self.tree.accounts.first().and_then(|(_, f)| f.first());
        let open = match (self.mail.folder, first.map(|f| f.id)) {
            (None, Some(id)) => self.open_folder(id),
            _ => Task::none(),
        };
        if self.launch.started {
            return open;
        }
        // Once per run: drafts a crash left unsent, and the outbox's state.
        self.launch.started = true;
        let unsent = self.writing_action(Writing::read_unsent(ctx!(self)));
        let outbox = self.writing_action(Writing::read_outbox(ctx!(self)));
        Task::batch([open, unsent, outbox])
    }

    /// Acts on `launch` now, or keeps it until there is an account to write from.
    pub fn launch(&mut self, launch: Launch) -> Task<Message> {
        // Opened again if it was closed to the tray.
        let raise = self.desktop.show_window();
        match launch {
            Launch::Window => raise,
            // A file needs no account: it is read and shown at once.
            Launch::Eml(path) => Task::batch([raise, self.open_file(path)]),
            Launch::Mailto(url) => {
                let Some((account, sender)) = default_sender(&self.tree, self.mail.folder) else {
                    self.launch.pending = Some(Launch::Mailto(url));
                    return raise;
                };
                let composer = writing::from_mailto(&url, account, &sender, &self.i18n);
                let start = self.writing.start(composer, ctx!(self));
                Task::batch([raise, self.writing_action(start)])
            }
        }
    }

    /// A click on a new-mail notice: the window raised, its folder and the message opened.
    pub(super) fn open_notified(&mut self, folder: i64, message: i64) -> Task<Message> {
        self.screen = Screen::Mail;
        let open = if self.mail.folder == Some(folder) {
            Task::none()
        } else {
            self.open_folder(folder)
        };
        let raise = self.launch(Launch::Window);
        let shown = self.on_mail(crate::ui::screen::mail::Message::OpenMessage(message));
        Task::batch([raise, open, shown])
    }

    /// The launch kept for later, once accounts exist (after setup, or at start).
    pub(super) fn launch_pending(&mut self) -> Task<Message> {
        let waits = !matches!(self.launch.pending, Some(Launch::Eml(_)));
        if waits && (self.tree.accounts.is_empty() || self.screen == Screen::Setup) {
            return Task::none();
        }
        match self.launch.pending.take() {
            Some(launch) => self.launch(launch),
            None => Task::none(),
        }
    }

    /// Reads `path` off the UI thread, then shows it.
    pub(super) fn open_file(&mut self, path: PathBuf) -> Task<Message> {
        message_file::reading(path).map(Message::FileLoaded)
    }

    /// A message file was read (or could not be).
    pub(super) fn file_loaded(&mut self, file: Result<Box<OpenFile>, Failure>) -> Task<Message> {
        match file {
            Ok(file) => {
                self.file = Some(file::State::new(*file));
                self.screen = Screen::File;
                Task::none()
            }
            Err(e) => self.failed(e),
        }
    }

    /// The file reader's messages, and what it asks of the window.
    pub(super) fn on_file(&mut self, msg: file::Message) -> Task<Message> {
        let Some(state) = &mut self.file else {
            return Task::none();
        };
        match state.update(msg, ctx!(self)) {
            file::Action::None => Task::none(),
            file::Action::Run(task) => task.map(Message::File),
            file::Action::Answer(reply) => self.answer_file(reply),
            file::Action::Close => self.close_file(),
            file::Action::Notice(words) => {
                self.status.notice = Some(words);
                Task::none()
            }
            file::Action::Error(e) => self.failed(e),
        }
    }

    /// Back to the mail (or to the setup it was opened over).
    pub(super) fn close_file(&mut self) -> Task<Message> {
        self.file = None;
        // Back where it was opened from: a file handed over during setup returns to it.
        self.screen = if self.setup.is_some() {
            Screen::Setup
        } else {
            Screen::Mail
        };
        Task::none()
    }

    /// A reply (to all) or a forward of the file, from the default account.
    fn answer_file(&mut self, reply: Option<bool>) -> Task<Message> {
        let sender = default_sender(&self.tree, self.mail.folder);
        let (Some(state), Some((account, _))) = (&self.file, sender) else {
            return Task::none();
        };
        let raw = state.file.raw.clone();
        let locale = self.i18n.locale().to_owned();
        Task::perform(
            super::data::off_thread(self.paths.db.clone(), move |db| {
                message_file::answer(db, account, &raw, reply, &locale)
            }),
            |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
        )
    }

    /// Routes a Settings message to the screen and acts on its answer.
    pub(super) fn on_settings(&mut self, message: settings::Message) -> Task<Message> {
        let action = self.settings.update(message, ctx!(self));
        self.settings_action(action)
    }

    /// Does what Settings asked of the window.
    pub(super) fn settings_action(&mut self, action: settings::Action) -> Task<Message> {
        match action {
            settings::Action::None => Task::none(),
            settings::Action::Run(task) => task.map(Message::Settings),
            settings::Action::Send(command) => self.send(command),
            // Shown at once; the engine saves them and tells the folder list to reload.
            settings::Action::SwitchProtocol(account, protocol, enabled) => {
                let command = self.tree.switch_protocol(account, protocol, enabled);
                self.send(command)
            }
            settings::Action::ChooseFolderRole(account, role, folder) => {
                let command = self.tree.choose_role(account, role, folder);
                self.send(command)
            }
            settings::Action::Pref(pref) => self.choose(pref),
            settings::Action::StartSetup => self.start_setup(),
            settings::Action::Show => {
                self.screen = Screen::Settings;
                Task::none()
            }
            settings::Action::Error(e) => self.failed(e),
        }
    }

    /// Applies and saves a choice of Settings → App (or of the list's header).
    fn choose(&mut self, pref: settings::Pref) -> Task<Message> {
        let regroup =
            matches!(pref, settings::Pref::Conversations(on) if on != self.prefs.conversations);
        if let Some(i18n) = self.prefs.apply(pref) {
            self.i18n = i18n;
        }
        // Unified folders switched off while one is open: the first account's Inbox.
        let first = self.tree.accounts.first().and_then(|(_, f)| f.first());
        let reopen = match (self.mail.real_folder(), first.map(|f| f.id)) {
            (None, Some(id)) if !self.prefs.unified && self.mail.folder.is_some() => {
                self.on_mail(mail::Message::OpenFolder(id))
            }
            _ if regroup => self.on_mail(mail::Message::Regroup),
            _ => Task::none(),
        };
        Task::batch([reopen, self.save_prefs()])
    }

    /// Saves the language, theme, notification, pane and tray choices (off the UI thread).
    pub(super) fn save_prefs(&mut self) -> Task<Message> {
        match &self.paths.prefs_file {
            Some(path) => {
                super::prefs::saving(path.clone(), self.prefs.clone()).map(Message::PrefsSaved)
            }
            None => Task::none(),
        }
    }

    /// Starts a setup (first run, or Add account).
    pub(super) fn start_setup(&mut self) -> Task<Message> {
        self.setup = Some(setup::State::new());
        self.screen = Screen::Setup;
        // The first field takes the typing at once, as in every setup wizard.
        iced::widget::operation::focus("name-input")
    }

    /// Routes a setup message to the screen and acts on its answer.
    pub(super) fn on_setup(&mut self, msg: setup::Message) -> Task<Message> {
        let Some(s) = &mut self.setup else {
            return Task::none();
        };
        let action = s.update(msg, ctx!(self));
        self.setup_action(action)
    }

    /// Autoconfig answered for `address`.
    pub(super) fn autoconfig_found(
        &mut self,
        address: &str,
        result: Result<Box<Found>, String>,
    ) -> Task<Message> {
        let Some(s) = &mut self.setup else {
            return Task::none();
        };
        let action = s.autoconfig_found(address, result, ctx!(self));
        self.setup_action(action)
    }

    /// Does what the setup asked of the window.
    fn setup_action(&mut self, action: setup::Action) -> Task<Message> {
        match action {
            setup::Action::None => Task::none(),
            setup::Action::Run(task) => task.map(Message::Setup),
            setup::Action::Send(command) => self.send(command),
            setup::Action::Manual(form, trust) => {
                self.setup = None;
                self.settings.open_form(Some(*form));
                self.settings.check.trust = trust;
                self.screen = Screen::Settings;
                Task::none()
            }
            setup::Action::Leave => {
                self.setup = None;
                self.screen = Screen::Mail;
                Task::none()
            }
            setup::Action::Error(e) => self.failed(e),
        }
    }

    /// A saved setup becomes the mail view, with its first sync's progress in the status bar.
    pub(super) fn setup_saved(&mut self) {
        if self.setup.take().is_some() {
            self.screen = Screen::Mail;
            self.mail.folder = None;
            self.launch.started = false;
        }
    }

    /// The status bar's text as shown.
    pub fn status_line(&self) -> String {
        super::status::line(super::status::Said {
            i18n: &self.i18n,
            tree: &self.tree,
            sync: &self.sync,
            waiting: self.writing.outbox.waiting,
            status: &self.status,
        })
    }

    /// The iced theme.
    pub fn theme(&self) -> Theme {
        self.prefs.theme.theme(self.desktop.system_mode)
    }

    /// The window title.
    pub fn title(&self) -> String {
        "Tidings".to_owned()
    }
}
