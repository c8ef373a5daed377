//! The window's state and its update logic. The window reads the store (read-only, off the UI
//! thread) and talks to the engine only through commands and events.

use std::path::PathBuf;

use iced::{Subscription, Task, Theme};

use super::data::{self, Tree};
use super::desktop::{self, Desktop};
use super::engine_link;
use super::message::ComposeMsg;
use super::message::DesktopMsg;
use super::notify;
use super::prompt::Prompts;
use super::screen::compose::{self, Writing, writing};
use super::screen::mail::search;
use super::screen::settings;
use super::screen::{mail, setup};
use super::window_state::{Launching, Paths, Status, Sync};
use crate::engine::Command;
use crate::i18n::I18n;

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
            tray_shown: $app.desktop.tray_shown,
            desktop: $app.desktop.with_engine,
            db: &$app.paths.db,
            downloads: &$app.paths.downloads,
            open_dir: $app.paths.open_dir.as_deref(),
        }
    };
}
pub(crate) use ctx;

/// How long a passing notice ("Sent") stays in the status bar.
const NOTICE_FOR: std::time::Duration = std::time::Duration::from_secs(4);

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
            paths: Paths {
                db,
                prefs_file: None,
                downloads: directories::UserDirs::new()
                    .and_then(|u| u.download_dir().map(|d| d.to_path_buf()))
                    .unwrap_or_else(std::env::temp_dir),
                open_dir: crate::paths::opened_attachments_dir(),
            },
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

    /// The folder the log of this window's store is in.
    pub fn log_dir(&self) -> PathBuf {
        let data = self.paths.db.parent().unwrap_or(std::path::Path::new("."));
        crate::paths::log_dir_for(data)
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
        let (tx, rx) = std::sync::mpsc::channel();
        self.sync.tap = Some(tx);
        rx
    }

    /// Hands `command` to the engine; the window keeps no copy.
    pub(super) fn send(&mut self, command: Command) -> Task<Message> {
        if let Some(tap) = &self.sync.tap {
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
            Message::Mail(
                mail::Message::Act(_)
                    | mail::Message::Step(_)
                    | mail::Message::OpenSelected
                    | mail::Message::Reply { .. }
                    | mail::Message::Forward
                    | mail::Message::Search(search::Message::Focus | search::Message::Clear)
            )
        );
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
            Message::NoticeExpired(id) => self.expire_notice(id),
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
        Task::perform(
            async move { tokio::task::spawn_blocking(move || notify::show(&notice)).await? },
            Message::Notified,
        )
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

    /// The window's and the tray's messages, and what they need of the rest.
    fn on_desktop(&mut self, message: DesktopMsg) -> Task<Message> {
        match self.desktop.update(message, self.prefs.background) {
            desktop::Action::None => Task::none(),
            desktop::Action::Run(task) => task,
            desktop::Action::ToTray(task) => {
                let typed = self
                    .writing
                    .composer
                    .as_ref()
                    .is_some_and(|c| c.unsaved() && !c.is_empty());
                let save = if typed {
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
                }) => Some(Message::Mail(mail::Message::Search(search::Message::Clear))),
                _ => None,
            }),
        ]);
        let second_launches = match &self.desktop.instance {
            Some(address) => super::instance_link::listen(address.clone()).map(Message::Launch),
            None => Subscription::none(),
        };
        if self.desktop.with_engine {
            Subscription::batch([
                engine_link::connect(self.paths.db.clone()).map(Message::Engine),
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
        match (self.prefs.theme, self.desktop.system_mode) {
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
