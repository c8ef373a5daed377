//! `tidings search` and `tidings index --rebuild`: the window's search from the command line,
//! and rebuilding the search index from the mirror.

use super::error::{CliError, Kind};
use clap::Args;

use crate::search::{self, Order, Scope, index};
use crate::store::{Store, folders, messages};

/// Options of `tidings search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Only this account (address or name).
    #[arg(long)]
    account: Option<String>,
    /// Only this folder of that account (as shown, or as on the server).
    #[arg(long)]
    folder: Option<String>,
    /// At most this many hits (all without it).
    #[arg(long)]
    limit: Option<usize>,
    /// Best match first instead of newest first.
    #[arg(long)]
    best: bool,
    /// JSON lines (the fields of `tidings list --json`) instead of tab-separated text.
    #[arg(long)]
    json: bool,
    /// The query: words, "phrases", OR, -word, from: to: cc: subject: body: filename:,
    /// has:attachment, is:unread/read/flagged, in:FOLDER, account:ADDRESS, after: before:
    /// date: newer_than: older_than:. Options go before it; after its first word, words
    /// starting with - exclude (put -- before a query that starts with one).
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    query: Vec<String>,
}

/// Options of `tidings index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Forget the index and build it again from the mirror.
    #[arg(long)]
    rebuild: bool,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Prints the hits.
pub fn run(store: &Store, args: SearchArgs) -> Result<(), CliError> {
    let mut scope = Scope::default();
    if args.account.is_some() || args.folder.is_some() {
        let accounts = super::select_accounts(store, args.account.as_deref())?;
        if args.account.is_some()
            && let [only] = accounts.as_slice()
        {
            scope.account = Some(only.id);
        }
        if let Some(name) = &args.folder {
            let reader = store.reader()?;
            let mut found = Vec::new();
            for a in &accounts {
                for f in folders::list(&reader, a.id)? {
                    if super::list::names_folder(name, &f) {
                        found.push(f);
                    }
                }
            }
            match found.as_slice() {
                [one] => scope.folder = Some(one.id),
                [] => {
                    return Err(CliError::new(
                        Kind::NotFound,
                        format!("there is no folder {name:?}"),
                    ));
                }
                _ => {
                    return Err(CliError::new(
                        Kind::Usage,
                        format!(
                            "{name:?} is a folder of several accounts; name one with --account"
                        ),
                    ));
                }
            }
        }
    }
    let query = args.query.join(" ");
    let order = if args.best {
        Order::Best
    } else {
        Order::Newest
    };
    let reader = store.reader()?;
    let hits = search::run(&reader, &query, now(), scope, order, args.limit)?;
    let mut names = std::collections::HashMap::new();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for id in hits {
        let Some(m) = messages::get(&reader, id)? else {
            continue;
        };
        let (account, folder) = match names.entry(m.folder_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let folder = folders::get(&reader, m.folder_id)?
                    .map(|f| f.name)
                    .unwrap_or_default();
                let account = crate::store::accounts::get(&reader, m.account_id)?
                    .map(|a| a.address)
                    .unwrap_or_default();
                e.insert((account, folder))
            }
        };
        let line = super::list::line(account, folder, &m, args.json);
        super::terminal::print_line(&mut out, &line)?;
    }
    super::terminal::flush(&mut out)
}

/// Brings the index up to date (from scratch with `--rebuild`), with a progress line.
pub fn index(store: &Store, args: IndexArgs) -> Result<(), CliError> {
    if args.rebuild {
        store.writer().write_blocking(|tx| index::reset(tx))?;
    }
    let total = index::backlog(&store.reader()?)?;
    let mut progress = super::terminal::Progress::new();
    let done = index::catch_up(store, 500, &|| false, |done| {
        progress.show(&format!("indexed {done}/{total}"), done >= total);
    })?;
    super::terminal::end_progress();
    super::terminal::out(&format!("indexed {done} messages"));
    Ok(())
}
