//! The outbox sender: one task per account with SMTP on. A message is in the outbox before any
//! network step, leaves it only after the server accepted it and its Sent copy is filed, and is
//! never sent twice: the row is marked `sending` just before the final "." of DATA, so a crash
//! before that point simply resends (the server discards an unfinished DATA), and a crash after
//! it is checked against the Sent folder or shown to the user as "may have been sent".

use std::time::Duration;

use async_imap::types::Capabilities;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{MailBodyParameter, MailParameter};

use super::errors::{EngineError, ErrorKind};
use super::ingest;
use super::worker::{Signals, Worker};
use super::{Context, Event, Protocol, SecretError};
use crate::protocols::imap::{self, ImapSession};
use crate::protocols::smtp::{self, SmtpError, SmtpLogin};
use crate::store::accounts::Account;
use crate::store::folders::{self, Role};
use crate::store::outbox::{self, OutboxItem, OutboxState};

pub use super::api::SendOutcome;

/// Starts the sender for `account`.
pub(crate) fn start(ctx: Context, account: Account) -> Worker {
    Worker::start(ctx, account, run)
}

/// The longest a sender sleeps: another process on the same store (a `tidings send` beside the
/// window) may queue mail that only the lock holder sends.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// How long a one-shot run waits for another process to finish sending this account's mail.
const LOCK_WAIT_ONCE: Duration = Duration::from_secs(20);

/// Holds the account's send lock: one file lock per account next to the store, so two
/// processes on one store (the window and a `tidings sync`, or two engines in one process)
/// never send the same message twice, and the holder may treat a `sending` item as left behind
/// by a crash.
struct SendLock {
    _file: std::fs::File,
}

async fn send_lock(ctx: &Context, account: &Account, signals: &mut Signals) -> Option<SendLock> {
    let path = {
        let mut name = ctx.store.path().as_os_str().to_owned();
        name.push(format!(".outbox-{}.lock", account.id));
        std::path::PathBuf::from(name)
    };
    let file = match std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(e) => {
            report_error(
                ctx,
                account,
                &EngineError::new(
                    ErrorKind::Storage,
                    format!("cannot open {}: {e}", path.display()),
                ),
            );
            return None;
        }
    };
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Some(SendLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {}
            // A file system without locks: nothing else can be done about it.
            Err(std::fs::TryLockError::Error(_)) => return Some(SendLock { _file: file }),
        }
        if ctx.options.once && started.elapsed() > LOCK_WAIT_ONCE {
            report_error(
                ctx,
                account,
                &EngineError::new(
                    ErrorKind::Protocol,
                    format!(
                        "another Tidings is sending the mail of {}; what is queued goes from there",
                        account.address
                    ),
                ),
            );
            return None;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            _ = signals.stop.changed() => return None,
        }
    }
}

async fn run(ctx: Context, account: Account, mut signals: Signals) {
    let mut reachable = ctx.reachable.subscribe();
    let Some(_lock) = send_lock(&ctx, &account, &mut signals).await else {
        return;
    };
    if let Err(e) = recover(&ctx, &account).await {
        report_error(&ctx, &account, &e);
    }
    // Starting is a fresh chance: what waited out a network failure goes now.
    let mut retry_now = true;
    loop {
        if retry_now && let Err(e) = retry_held_back(&ctx, &account).await {
            report_error(&ctx, &account, &e);
        }
        if let Err(e) = send_due(&ctx, &account).await {
            report_error(&ctx, &account, &e);
        }
        if ctx.options.once {
            return;
        }
        let id = account.id;
        let next = ctx
            .store
            .writer()
            .write(move |tx| outbox::next_due(tx, id))
            .await
            .ok()
            .flatten();
        let delay = next
            .map_or(MAX_SLEEP, |t| {
                Duration::from_secs(u64::try_from(t - ingest::unix_now()).unwrap_or(0).max(1))
            })
            .min(MAX_SLEEP);
        // The account's servers answering again retry at once what the network held back (an
        // explicit sync makes it due before waking us); a wake-up (a send, a new password, Sync
        // now) and the timer bring what is due.
        retry_now = tokio::select! {
            // Stopping comes first: a wake-up still queued must not start a pass after the
            // engine was told to stop (another engine may be about to send the same item).
            biased;
            _ = signals.stop.changed() => return,
            woke = signals.wake.recv() => {
                if woke.is_none() {
                    return;
                }
                false
            }
            answered = reachable.recv() => match answered {
                Ok(a) => a == id,
                // Missed notices: retrying once more is harmless.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => false,
            },
            _ = tokio::time::sleep(delay) => false,
        };
    }
}

