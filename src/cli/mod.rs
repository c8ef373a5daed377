//! The headless command line: the same engine and store as the window, for scripts, tests and
//! benchmarks.

mod account;
pub mod error;
mod folder;
mod list;
mod outbox;
mod search;
mod send;
mod show;
mod sync;
pub mod terminal;
mod threads;

#[cfg(test)]
mod man_page;

use error::{CliError, Kind};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::launch::instance::{self, Claim, Holder};
use crate::paths;
use crate::store::Store;

/// Tidings, a mail client for IMAP, POP3 and SMTP.
#[derive(Debug, Parser)]
#[command(name = "tidings", version)]
pub struct Cli {
    /// Where the mail store lives (default: the per-user data directory, or TIDINGS_DATA_DIR).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// What to do; without one, open the window.
    #[command(subcommand)]
    pub command: Option<Commands>,
    /// A mailto: link to write to (opens the composer), or a message file (.eml) to read in
    /// the window (`tidings show FILE` prints one as text).
    #[arg(value_name = "MAILTO-OR-FILE")]
    pub file: Option<PathBuf>,
    /// Start in the tray without a window, as at login (the window opens if there is no
    /// tray); nothing happens if Tidings already runs.
    #[arg(long, conflicts_with = "file")]
    pub background: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Add or list accounts.
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Sync accounts with their servers (passwords come from the OS keyring; TIDINGS_PASSWORD
    /// gives one to an account added with --ask-each-start).
    Sync(sync::SyncArgs),
    /// Print mirrored messages.
    List(list::ListArgs),
    /// List folders and their roles, or choose a folder's role.
    #[command(subcommand)]
    Folder(folder::FolderCommand),
    /// Show a message (an .eml file or a mirrored one) as text.
    Show(show::ShowArgs),
    /// Search every account's mail (the window's search language).
    Search(search::SearchArgs),
    /// Bring the search index up to date, or rebuild it (--rebuild).
    Index(search::IndexArgs),
    /// Count the conversations, or work them out again from the headers (--rebuild).
    Threads(threads::ThreadsArgs),
    /// Send a message through the outbox (exits non-zero with the server's reason).
    Send(send::SendArgs),
    /// List the outbox, or retry or discard an item.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
}

/// The whole program: the arguments parsed and run, an error printed with the exit status.
/// `tidings.exe` and, on Windows, the console twin `tidings.com` both start here.
pub fn main() -> std::process::ExitCode {
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let said = e.text(&crate::i18n::I18n::from_env());
            eprintln!("tidings: {}", terminal::clean(&said));
            std::process::ExitCode::from(e.kind.exit_code())
        }
    }
}

impl Commands {
    /// The command's name when it changes mail, accounts or the index (and so must not run
    /// beside the window's engine); None for the reading ones.
    fn changes_the_mirror(&self) -> Option<&'static str> {
        match self {
            Commands::Sync(_) => Some("sync"),
            Commands::Send(_) => Some("send"),
            Commands::Index(_) => Some("index"),
            Commands::Threads(args) if args.rebuilds() => Some("threads --rebuild"),
            Commands::Threads(_) => None,
            Commands::Account(account::AccountCommand::List) => None,
            // The doctor only talks to servers, unless it is to pin a certificate.
            Commands::Account(account::AccountCommand::Test {
                trust_certificate: None,
                ..
            }) => None,
            Commands::Account(_) => Some("account"),
            Commands::Folder(folder::FolderCommand::Role(_)) => Some("folder role"),
            Commands::Outbox(outbox::OutboxCommand::List) => None,
            Commands::Outbox(_) => Some("outbox"),
            Commands::List(_) | Commands::Show(_) | Commands::Search(_) => None,
            Commands::Folder(_) => None,
        }
    }
}

