//! The local half of a user's change: applied to SQLite and queued as a pending remote action
//! in the same transaction, so it survives a restart and reaches the server later.

use std::collections::BTreeSet;

use rusqlite::Transaction;

use super::{Change, Context, Event};
use crate::store::StoreError;
use crate::store::actions::{self, ActionKind, PendingAction};
use crate::store::folders::{self, Folder, Role};
use crate::store::messages::{self, Envelope};

/// What a change touched, for events and for waking the right supervisors.
#[derive(Default)]
struct Touched {
    accounts: BTreeSet<i64>,
    folders: BTreeSet<i64>,
    messages: Vec<i64>,
}

/// Applies a change command; returns the accounts whose supervisors should replay.
pub(crate) async fn apply(ctx: &Context, change: Change) -> Vec<i64> {
    let result = ctx
        .store
        .writer()
        .write(move |tx| {
            let mut touched = Touched::default();
            match change {
                Change::SetSeen { messages, seen } => {
                    for id in messages {
                        set_flag(tx, id, "\\Seen", seen, &mut touched)?;
                    }
                }
                Change::SetFlagged { messages, flagged } => {
                    for id in messages {
                        set_flag(tx, id, "\\Flagged", flagged, &mut touched)?;
                    }
                }
                Change::Move { messages, folder } => {
                    for id in messages {
                        move_to(tx, id, MoveTarget::Folder(folder), &mut touched)?;
                    }
                }
                Change::Archive { messages } => {
                    for id in messages {
                        move_to(tx, id, MoveTarget::Role(Role::Archive), &mut touched)?;
                    }
                }
                Change::Delete { messages } => {
                    for id in messages {
                        delete(tx, id, &mut touched)?;
                    }
                }
            }
            for folder in &touched.folders {
                folders::recount(tx, *folder)?;
            }
            Ok(touched)
        })
        .await;
    match result {
        Ok(touched) => {
            for folder in &touched.folders {
                ctx.emit(Event::MessagesChanged {
                    folder: *folder,
                    ids: touched.messages.clone(),
                });
            }
            touched.accounts.into_iter().collect()
        }
        Err(err) => {
            let err = super::errors::EngineError::from(err);
            ctx.emit(Event::Error {
                account: 0,
                kind: err.kind,
                message: err.message,
            });
            Vec::new()
        }
    }
}

fn load(tx: &Transaction<'_>, id: i64) -> Result<Option<(Envelope, Folder)>, StoreError> {
    let Some(message) = messages::get(tx, id)? else {
        return Ok(None);
    };
    let Some(folder) = folders::get(tx, message.folder_id)? else {
        return Ok(None);
    };
    Ok(Some((message, folder)))
}

fn action_for(message: &Envelope, folder: &Folder, kind: ActionKind) -> PendingAction {
    PendingAction {
        message_id: message.id,
        folder_id: folder.id,
        uidvalidity: folder.uidvalidity,
        uid: message.uid,
        ..PendingAction::new(message.account_id, kind)
    }
}

fn set_flag(
    tx: &Transaction<'_>,
    id: i64,
    flag: &str,
    on: bool,
    touched: &mut Touched,
) -> Result<(), StoreError> {
    let Some((message, folder)) = load(tx, id)? else {
        return Ok(());
    };
    let current = if flag == "\\Seen" {
        message.flags.seen
    } else {
        message.flags.flagged
    };
    if current == on {
        return Ok(());
    }
    if flag == "\\Seen" {
        messages::set_seen(tx, id, on)?;
    } else {
        messages::set_flagged(tx, id, on)?;
    }
    // A POP3 download lives here only: no server has it to be told.
    if folder.source == folders::Origin::Imap {
        let mut action = action_for(&message, &folder, ActionKind::SetFlags);
        if on {
            action.flags_add = flag.to_owned();
        } else {
            action.flags_remove = flag.to_owned();
        }
        actions::push(tx, &action)?;
    }
    touched.accounts.insert(message.account_id);
    touched.folders.insert(folder.id);
    touched.messages.push(id);
    Ok(())
}