/// Makes items that wait after a passing failure due now. Refused ones stay for the user.
pub(crate) async fn retry_held_back(ctx: &Context, account: &Account) -> Result<(), EngineError> {
    let id = account.id;
    ctx.store
        .writer()
        .write(move |tx| outbox::retry_held_back(tx, id))
        .await?;
    Ok(())
}

fn report_error(ctx: &Context, account: &Account, e: &EngineError) {
    ctx.emit(Event::Error {
        account: account.id,
        kind: e.kind,
        message: e.message.clone(),
    });
}

fn emit_result(ctx: &Context, account: &Account, item: i64, outcome: SendOutcome) {
    ctx.emit(Event::SendResult {
        account: account.id,
        item,
        outcome,
    });
    ctx.emit(Event::OutboxChanged {
        account: account.id,
    });
}

/// Retries grow from half a minute to an hour.
fn retry_delay(attempts: u32) -> i64 {
    (30i64 << attempts.min(7)).min(3600)
}

async fn password(
    ctx: &Context,
    account: &Account,
    protocol: Protocol,
) -> Result<String, EngineError> {
    let (secrets, who) = (ctx.secrets.clone(), account.clone());
    tokio::task::spawn_blocking(move || secrets.password(&who, protocol))
        .await?
        .map_err(|e| match e {
            SecretError::Missing => EngineError::new(
                ErrorKind::NoPassword,
                format!("no password is known for {}", account.address),
            ),
            SecretError::Unavailable(text) => EngineError::new(ErrorKind::KeyringUnavailable, text),
        })
}

async fn send_due(ctx: &Context, account: &Account) -> Result<(), EngineError> {
    let id = account.id;
    let due = ctx
        .store
        .writer()
        .write(move |tx| outbox::due(tx, id, ingest::unix_now()))
        .await?;
    for item in due {
        send_one(ctx, account, item).await?;
    }
    Ok(())
}

/// Sends one item; only storage errors end the pass (SMTP trouble is the item's state).
async fn send_one(ctx: &Context, account: &Account, item: OutboxItem) -> Result<(), EngineError> {
    let item_id = item.id;
    let outcome = match transmit(ctx, account, &item).await {
        Ok(()) => {
            let (answers, mark) = (item.answers_message, item.answers_mark.clone());
            let marked = ctx
                .store
                .writer()
                .write(move |tx| {
                    outbox::set_state(tx, item_id, OutboxState::Sent, "")?;
                    super::local::mark_original(tx, answers, &mark)
                })
                .await?;
            if let Some((folder, message)) = marked {
                ctx.emit(Event::MessagesChanged {
                    folder,
                    ids: vec![message],
                });
                let _ = ctx.actions_queued.send(account.id);
            }
            file_sent_copy(ctx, account, &item).await?;
            SendOutcome::Sent
        }
        Err(Failure::Transient(text)) => {
            let next = ingest::unix_now() + retry_delay(item.attempts);
            let t = text.clone();
            ctx.store
                .writer()
                .write(move |tx| outbox::retry_later(tx, item_id, next, &t))
                .await?;
            SendOutcome::Retrying(text)
        }
        Err(Failure::Permanent(text)) => {
            let t = text.clone();
            ctx.store
                .writer()
                .write(move |tx| outbox::set_state(tx, item_id, OutboxState::Failed, &t))
                .await?;
            SendOutcome::Failed(text)
        }
        Err(Failure::Unknown(text)) => {
            let t = text.clone();
            ctx.store
                .writer()
                .write(move |tx| outbox::set_state(tx, item_id, OutboxState::Uncertain, &t))
                .await?;
            SendOutcome::MayHaveBeenSent
        }
        Err(Failure::Storage(e)) => return Err(e),
    };
    emit_result(ctx, account, item_id, outcome);
    Ok(())
}

enum Failure {
    Transient(String),
    Permanent(String),
    /// After the final "." the answer was lost: it may have been accepted.
    Unknown(String),
    Storage(EngineError),
}

fn smtp_failure(e: lettre::transport::smtp::Error) -> Failure {
    if e.is_permanent() {
        Failure::Permanent(e.to_string())
    } else {
        Failure::Transient(e.to_string())
    }
}