/// Runs the command line; returns the text of an error for the caller to print.
pub fn run(cli: Cli) -> Result<(), CliError> {
    crate::protocols::tls::install_default_provider();
    let dir = match cli.data_dir {
        Some(dir) => dir,
        None => paths::data_dir()
            .ok_or_else(|| CliError::new(Kind::Io, "no home directory to keep mail in"))?,
    };
    // A log that cannot be written is no reason not to read mail.
    let logs = paths::log_dir_for(&dir);
    if let Err(e) = crate::logging::init(&logs) {
        eprintln!("tidings: no log in {}: {e}", logs.display());
    }
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "Tidings starting");
    paths::private_dir(&dir)
        .map_err(|e| CliError::new(Kind::Io, format!("cannot create {}: {e}", dir.display())))?;
    let launch = cli
        .command
        .is_none()
        .then(|| crate::launch::Launch::from_arg(cli.file.as_deref().map(|f| f.as_os_str())));
    // Before the store is opened: a second launch only hands its request over and exits, and
    // a command that changes the mirror never runs beside a window's engine.
    let window = match launch {
        Some(launch) => match instance::claim(&dir, Holder::Window).map_err(busy)? {
            Claim::Primary(primary) => Some((launch, primary)),
            // Started at login while already running: nothing to show.
            Claim::Secondary(_, Holder::Window) if cli.background => return Ok(()),
            Claim::Secondary(address, Holder::Window) => {
                return instance::hand_over(&address, &launch).map_err(busy);
            }
            Claim::Secondary(_, Holder::Command) => {
                return Err(CliError::new(
                    Kind::Busy,
                    "a tidings command is working on this data directory; open the window \
                     when it has finished",
                ));
            }
        },
        None => None,
    };
    let _alone = match cli.command.as_ref().and_then(Commands::changes_the_mirror) {
        Some(name) => match instance::claim(&dir, Holder::Command).map_err(busy)? {
            Claim::Primary(primary) => Some(primary),
            Claim::Secondary(_, Holder::Window) => {
                return Err(CliError::new(
                    Kind::Busy,
                    format!(
                        "the Tidings window is open on this data directory and syncs and sends by \
                     itself; close it to run `tidings {name}` (reading commands such as list, \
                     show and search work beside it)"
                    ),
                ));
            }
            Claim::Secondary(_, Holder::Command) => {
                return Err(CliError::new(
                    Kind::Busy,
                    format!(
                        "another tidings command is working on this data directory; run `tidings \
                     {name}` when it has finished"
                    ),
                ));
            }
        },
        None => None,
    };
    let db = paths::database_file(&dir);
    let store = if window.is_some() {
        Store::open_to_hand_over(&db)?
    } else {
        Store::open(&db)?
    };
    let repaired = store.recovery().cloned();
    if let Some(r) = &repaired {
        terminal::say_err!("tidings: {}", r.describe());
    }
    if let Some((launch, instance)) = window {
        // The window opens its own engine and writer; this one must close first.
        let db = store.path().to_owned();
        store.close();
        return crate::ui::run(db, repaired, launch, instance, cli.background)
            .map_err(|e| CliError::new(Kind::Window, e));
    }
    // Closed after the command, so the next start finds the database recorded as sound.
    let closing = store.clone();
    let result = dispatch(store, cli.command, cli.file);
    closing.close();
    result
}

/// The data directory's lock or the running window's socket failed.
fn busy(e: String) -> CliError {
    CliError::new(Kind::Busy, e)
}

/// Runs one command on the store, which goes with it (so `close` can wait for the writer).
fn dispatch(
    store: Store,
    command: Option<Commands>,
    file: Option<std::path::PathBuf>,
) -> Result<(), CliError> {
    match command {
        None => match file {
            Some(file) => show::run(&store, show::ShowArgs::for_file(file)),
            None => Ok(()),
        },
        Some(Commands::Account(command)) => account::run(&store, command),
        Some(Commands::Sync(args)) => sync::run(store, args),
        Some(Commands::List(args)) => list::run(&store, args),
        Some(Commands::Folder(command)) => folder::run(&store, command),
        Some(Commands::Show(args)) => show::run(&store, args),
        Some(Commands::Search(args)) => search::run(&store, args),
        Some(Commands::Index(args)) => search::index(&store, args),
        Some(Commands::Threads(args)) => threads::run(&store, args),
        Some(Commands::Send(args)) => send::run(store, args),
        Some(Commands::Outbox(command)) => outbox::run(store, command),
    }
}

/// The password `TIDINGS_PASSWORD` gives this run, and the account it is for: only the one
/// account the user named, and only one that asks for its password each start (a keyring
/// account's stored password is never overridden, so no server gets another account's
/// password). Anything else is refused with the reason.
fn password_from_env(
    named: Option<&str>,
    chosen: &[crate::store::accounts::Account],
) -> Result<Option<(i64, String)>, CliError> {
    let Some(password) = std::env::var_os("TIDINGS_PASSWORD") else {
        return Ok(None);
    };
    let password = password
        .into_string()
        .map_err(|_| CliError::new(Kind::Usage, "TIDINGS_PASSWORD is not valid text".to_owned()))?;
    let Some(name) = named else {
        return Err(CliError::new(
            Kind::Usage,
            "TIDINGS_PASSWORD is given to one account only: name it with --account ADDRESS",
        ));
    };
    match chosen {
        [account] if account.password_mode == crate::store::accounts::PasswordMode::Ask => {
            Ok(Some((account.id, password)))
        }
        [account] => Err(CliError::new(
            Kind::Usage,
            format!(
                "TIDINGS_PASSWORD is only for accounts added with --ask-each-start; {} keeps its \
             password in the keyring (unset TIDINGS_PASSWORD)",
                account.address
            ),
        )),
        _ => Err(CliError::new(
            Kind::Usage,
            format!(
                "{name:?} names {} accounts; TIDINGS_PASSWORD is given to one only: use its address",
                chosen.len()
            ),
        )),
    }
}

/// Finds accounts by address or display name (all when `name` is None).
fn select_accounts(
    store: &Store,
    name: Option<&str>,
) -> Result<Vec<crate::store::accounts::Account>, CliError> {
    let reader = store.reader()?;
    let all = crate::store::accounts::list(&reader)?;
    let Some(name) = name else {
        return Ok(all);
    };
    let chosen: Vec<_> = all
        .into_iter()
        .filter(|a| a.address.eq_ignore_ascii_case(name) || a.display_name == name)
        .collect();
    if chosen.is_empty() {
        return Err(CliError::new(
            Kind::NotFound,
            format!("no account called {name:?}"),
        ));
    }
    Ok(chosen)
}
