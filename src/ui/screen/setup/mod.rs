//! First-run setup and "add account": address and password, the settings autoconfig found with
//! each protocol's switch, the connection doctor step by step, then save. Nothing is stored
//! until the user saves; manual settings are one click away at every step.

mod view;

use iced::Task;

pub use view::{view, waiting_note};

use super::Ctx;
use crate::accounts::autoconfig::Found;
use crate::accounts::providers::{self, Provider};
use crate::engine::{Command, Protocol};
use crate::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use crate::ui::account_form::{AccountForm, Edit, Field};
use crate::ui::failure::{Failure, Kind};
use crate::ui::form_check::FormCheck;

/// Where the setup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Typing the address and password.
    Address,
    /// Autoconfig is looking.
    Looking,
    /// Found settings shown, with switches, the test and save.
    Review,
}

/// The setup's state.
#[derive(Debug, Clone)]
pub struct State {
    /// Display name.
    pub name: String,
    /// Email address.
    pub address: String,
    /// Password or authorization code (kept in memory until saved into the keyring).
    pub password: String,
    /// The stage.
    pub stage: Stage,
    /// Where the settings came from.
    pub source: Option<crate::accounts::autoconfig::Source>,
    /// The settings found, as an editable form.
    pub form: Option<AccountForm>,
    /// Autoconfig found nothing: why.
    pub error: Option<String>,
    /// Servers found through DNS outside the address's domain, waiting for the user to accept
    /// them: no password is sent (no test runs) until then.
    pub unverified_hosts: Vec<String>,
    /// The doctor's run on the settings found, and the save.
    pub check: FormCheck,
}

/// What the user does in the setup.
#[derive(Debug, Clone)]
pub enum Message {
    /// Typing the name.
    Name(String),
    /// Typing the address.
    Address(String),
    /// Typing the password.
    Password(String),
    /// Look up the settings.
    Continue,
    /// Back to the address.
    Back,
    /// A protocol's switch.
    Switch(Protocol, bool),
    /// The user accepts servers outside the address's domain; the test may run.
    AcceptHosts,
    /// Run the doctor.
    Test,
    /// Save the account.
    Save,
    /// Edit every setting by hand (in Settings).
    Manual,
    /// Open the provider's help page in the browser.
    Help(String),
    /// The browser was asked to open it (or not).
    HelpOpened(Result<(), Failure>),
    /// Leave the setup (only when an account exists).
    Cancel,
    /// Trust this certificate (host, port, DER) of the server that showed it, and test again.
    Trust(String, u16, Vec<u8>),
}

/// What the setup needs of the window.
pub enum Action {
    /// Nothing.
    None,
    /// Work of the setup's own, answered by one of its messages.
    Run(Task<Message>),
    /// Hand this to the engine.
    Send(Command),
    /// Edit every setting by hand in Settings: this form, with the certificates trusted so far.
    Manual(Box<AccountForm>, Vec<(String, u16, Vec<u8>)>),
    /// Leave the setup for the mail.
    Leave,
    /// Something failed; the status bar says it.
    Error(Failure),
}

impl State {
    /// An empty setup.
    pub fn new() -> State {
        State {
            name: String::new(),
            address: String::new(),
            password: String::new(),
            stage: Stage::Address,
            source: None,
            form: None,
            error: None,
            unverified_hosts: Vec::new(),
            check: FormCheck::default(),
        }
    }

    /// The provider the address belongs to, from the built-in data (no network).
    pub fn provider(&self) -> Option<Provider> {
        let (_, domain) = self.address.trim().rsplit_once('@')?;
        providers::for_domain(&domain.to_ascii_lowercase(), self.address.trim())
    }

    /// Whether the address looks like one.
    pub fn address_ok(&self) -> bool {
        let a = self.address.trim();
        a.rsplit_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
    }

    /// The form for what autoconfig found: IMAP on when offered, POP3 only without IMAP,
    /// SMTP on when offered; the typed password in every protocol.
    pub fn form_for(&self, found: &Found) -> AccountForm {
        let address = self.address.trim().to_owned();
        let server = |s: &Option<ServerSettings>, on: bool, port: u16| match s {
            Some(s) => ServerSettings {
                enabled: on,
                username: if s.username.trim().is_empty() {
                    address.clone()
                } else {
                    s.username.clone()
                },
                ..s.clone()
            },
            None => ServerSettings {
                enabled: false,
                host: String::new(),
                port,
                security: Security::Tls,
                auth: AuthKind::Password,
                username: address.clone(),
            },
        };
        let account = Account {
            id: 0,
            display_name: if self.name.trim().is_empty() {
                address.split('@').next().unwrap_or_default().to_owned()
            } else {
                self.name.trim().to_owned()
            },
            address: address.clone(),
            provider_id: found.provider_id.clone(),
            imap: server(&found.imap, found.imap.is_some(), 993),
            pop3: server(
                &found.pop3,
                found.imap.is_none() && found.pop3.is_some(),
                995,
            ),
            smtp: server(&found.smtp, found.smtp.is_some(), 465),
            pop3_options: Pop3Options::default(),
            sync_window_days: 0,
            provider_saves_sent: found.provider_saves_sent,
            password_mode: PasswordMode::Keyring,
        };
        self.with_password(AccountForm::edit(&account))
    }

