//! What the window shows, read from the store off the UI thread. Plain data: the views draw it.

use std::path::{Path, PathBuf};

use super::failure::{Failure, Kind};
use crate::engine::Command;
use crate::mime::body::{self, Options};
use crate::mime::model::DisplayMessage;
use crate::store::accounts::{Account, Protocol};
use crate::store::conversations::{Scope, Summary};
use crate::store::folders::{Folder, Role};
use crate::store::messages::Envelope;
use crate::store::{self, SqlContext, StoreError, accounts, bodies, folders, messages};
use crate::ui::list::PAGE;

/// Accounts with their folders.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Each account and its folders, by name with INBOX first.
    pub accounts: Vec<(Account, Vec<Folder>)>,
    /// Whether conversations also join by subject (a choice kept in the store).
    pub by_subject: bool,
}

impl Tree {
    /// Turns `protocol` of `account` on or off here at once; the command has the engine save
    /// it and stop or start the protocol.
    pub fn switch_protocol(&mut self, account: i64, protocol: Protocol, enabled: bool) -> Command {
        for (a, _) in &mut self.accounts {
            if a.id == account {
                match protocol {
                    Protocol::Imap => a.imap.enabled = enabled,
                    Protocol::Pop3 => a.pop3.enabled = enabled,
                    Protocol::Smtp => a.smtp.enabled = enabled,
                }
            }
        }
        Command::SetProtocol {
            account,
            protocol,
            enabled,
        }
    }

    /// Gives `role` to `folder` of `account` (None: to none) here at once, taking it from the
    /// folder that had it; the command has the engine save it.
    pub fn choose_role(&mut self, account: i64, role: Role, folder: Option<i64>) -> Command {
        for (a, folders) in &mut self.accounts {
            let Some(folder) = folder.filter(|_| a.id == account) else {
                continue;
            };
            for f in folders.iter_mut() {
                if f.id == folder {
                    f.role = role;
                } else if f.role == role {
                    f.role = Role::Other;
                }
            }
        }
        Command::ChooseFolderRole {
            account,
            role,
            folder,
        }
    }
}

fn reader(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    store::open_reader(path)
}

/// Loads the account and folder tree.
pub fn tree(path: &Path) -> Result<Tree, StoreError> {
    let conn = reader(path)?;
    let mut out = Vec::new();
    for account in accounts::list(&conn)? {
        let mut list = folders::listed(&conn, account.id)?;
        // Children right under their parent: by path parts, not by the whole name (in
        // "Work-old" and "Work.2026" the '-' would sort between "Work" and its child).
        list.sort_by_key(|f| {
            (
                f.role != folders::Role::Inbox,
                // The server's Inbox first: it is the one opened at start.
                f.source != folders::Origin::Imap,
                f.role == folders::Role::Other,
                path_parts(f),
            )
        });
        out.push((account, list));
    }
    Ok(Tree {
        accounts: out,
        by_subject: store::threads::by_subject(&conn)?,
    })
}

/// A folder's name split at its server's hierarchy separator.
pub fn path_parts(f: &folders::Folder) -> Vec<String> {
    if f.delimiter.is_empty() {
        vec![f.name.clone()]
    } else {
        f.name
            .split(f.delimiter.as_str())
            .map(str::to_owned)
            .collect()
    }
}

/// How deep a folder sits under others of its account, and its own name: `Work.2026` is
/// "2026" one level in. Special folders stand at the top under their role's name.
pub fn nesting(f: &folders::Folder) -> (usize, String) {
    if f.role != folders::Role::Other {
        return (0, f.name.clone());
    }
    let parts = path_parts(f);
    let last = parts.last().cloned().unwrap_or_default();
    if last.is_empty() {
        return (0, f.name.clone());
    }
    (parts.len() - 1, last)
}

/// The list's stand-in folder ids for every account's Inbox, Sent and Drafts together.
pub const UNIFIED: [(i64, Role); 3] = [(-2, Role::Inbox), (-3, Role::Sent), (-4, Role::Drafts)];

/// The role a unified folder id gathers (None for a real folder).
pub fn unified_role(folder: i64) -> Option<Role> {
    UNIFIED
        .iter()
        .find(|(id, _)| *id == folder)
        .map(|(_, r)| *r)
}

/// A page of the list, read in one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Rows in the whole list (messages, or conversations).
    pub total: u32,
    /// The page's rows, newest first (in conversation mode each conversation's newest message).
    pub rows: Vec<Envelope>,
    /// In conversation mode, what each row's conversation adds up to.
    pub summaries: Vec<Summary>,
}

/// What a list folder id shows: one folder, or a unified folder's role.
pub fn scope(folder: i64) -> Scope {
    match unified_role(folder) {
        Some(role) => Scope::Role(role),
        None => Scope::Folder(folder),
    }
}