async fn transmit(ctx: &Context, account: &Account, item: &OutboxItem) -> Result<(), Failure> {
    let pw = password(ctx, account, Protocol::Smtp)
        .await
        .map_err(|e| Failure::Permanent(e.message))?;
    let config = super::account_trust(ctx, account)
        .await
        .map_err(Failure::Storage)?
        .config_for(&account.smtp.host, account.smtp.port)
        .map_err(|e| Failure::Permanent(e.to_string()))?;
    let login = SmtpLogin::new(&account.smtp, &account.address, pw);
    let mut conn = smtp::connect(&login, config).await.map_err(|e| match e {
        SmtpError::Unreachable { .. }
        | SmtpError::Timeout { .. }
        | SmtpError::Protocol { .. }
        | SmtpError::Io { .. }
        | SmtpError::TooLarge { .. } => Failure::Transient(e.to_string()),
        SmtpError::AuthFailed { .. }
        | SmtpError::Tls(_)
        | SmtpError::StartTlsUnavailable { .. }
        | SmtpError::LoginDisabled { .. } => Failure::Permanent(e.to_string()),
    })?;
    let from = item
        .envelope_from
        .parse()
        .map_err(|_| Failure::Permanent(format!("{:?} is not an address", item.envelope_from)))?;
    let mut params = Vec::new();
    if !item.raw.is_ascii() {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(Some(from), params))
        .await
        .map_err(smtp_failure)?;
    for rcpt in &item.recipients {
        let to = rcpt
            .parse()
            .map_err(|_| Failure::Permanent(format!("{rcpt:?} is not an address")))?;
        conn.command(Rcpt::new(to, vec![]))
            .await
            .map_err(smtp_failure)?;
    }
    conn.command(Data).await.map_err(smtp_failure)?;
    ctx.emit(Event::Sending {
        account: account.id,
        item: item.id,
    });
    let marker = MarkBeforeDot {
        chunks: item.raw.chunks(64 * 1024),
        writer: Some((ctx.store.writer(), item.id)),
        failed: None,
    };
    let mut marker = marker;
    let result = conn.message_iter(&mut marker).await;
    if let Some(e) = marker.failed {
        // The database refused the `sending` record; nothing more can be recorded reliably
        // either, so stop and let the user see the storage error.
        return Err(Failure::Storage(e));
    }
    match result {
        Ok(_) => {
            let _ = conn.quit().await;
            Ok(())
        }
        Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
        Err(e) if e.is_transient() => Err(Failure::Transient(e.to_string())),
        Err(e) => Err(Failure::Unknown(e.to_string())),
    }
}

/// Yields the message in chunks and, when they run out — just before lettre writes the final
/// "." — records the item as `sending`. Blocking for that one small write is deliberate: the
/// record must be on disk before the server can accept the message.
struct MarkBeforeDot<'a> {
    chunks: std::slice::Chunks<'a, u8>,
    writer: Option<(crate::store::Writer, i64)>,
    failed: Option<EngineError>,
}

impl<'a> Iterator for &mut MarkBeforeDot<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if let Some(chunk) = self.chunks.next() {
            return Some(chunk);
        }
        if let Some((writer, id)) = self.writer.take() {
            // The writer is its own thread, so this brief wait cannot deadlock the runtime.
            let marked = writer
                .write_blocking(move |tx| outbox::set_state(tx, id, OutboxState::Sending, ""));
            if let Err(e) = marked {
                self.failed = Some(e.into());
            }
        }
        None
    }
}

/// The wire name of the Sent folder: from the mirror, or from LIST when not synced yet.
async fn sent_folder(
    ctx: &Context,
    account: &Account,
    session: &mut ImapSession,
) -> Result<Option<String>, EngineError> {
    let id = account.id;
    let known = ctx
        .store
        .writer()
        .write(move |tx| folders::with_role(tx, id, Role::Sent))
        .await?;
    if let Some(f) = known {
        return Ok(Some(f.wire_name));
    }
    let names = super::folder_list::list_all(session).await?;
    Ok(super::folder_list::sent_of(&names, None))
}

async fn in_folder(
    session: &mut ImapSession,
    folder: &str,
    message_id: &str,
) -> Result<bool, EngineError> {
    session
        .select(folder)
        .await
        .map_err(|e| EngineError::imap("opening Sent", e))?;
    let found = session
        .uid_search(format!("HEADER Message-ID \"<{message_id}>\""))
        .await
        .map_err(|e| EngineError::imap("searching Sent", e))?;
    imap::ensure_ok(session).map_err(|e| EngineError::imap("searching Sent", e))?;
    Ok(!found.is_empty())
}

