//! Why a command failed: a kind that sets the exit status (sysexits.h, so scripts can tell a
//! busy data directory from a wrong argument) and is said in the user's language, and the
//! particulars — what was asked, the system's or the server's words.

use crate::i18n::I18n;
use crate::store::StoreError;

/// A command's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// What failed.
    pub kind: Kind,
    /// The particulars.
    pub detail: String,
}

/// What failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An argument's value is wrong (64).
    Usage,
    /// The account, folder, message or item named does not exist (66).
    NotFound,
    /// The window or another command is working on the data directory (75: try again later).
    Busy,
    /// Reading or writing the mail kept on this computer (74).
    Store,
    /// Reading or writing a file or the terminal (74).
    Io,
    /// A server refused or could not be reached (69).
    Servers,
    /// The OS keyring refused (69).
    Keyring,
    /// The window could not open (70).
    Window,
    /// The command ran and some of it failed; what did is said above (1).
    Failed,
}

impl Kind {
    /// The exit status for this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Usage => 64,
            Kind::NotFound => 66,
            Kind::Busy => 75,
            Kind::Store | Kind::Io => 74,
            Kind::Servers | Kind::Keyring => 69,
            Kind::Window => 70,
            Kind::Failed => 1,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Usage => "cli-error-usage",
            Kind::NotFound => "cli-error-not-found",
            Kind::Busy => "cli-error-busy",
            Kind::Store => "cli-error-store",
            Kind::Io => "cli-error-io",
            Kind::Servers => "cli-error-servers",
            Kind::Keyring => "cli-error-keyring",
            Kind::Window => "cli-error-window",
            Kind::Failed => "cli-error-failed",
        }
    }
}

impl CliError {
    /// A failure of `kind` with its particulars.
    pub fn new(kind: Kind, detail: impl std::fmt::Display) -> CliError {
        CliError {
            kind,
            detail: detail.to_string(),
        }
    }

    /// The failure in the user's language.
    pub fn text(&self, i18n: &I18n) -> String {
        i18n.t(self.kind.key(), &[("detail", &self.detail)])
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for CliError {}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> CliError {
        CliError::new(Kind::Store, e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::new(Kind::Io, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_words_and_its_own_exit_status() {
        let all = [
            Kind::Usage,
            Kind::NotFound,
            Kind::Busy,
            Kind::Store,
            Kind::Io,
            Kind::Servers,
            Kind::Keyring,
            Kind::Window,
            Kind::Failed,
        ];
        for locale in ["en-US", "zh-CN"] {
            let i18n = I18n::new(locale);
            for kind in all {
                let said = CliError::new(kind, "“张三”").text(&i18n);
                assert!(said.contains("“张三”") && !said.contains("cli-"), "{said}");
            }
        }
        assert_eq!(Kind::Busy.exit_code(), 75);
        assert_ne!(Kind::Usage.exit_code(), Kind::NotFound.exit_code());
        assert!(all.iter().all(|k| k.exit_code() != 0));
    }
}