/// Page `page` of a folder (or a unified one), newest first: its messages, or with
/// `conversations` one row per conversation.
pub fn page(path: &Path, folder: i64, page: u32, conversations: bool) -> Result<Page, StoreError> {
    let mut conn = reader(path)?;
    let tx = conn.transaction().ctx("reading a folder")?;
    if conversations {
        let total = store::conversations::count(&tx, scope(folder))?;
        let (rows, summaries) = store::conversations::page(&tx, scope(folder), page * PAGE, PAGE)?
            .into_iter()
            .unzip();
        return Ok(Page {
            total,
            rows,
            summaries,
        });
    }
    let (total, rows) = match unified_role(folder) {
        Some(role) => (
            messages::count_in_role(&tx, role)?,
            messages::page_in_role(&tx, role, page * PAGE, PAGE)?,
        ),
        None => (
            messages::visible_count(&tx, folder)?,
            messages::page(&tx, folder, page * PAGE, PAGE)?,
        ),
    };
    Ok(Page {
        total,
        rows,
        summaries: Vec::new(),
    })
}

/// The conversation the row `head` of list `folder` stands for, oldest first.
pub fn conversation(path: &Path, folder: i64, head: i64) -> Result<Vec<Envelope>, StoreError> {
    store::conversations::messages(&reader(path)?, scope(folder), head)
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

/// The message the reader shows: a mirrored one, or a message file's bytes.
#[derive(Debug, Clone)]
pub enum Shown {
    /// A mirrored message by id.
    Stored(i64),
    /// A message file (`tidings FILE.eml`).
    File(std::sync::Arc<Vec<u8>>),
}

impl Shown {
    fn raw(&self, path: &Path) -> Result<std::borrow::Cow<'_, [u8]>, StoreError> {
        match self {
            Shown::Stored(id) => Ok(std::borrow::Cow::Owned(
                bodies::get(&reader(path)?, *id)?.ok_or_else(|| {
                    StoreError::Corrupt(format!("message {id} is not downloaded yet"))
                })?,
            )),
            Shown::File(raw) => Ok(std::borrow::Cow::Borrowed(raw.as_slice())),
        }
    }

    /// A folder name of its own for this message's opened attachments.
    fn key(&self) -> String {
        match self {
            Shown::Stored(id) => id.to_string(),
            Shown::File(raw) => {
                let digest = ring::digest::digest(&ring::digest::SHA256, raw);
                let hex: String = digest.as_ref()[..8]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                format!("file-{hex}")
            }
        }
    }
}

/// Saves attachment `part` of the message into `folder` under a safe, new name.
pub fn save_attachment(
    path: &Path,
    source: &Shown,
    part: u32,
    name: &str,
    folder: &Path,
) -> Result<PathBuf, Failure> {
    let raw = source.raw(path)?;
    let bytes = body::attachment_bytes(&raw, part).ok_or_else(|| {
        Failure::from(StoreError::Corrupt(format!(
            "the message has no attachment {part}"
        )))
    })?;
    std::fs::create_dir_all(folder)
        .and_then(|()| crate::mime::attachments::save(folder, name, &bytes))
        .map_err(|e| Failure::new(Kind::Write, format!("{}: {e}", folder.display())))
}

/// Saves attachment `part` into a folder of its own under `cache` (so the name never collides
/// and never escapes) and opens it with the desktop's default application.
pub fn open_attachment(
    path: &Path,
    source: &Shown,
    part: u32,
    name: &str,
    cache: &Path,
) -> Result<PathBuf, Failure> {
    crate::paths::private_dir(cache)
        .map_err(|e| Failure::new(Kind::Write, format!("{}: {e}", cache.display())))?;
    let folder = cache.join(format!("{}-{part}", source.key()));
    let saved = save_attachment(path, source, part, name, &folder)?;
    open::that_detached(&saved)
        .map_err(|e| Failure::new(Kind::Open, format!("{}: {e}", saved.display())))?;
    Ok(saved)
}

/// Runs a blocking read on tokio's blocking pool.
pub async fn off_thread<T, F>(path: PathBuf, f: F) -> Result<T, Failure>
where
    F: FnOnce(&Path) -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    Ok(tokio::task::spawn_blocking(move || f(&path)).await??)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::folders::{Folder, Role};

    fn folder(name: &str, delimiter: &str, role: Role) -> Folder {
        let mut f = Folder::new_imap(1, name, name, role);
        f.delimiter = delimiter.to_owned();
        f
    }

    #[test]
    fn folders_nest_by_the_servers_separator() {
        assert_eq!(
            nesting(&folder("Work", ".", Role::Other)),
            (0, "Work".into())
        );
        assert_eq!(
            nesting(&folder("Work.2026", ".", Role::Other)),
            (1, "2026".into())
        );
        assert_eq!(
            nesting(&folder("项目/客户/甲", "/", Role::Other)),
            (2, "甲".into())
        );
        assert_eq!(nesting(&folder("a.b", "/", Role::Other)), (0, "a.b".into()));
        assert_eq!(
            nesting(&folder("Work.Sent", ".", Role::Sent)),
            (0, "Work.Sent".into())
        );
        // A trailing separator is not an empty child.
        assert_eq!(
            nesting(&folder("odd.", ".", Role::Other)),
            (0, "odd.".into())
        );
        let mut names = [
            folder("Work.2026", ".", Role::Other),
            folder("Work-old", ".", Role::Other),
            folder("Work", ".", Role::Other),
        ];
        names.sort_by_key(path_parts);
        let order: Vec<&str> = names.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(order, ["Work", "Work.2026", "Work-old"]);
    }
}
