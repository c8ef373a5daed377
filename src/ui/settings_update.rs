//! The window's settings: app choices (language, theme, notifications) saved to window.json,
//! and the account form (edit, validate, test, save, remove) through the engine.

use iced::Task;

use super::account_form::{AccountForm, Edit};
use super::app::{App, Message, Screen};
use super::setup::SetupMsg;
use crate::engine::{Command, Protocol};
use crate::i18n::I18n;

impl App {
    /// Handles the settings' messages.
    pub(super) fn on_settings(&mut self, message: Message) -> Task<Message> {
        match message {
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
            Message::ChooseFolderRole(account, role, folder) => {
                // Shown at once; the engine saves it and tells the folder list to reload.
                if let Some(folder) = folder {
                    for (a, folders) in &mut self.tree.accounts {
                        if a.id != account {
                            continue;
                        }
                        for f in folders.iter_mut() {
                            if f.id == folder {
                                f.role = role;
                            } else if f.role == role {
                                f.role = crate::store::folders::Role::Other;
                            }
                        }
                    }
                }
                self.send(Command::ChooseFolderRole {
                    account,
                    role,
                    folder,
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
            Message::OpenLogFolder => {
                let dir = self.log_dir();
                Task::perform(
                    async move {
                        tokio::task::spawn_blocking(move || {
                            crate::paths::private_dir(&dir)
                                .and_then(|()| open::that_detached(&dir))
                                .map_err(|e| format!("{}: {e}", dir.display()))
                        })
                        .await
                        .map_err(|e| e.to_string())?
                    },
                    Message::FolderOpened,
                )
            }
            Message::FolderOpened(result) => {
                if let Err(e) = result {
                    self.last_error = Some(e);
                }
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
                let form = self.form.clone();
                self.test_or_save(form.as_ref(), true)
            }
            Message::TestForm => {
                let form = self.form.clone();
                self.test_or_save(form.as_ref(), false)
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
            Message::PrefsSaved(Ok(())) => Task::none(),
            Message::PrefsSaved(Err(e)) => {
                self.last_error = Some(e);
                Task::none()
            }
            _ => Task::none(),
        }
    }

    pub(super) fn save_prefs(&mut self) -> Task<Message> {
        let Some(path) = self.prefs_file.clone() else {
            return Task::none();
        };
        let prefs = super::prefs::Prefs {
            language: self.language.clone(),
            theme: self.theme,
            notifications: self.notifications,
            panes: self.pane_ratios,
            background: self.background,
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
}
