//! Why something the window asked for failed: a kind the status bar says in the user's
//! language (at the moment it is shown, so a change of language reaches it too), and the
//! details that go with it — a path, the system's own words.

use std::path::Path;

use crate::i18n::I18n;
use crate::store::StoreError;

/// A failure at the window's edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What failed.
    pub kind: Kind,
    /// The particulars: a path, the system's or the server's words.
    pub detail: String,
}

/// What failed, in words the user can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Reading the mail kept on this computer.
    Store,
    /// A background task stopped before it answered.
    Stopped,
    /// The desktop could not open a file, a folder or a web page.
    Open,
    /// Writing a file: a saved attachment, the window's choices.
    Write,
    /// Reading files: ones to attach, or a message file (`detail` is the file; the reason
    /// follows as its own kind when there is one).
    Read,
    /// There is no such file.
    NotFound,
    /// The user may not read the file.
    Denied,
    /// The file is larger than any mail message: its size in bytes.
    TooLarge(u64),
    /// The file is empty.
    Empty,
    /// The desktop refused a change: the default mail program.
    Desktop,
    /// Starting at login could not be switched.
    Autostart,
    /// A notification could not be shown.
    Notify,
    /// The tray icon could not start.
    Tray,
    /// There is no private folder to open attachments from (`detail` is the attachment).
    NoCacheDir,
}

impl Failure {
    /// A failure of `kind` with its particulars.
    pub fn new(kind: Kind, detail: impl std::fmt::Display) -> Failure {
        Failure {
            kind,
            detail: detail.to_string(),
        }
    }

    /// A file that could not be read, and why.
    pub fn file(path: &Path, error: &std::io::Error) -> Failure {
        let kind = match error.kind() {
            std::io::ErrorKind::NotFound => Kind::NotFound,
            std::io::ErrorKind::PermissionDenied => Kind::Denied,
            _ => Kind::Read,
        };
        let detail = match kind {
            Kind::Read => format!("{}: {error}", path.display()),
            _ => path.display().to_string(),
        };
        Failure { kind, detail }
    }

    /// The failure in the user's language.
    pub fn text(&self, i18n: &I18n) -> String {
        let said = |key: &str| i18n.t(key, &[("detail", &self.detail)]);
        let file = |reason: String| {
            i18n.t(
                "ui-file-unreadable",
                &[("file", &self.detail), ("reason", &reason)],
            )
        };
        match self.kind.clone() {
            Kind::Store => said("ui-failed-store"),
            Kind::Stopped => said("ui-failed-stopped"),
            Kind::Open => said("ui-failed-open"),
            Kind::Write => said("ui-failed-write"),
            Kind::Read => said("ui-failed-read"),
            Kind::NotFound => file(i18n.t("ui-file-not-found", &[])),
            Kind::Denied => file(i18n.t("ui-file-denied", &[])),
            Kind::Empty => file(i18n.t("ui-file-empty", &[])),
            Kind::TooLarge(size) => file(i18n.t(
                "ui-file-too-large",
                &[("size", &crate::mime::attachments::human_size(size as usize))],
            )),
            Kind::Desktop => said("ui-failed-desktop"),
            Kind::Autostart => i18n.t("ui-autostart-failed", &[("error", &self.detail)]),
            Kind::Notify => said("ui-failed-notify"),
            Kind::Tray => said("ui-failed-tray"),
            Kind::NoCacheDir => said("ui-no-cache-dir"),
        }
    }
}

/// For the log: the kind and the particulars, untranslated.
impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.detail)
    }
}

impl std::error::Error for Failure {}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::new(Kind::Store, e)
    }
}

impl From<tokio::task::JoinError> for Failure {
    fn from(e: tokio::task::JoinError) -> Failure {
        Failure::new(Kind::Stopped, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_said_in_the_users_language_with_its_details() {
        let all = [
            Kind::Store,
            Kind::Stopped,
            Kind::Open,
            Kind::Write,
            Kind::Read,
            Kind::NotFound,
            Kind::Denied,
            Kind::TooLarge(300 << 20),
            Kind::Empty,
            Kind::Desktop,
            Kind::Autostart,
            Kind::Notify,
            Kind::Tray,
            Kind::NoCacheDir,
        ];
        for locale in ["en-US", "zh-CN"] {
            let i18n = I18n::new(locale);
            for kind in &all {
                let said = Failure::new(kind.clone(), "/tmp/信.eml").text(&i18n);
                assert!(said.contains("/tmp/信.eml"), "{locale} {kind:?}: {said}");
                assert!(
                    !said.contains("ui-"),
                    "{locale} {kind:?} has no text: {said}"
                );
            }
        }
        let zh = I18n::new("zh-CN");
        let missing = Failure::file(
            Path::new("/tmp/信.eml"),
            &std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(missing.kind, Kind::NotFound);
        assert_ne!(missing.text(&zh), missing.text(&I18n::new("en-US")));
    }
}
