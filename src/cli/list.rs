//! `tidings list`: the mirrored messages, one a line or as JSON lines.

use super::error::{CliError, Kind};
use clap::Args;

use crate::store::Store;
use crate::store::{folders, messages};

/// Options of `tidings list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this account (address or name).
    #[arg(long)]
    account: Option<String>,
    /// Only this folder (as shown, or as on the server).
    #[arg(long)]
    folder: Option<String>,
    /// JSON lines instead of tab-separated text.
    #[arg(long)]
    json: bool,
}

/// Prints the messages.
pub fn run(store: &Store, args: ListArgs) -> Result<(), CliError> {
    let accounts = super::select_accounts(store, args.account.as_deref())?;
    let reader = store.reader()?;
    let mut chosen = Vec::new();
    let mut names = Vec::new();
    for account in &accounts {
        for folder in folders::list(&reader, account.id)? {
            names.push(folder.name.clone());
            if args
                .folder
                .as_deref()
                .is_none_or(|n| names_folder(n, &folder))
            {
                chosen.push((account, folder));
            }
        }
    }
    if let Some(name) = &args.folder
        && chosen.is_empty()
    {
        names.sort();
        names.dedup();
        return Err(CliError::new(
            Kind::NotFound,
            format!(
                "there is no folder {name:?}; the folders are: {}",
                names.join(", ")
            ),
        ));
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (account, folder) in chosen {
        {
            for m in messages::all_in_folder(&reader, folder.id)? {
                let line = line(&account.address, &folder.name, &m, args.json);
                super::terminal::print_line(&mut out, &line)?;
            }
        }
    }
    super::terminal::flush(&mut out)
}

/// One message as `tidings list` (and `tidings search`) prints it: tab-separated, or a JSON
/// object.
pub(crate) fn line(account: &str, folder: &str, m: &messages::Envelope, json: bool) -> String {
    let mut flags = Vec::new();
    for (on, name) in [
        (m.flags.seen, "\\Seen"),
        (m.flags.flagged, "\\Flagged"),
        (m.flags.answered, "\\Answered"),
        (m.flags.draft, "\\Draft"),
        (m.flags.deleted, "\\Deleted"),
    ] {
        if on {
            flags.push(name.to_owned());
        }
    }
    flags.extend(m.flags.keywords.split_whitespace().map(str::to_owned));
    if json {
        let json = serde_json::json!({
            "id": m.id,
            "account": account,
            "folder": folder,
            "uid": m.uid,
            "message_id": m.rfc_message_id,
            "date": m.date,
            "from": m.from_addr,
            "from_name": m.from_name,
            "subject": m.subject,
            "flags": flags,
            "size": m.size,
            "has_attachments": m.has_attachments,
            "thread": m.thread_id,
        })
        .to_string();
        super::terminal::clean_json(&json)
    } else {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            folder,
            m.uid,
            m.rfc_message_id,
            m.date,
            m.from_addr,
            m.subject.replace(['\t', '\n'], " "),
            flags.join(" "),
            m.size
        )
    }
}

/// Whether the user's `name` means `folder`: its shown name or the server's, in any letter
/// case (`inbox`, `INBOX` and POP3's local `Inbox` are one).
pub(crate) fn names_folder(name: &str, folder: &folders::Folder) -> bool {
    let name = name.to_lowercase();
    folder.name.to_lowercase() == name
        || (!folder.wire_name.is_empty() && folder.wire_name.to_lowercase() == name)
}
