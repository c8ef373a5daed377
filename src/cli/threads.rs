//! `tidings threads`: how many conversations the mirror holds, or (`--rebuild`) each message's
//! conversation worked out again from the stored headers.

use clap::Args;

use super::error::CliError;
use crate::store::{Store, threads};

/// Arguments of `tidings threads`.
#[derive(Debug, Args)]
pub struct ThreadsArgs {
    /// Work every message's conversation out again from its headers.
    #[arg(long)]
    rebuild: bool,
    /// Also join mail by subject (close in time), or not; threads every message again.
    #[arg(long, value_name = "on|off", value_parser = ["on", "off"])]
    by_subject: Option<String>,
}

impl ThreadsArgs {
    /// Whether this run changes the mirror.
    pub fn rebuilds(&self) -> bool {
        self.rebuild || self.by_subject.is_some()
    }
}

/// Prints the count of messages and conversations, rebuilding first when asked.
pub fn run(store: &Store, args: ThreadsArgs) -> Result<(), CliError> {
    if let Some(on) = &args.by_subject {
        let on = on == "on";
        store
            .writer()
            .write_blocking(move |tx| threads::set_by_subject(tx, on))?;
    } else if args.rebuild {
        store.writer().write_blocking(|tx| threads::rebuild(tx))?;
    }
    let all = threads::of_all(&store.reader()?)?;
    let conversations: std::collections::HashSet<i64> = all.values().copied().collect();
    super::terminal::out(&format!(
        "{} messages in {} conversations",
        all.len(),
        conversations.len()
    ));
    Ok(())
}
