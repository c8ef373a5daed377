//! What the window shows, read from the store off the UI thread. Plain data: the views draw it.

use std::path::{Path, PathBuf};

use crate::mime::body::{self, Options};
use crate::mime::model::DisplayMessage;
use crate::store::accounts::Account;
use crate::store::folders::Folder;
use crate::store::messages::Envelope;
use crate::store::{self, SqlContext, StoreError, accounts, bodies, folders, messages};
use crate::ui::list::PAGE;

/// Accounts with their folders.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Each account and its folders, by name with INBOX first.
    pub accounts: Vec<(Account, Vec<Folder>)>,
}

fn reader(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    store::open_reader(path)
}

/// Loads the account and folder tree.
pub fn tree(path: &Path) -> Result<Tree, StoreError> {
    let conn = reader(path)?;
    let mut out = Vec::new();
    for account in accounts::list(&conn)? {
        let mut list = folders::list(&conn, account.id)?;
        list.sort_by_key(|f| {
            (
                f.role != folders::Role::Inbox,
                f.role == folders::Role::Other,
                f.name.clone(),
            )
        });
        out.push((account, list));
    }
    Ok(Tree { accounts: out })
}

/// Page `page` of a folder, newest first, with the folder's count read in the same snapshot.
pub fn page(path: &Path, folder: i64, page: u32) -> Result<(u32, Vec<Envelope>), StoreError> {
    let mut conn = reader(path)?;
    let tx = conn.transaction().ctx("reading a folder")?;
    let total = messages::visible_count(&tx, folder)?;
    let rows = messages::page(&tx, folder, page * PAGE, PAGE)?;
    Ok((total, rows))
}

/// The rows of these messages (those still there).
pub fn envelopes(path: &Path, ids: &[i64]) -> Result<Vec<Envelope>, StoreError> {
    let conn = reader(path)?;
    let mut out = Vec::new();
    for id in ids {
        out.extend(messages::get(&conn, *id)?);
    }
    Ok(out)
}

/// A message as the reader shows it; None until its body is downloaded. Remote content is
/// allowed when the user said so for this message (`allow_once`) or for its sender.
pub fn open(
    path: &Path,
    message: i64,
    allow_once: bool,
) -> Result<Option<DisplayMessage>, StoreError> {
    let conn = reader(path)?;
    let Some(raw) = bodies::get(&conn, message)? else {
        return Ok(None);
    };
    let allow_remote = allow_once
        || match messages::get(&conn, message)? {
            Some(m) => crate::store::remote_content::allowed(&conn, m.account_id, &m.from_addr)?,
            None => false,
        };
    Ok(Some(body::display(&raw, Options { allow_remote })))
}

/// The remote image addresses of a display model, in reading order.
pub fn remote_images(m: &DisplayMessage) -> Vec<String> {
    fn walk(blocks: &[crate::mime::model::Block], out: &mut Vec<String>) {
        use crate::mime::model::{Block, ImageSource};
        for b in blocks {
            match b {
                Block::Image {
                    source: ImageSource::Remote(url),
                    ..
                } if !out.contains(url) => out.push(url.clone()),
                Block::Quote(inner) => walk(inner, out),
                Block::List { items, .. } => items.iter().for_each(|i| walk(i, out)),
                Block::Embedded(m) => walk(&m.body, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&m.body, &mut out);
    out
}

/// Saves attachment `part` of message `id` into `folder` under a safe, new name.
pub fn save_attachment(
    path: &Path,
    id: i64,
    part: u32,
    name: &str,
    folder: &Path,
) -> Result<PathBuf, StoreError> {
    let raw = bodies::get(&reader(path)?, id)?
        .ok_or_else(|| StoreError::Corrupt(format!("message {id} is not downloaded yet")))?;
    let bytes = body::attachment_bytes(&raw, part)
        .ok_or_else(|| StoreError::Corrupt(format!("message {id} has no attachment {part}")))?;
    std::fs::create_dir_all(folder)
        .and_then(|()| crate::mime::attachments::save(folder, name, &bytes))
        .map_err(|e| StoreError::Corrupt(format!("{}: {e}", folder.display())))
}

/// Saves attachment `part` into a folder of its own under `cache` (so the name never collides
/// and never escapes) and opens it with the desktop's default application.
pub fn open_attachment(
    path: &Path,
    id: i64,
    part: u32,
    name: &str,
    cache: &Path,
) -> Result<PathBuf, StoreError> {
    crate::paths::private_dir(cache)
        .map_err(|e| StoreError::Corrupt(format!("{}: {e}", cache.display())))?;
    let folder = cache.join(format!("{id}-{part}"));
    let saved = save_attachment(path, id, part, name, &folder)?;
    open::that_detached(&saved)
        .map_err(|e| StoreError::Corrupt(format!("opening {}: {e}", saved.display())))?;
    Ok(saved)
}

/// Runs a blocking read on tokio's blocking pool and returns its result as a string error.
pub async fn off_thread<T, F>(path: PathBuf, f: F) -> Result<T, String>
where
    F: FnOnce(&Path) -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(move || f(&path))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}
