//! The remote half of local changes: queued actions replayed to the server in order. A refused
//! action stays queued with the server's reason; a network failure ends the pass so the
//! supervisor reconnects and tries again.

use async_imap::types::Capabilities;
use futures::TryStreamExt;

use super::errors::{EngineError, ErrorKind};
use super::idle::drain;
use super::{Context, Event};
use crate::protocols::imap::ImapSession;
use crate::store::accounts::Account;
use crate::store::actions::{self, ActionKind, PendingAction};
use crate::store::folders::{self, Folder};
use crate::store::messages;

/// Replays every queued IMAP action of `account`. An action the server refuses is recorded
/// with its reason and the rest go on; after `SET_ASIDE_AFTER` refusals it is set aside (kept,
/// shown, no longer tried). Only a lost connection or the store ends the pass.
pub(crate) async fn replay(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    account: &Account,
) -> Result<(), EngineError> {
    let id = account.id;
    let queued = ctx
        .store
        .writer()
        .write(move |tx| actions::pending(tx, id))
        .await?;
    for action in queued {
        if action.kind == ActionKind::Pop3Delete || action.attempts >= actions::SET_ASIDE_AFTER {
            continue;
        }
        let result = match action.kind {
            ActionKind::Append => upload_draft(ctx, session, caps, account, &action).await,
            ActionKind::Upload => upload_download(ctx, session, caps, account, &action).await,
            _ => replay_one(ctx, session, caps, &action).await,
        };
        match result {
            Ok(()) => {}
            Err(err)
                if matches!(
                    err.kind,
                    ErrorKind::Unreachable | ErrorKind::Timeout | ErrorKind::Storage
                ) =>
            {
                return Err(err);
            }
            Err(err) => refused(ctx, account, &action, err).await?,
        }
    }
    Ok(())
}

/// Records a refusal of `action`; tells the user, and says so when it is now set aside.
async fn refused(
    ctx: &Context,
    account: &Account,
    action: &PendingAction,
    err: EngineError,
) -> Result<(), EngineError> {
    let (aid, text) = (action.id, err.message.clone());
    ctx.store
        .writer()
        .write(move |tx| actions::failed(tx, aid, &text))
        .await?;
    let set_aside = action.attempts + 1 >= actions::SET_ASIDE_AFTER;
    if set_aside {
        tracing::warn!(
            account = account.id,
            action = action.id,
            "set aside after {} refusals: {}",
            actions::SET_ASIDE_AFTER,
            err.message
        );
    }
    ctx.emit(Event::Error {
        account: account.id,
        kind: ErrorKind::ActionFailed,
        message: if set_aside {
            format!(
                "{} (tried {} times; set aside, the rest goes on)",
                err.message,
                actions::SET_ASIDE_AFTER
            )
        } else {
            err.message
        },
    });
    Ok(())
}

/// Replays one flag change, move or delete of a mirrored message.
async fn replay_one(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    action: &PendingAction,
) -> Result<(), EngineError> {
    let (folder_id, target_id, message_id) =
        (action.folder_id, action.target_folder_id, action.message_id);
    let (folder, target, message) = ctx
        .store
        .writer()
        .write(move |tx| {
            Ok((
                folders::get(tx, folder_id)?,
                folders::get(tx, target_id)?,
                messages::get(tx, message_id)?,
            ))
        })
        .await?;
    let Some(folder) = folder.filter(|f| f.source == folders::Origin::Imap) else {
        // The folder is gone from the server, and the message with it; or it never was a
        // server's (an action queued for a POP3 download by an older version).
        return finish(ctx, action, false).await;
    };
    let mailbox = session
        .select(&folder.wire_name)
        .await
        .map_err(|e| EngineError::imap("opening a folder", e))?;
    if mailbox.uid_validity.unwrap_or(0) != folder.uidvalidity {
        // The server renumbered the folder since we last synced it: our UIDs mean other
        // messages now. Leave the action queued; the sync re-matches and a later replay
        // finds the message's new UID.
        return Ok(());
    }
    let uid = if action.uidvalidity == folder.uidvalidity && action.uid > 0 {
        action.uid
    } else {
        match &message {
            Some(m) if m.folder_id == folder.id && m.uid > 0 => m.uid,
            Some(m) if m.uid == 0 => return Ok(()),
            _ => return finish(ctx, action, false).await,
        }
    };
    let result = perform(session, caps, action, target.as_ref(), uid).await;
    drain(session);
    result?;
    let forget_row = match action.kind {
        ActionKind::Delete => true,
        // Without a Message-ID the server's copy cannot be matched to our
        // placeholder: drop it and let the target's sync fetch the copy.
        ActionKind::Move => message.is_some_and(|m| m.rfc_message_id.is_empty()),
        _ => false,
    };
    finish(ctx, action, forget_row).await
}

