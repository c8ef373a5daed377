//! The account settings form: what the user is typing, checked field by field, turned into an
//! `Account` only when every field is valid. Nothing here is saved until the user saves.

use crate::engine::Protocol;
use crate::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};

/// One protocol's fields as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerForm {
    /// The protocol's switch.
    pub enabled: bool,
    /// Host name.
    pub host: String,
    /// Port, as typed.
    pub port: String,
    /// Transport security.
    pub security: Security,
    /// Login name.
    pub username: String,
    /// A new password; empty keeps the stored one.
    pub password: String,
}

impl ServerForm {
    fn of(s: &ServerSettings) -> ServerForm {
        ServerForm {
            enabled: s.enabled,
            host: s.host.clone(),
            port: s.port.to_string(),
            security: s.security,
            username: s.username.clone(),
            password: String::new(),
        }
    }
}

/// A field of the form, for edits and inline errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Display name.
    Name,
    /// Email address.
    Address,
    /// A protocol's host.
    Host(Protocol),
    /// A protocol's port.
    Port(Protocol),
    /// A protocol's login name.
    Username(Protocol),
    /// A protocol's new password.
    Password(Protocol),
    /// POP3: delete from the server after this many days.
    KeepDays,
    /// POP3: minutes between checks.
    PollMinutes,
    /// IMAP: days of mail to mirror.
    SyncWindow,
}

/// A change the user made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Text typed into a field.
    Text(Field, String),
    /// A security choice.
    Security(Protocol, Security),
    /// A protocol switched on or off.
    Enabled(Protocol, bool),
    /// POP3: leave messages on the server.
    LeaveOnServer(bool),
    /// POP3: delete on the server when deleted here.
    DeleteWhenDeletedLocally(bool),
}

/// The whole form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountForm {
    /// The account edited; 0 for a new one.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Email address.
    pub address: String,
    /// IMAP fields.
    pub imap: ServerForm,
    /// POP3 fields.
    pub pop3: ServerForm,
    /// SMTP fields.
    pub smtp: ServerForm,
    /// POP3: leave on server.
    pub leave_on_server: bool,
    /// POP3: days, as typed.
    pub keep_days: String,
    /// POP3: delete on server when deleted here.
    pub delete_when_deleted_locally: bool,
    /// POP3: poll minutes, as typed.
    pub poll_minutes: String,
    /// IMAP sync window in days, as typed (0: everything).
    pub sync_window: String,
    /// What the form does not show, kept as it was.
    base: Account,
}

/// Empties `secret` and overwrites the bytes it held, so no copy stays in the window's memory.
pub fn wipe(secret: &mut String) {
    let mut bytes = std::mem::take(secret).into_bytes();
    bytes.fill(0);
    // Keeps the overwrite from being optimised away as a write to memory about to be freed.
    std::hint::black_box(&bytes);
}

impl AccountForm {
    /// Forgets every typed password (once handed to the engine, which keeps them in the
    /// keyring): an empty one means "keep the stored one".
    pub fn forget_passwords(&mut self) {
        for server in [&mut self.imap, &mut self.pop3, &mut self.smtp] {
            wipe(&mut server.password);
        }
    }

    /// The form for a stored account.
    pub fn edit(a: &Account) -> AccountForm {
        AccountForm {
            id: a.id,
            name: a.display_name.clone(),
            address: a.address.clone(),
            imap: ServerForm::of(&a.imap),
            pop3: ServerForm::of(&a.pop3),
            smtp: ServerForm::of(&a.smtp),
            leave_on_server: a.pop3_options.leave_on_server,
            keep_days: a.pop3_options.delete_after_days.to_string(),
            delete_when_deleted_locally: a.pop3_options.delete_when_deleted_locally,
            poll_minutes: a.pop3_options.poll_minutes.to_string(),
            sync_window: a.sync_window_days.to_string(),
            base: a.clone(),
        }
    }

    /// An empty form for a new account: IMAP and SMTP on with TLS, POP3 off.
    pub fn new_account() -> AccountForm {
        let server = |enabled, port| ServerSettings {
            enabled,
            host: String::new(),
            port,
            security: Security::Tls,
            auth: AuthKind::Password,
            username: String::new(),
        };
        AccountForm::edit(&Account {
            id: 0,
            display_name: String::new(),
            address: String::new(),
            provider_id: String::new(),
            imap: server(true, 993),
            pop3: server(false, 995),
            smtp: server(true, 465),
            pop3_options: Pop3Options::default(),
            sync_window_days: 0,
            provider_saves_sent: false,
            password_mode: PasswordMode::Keyring,
        })
    }

