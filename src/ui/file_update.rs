//! A message file (`tidings FILE.eml`, a double-click in the file manager) in a reader of its
//! own: read off the UI thread, bounded in size, shown as the reader shows mail (remote
//! content blocked), never imported into any folder. Reply, reply to all and forward start
//! from the default account; its attachments open and save as a mirrored message's do.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use iced::Task;

use super::app::{App, Message, Screen};
use super::compose_data::Prefilled;
use super::compose_update::ComposeMsg;
use crate::i18n::I18n;
use crate::mime::body::{self, Options};
use crate::mime::model::DisplayMessage;
use crate::store::{self, StoreError, accounts};

/// The largest message file read: far above any mail a server accepts (hostile or wrong files
/// must not take the memory).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

/// A message file as the reader shows it.
#[derive(Debug, Clone)]
pub struct OpenFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its bytes, for replies and attachments.
    pub raw: Arc<Vec<u8>>,
    /// What the reader shows.
    pub model: DisplayMessage,
}

/// Reads and decodes a message file; the error names the file and the reason, in `i18n`'s
/// language.
pub fn read(path: &Path, i18n: &I18n) -> Result<OpenFile, String> {
    let failed = |reason: String| {
        i18n.t(
            "ui-file-unreadable",
            &[("file", &path.display().to_string()), ("reason", &reason)],
        )
    };
    // The common reasons in the user's language; the system's words for the rest.
    let reason = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => i18n.t("ui-file-not-found", &[]),
        std::io::ErrorKind::PermissionDenied => i18n.t("ui-file-denied", &[]),
        _ => e.to_string(),
    };
    let size = std::fs::metadata(path)
        .map_err(|e| failed(reason(e)))?
        .len();
    if size > MAX_FILE {
        return Err(failed(i18n.t(
            "ui-file-too-large",
            &[("size", &crate::mime::attachments::human_size(size as usize))],
        )));
    }
    let raw = std::fs::read(path).map_err(|e| failed(reason(e)))?;
    if raw.is_empty() {
        return Err(failed(i18n.t("ui-file-empty", &[])));
    }
    let model = body::display(&raw, Options::default());
    Ok(OpenFile {
        path: path.to_owned(),
        raw: Arc::new(raw),
        model,
    })
}

impl App {
    /// Reads `path` off the UI thread, then shows it.
    pub(super) fn open_file(&mut self, path: PathBuf) -> Task<Message> {
        let i18n = I18n::new(self.i18n.locale());
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || read(&path, &i18n).map(Box::new))
                    .await
                    .map_err(|e| e.to_string())?
            },
            Message::FileLoaded,
        )
    }

    /// A message file was read (or could not be).
    pub(super) fn file_loaded(&mut self, file: Result<Box<OpenFile>, String>) -> Task<Message> {
        match file {
            Ok(file) => {
                self.file = Some(*file);
                self.screen = Screen::File;
            }
            Err(e) => self.last_error = Some(e),
        }
        Task::none()
    }

    /// Back to the mail (or to the setup it was opened over).
    pub(super) fn close_file(&mut self) -> Task<Message> {
        self.file = None;
        self.confirm_open = None;
        // Back where it was opened from: a file handed over during setup returns to it.
        self.screen = if self.setup.is_some() {
            Screen::Setup
        } else {
            Screen::Mail
        };
        Task::none()
    }

    /// The message the reader shows: the file on its screen, else the mirrored one.
    pub(super) fn shown_model(&self) -> Option<&DisplayMessage> {
        match (&self.file, self.screen) {
            (Some(file), Screen::File) => Some(&file.model),
            _ => self.reading.as_ref(),
        }
    }

    /// The file's bytes when its screen shows.
    pub(super) fn shown_file(&self) -> Option<Arc<Vec<u8>>> {
        match (&self.file, self.screen) {
            (Some(file), Screen::File) => Some(file.raw.clone()),
            _ => None,
        }
    }

    /// A reply (to all) or a forward of the file, from the default account.
    pub(super) fn answer_file(&mut self, reply: Option<bool>) -> Task<Message> {
        let (Some(raw), Some((account, _))) = (self.shown_file(), self.default_sender()) else {
            return Task::none();
        };
        let locale = self.i18n.locale().to_owned();
        Task::perform(
            super::data::off_thread(self.db.clone(), move |db| {
                answer(db, account, &raw, reply, &locale)
            }),
            |r| Message::Compose(ComposeMsg::Opened(r.map(Box::new))),
        )
    }
}

/// The draft answering a message file from `account`: a reply (to all, when `reply` is
/// `Some(true)`) or, for None, a forward with its attachments.
pub fn answer(
    db: &Path,
    account: i64,
    raw: &[u8],
    reply: Option<bool>,
    locale: &str,
) -> Result<Prefilled, StoreError> {
    let conn = store::open_reader(db)?;
    let account = accounts::get(&conn, account)?
        .ok_or_else(|| StoreError::Corrupt("the account is gone".into()))?;
    Ok(super::compose_data::answer(&account, raw, reply, locale))
}
