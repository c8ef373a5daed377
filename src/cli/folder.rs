//! `tidings folder`: the account's folders with their roles, and choosing a folder's role
//! when the server's own choice (or the lack of one) is wrong.

use super::error::{CliError, Kind};
use clap::{Args, Subcommand};

use super::terminal;
use crate::store::Store;
use crate::store::folders::{self, Role};

/// Subcommands of `tidings folder`.
#[derive(Debug, Subcommand)]
pub enum FolderCommand {
    /// List the folders with their roles.
    List(ListArgs),
    /// Make a folder the account's Sent, Drafts, Trash, Junk or Archive ("auto": as the server
    /// says). Applied at the next sync.
    Role(RoleArgs),
}

/// Options of `tidings folder list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this account (address or name).
    #[arg(long)]
    account: Option<String>,
}

/// Options of `tidings folder role`.
#[derive(Debug, Args)]
pub struct RoleArgs {
    /// The account (address or name).
    #[arg(long)]
    account: String,
    /// The folder, as shown or as on the server.
    #[arg(long)]
    folder: String,
    /// sent, drafts, trash, junk, archive, or auto.
    role: String,
}

/// Runs a folder subcommand.
pub fn run(store: &Store, command: FolderCommand) -> Result<(), CliError> {
    match command {
        FolderCommand::List(args) => {
            let reader = store.reader()?;
            for account in super::select_accounts(store, args.account.as_deref())? {
                let all = folders::listed(&reader, account.id)?;
                for f in &all {
                    // Not a second "inbox" beside the server's: what it is.
                    let (name, role) = if folders::is_downloads_beside_server(&all, f) {
                        ("Downloaded (POP3)", "pop3")
                    } else {
                        (f.name.as_str(), f.role.as_str())
                    };
                    terminal::say!("{}\t{}\t{}", account.address, name, role);
                }
            }
            Ok(())
        }
        FolderCommand::Role(args) => {
            let role = match args.role.to_ascii_lowercase().as_str() {
                "auto" => None,
                "sent" | "drafts" | "trash" | "junk" | "archive" => {
                    Some(Role::parse(&args.role.to_ascii_lowercase())?)
                }
                other => {
                    return Err(CliError::new(
                        Kind::Usage,
                        format!(
                            "unknown role {other:?}: use sent, drafts, trash, junk, archive or auto"
                        ),
                    ));
                }
            };
            let accounts = super::select_accounts(store, Some(&args.account))?;
            let [account] = accounts.as_slice() else {
                return Err(CliError::new(
                    Kind::Usage,
                    format!("{:?} names more than one account", args.account),
                ));
            };
            let reader = store.reader()?;
            let all = folders::list(&reader, account.id)?;
            let folder = all
                .iter()
                .find(|f| {
                    f.source == folders::Origin::Imap && super::list::names_folder(&args.folder, f)
                })
                .ok_or_else(|| {
                    format!(
                        "{} has no server folder {:?} (sync first, or see `tidings folder list`)",
                        account.address, args.folder
                    )
                })
                .map_err(|e| CliError::new(Kind::NotFound, e))?;
            let (id, wire) = (account.id, folder.wire_name.clone());
            store.writer().write_blocking(move |tx| match role {
                Some(role) => folders::choose_role(tx, id, &wire, role),
                None => folders::clear_chosen_role(tx, id, Some(&wire), None),
            })?;
            match role {
                Some(role) => terminal::say!(
                    "{}: {} is the {} folder now",
                    account.address,
                    folder.name,
                    role.as_str()
                ),
                None => terminal::say!(
                    "{}: {} gets its role from the server again at the next sync",
                    account.address,
                    folder.name
                ),
            }
            Ok(())
        }
    }
}