    /// One protocol's fields.
    pub fn server(&self, p: Protocol) -> &ServerForm {
        match p {
            Protocol::Imap => &self.imap,
            Protocol::Pop3 => &self.pop3,
            Protocol::Smtp => &self.smtp,
        }
    }

    fn server_mut(&mut self, p: Protocol) -> &mut ServerForm {
        match p {
            Protocol::Imap => &mut self.imap,
            Protocol::Pop3 => &mut self.pop3,
            Protocol::Smtp => &mut self.smtp,
        }
    }

    /// Applies one change.
    pub fn apply(&mut self, edit: Edit) {
        match edit {
            Edit::Text(field, value) => {
                let slot = match field {
                    Field::Name => &mut self.name,
                    Field::Address => &mut self.address,
                    Field::Host(p) => &mut self.server_mut(p).host,
                    Field::Port(p) => &mut self.server_mut(p).port,
                    Field::Username(p) => &mut self.server_mut(p).username,
                    Field::Password(p) => &mut self.server_mut(p).password,
                    Field::KeepDays => &mut self.keep_days,
                    Field::PollMinutes => &mut self.poll_minutes,
                    Field::SyncWindow => &mut self.sync_window,
                };
                *slot = value;
            }
            Edit::Security(p, security) => {
                let s = self.server_mut(p);
                // Moving between the usual ports follows the choice, as people expect.
                let usual = usual_port(p, s.security);
                s.security = security;
                if s.port.trim() == usual.to_string() || s.port.trim().is_empty() {
                    s.port = usual_port(p, security).to_string();
                }
            }
            Edit::Enabled(p, on) => self.server_mut(p).enabled = on,
            Edit::LeaveOnServer(on) => self.leave_on_server = on,
            Edit::DeleteWhenDeletedLocally(on) => self.delete_when_deleted_locally = on,
        }
    }

    /// Every invalid field with the message key that says why.
    pub fn problems(&self) -> Vec<(Field, &'static str)> {
        let mut out = Vec::new();
        if !self.address.contains('@') || self.address.trim().len() < 3 {
            out.push((Field::Address, "form-bad-address"));
        }
        for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
            let s = self.server(p);
            if !s.enabled {
                continue;
            }
            if s.host.trim().is_empty() {
                out.push((Field::Host(p), "form-host-empty"));
            } else if s.host.trim().contains(char::is_whitespace) {
                out.push((Field::Host(p), "form-host-bad"));
            }
            if port(&s.port).is_none() {
                out.push((Field::Port(p), "form-port-range"));
            }
            if s.username.trim().is_empty() {
                out.push((Field::Username(p), "form-username-empty"));
            }
        }
        for (field, value) in [
            (Field::KeepDays, &self.keep_days),
            (Field::PollMinutes, &self.poll_minutes),
            (Field::SyncWindow, &self.sync_window),
        ] {
            if value.trim().parse::<u32>().is_err() {
                out.push((field, "form-not-a-number"));
            }
        }
        if self.poll_minutes.trim() == "0" {
            out.push((Field::PollMinutes, "form-poll-zero"));
        }
        if !self.imap.enabled && !self.pop3.enabled && !self.smtp.enabled && self.id == 0 {
            out.push((Field::Name, "form-nothing-on"));
        }
        out
    }

    /// The message key for a field's problem, if it has one.
    pub fn problem(&self, field: Field) -> Option<&'static str> {
        self.problems()
            .into_iter()
            .find(|(f, _)| *f == field)
            .map(|(_, key)| key)
    }

    /// The account and the passwords typed, when every field is valid.
    pub fn to_account(&self) -> Option<(Account, Vec<(Protocol, String)>)> {
        if !self.problems().is_empty() {
            return None;
        }
        let number = |s: &str| s.trim().parse::<u32>().unwrap_or_default();
        let server = |f: &ServerForm, old: &ServerSettings| ServerSettings {
            enabled: f.enabled,
            host: f.host.trim().to_owned(),
            port: port(&f.port).unwrap_or(old.port),
            security: f.security,
            auth: old.auth,
            username: f.username.trim().to_owned(),
        };
        let b = &self.base;
        let account = Account {
            id: self.id,
            display_name: self.name.trim().to_owned(),
            address: self.address.trim().to_owned(),
            imap: server(&self.imap, &b.imap),
            pop3: server(&self.pop3, &b.pop3),
            smtp: server(&self.smtp, &b.smtp),
            pop3_options: Pop3Options {
                leave_on_server: self.leave_on_server,
                delete_after_days: number(&self.keep_days),
                delete_when_deleted_locally: self.delete_when_deleted_locally,
                poll_minutes: number(&self.poll_minutes),
                use_apop: b.pop3_options.use_apop,
            },
            sync_window_days: number(&self.sync_window),
            ..b.clone()
        };
        // A new account's protocols left blank share the password typed for another one:
        // providers issue one password (or authorization code) for all of them.
        let shared = [&self.imap, &self.pop3, &self.smtp]
            .into_iter()
            .map(|s| s.password.clone())
            .find(|pw| !pw.is_empty())
            .filter(|_| self.id == 0)
            .unwrap_or_default();
        let passwords = [Protocol::Imap, Protocol::Pop3, Protocol::Smtp]
            .into_iter()
            .filter(|p| self.server(*p).enabled)
            .map(|p| {
                let typed = &self.server(p).password;
                (
                    p,
                    if typed.is_empty() {
                        shared.clone()
                    } else {
                        typed.clone()
                    },
                )
            })
            .filter(|(_, pw)| !pw.is_empty())
            .collect();
        Some((account, passwords))
    }

    /// Whether anything differs from what is stored (a typed password counts).
    pub fn changed(&self) -> bool {
        *self != AccountForm::edit(&self.base)
    }
}