/// Files the Sent copy (once) where that is ours to do, then removes the item.
async fn file_sent_copy(
    ctx: &Context,
    account: &Account,
    item: &OutboxItem,
) -> Result<(), EngineError> {
    let ours = account.imap.enabled && !account.provider_saves_sent;
    if ours && !item.sent_copy_saved {
        let filed = async {
            let (mut session, caps) = super::account::open_imap(ctx, account).await?;
            if let Some(sent) = sent_folder(ctx, account, &mut session).await? {
                // After a crash the copy may be there already: never file it twice.
                if !in_folder(&mut session, &sent, &item.rfc_message_id).await? {
                    session
                        .append(&sent, Some("(\\Seen)"), None, &item.raw)
                        .await
                        .map_err(|e| EngineError::imap("filing the Sent copy", e))?;
                }
            }
            Ok::<_, EngineError>((session, caps))
        }
        .await;
        let (mut session, caps) = match filed {
            Ok(open) => open,
            Err(e) => {
                // The message is sent; the copy waits for the next pass (state `sent` remains).
                report_error(ctx, account, &e);
                return Ok(());
            }
        };
        let id = item.id;
        ctx.store
            .writer()
            .write(move |tx| outbox::mark_copy_saved(tx, id))
            .await?;
        show_in_sent(ctx, &mut session, &caps, account).await;
        let _ = session.logout().await;
    } else if account.imap.enabled && !item.sent_copy_saved {
        // The provider files the copy itself (Gmail): show it here as soon as it is there.
        if let Ok((mut session, caps)) = super::account::open_imap(ctx, account).await {
            show_in_sent(ctx, &mut session, &caps, account).await;
            let _ = session.logout().await;
        }
    }
    let id = item.id;
    ctx.store
        .writer()
        .write(move |tx| outbox::remove(tx, id))
        .await?;
    Ok(())
}

/// Mirrors the new Sent copy at once. Only the display waits on it, so trouble is logged and
/// left to the next sync.
async fn show_in_sent(
    ctx: &Context,
    session: &mut ImapSession,
    caps: &Capabilities,
    account: &Account,
) {
    let id = account.id;
    let sent = match ctx
        .store
        .writer()
        .write(move |tx| folders::with_role(tx, id, Role::Sent))
        .await
    {
        Ok(Some(folder)) => folder,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(account = id, "reading the Sent folder: {e}");
            return;
        }
    };
    if let Err(e) = super::imap_sync::refresh_folder(ctx, session, caps, account, &sent).await {
        tracing::warn!(account = id, "mirroring the Sent copy: {}", e.message);
    }
}

/// After a restart: items caught in `sending` are looked for in Sent; items `sent` whose copy
/// was not filed get it now.
async fn recover(ctx: &Context, account: &Account) -> Result<(), EngineError> {
    let id = account.id;
    let (sending, sent) = ctx
        .store
        .writer()
        .write(move |tx| {
            Ok((
                outbox::in_state(tx, id, OutboxState::Sending)?,
                outbox::in_state(tx, id, OutboxState::Sent)?,
            ))
        })
        .await?;
    for item in sent {
        file_sent_copy(ctx, account, &item).await?;
        emit_result(ctx, account, item.id, SendOutcome::Sent);
    }
    for item in sending {
        let found = if account.imap.enabled {
            match super::account::open_imap(ctx, account).await {
                Ok((mut session, _)) => {
                    let found = match sent_folder(ctx, account, &mut session).await? {
                        Some(sent) => in_folder(&mut session, &sent, &item.rfc_message_id).await?,
                        None => false,
                    };
                    let _ = session.logout().await;
                    found
                }
                Err(_) => false,
            }
        } else {
            false
        };
        let item_id = item.id;
        if found {
            ctx.store
                .writer()
                .write(move |tx| outbox::remove(tx, item_id))
                .await?;
            emit_result(ctx, account, item_id, SendOutcome::Sent);
        } else {
            ctx.store
                .writer()
                .write(move |tx| {
                    outbox::set_state(
                        tx,
                        item_id,
                        OutboxState::Uncertain,
                        "the program stopped while the server was accepting this message",
                    )
                })
                .await?;
            emit_result(ctx, account, item_id, SendOutcome::MayHaveBeenSent);
        }
    }
    Ok(())
}

/// A new outbox row for a finished message, waiting to be sent.
pub(crate) fn queued_item(
    account_id: i64,
    outgoing: crate::mime::compose::Outgoing,
    draft_id: i64,
) -> OutboxItem {
    OutboxItem {
        id: 0,
        account_id,
        rfc_message_id: outgoing.message_id,
        envelope_from: outgoing.envelope_from,
        recipients: outgoing.recipients,
        raw: outgoing.raw,
        state: OutboxState::Queued,
        attempts: 0,
        last_error: String::new(),
        next_attempt_at: 0,
        sent_copy_saved: false,
        draft_id,
        answers_message: 0,
        answers_mark: String::new(),
    }
}

/// Puts a finished message in the outbox (and removes its draft) in one transaction.
pub fn enqueue(
    store: &crate::store::Store,
    account: &Account,
    outgoing: crate::mime::compose::Outgoing,
    draft_id: i64,
) -> Result<i64, crate::store::StoreError> {
    let item = queued_item(account.id, outgoing, draft_id);
    store.writer().write_blocking(move |tx| {
        let id = outbox::enqueue(tx, &item)?;
        if draft_id != 0 {
            crate::store::drafts::delete(tx, draft_id)?;
        }
        Ok(id)
    })
}
