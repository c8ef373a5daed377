//! `tidings outbox list|retry|discard`.

use super::error::{CliError, Kind};
use clap::Subcommand;

use super::terminal;

use crate::store::{Store, accounts, outbox};

/// Outbox subcommands.
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Every queued, failed or uncertain message.
    List,
    /// Send an item again now (after fixing the password, or when it was not sent after all).
    Retry {
        /// The item's number.
        item: i64,
    },
    /// Remove an item without sending it.
    Discard {
        /// The item's number.
        item: i64,
    },
}

/// Runs an outbox subcommand.
pub fn run(store: Store, command: OutboxCommand) -> Result<(), CliError> {
    let reader = store.reader()?;
    match command {
        OutboxCommand::List => {
            for account in accounts::list(&reader)? {
                for item in outbox::list(&reader, account.id)? {
                    terminal::say!(
                        "{}\t{}\t{:?}\t{}\t{}",
                        item.id,
                        account.address,
                        item.state,
                        item.recipients.join(", "),
                        item.last_error
                    );
                }
            }
            Ok(())
        }
        OutboxCommand::Discard { item } => store
            .writer()
            .write_blocking(move |tx| outbox::remove(tx, item))
            .map_err(CliError::from),
        OutboxCommand::Retry { item } => {
            let found = outbox::get(&reader, item)?
                .ok_or_else(|| CliError::new(Kind::NotFound, format!("no outbox item {item}")))?;
            let account = accounts::get(&reader, found.account_id)?
                .ok_or_else(|| CliError::new(Kind::NotFound, "the item's account is gone"))?;
            store
                .writer()
                .write_blocking(move |tx| outbox::requeue(tx, item))?;
            super::sync::send_pass(store, &account)
        }
    }
}
