//! First-run setup and "add account": address and password, the settings autoconfig found with
//! each protocol's switch, the connection doctor step by step, then save. Nothing is stored
//! until the user saves; manual settings are one click away at every step.

use iced::Task;

use super::account_form::{AccountForm, Edit};
use super::app::{App, Message, Screen};
use super::form_check::FormCheck;
use crate::accounts::autoconfig::Found;
use crate::accounts::providers::{self, Provider};
use crate::engine::{Command, Protocol};
use crate::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};

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
pub struct Setup {
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
pub enum SetupMsg {
    /// Start a setup (first run, or Add account).
    Start,
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
    HelpOpened(Result<(), String>),
    /// Leave the setup (only when an account exists).
    Cancel,
}

impl Setup {
    /// An empty setup.
    pub fn new() -> Setup {
        Setup {
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
        form.apply(Edit::Text(
            super::account_form::Field::Address,
            self.address.trim().to_owned(),
        ));
        form.apply(Edit::Text(
            super::account_form::Field::Name,
            self.name.trim().to_owned(),
        ));
        for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
            form.apply(Edit::Text(
                super::account_form::Field::Username(p),
                self.address.trim().to_owned(),
            ));
        }
        self.with_password(form)
    }

    fn with_password(&self, mut form: AccountForm) -> AccountForm {
        for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
            form.apply(Edit::Text(
                super::account_form::Field::Password(p),
                self.password.clone(),
            ));
        }
        form
    }
}

impl Default for Setup {
    fn default() -> Setup {
        Setup::new()
    }
}

impl App {
    /// Handles the setup.
    pub fn setup(&mut self, msg: SetupMsg) -> Task<Message> {
        if let SetupMsg::Start = msg {
            self.setup = Some(Setup::new());
            self.screen = Screen::Setup;
            // The first field takes the typing at once, as in every setup wizard.
            return iced::widget::operation::focus("name-input");
        }
        let Some(s) = &mut self.setup else {
            return Task::none();
        };
        match msg {
            SetupMsg::Start => Task::none(),
            SetupMsg::Name(v) => {
                s.name = v;
                Task::none()
            }
            SetupMsg::Address(v) => {
                s.address = v.trim().to_owned();
                Task::none()
            }
            SetupMsg::Password(v) => {
                s.password = v;
                Task::none()
            }
            SetupMsg::Continue => {
                if !s.address_ok() || s.password.is_empty() {
                    return Task::none();
                }
                s.stage = Stage::Looking;
                s.error = None;
                let address = s.address.clone();
                s.check.reset();
                self.send(Command::Autoconfig { address })
            }
            SetupMsg::Back => {
                s.stage = Stage::Address;
                s.form = None;
                s.unverified_hosts.clear();
                s.check.reset();
                Task::none()
            }
            SetupMsg::Switch(p, on) => {
                if let Some(form) = &mut s.form {
                    form.apply(Edit::Enabled(p, on));
                }
                // A changed choice needs a new test before saving.
                s.check.report = None;
                Task::none()
            }
            SetupMsg::AcceptHosts => {
                s.unverified_hosts.clear();
                self.setup(SetupMsg::Test)
            }
            SetupMsg::Test => {
                // The typed password goes nowhere the user has not accepted.
                if !s.unverified_hosts.is_empty() {
                    return Task::none();
                }
                let command = s.form.as_mut().and_then(|f| s.check.request(f, false));
                self.send_some(command)
            }
            SetupMsg::Save => {
                // Only what passed the doctor is saved.
                if !s.check.passed() {
                    return Task::none();
                }
                let command = s.form.as_mut().and_then(|f| s.check.request(f, true));
                if command.is_some() {
                    // Handed over, the password is the engine's to keep (in the keyring); the
                    // window keeps no copy of it.
                    super::account_form::wipe(&mut s.password);
                }
                self.send_some(command)
            }
            SetupMsg::Manual => {
                let form = s.form.clone().unwrap_or_else(|| s.blank_form());
                // Certificates trusted during the setup stay trusted in the form.
                let trust = std::mem::take(&mut s.check.trust);
                self.setup = None;
                self.settings.open_form(Some(form));
                self.settings.check.trust = trust;
                self.screen = Screen::Settings;
                Task::none()
            }
            SetupMsg::Help(url) => Task::perform(
                async move {
                    tokio::task::spawn_blocking(move || {
                        open::that_detached(&url).map_err(|e| format!("{url}: {e}"))
                    })
                    .await
                    .map_err(|e| e.to_string())?
                },
                |r| Message::Setup(SetupMsg::HelpOpened(r)),
            ),
            SetupMsg::HelpOpened(r) => {
                if let Err(e) = r {
                    self.last_error = Some(e);
                }
                Task::none()
            }
            SetupMsg::Cancel => {
                if self.tree.accounts.is_empty() {
                    return Task::none();
                }
                self.setup = None;
                self.screen = Screen::Mail;
                Task::none()
            }
        }
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
        if s.address != address || s.stage != Stage::Looking {
            return Task::none();
        }
        s.stage = Stage::Review;
        match result {
            Ok(found) => {
                s.source = Some(found.source.clone());
                s.form = Some(s.form_for(&found));
                if found.needs_confirmation() {
                    // DNS pointed outside the domain: show the servers and wait.
                    s.unverified_hosts = found.unverified_hosts.clone();
                    return Task::none();
                }
                // Straight on to the doctor: the user sees every step tick.
                self.setup(SetupMsg::Test)
            }
            Err(e) => {
                s.error = Some(e);
                s.form = Some(s.blank_form());
                Task::none()
            }
        }
    }

    /// A saved setup becomes the mail view, with its first sync's progress in the status bar.
    pub(super) fn setup_saved(&mut self) {
        if self.setup.take().is_some() {
            self.screen = Screen::Mail;
            self.folder = None;
            self.started = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::autoconfig::Source;

    #[test]
    fn found_settings_preset_the_switches() {
        let mut s = Setup::new();
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
        let mut s = Setup::new();
        s.address = "lisi@163.com".into();
        let p = s.provider().map(|p| p.id);
        assert_eq!(p.as_deref(), Some("163.com"));
        s.address = "lisi@".into();
        assert!(!s.address_ok());
    }
}