/// Files a POP3 download in a server folder (the user moved it there): APPEND with its flags,
/// then the row waits as a placeholder the target's sync adopts by Message-ID (without one,
/// the row goes and the sync fetches the server's copy).
async fn upload_download(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    account: &Account,
    action: &PendingAction,
) -> Result<(), EngineError> {
    let (message_id, target_id) = (action.message_id, action.target_folder_id);
    let (message, raw, target) = ctx
        .store
        .writer()
        .write(move |tx| {
            Ok((
                messages::get(tx, message_id)?,
                crate::store::bodies::get(tx, message_id)?,
                folders::get(tx, target_id)?,
            ))
        })
        .await?;
    let (Some(message), Some(raw), Some(target)) = (message, raw, target) else {
        // Deleted meanwhile, or the folder is gone: nothing to file.
        return finish(ctx, action, false).await;
    };
    let mut flags = Vec::new();
    if message.flags.seen {
        flags.push("\\Seen");
    }
    if message.flags.flagged {
        flags.push("\\Flagged");
    }
    if message.flags.answered {
        flags.push("\\Answered");
    }
    let flags = format!("({})", flags.join(" "));
    session
        .append(&target.wire_name, Some(&flags), None, &raw)
        .await
        .map_err(|e| EngineError::imap("filing a downloaded message on the server", e))?;
    drain(session);
    let forget_row = message.rfc_message_id.is_empty();
    finish(ctx, action, forget_row).await?;
    if let Err(e) = super::imap_sync::refresh_folder(ctx, session, caps, account, &target).await {
        tracing::warn!(
            account = account.id,
            "mirroring the uploaded message: {}",
            e.message
        );
    }
    Ok(())
}

/// Files the newest version of a draft in Drafts and removes older server copies of it (they
/// share its Message-ID), so the server has it exactly once.
async fn upload_draft(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    account: &Account,
    action: &PendingAction,
) -> Result<(), EngineError> {
    let (draft_id, folder_id) = (action.message_id, action.target_folder_id);
    let (draft, folder) = ctx
        .store
        .writer()
        .write(move |tx| {
            Ok((
                crate::store::drafts::get(tx, draft_id)?,
                folders::get(tx, folder_id)?,
            ))
        })
        .await?;
    let (Some((draft, attachments)), Some(folder)) = (draft, folder) else {
        // Sent or discarded meanwhile, or Drafts is gone: nothing to file.
        return finish(ctx, action, false).await;
    };
    let outgoing = match crate::mime::compose::build_draft(
        account,
        &draft,
        &attachments,
        std::time::SystemTime::now(),
    ) {
        Ok(o) => o,
        Err(e) => return Err(EngineError::new(ErrorKind::Compose, e.to_string())),
    };
    let fail = |doing: &'static str| move |e| EngineError::imap(doing, e);
    session
        .append(
            &folder.wire_name,
            Some("(\\Draft \\Seen)"),
            None,
            &outgoing.raw,
        )
        .await
        .map_err(fail("saving the draft on the server"))?;
    session
        .select(&folder.wire_name)
        .await
        .map_err(fail("opening Drafts"))?;
    let mut copies: Vec<u32> = session
        .uid_search(format!("HEADER Message-ID \"<{}>\"", outgoing.message_id))
        .await
        .map_err(fail("finding the draft's copies"))?
        .into_iter()
        .collect();
    drain(session);
    crate::protocols::imap::ensure_ok(session).map_err(fail("finding the draft's copies"))?;
    copies.sort_unstable();
    let newest = copies.pop().unwrap_or(0);
    if !copies.is_empty() {
        expunge(session, caps, &super::imap_sync::uid_set(&copies)).await?;
    }
    let (done, fid) = (action.clone(), folder.id);
    ctx.store
        .writer()
        .write(move |tx| {
            crate::store::drafts::set_server_copy(tx, draft_id, fid, newest)?;
            actions::done(tx, &done)
        })
        .await?;
    // Drafts shows the newest copy (and loses the replaced ones) now, not at the next sync.
    if let Err(e) = super::imap_sync::refresh_folder(ctx, session, caps, account, &folder).await {
        tracing::warn!(
            account = account.id,
            "mirroring the saved draft: {}",
            e.message
        );
    }
    Ok(())
}

