//! `tidings send`: a message through the same outbox the window uses.

use super::error::{CliError, Kind};
use std::path::PathBuf;

use super::terminal;

use clap::Args;

use crate::mime::compose;
use crate::store::Store;
use crate::store::drafts::{Draft, DraftAttachment};

/// Options of `tidings send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The sending account (address or name).
    #[arg(long)]
    account: String,
    /// Recipients, comma separated ("Name <a@b>, c@d").
    #[arg(long)]
    to: String,
    /// Copy recipients.
    #[arg(long, default_value = "")]
    cc: String,
    /// Blind copy recipients (never in the sent message).
    #[arg(long, default_value = "")]
    bcc: String,
    /// The subject.
    #[arg(long)]
    subject: String,
    /// The body text.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// A file with the body text (UTF-8).
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// Files to attach.
    #[arg(long)]
    attach: Vec<PathBuf>,
}

/// Queues the message and runs the sender until it is sent or refused.
pub fn run(store: Store, args: SendArgs) -> Result<(), CliError> {
    let account = super::select_accounts(&store, Some(&args.account))?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::new(Kind::NotFound, "no such account"))?;
    if !account.smtp.enabled {
        return Err(CliError::new(
            Kind::Usage,
            format!(
                "{} has SMTP switched off: it can only receive (`tidings account enable {} smtp`)",
                account.address, account.address
            ),
        ));
    }
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => text.clone(),
        (None, Some(file)) => std::fs::read_to_string(file)
            .map_err(|e| CliError::new(Kind::Io, format!("cannot read {}: {e}", file.display())))?,
        (None, None) => String::new(),
    };
    let mut attachments = Vec::new();
    for path in &args.attach {
        let data = std::fs::read(path)
            .map_err(|e| CliError::new(Kind::Io, format!("cannot read {}: {e}", path.display())))?;
        attachments.push(DraftAttachment {
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "attachment".into()),
            mime_type: crate::mime::attachments::mime_for(&path.to_string_lossy()).into(),
            content_id: String::new(),
            data,
        });
    }
    let draft = Draft {
        to_addrs: args.to,
        cc_addrs: args.cc,
        bcc_addrs: args.bcc,
        subject: args.subject,
        body_text: body,
        ..Draft::new(account.id)
    };
    let outgoing = compose::build(&account, &draft, &attachments, std::time::SystemTime::now())
        .map_err(|e| CliError::new(Kind::Usage, e))?;
    let item = crate::engine::outbox::enqueue(&store, &account, outgoing, 0)?;
    terminal::say!("queued outbox item {item}");
    super::sync::send_pass(store, &account)
}
