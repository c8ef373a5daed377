//! `tidings account add|list`.

use clap::{Args, Subcommand};

use crate::store::Store;
use crate::store::accounts::{
    self, Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};

/// Account subcommands.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account with explicit server settings.
    Add(AddArgs),
    /// List accounts.
    List,
}

/// Settings for a new account.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The email address.
    #[arg(long)]
    address: String,
    /// The name shown to recipients.
    #[arg(long, default_value = "")]
    name: String,
    /// Login name, if not the address.
    #[arg(long)]
    username: Option<String>,
    /// IMAP server as HOST:PORT; leaves IMAP off when absent.
    #[arg(long)]
    imap: Option<String>,
    /// IMAP security: tls, starttls, or plain (plain must be asked for explicitly).
    #[arg(long, default_value = "tls")]
    imap_security: String,
    /// SMTP server as HOST:PORT; leaves SMTP off when absent.
    #[arg(long)]
    smtp: Option<String>,
    /// SMTP security: tls, starttls, or plain.
    #[arg(long, default_value = "tls")]
    smtp_security: String,
    /// A PEM file of certificates to trust for this account's servers (self-signed servers).
    #[arg(long)]
    trust_cert: Option<std::path::PathBuf>,
    /// Mirror only the last N days of bodies (0: everything).
    #[arg(long, default_value_t = 0)]
    sync_window_days: u32,
}

fn security(s: &str) -> Result<Security, String> {
    match s {
        "tls" => Ok(Security::Tls),
        "starttls" => Ok(Security::StartTls),
        "plain" => Ok(Security::Plain),
        other => Err(format!(
            "unknown security {other:?}: use tls, starttls or plain"
        )),
    }
}

fn server(spec: Option<&str>, sec: &str, username: &str) -> Result<ServerSettings, String> {
    let security = security(sec)?;
    let Some(spec) = spec else {
        return Ok(ServerSettings {
            enabled: false,
            host: String::new(),
            port: 0,
            security,
            auth: AuthKind::Password,
            username: username.to_owned(),
        });
    };
    let (host, port) = spec
        .rsplit_once(':')
        .ok_or_else(|| format!("{spec:?} is not HOST:PORT"))?;
    let port = port
        .parse()
        .map_err(|_| format!("{port:?} is not a port number"))?;
    Ok(ServerSettings {
        enabled: true,
        host: host.to_owned(),
        port,
        security,
        auth: AuthKind::Password,
        username: username.to_owned(),
    })
}

/// Runs an account subcommand.
pub fn run(store: &Store, command: AccountCommand) -> Result<(), String> {
    match command {
        AccountCommand::List => summary(store),
        AccountCommand::Add(args) => add(store, args),
    }
}

fn add(store: &Store, args: AddArgs) -> Result<(), String> {
    let username = args
        .username
        .clone()
        .unwrap_or_else(|| args.address.clone());
    let imap = server(args.imap.as_deref(), &args.imap_security, &username)?;
    let smtp = server(args.smtp.as_deref(), &args.smtp_security, &username)?;
    let pop3 = server(None, "tls", &username)?;
    let certs = match &args.trust_cert {
        Some(path) => {
            let pem =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            crate::protocols::tls::certificates_from_pem(&pem)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .into_iter()
                .map(|c| c.to_vec())
                .collect()
        }
        None => Vec::new(),
    };
    let account = Account {
        id: 0,
        display_name: args.name,
        address: args.address,
        provider_id: String::new(),
        imap,
        pop3,
        smtp,
        pop3_options: Pop3Options::default(),
        sync_window_days: args.sync_window_days,
        provider_saves_sent: false,
        password_mode: PasswordMode::Keyring,
    };
    let id = store
        .writer()
        .write_blocking(move |tx| {
            let id = accounts::insert(tx, &account)?;
            for host in [&account.imap.host, &account.smtp.host] {
                if host.is_empty() {
                    continue;
                }
                for der in &certs {
                    crate::store::certificates::trust(tx, id, host, der)?;
                }
            }
            Ok(id)
        })
        .map_err(|e| e.to_string())?;
    println!("added account {id}");
    Ok(())
}

/// Prints the store's location and its accounts.
pub fn summary(store: &Store) -> Result<(), String> {
    let reader = store.reader().map_err(|e| e.to_string())?;
    let list = accounts::list(&reader).map_err(|e| e.to_string())?;
    println!(
        "Tidings {} — mail store {} (schema {}), {} account(s)",
        env!("CARGO_PKG_VERSION"),
        store.path().display(),
        crate::store::SCHEMA_VERSION,
        list.len()
    );
    for a in list {
        let on = |enabled: bool, name: &'static str| if enabled { name } else { "-" };
        println!(
            "{}\t{}\t{}\tIMAP:{} POP3:{} SMTP:{}",
            a.id,
            a.address,
            a.display_name,
            on(a.imap.enabled, "on"),
            on(a.pop3.enabled, "on"),
            on(a.smtp.enabled, "on"),
        );
    }
    Ok(())
}
