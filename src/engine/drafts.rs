//! Sending and saving drafts, and the user's decisions about outbox items. Each change is one
//! transaction, so a draft becomes an outbox item (or a saved draft gets its server copy
//! queued) all at once or not at all.

use std::time::SystemTime;

use super::errors::ErrorKind;
use super::{Context, Event};
use crate::mime::compose;
use crate::store::actions::{self, ActionKind, PendingAction};
use crate::store::drafts::{self, Draft, DraftAttachment};
use crate::store::folders::{self, Role};
use crate::store::outbox;
use crate::store::{StoreError, accounts, messages};

fn fail(ctx: &Context, account: i64, kind: ErrorKind, message: String) {
    ctx.emit(Event::Error {
        account,
        kind,
        message,
    });
}

/// Moves draft `id` into the outbox; returns its account, whose sender should wake.
pub(crate) async fn send(ctx: &Context, id: i64) -> Option<i64> {
    let result = ctx
        .store
        .writer()
        .write(move |tx| {
            let Some((draft, attachments)) = drafts::get(tx, id)? else {
                return Ok(Err((
                    0,
                    ErrorKind::Storage,
                    format!("draft {id} does not exist"),
                )));
            };
            let Some(account) = accounts::get(tx, draft.account_id)? else {
                return Ok(Err((
                    0,
                    ErrorKind::Storage,
                    "the draft's account is gone".into(),
                )));
            };
            if !account.smtp.enabled {
                return Ok(Err((
                    account.id,
                    ErrorKind::SendingOff,
                    format!(
                        "{} has SMTP switched off: it can only receive",
                        account.address
                    ),
                )));
            }
            let outgoing = match compose::build(&account, &draft, &attachments, SystemTime::now()) {
                Ok(o) => o,
                Err(e) => return Ok(Err((account.id, ErrorKind::Compose, e.to_string()))),
            };
            let mut item = super::outbox::queued_item(account.id, outgoing, draft.id);
            // The original is marked when the server takes this, not before.
            item.answers_mark = match draft.kind {
                drafts::DraftKind::Reply | drafts::DraftKind::ReplyAll => "\\Answered",
                drafts::DraftKind::ForwardInline | drafts::DraftKind::ForwardAttachment => {
                    "$Forwarded"
                }
                drafts::DraftKind::New => "",
            }
            .to_owned();
            if !item.answers_mark.is_empty() {
                item.answers_message = draft.source_message_id;
            }
            outbox::enqueue(tx, &item)?;
            let removed = forget_server_copy(tx, &draft)?;
            drafts::delete(tx, id)?;
            Ok(Ok((account.id, removed)))
        })
        .await;
    match result {
        Ok(Ok((account, removed))) => {
            if let Some((folder, message)) = removed {
                ctx.emit(Event::MessagesChanged {
                    folder,
                    ids: vec![message],
                });
            }
            ctx.emit(Event::OutboxChanged { account });
            Some(account)
        }
        Ok(Err((account, kind, message))) => {
            fail(ctx, account, kind, message);
            None
        }
        Err(e) => {
            let e = super::errors::EngineError::from(e);
            fail(ctx, 0, e.kind, e.message);
            None
        }
    }
}

/// Queues the removal of a draft's copy in the server's Drafts folder, drops queued uploads of
/// it, and removes its mirrored copy; returns that copy's folder and row.
fn forget_server_copy(
    tx: &rusqlite::Transaction<'_>,
    draft: &Draft,
) -> Result<Option<(i64, i64)>, StoreError> {
    actions::drop_appends_for(tx, draft.id)?;
    let mut removed = None;
    if draft.server_uid != 0
        && let Some(folder) = folders::get(tx, draft.server_folder_id)?
    {
        // The mirrored copy goes at once, as the server's will.
        if let Some(mirrored) = messages::by_uid(tx, folder.id, draft.server_uid)? {
            messages::delete(tx, mirrored.id)?;
            folders::recount(tx, folder.id)?;
            removed = Some((folder.id, mirrored.id));
        }
        actions::push(
            tx,
            &PendingAction {
                folder_id: folder.id,
                uidvalidity: folder.uidvalidity,
                uid: draft.server_uid,
                ..PendingAction::new(draft.account_id, ActionKind::Delete)
            },
        )?;
    }
    Ok(removed)
}

/// Saves a draft locally (its attachments only when given: None keeps the stored ones) and,
/// with `file` and IMAP on, queues its upload to Drafts; returns the account.
pub(crate) async fn save(
    ctx: &Context,
    mut draft: Draft,
    attachments: Option<Vec<DraftAttachment>>,
    file: bool,
) -> Option<i64> {
    if draft.rfc_message_id.is_empty() {
        // Fixed once, so server copies of this draft can be recognised and replaced.
        draft.rfc_message_id = compose::new_message_id("tidings.invalid");
    }
    let result = ctx
        .store
        .writer()
        .write(move |tx| {
            let id = drafts::save(tx, &draft, attachments.as_deref())?;
            let account = accounts::get(tx, draft.account_id)?;
            if file
                && let Some(account) = &account
                && account.imap.enabled
                && let Some(folder) = folders::with_role(tx, account.id, Role::Drafts)?
            {
                // An upload reads the draft when it runs, so one waiting behind the one in
                // flight is enough to get the newest text to the server.
                if actions::appends_for(tx, id)? < 2 {
                    actions::push(
                        tx,
                        &PendingAction {
                            message_id: id,
                            target_folder_id: folder.id,
                            ..PendingAction::new(account.id, ActionKind::Append)
                        },
                    )?;
                }
            }
            Ok((id, draft.account_id, draft.rfc_message_id.clone()))
        })
        .await;
    match result {
        Ok((id, account, message_id)) => {
            ctx.emit(Event::DraftSaved {
                draft: id,
                message_id,
            });
            Some(account)
        }
        Err(e) => {
            let e = super::errors::EngineError::from(e);
            fail(ctx, 0, e.kind, e.message);
            None
        }
    }
}

/// Retries (or discards) an outbox item at the user's word; returns its account.
pub(crate) async fn resolve(ctx: &Context, item: i64, retry: bool) -> Option<i64> {
    let result = ctx
        .store
        .writer()
        .write(move |tx| {
            let Some(found) = outbox::get(tx, item)? else {
                return Ok(None);
            };
            if retry {
                outbox::requeue(tx, item)?;
            } else {
                outbox::remove(tx, item)?;
            }
            Ok(Some(found.account_id))
        })
        .await;
    match result {
        Ok(Some(account)) => {
            ctx.emit(Event::OutboxChanged { account });
            Some(account)
        }
        Ok(None) => None,
        Err(e) => {
            let e = super::errors::EngineError::from(e);
            fail(ctx, 0, e.kind, e.message);
            None
        }
    }
}