/// Marks the message a sent reply or forward answered (`\\Answered` or `$Forwarded`), here and,
/// through a queued flag change, on the server. Returns its folder and id when it changed.
pub(crate) fn mark_original(
    tx: &Transaction<'_>,
    id: i64,
    mark: &str,
) -> Result<Option<(i64, i64)>, StoreError> {
    if id == 0 || mark.is_empty() {
        return Ok(None);
    }
    let Some((message, folder)) = load(tx, id)? else {
        return Ok(None);
    };
    let mut flags = message.flags.clone();
    if mark.eq_ignore_ascii_case("\\Answered") {
        if flags.answered {
            return Ok(None);
        }
        flags.answered = true;
    } else {
        if flags
            .keywords
            .split_whitespace()
            .any(|k| k.eq_ignore_ascii_case(mark))
        {
            return Ok(None);
        }
        flags.keywords = format!("{} {mark}", flags.keywords).trim().to_owned();
    }
    messages::set_flags(tx, id, &flags, message.modseq)?;
    // A POP3 copy lives here only: nothing to tell a server.
    if folder.source == folders::Origin::Imap {
        let mut action = action_for(&message, &folder, ActionKind::SetFlags);
        action.flags_add = mark.to_owned();
        actions::push(tx, &action)?;
    }
    Ok(Some((folder.id, id)))
}

enum MoveTarget {
    Folder(i64),
    Role(Role),
}

fn move_to(
    tx: &Transaction<'_>,
    id: i64,
    target: MoveTarget,
    touched: &mut Touched,
) -> Result<(), StoreError> {
    let Some((message, folder)) = load(tx, id)? else {
        return Ok(());
    };
    let target = match target {
        MoveTarget::Folder(target) => folders::get(tx, target)?,
        MoveTarget::Role(role) => folders::with_role(tx, message.account_id, role)?,
    };
    let Some(target) = target else {
        return Err(StoreError::Corrupt(
            "the destination folder does not exist".into(),
        ));
    };
    if target.id == folder.id {
        return Ok(());
    }
    if target.account_id != message.account_id {
        return Err(StoreError::Corrupt(
            "messages can only be moved within their account".into(),
        ));
    }
    if target.source == folders::Origin::Local {
        return Err(StoreError::Corrupt(
            "mail can only be moved into the folders of the server".into(),
        ));
    }
    messages::move_local(tx, id, target.id)?;
    if folder.source == folders::Origin::Local {
        // A download filed on the server: uploaded there, then the server's copy is the one
        // mirrored (the row waits in the target as a placeholder, as a moved message does).
        let mut action = action_for(&message, &folder, ActionKind::Upload);
        action.target_folder_id = target.id;
        actions::push(tx, &action)?;
        touched.accounts.insert(message.account_id);
        touched.folders.extend([folder.id, target.id]);
        touched.messages.push(id);
        return Ok(());
    }
    // A message moved again before the first move reached the server: one move, new target.
    if !actions::retarget_move(tx, id, target.id)? {
        let mut action = action_for(&message, &folder, ActionKind::Move);
        action.target_folder_id = target.id;
        actions::push(tx, &action)?;
    }
    touched.accounts.insert(message.account_id);
    touched.folders.extend([folder.id, target.id]);
    touched.messages.push(id);
    Ok(())
}

fn delete(tx: &Transaction<'_>, id: i64, touched: &mut Touched) -> Result<(), StoreError> {
    let Some((message, folder)) = load(tx, id)? else {
        return Ok(());
    };
    if folder.source == folders::Origin::Local {
        // A POP3 download: gone here at once; on the server only if the account says so.
        messages::delete(tx, id)?;
        let account = crate::store::accounts::get(tx, message.account_id)?;
        if account.is_some_and(|a| a.pop3_options.delete_when_deleted_locally)
            && !message.pop3_uidl.is_empty()
        {
            actions::push(
                tx,
                &super::pop3_fetch::delete_action(message.account_id, &message.pop3_uidl),
            )?;
        }
        touched.accounts.insert(message.account_id);
        touched.folders.insert(folder.id);
        touched.messages.push(id);
        return Ok(());
    }
    if folder.role != Role::Trash
        && let Some(trash) = folders::with_role(tx, message.account_id, Role::Trash)?
    {
        return move_to(tx, id, MoveTarget::Folder(trash.id), touched);
    }
    messages::hide(tx, id)?;
    actions::push(tx, &action_for(&message, &folder, ActionKind::Delete))?;
    touched.accounts.insert(message.account_id);
    touched.folders.insert(folder.id);
    touched.messages.push(id);
    Ok(())
}