async fn finish(
    ctx: &Context,
    action: &PendingAction,
    forget_row: bool,
) -> Result<(), EngineError> {
    let (done, message) = (action.clone(), action.message_id);
    ctx.store
        .writer()
        .write(move |tx| {
            actions::done(tx, &done)?;
            if forget_row {
                messages::delete(tx, message)?;
            }
            Ok(())
        })
        .await?;
    Ok(())
}

async fn perform(
    session: &mut ImapSession,
    caps: &Capabilities,
    action: &PendingAction,
    target: Option<&Folder>,
    uid: u32,
) -> Result<(), EngineError> {
    let fail = |doing: &'static str| move |e| EngineError::imap(doing, e);
    let uid = uid.to_string();
    match action.kind {
        ActionKind::SetFlags => {
            for (sign, flags) in [("+", &action.flags_add), ("-", &action.flags_remove)] {
                if flags.is_empty() {
                    continue;
                }
                let _: Vec<_> = session
                    .uid_store(&uid, format!("{sign}FLAGS.SILENT ({flags})"))
                    .await
                    .map_err(fail("changing flags"))?
                    .try_collect()
                    .await
                    .map_err(fail("changing flags"))?;
            }
        }
        ActionKind::Move => {
            let Some(target) = target else {
                return Err(EngineError::new(
                    ErrorKind::ActionFailed,
                    "the destination folder no longer exists",
                ));
            };
            if caps.has_str("MOVE") {
                session
                    .uid_mv(&uid, &target.wire_name)
                    .await
                    .map_err(fail("moving a message"))?;
            } else {
                session
                    .uid_copy(&uid, &target.wire_name)
                    .await
                    .map_err(fail("copying a message"))?;
                expunge(session, caps, &uid).await?;
            }
        }
        ActionKind::Delete => expunge(session, caps, &uid).await?,
        ActionKind::Append | ActionKind::Pop3Delete | ActionKind::Upload => {}
    }
    Ok(())
}

/// Marks one message \Deleted and expunges it (only it, where UIDPLUS allows).
async fn expunge(
    session: &mut ImapSession,
    caps: &Capabilities,
    uid: &str,
) -> Result<(), EngineError> {
    let fail = |doing: &'static str| move |e| EngineError::imap(doing, e);
    let _: Vec<_> = session
        .uid_store(uid, "+FLAGS.SILENT (\\Deleted)")
        .await
        .map_err(fail("deleting a message"))?
        .try_collect()
        .await
        .map_err(fail("deleting a message"))?;
    if caps.has_str("UIDPLUS") {
        let _: Vec<_> = session
            .uid_expunge(uid)
            .await
            .map_err(fail("expunging a message"))?
            .try_collect()
            .await
            .map_err(fail("expunging a message"))?;
    } else {
        let _: Vec<_> = session
            .expunge()
            .await
            .map_err(fail("expunging"))?
            .try_collect()
            .await
            .map_err(fail("expunging"))?;
    }
    Ok(())
}
