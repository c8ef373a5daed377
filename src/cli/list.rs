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
    /// One line per conversation (newest first) instead of one per message.
    #[arg(long)]
    threads: bool,
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
    if args.threads {
        let mut rows = Vec::new();
        for (_, folder) in &chosen {
            rows.extend(messages::all_in_folder(&reader, folder.id)?);
        }
        for c in conversations(rows) {
            super::terminal::print_line(&mut out, &c.line(args.json))?;
        }
        return super::terminal::flush(&mut out);
    }
    for (account, folder) in chosen {
        for m in messages::all_in_folder(&reader, folder.id)? {
            let line = line(&account.address, &folder.name, &m, args.json);
            super::terminal::print_line(&mut out, &line)?;
        }
    }
    super::terminal::flush(&mut out)
}

/// One conversation as `tidings list --threads` prints it.
struct Conversation {
    thread: i64,
    messages: usize,
    unread: usize,
    /// The newest message's date and subject.
    date: i64,
    subject: String,
    /// Who wrote in it, in the order they first did.
    participants: Vec<String>,
}

/// The rows grouped by conversation, newest conversation first.
fn conversations(mut rows: Vec<messages::Envelope>) -> Vec<Conversation> {
    rows.sort_by_key(|m| (m.date, m.id));
    let mut by: std::collections::HashMap<i64, Conversation> = std::collections::HashMap::new();
    for m in rows {
        let c = by.entry(m.thread_id).or_insert_with(|| Conversation {
            thread: m.thread_id,
            messages: 0,
            unread: 0,
            date: m.date,
            subject: String::new(),
            participants: Vec::new(),
        });
        c.messages += 1;
        c.unread += usize::from(!m.flags.seen);
        c.date = m.date;
        c.subject = m.subject.clone();
        let who = if m.from_name.is_empty() {
            m.from_addr
        } else {
            m.from_name
        };
        if !c.participants.contains(&who) {
            c.participants.push(who);
        }
    }
    let mut out: Vec<Conversation> = by.into_values().collect();
    out.sort_by_key(|c| std::cmp::Reverse((c.date, c.thread)));
    out
}

impl Conversation {
    fn line(&self, json: bool) -> String {
        if json {
            let json = serde_json::json!({
                "thread": self.thread,
                "messages": self.messages,
                "unread": self.unread,
                "date": self.date,
                "subject": self.subject,
                "participants": self.participants,
            })
            .to_string();
            return super::terminal::clean_json(&json);
        }
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.thread,
            self.date,
            self.messages,
            self.participants.join(", ").replace(['\t', '\n'], " "),
            self.subject.replace(['\t', '\n'], " "),
        )
    }
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
