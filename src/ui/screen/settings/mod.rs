//! Settings: the app's own choices (language, theme, notifications, running in the tray,
//! starting at login, the default mail app) and one page per account (edit, test, save,
//! remove) through the engine.

mod view;

use iced::Task;

pub use view::view;

use super::Ctx;
use crate::engine::{Command, Protocol};
use crate::launch::autostart;
use crate::launch::default_app::{self, Made, Standing};
use crate::store::folders::Role;
use crate::ui::account_form::{AccountForm, Edit, Field};
use crate::ui::failure::{Failure, Kind};
use crate::ui::form_check::FormCheck;
use crate::ui::theme::ThemeChoice;

/// What Settings shows and is doing.
#[derive(Debug, Default)]
pub struct State {
    /// The account form open (None: the app's own page).
    pub form: Option<AccountForm>,
    /// The form's test and save.
    pub check: FormCheck,
    /// Removal asked: waiting for the user to choose.
    pub confirm_remove: bool,
    /// What the desktop opens mail with, once checked.
    pub default_app: Option<Standing>,
    /// The note after "Make default" where the user must finish the choice elsewhere.
    pub default_note: Option<String>,
    /// Where the login entry lives (None: not offered, as in tests that do not ask).
    pub autostart_place: Option<autostart::Place>,
    /// Whether Tidings starts at login, once read.
    pub autostart: Option<bool>,
}

/// What happens in Settings.
#[derive(Debug, Clone)]
pub enum Message {
    /// A protocol switch was flipped: account, protocol, on.
    SwitchProtocol(i64, Protocol, bool),
    /// The user picked the folder for a role (None: as the server says).
    ChooseFolderRole(i64, Role, Option<i64>),
    /// Choose the language ("" follows the system).
    Language(String),
    /// Choose the theme.
    Theme(ThemeChoice),
    /// Desktop notifications on or off.
    Notifications(bool),
    /// Keep running in the tray when the window closes, or not.
    Background(bool),
    /// Every account's Inbox, Sent and Drafts together in the folder pane, or not.
    Unified(bool),
    /// One list row per conversation, or per message.
    Conversations(bool),
    /// Conversations also join by subject, or not.
    GroupBySubject(bool),
    /// Start at login, or not.
    SetAutostart(bool),
    /// Whether Tidings starts at login now (or why that could not be changed).
    Autostart(Result<bool, Failure>),
    /// What the desktop opens mail with.
    DefaultApp(Standing),
    /// Make Tidings the default mail program.
    MakeDefault,
    /// What making it the default did.
    MadeDefault(Result<Made, Failure>),
    /// Open the folder with the log (Settings → About), for a bug report.
    OpenLogFolder,
    /// The desktop was asked to open a folder (or could not).
    FolderOpened(Result<(), Failure>),
    /// Open an account's page.
    EditAccount(i64),
    /// Add an account (the guided setup).
    NewAccount,
    /// Open an empty form for a new account (manual settings).
    ManualAccount,
    /// Back to the app's page (closing the form).
    CloseForm,
    /// A change in the account form.
    Form(Edit),
    /// Save the account form.
    SaveForm,
    /// Run the connection doctor on the form's settings.
    TestForm,
    /// Trust this certificate (host, port, DER) of the server that showed it, and test again.
    Trust(String, u16, Vec<u8>),
    /// Ask before removing the form's account.
    AskRemove,
    /// Remove the form's account: keep its local mirror or not.
    RemoveAccount { keep_mirror: bool },
    /// Do not remove after all.
    CancelRemove,
}

/// A choice the window keeps (and saves) for every screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Pref {
    /// The language ("" follows the system).
    Language(String),
    /// The theme.
    Theme(ThemeChoice),
    /// Desktop notifications.
    Notifications(bool),
    /// Running on in the tray.
    Background(bool),
    /// The unified folders.
    Unified(bool),
    /// One row per conversation.
    Conversations(bool),
}

/// What Settings needs of the window.
pub enum Action {
    /// Nothing.
    None,
    /// Work of Settings' own, answered by one of its messages.
    Run(Task<Message>),
    /// Hand this to the engine.
    Send(Command),
    /// Switch a protocol: shown at once in the folder pane, and handed to the engine.
    SwitchProtocol(i64, Protocol, bool),
    /// Give a folder a role: shown at once, and handed to the engine.
    ChooseFolderRole(i64, Role, Option<i64>),
    /// Apply and save a choice.
    Pref(Pref),
    /// Start the guided setup.
    StartSetup,
    /// Show Settings (an account's page was asked for from elsewhere).
    Show,
    /// Something failed; the status bar says it.
    Error(Failure),
}

impl State {
    /// Settings is being shown: ask the desktop what it opens mail with and whether Tidings
    /// starts at login.
    pub fn opened(&self, ctx: Ctx<'_>) -> Action {
        let mut tasks = Vec::new();
        if ctx.desktop {
            tasks.push(Task::perform(
                async {
                    tokio::task::spawn_blocking(default_app::check)
                        .await
                        .unwrap_or_else(|e| Standing::Unknown(e.to_string()))
                },
                Message::DefaultApp,
            ));
        }
        if let Some(place) = self.autostart_place.clone() {
            tasks.push(Task::perform(
                async move {
                    Ok(tokio::task::spawn_blocking(move || autostart::is_enabled(&place)).await?)
                },
                Message::Autostart,
            ));
        }
        Action::Run(Task::batch(tasks))
    }

