//! A message file (`tidings FILE.eml`) read for its reader: bounded in size, decoded as the
//! reader shows mail, never imported; and the draft that answers it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::compose_data::Prefilled;
use super::failure::{Failure, Kind};
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

/// Reads and decodes a message file off the UI thread.
pub fn reading(path: PathBuf) -> iced::Task<Result<Box<OpenFile>, Failure>> {
    iced::Task::perform(
        async move { tokio::task::spawn_blocking(move || read(&path).map(Box::new)).await? },
        |r| r,
    )
}

/// Reads and decodes a message file; the failure names the file and why.
pub fn read(path: &Path) -> Result<OpenFile, Failure> {
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::file(path, &e))?
        .len();
    let named = |kind| Failure::new(kind, path.display());
    if size > MAX_FILE {
        return Err(named(Kind::TooLarge(size)));
    }
    let raw = std::fs::read(path).map_err(|e| Failure::file(path, &e))?;
    if raw.is_empty() {
        return Err(named(Kind::Empty));
    }
    let model = body::display(&raw, Options::default());
    Ok(OpenFile {
        path: path.to_owned(),
        raw: Arc::new(raw),
        model,
    })
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
