//! The connection doctor run on an account form (in Settings or the setup), and its save: the
//! steps as they finish, the report, and the certificates the user chose to trust for it.

use super::account_form::AccountForm;
use crate::accounts::doctor::{Report, StepResult};
use crate::engine::{Command, Protocol};

/// A form's test and save, while the user works on it.
#[derive(Debug, Clone, Default)]
pub struct FormCheck {
    /// The doctor's report for the form.
    pub report: Option<Report>,
    /// The running doctor's steps so far (shown ticking).
    pub steps: Vec<(Protocol, StepResult)>,
    /// A connection test is running.
    pub testing: bool,
    /// The form is being saved.
    pub saving: bool,
    /// Certificates the user chose to trust for this form: (host, port, DER).
    pub trust: Vec<(String, u16, Vec<u8>)>,
}

impl FormCheck {
    /// Forgets the last test (a changed form needs a new one).
    pub fn reset(&mut self) {
        self.report = None;
        self.steps.clear();
    }

    /// The command that tests (or saves) what `form` holds, with the certificates trusted; None
    /// while the form is incomplete. Once the command has them, the form keeps no password.
    pub fn request(&mut self, form: &mut AccountForm, save: bool) -> Option<Command> {
        let (account, passwords) = form.to_account()?;
        let account = Box::new(account);
        let trust = self.trust.clone();
        if save {
            self.saving = true;
            form.forget_passwords();
            Some(Command::SaveAccount {
                account,
                passwords: passwords.into(),
                trust,
            })
        } else {
            self.testing = true;
            self.reset();
            Some(Command::TestSettings {
                account,
                passwords: passwords.into(),
                trust,
            })
        }
    }

    /// Trusts a certificate a server showed (once).
    pub fn pin(&mut self, host: String, port: u16, der: Vec<u8>) {
        let pin = (host, port, der);
        if !self.trust.contains(&pin) {
            self.trust.push(pin);
        }
    }

    /// Whether this certificate is trusted for the form already.
    pub fn trusts(&self, host: &str, port: u16, der: &[u8]) -> bool {
        self.trust
            .iter()
            .any(|(h, p, d)| h == host && *p == port && d == der)
    }

    /// A step of the running test finished.
    pub fn step(&mut self, protocol: Protocol, step: StepResult) {
        if self.testing {
            self.steps.push((protocol, step));
        }
    }

    /// The running test's report came.
    pub fn finished(&mut self, report: Report) {
        if self.testing {
            self.testing = false;
            self.report = Some(report);
        }
    }

    /// Whether the last test passed.
    pub fn passed(&self) -> bool {
        self.report.as_ref().is_some_and(Report::ok)
    }
}