fn port(s: &str) -> Option<u16> {
    s.trim().parse::<u16>().ok().filter(|p| *p > 0)
}

/// The port a protocol usually has with a security choice.
pub fn usual_port(p: Protocol, security: Security) -> u16 {
    match (p, security) {
        (Protocol::Imap, Security::Tls) => 993,
        (Protocol::Imap, _) => 143,
        (Protocol::Pop3, Security::Tls) => 995,
        (Protocol::Pop3, _) => 110,
        (Protocol::Smtp, Security::Tls) => 465,
        (Protocol::Smtp, _) => 587,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> AccountForm {
        let mut f = AccountForm::new_account();
        for (field, value) in [
            (Field::Name, "Li Lei"),
            (Field::Address, "lilei@163.com"),
            (Field::Host(Protocol::Imap), "imap.163.com"),
            (Field::Username(Protocol::Imap), "lilei@163.com"),
            (Field::Password(Protocol::Imap), "code123"),
            (Field::Host(Protocol::Smtp), "smtp.163.com"),
            (Field::Username(Protocol::Smtp), "lilei@163.com"),
        ] {
            f.apply(Edit::Text(field, value.into()));
        }
        f
    }

    #[test]
    fn ports_hosts_and_numbers_are_checked_field_by_field() {
        let mut f = filled();
        assert!(f.problems().is_empty(), "{:?}", f.problems());
        f.apply(Edit::Text(Field::Port(Protocol::Imap), "70000".into()));
        assert_eq!(
            f.problem(Field::Port(Protocol::Imap)),
            Some("form-port-range")
        );
        f.apply(Edit::Text(Field::Port(Protocol::Imap), "0".into()));
        assert_eq!(
            f.problem(Field::Port(Protocol::Imap)),
            Some("form-port-range")
        );
        f.apply(Edit::Text(Field::Port(Protocol::Imap), "993".into()));
        f.apply(Edit::Text(Field::Host(Protocol::Smtp), " ".into()));
        assert_eq!(
            f.problem(Field::Host(Protocol::Smtp)),
            Some("form-host-empty")
        );
        assert!(f.to_account().is_none(), "an invalid form gives no account");
        // A switched-off protocol's empty host is fine.
        f.apply(Edit::Enabled(Protocol::Smtp, false));
        assert!(f.problems().is_empty());
        f.apply(Edit::Text(Field::PollMinutes, "ten".into()));
        assert_eq!(f.problem(Field::PollMinutes), Some("form-not-a-number"));
    }

    #[test]
    fn a_valid_form_becomes_an_account_and_passwords() -> Result<(), String> {
        let mut f = filled();
        f.apply(Edit::Security(Protocol::Smtp, Security::StartTls));
        assert_eq!(
            f.smtp.port, "587",
            "the usual port follows the security choice"
        );
        let (account, passwords) = f.to_account().ok_or("the form is valid")?;
        assert_eq!(account.imap.host, "imap.163.com");
        assert_eq!(account.smtp.port, 587);
        assert_eq!(account.smtp.security, Security::StartTls);
        assert!(!account.pop3.enabled);
        assert_eq!(
            passwords,
            vec![
                (Protocol::Imap, "code123".to_owned()),
                (Protocol::Smtp, "code123".to_owned())
            ],
            "SMTP left blank shares the new account's password"
        );
        let again = AccountForm::edit(&account);
        assert!(!again.changed());
        assert!(
            again.imap.password.is_empty(),
            "a stored password is never shown"
        );
        Ok(())
    }
}