    /// Handles one of Settings' messages.
    pub fn update(&mut self, message: Message, ctx: Ctx<'_>) -> Action {
        match message {
            Message::SwitchProtocol(account, protocol, on) => {
                Action::SwitchProtocol(account, protocol, on)
            }
            Message::ChooseFolderRole(account, role, folder) => {
                Action::ChooseFolderRole(account, role, folder)
            }
            Message::Language(locale) => Action::Pref(Pref::Language(locale)),
            Message::Theme(choice) => Action::Pref(Pref::Theme(choice)),
            Message::Notifications(on) => Action::Pref(Pref::Notifications(on)),
            Message::Background(on) => Action::Pref(Pref::Background(on)),
            Message::Unified(on) => Action::Pref(Pref::Unified(on)),
            Message::GroupBySubject(on) => Action::Send(Command::GroupBySubject(on)),
            Message::Conversations(on) => Action::Pref(Pref::Conversations(on)),
            Message::SetAutostart(on) => {
                let Some(place) = self.autostart_place.clone() else {
                    return Action::None;
                };
                Action::Run(Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || {
                            autostart::set(&place, on).map(|()| autostart::is_enabled(&place))
                        })
                        .await?
                        .map_err(|e| Failure::new(Kind::Autostart, e))
                    },
                    Message::Autostart,
                ))
            }
            Message::Autostart(Ok(on)) => {
                self.autostart = Some(on);
                Action::None
            }
            Message::Autostart(Err(e)) => Action::Error(e),
            Message::DefaultApp(standing) => {
                self.default_app = Some(standing);
                Action::None
            }
            Message::MakeDefault => {
                self.default_note = None;
                if !ctx.desktop {
                    return Action::None;
                }
                Action::Run(Task::perform(
                    async {
                        tokio::task::spawn_blocking(default_app::make_default)
                            .await?
                            .map_err(|e| Failure::new(Kind::Desktop, e))
                    },
                    Message::MadeDefault,
                ))
            }
            Message::MadeDefault(Ok(made)) => {
                self.default_note = match made {
                    Made::Done => None,
                    Made::SettingsOpened => Some(ctx.i18n.t("ui-default-settings-opened", &[])),
                    Made::ChooseInMail => Some(ctx.i18n.t("ui-default-in-mail", &[])),
                };
                self.opened(ctx)
            }
            Message::MadeDefault(Err(e)) | Message::FolderOpened(Err(e)) => Action::Error(e),
            Message::FolderOpened(Ok(())) => Action::None,
            Message::OpenLogFolder => {
                let data = ctx.db.parent().unwrap_or(std::path::Path::new("."));
                let dir = crate::paths::log_dir_for(data);
                Action::Run(Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || {
                            crate::paths::private_dir(&dir)
                                .and_then(|()| open::that_detached(&dir))
                                .map_err(|e| {
                                    Failure::new(Kind::Open, format!("{}: {e}", dir.display()))
                                })
                        })
                        .await?
                    },
                    Message::FolderOpened,
                ))
            }
            Message::EditAccount(id) => {
                let form = ctx
                    .tree
                    .accounts
                    .iter()
                    .find(|(a, _)| a.id == id)
                    .map(|(a, _)| AccountForm::edit(a));
                self.open_form(form);
                Action::Show
            }
            // Adding an account starts the guided setup; manual settings are a click away.
            Message::NewAccount => Action::StartSetup,
            Message::ManualAccount => {
                self.open_form(Some(AccountForm::new_account()));
                Action::None
            }
            Message::CloseForm => {
                self.form = None;
                self.check.report = None;
                self.confirm_remove = false;
                Action::None
            }
            Message::Form(edit) => {
                let Some(form) = &mut self.form else {
                    return Action::None;
                };
                form.apply(edit.clone());
                // A saved account's switch acts at once, as on a webmail's settings page;
                // switching on waits until that protocol's servers are filled in.
                if let Edit::Enabled(protocol, on) = edit
                    && form.id != 0
                {
                    let ready = !form.problems().iter().any(|(f, _)| {
                        matches!(f, Field::Host(p) | Field::Port(p) | Field::Username(p) if *p == protocol)
                    });
                    if !on || ready {
                        return Action::SwitchProtocol(form.id, protocol, on);
                    }
                }
                Action::None
            }
            Message::SaveForm => self.request(true),
            Message::TestForm => self.request(false),
            Message::Trust(host, port, der) => {
                self.check.pin(host, port, der);
                self.request(false)
            }
            Message::AskRemove => {
                self.confirm_remove = true;
                Action::None
            }
            Message::CancelRemove => {
                self.confirm_remove = false;
                Action::None
            }
            Message::RemoveAccount { keep_mirror } => {
                let Some(id) = self.form.as_ref().map(|f| f.id).filter(|id| *id != 0) else {
                    return Action::None;
                };
                self.confirm_remove = false;
                Action::Send(Command::RemoveAccount {
                    account: id,
                    keep_mirror,
                })
            }
        }
    }

    /// Opens a form (a fresh start: nothing trusted or tested yet).
    pub fn open_form(&mut self, form: Option<AccountForm>) {
        self.form = form;
        // A save in flight still answers; the rest belongs to the form that was open.
        self.check = FormCheck {
            saving: self.check.saving,
            ..FormCheck::default()
        };
        self.confirm_remove = false;
    }

    /// Tests or saves the open form.
    fn request(&mut self, save: bool) -> Action {
        let Some(form) = &mut self.form else {
            return Action::None;
        };
        match self.check.request(form, save) {
            Some(command) => Action::Send(command),
            None => Action::None,
        }
    }

    /// The engine saved an account: the open form is now that account's.
    pub fn saved(&mut self, account: i64) {
        self.check.saving = false;
        if let Some(form) = &mut self.form {
            form.id = account;
        }
    }

    /// The engine removed an account: its page closes.
    pub fn removed(&mut self, account: i64) {
        if self.form.as_ref().is_some_and(|f| f.id == account) {
            self.form = None;
            self.check.report = None;
        }
    }
}