    /// A form with only the address (for manual settings before anything was found).
    pub fn blank_form(&self) -> AccountForm {
        let mut form = AccountForm::new_account();
        form.apply(Edit::Text(Field::Address, self.address.trim().to_owned()));
        form.apply(Edit::Text(Field::Name, self.name.trim().to_owned()));
        for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
            form.apply(Edit::Text(
                Field::Username(p),
                self.address.trim().to_owned(),
            ));
        }
        self.with_password(form)
    }

    /// Handles one of the setup's messages.
    pub fn update(&mut self, msg: Message, ctx: Ctx<'_>) -> Action {
        match msg {
            Message::Name(v) => {
                self.name = v;
                Action::None
            }
            Message::Address(v) => {
                self.address = v.trim().to_owned();
                Action::None
            }
            Message::Password(v) => {
                self.password = v;
                Action::None
            }
            Message::Continue => {
                if !self.address_ok() || self.password.is_empty() {
                    return Action::None;
                }
                self.stage = Stage::Looking;
                self.error = None;
                self.check.reset();
                Action::Send(Command::Autoconfig {
                    address: self.address.clone(),
                })
            }
            Message::Back => {
                self.stage = Stage::Address;
                self.form = None;
                self.unverified_hosts.clear();
                self.check.reset();
                Action::None
            }
            Message::Switch(p, on) => {
                if let Some(form) = &mut self.form {
                    form.apply(Edit::Enabled(p, on));
                }
                // A changed choice needs a new test before saving.
                self.check.report = None;
                Action::None
            }
            Message::AcceptHosts => {
                self.unverified_hosts.clear();
                self.update(Message::Test, ctx)
            }
            Message::Trust(host, port, der) => {
                self.check.pin(host, port, der);
                self.update(Message::Test, ctx)
            }
            Message::Test => {
                // The typed password goes nowhere the user has not accepted.
                if !self.unverified_hosts.is_empty() {
                    return Action::None;
                }
                let command = self
                    .form
                    .as_mut()
                    .and_then(|f| self.check.request(f, false));
                command.map_or(Action::None, Action::Send)
            }
            Message::Save => {
                // Only what passed the doctor is saved.
                if !self.check.passed() {
                    return Action::None;
                }
                let command = self.form.as_mut().and_then(|f| self.check.request(f, true));
                if command.is_some() {
                    // Handed over, the password is the engine's to keep (in the keyring); the
                    // setup keeps no copy of it.
                    crate::ui::account_form::wipe(&mut self.password);
                }
                command.map_or(Action::None, Action::Send)
            }
            Message::Manual => {
                let form = self.form.clone().unwrap_or_else(|| self.blank_form());
                // Certificates trusted during the setup stay trusted in the form.
                Action::Manual(Box::new(form), std::mem::take(&mut self.check.trust))
            }
            Message::Help(url) => Action::Run(Task::perform(
                async move {
                    tokio::task::spawn_blocking(move || {
                        open::that_detached(&url)
                            .map_err(|e| Failure::new(Kind::Open, format!("{url}: {e}")))
                    })
                    .await?
                },
                Message::HelpOpened,
            )),
            Message::HelpOpened(Ok(())) => Action::None,
            Message::HelpOpened(Err(e)) => Action::Error(e),
            Message::Cancel => {
                if ctx.tree.accounts.is_empty() {
                    return Action::None;
                }
                Action::Leave
            }
        }
    }

    /// Autoconfig answered for `address`: the settings found go to the doctor at once.
    pub fn autoconfig_found(
        &mut self,
        address: &str,
        result: Result<Box<Found>, String>,
        ctx: Ctx<'_>,
    ) -> Action {
        if self.address != address || self.stage != Stage::Looking {
            return Action::None;
        }
        self.stage = Stage::Review;
        match result {
            Ok(found) => {
                self.source = Some(found.source.clone());
                self.form = Some(self.form_for(&found));
                if found.needs_confirmation() {
                    // DNS pointed outside the domain: show the servers and wait.
                    self.unverified_hosts = found.unverified_hosts.clone();
                    return Action::None;
                }
                // Straight on to the doctor: the user sees every step tick.
                self.update(Message::Test, ctx)
            }
            Err(e) => {
                self.error = Some(e);
                self.form = Some(self.blank_form());
                Action::None
            }
        }
    }

    fn with_password(&self, mut form: AccountForm) -> AccountForm {
        for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
            form.apply(Edit::Text(Field::Password(p), self.password.clone()));
        }
        form
    }
}

impl Default for State {
    fn default() -> State {
        State::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::autoconfig::Source;

    #[test]
    fn found_settings_preset_the_switches() {
        let mut s = State::new();
        s.address = "lisi@example.org".into();
        s.password = "pw".into();
        let server = |host: &str, port| ServerSettings {
            enabled: true,
            host: host.into(),
            port,
            security: Security::Tls,
            auth: AuthKind::Password,
            username: String::new(),
        };
        let found = Found {
            source: Source::Probe,
            provider: None,
            provider_id: String::new(),
            imap: Some(server("imap.example.org", 993)),
            pop3: Some(server("pop.example.org", 995)),
            smtp: Some(server("smtp.example.org", 465)),
            provider_saves_sent: false,
            unverified_hosts: Vec::new(),
        };
        let form = s.form_for(&found);
        assert!(form.imap.enabled && form.smtp.enabled);
        assert!(!form.pop3.enabled, "POP3 only when there is no IMAP");
        assert_eq!(form.imap.username, "lisi@example.org");
        assert_eq!(form.imap.password, "pw");
        let only_pop = Found {
            imap: None,
            ..found
        };
        let form = s.form_for(&only_pop);
        assert!(form.pop3.enabled && !form.imap.enabled);
        assert!(form.problems().is_empty(), "{:?}", form.problems());
    }

    #[test]
    fn netease_addresses_are_recognised_before_any_lookup() {
        let mut s = State::new();
        s.address = "lisi@163.com".into();
        let p = s.provider().map(|p| p.id);
        assert_eq!(p.as_deref(), Some("163.com"));
        s.address = "lisi@".into();
        assert!(!s.address_ok());
    }
}
