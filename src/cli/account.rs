//! `tidings account add|list|remove|enable|disable|test`.

use super::error::{CliError, Kind};
use std::io::BufRead;

use super::terminal;

use clap::{Args, Subcommand, ValueEnum};

use crate::accounts::doctor;
use crate::accounts::secrets::{self, AccountSecrets};
use crate::engine::Secrets as _;
use crate::store::Store;
use crate::store::accounts::Protocol;
use crate::store::accounts::{
    self, Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};

/// Account subcommands.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account; settings not given are found from the address.
    Add(AddArgs),
    /// List accounts.
    List,
    /// Remove an account, its mirrored mail and its keyring entries.
    Remove {
        /// Address or name.
        account: String,
    },
    /// Run the connection doctor: every step of every enabled protocol, with hints.
    Test {
        /// Address or name.
        account: String,
        /// Pin the certificate a server showed, given by the SHA-256 fingerprint the doctor
        /// printed, then test again.
        #[arg(long)]
        trust_certificate: Option<String>,
    },
    /// Turn a protocol on.
    Enable {
        /// Address or name.
        account: String,
        /// Which protocol.
        protocol: Protocol,
    },
    /// Turn a protocol off (mirrored mail is kept).
    Disable {
        /// Address or name.
        account: String,
        /// Which protocol.
        protocol: Protocol,
    },
}

/// The protocol's name on the command line: imap, pop3, smtp.
impl ValueEnum for Protocol {
    fn value_variants<'a>() -> &'a [Self] {
        &[Protocol::Imap, Protocol::Pop3, Protocol::Smtp]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let (name, help) = match self {
            Protocol::Imap => ("imap", "IMAP"),
            Protocol::Pop3 => ("pop3", "POP3"),
            Protocol::Smtp => ("smtp", "SMTP"),
        };
        Some(clap::builder::PossibleValue::new(name).help(help))
    }
}

/// Settings for a new account.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The email address.
    #[arg(long)]
    email: String,
    /// The name shown to recipients.
    #[arg(long, default_value = "")]
    name: String,
    /// Login name, if not the address.
    #[arg(long)]
    username: Option<String>,
    /// Read the password (or provider authorization code) from standard input, into the keyring.
    #[arg(long)]
    password_stdin: bool,
    /// Keep no password: ask for it at each start (for machines without a keyring).
    #[arg(long)]
    ask_each_start: bool,
    /// IMAP server as HOST:PORT:SECURITY (security: tls, starttls or plain).
    #[arg(long)]
    imap: Option<String>,
    /// POP3 server as HOST:PORT:SECURITY.
    #[arg(long)]
    pop3: Option<String>,
    /// SMTP server as HOST:PORT:SECURITY.
    #[arg(long)]
    smtp: Option<String>,
    /// Leave IMAP off.
    #[arg(long)]
    no_imap: bool,
    /// Leave POP3 off.
    #[arg(long)]
    no_pop3: bool,
    /// Leave SMTP off.
    #[arg(long)]
    no_smtp: bool,
    /// A PEM file of certificates to trust for this account's servers (self-signed servers).
    #[arg(long)]
    trust_cert: Option<std::path::PathBuf>,
    /// Mirror only the last N days of bodies (0: everything).
    #[arg(long, default_value_t = 0)]
    sync_window_days: u32,
    /// Use servers that DNS named outside the address's domain (DNS can be forged: check
    /// them first).
    #[arg(long)]
    accept_found_settings: bool,
    /// Allow a server given as HOST:PORT:plain: the password then crosses the network
    /// unencrypted, readable by anyone on the way.
    #[arg(long)]
    allow_plaintext: bool,
}

/// Parses HOST:PORT:SECURITY.
pub(crate) fn server_spec(spec: &str, username: &str) -> Result<ServerSettings, CliError> {
    let mut parts = spec.rsplitn(3, ':');
    let (security, port, host) = (parts.next(), parts.next(), parts.next());
    let (Some(security), Some(port), Some(host)) = (security, port, host) else {
        return Err(CliError::new(
            Kind::Usage,
            format!("{spec:?} is not HOST:PORT:SECURITY"),
        ));
    };
    let security = match security {
        "tls" | "ssl" => Security::Tls,
        "starttls" => Security::StartTls,
        "plain" => Security::Plain,
        other => {
            return Err(CliError::new(
                Kind::Usage,
                format!("unknown security {other:?}: use tls, starttls or plain"),
            ));
        }
    };
    Ok(ServerSettings {
        enabled: true,
        host: host.to_owned(),
        port: port
            .parse()
            .map_err(|_| CliError::new(Kind::Usage, format!("{port:?} is not a port number")))?,
        security,
        auth: AuthKind::Password,
        username: username.to_owned(),
    })
}

fn off(username: &str, port: u16) -> ServerSettings {
    ServerSettings {
        enabled: false,
        host: String::new(),
        port,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: username.to_owned(),
    }
}

/// Runs an account subcommand.
pub fn run(store: &Store, command: AccountCommand) -> Result<(), CliError> {
    match command {
        AccountCommand::List => summary(store),
        AccountCommand::Add(args) => add(store, args),
        AccountCommand::Remove { account } => remove(store, &account),
        AccountCommand::Test {
            account,
            trust_certificate,
        } => test(store, &account, trust_certificate.as_deref()),
        AccountCommand::Enable { account, protocol } => switch(store, &account, protocol, true),
        AccountCommand::Disable { account, protocol } => switch(store, &account, protocol, false),
    }
}

fn add(store: &Store, args: AddArgs) -> Result<(), CliError> {
    let username = args.username.clone().unwrap_or_else(|| args.email.clone());
    let given =
        |spec: &Option<String>, no: bool, port: u16| -> Result<Option<ServerSettings>, CliError> {
            match (spec, no) {
                (_, true) => Ok(Some(off(&username, port))),
                (Some(spec), false) => Ok(Some(server_spec(spec, &username)?)),
                (None, false) => Ok(None),
            }
        };
    let imap = given(&args.imap, args.no_imap, 993)?;
    let pop3 = given(&args.pop3, args.no_pop3, 995)?;
    let smtp = given(&args.smtp, args.no_smtp, 465)?;
    let plain: Vec<&str> = [("IMAP", &imap), ("POP3", &pop3), ("SMTP", &smtp)]
        .into_iter()
        .filter(|(_, s)| {
            s.as_ref()
                .is_some_and(|s| s.enabled && s.security == Security::Plain)
        })
        .map(|(name, _)| name)
        .collect();
    if !plain.is_empty() {
        if !args.allow_plaintext {
            return Err(CliError::new(
                Kind::Usage,
                format!(
                    "{} without encryption would send your password readable by anyone on the                  network; use tls or starttls, or add --allow-plaintext if you really mean it",
                    plain.join(", ")
                ),
            ));
        }
        terminal::say_err!(
            "warning: {} without encryption: your password and mail cross the network              unencrypted (a server that forbids this still gets no password)",
            plain.join(", ")
        );
    }
    let (imap, pop3, smtp, provider_id, provider_saves_sent) = match (imap, pop3, smtp) {
        (Some(imap), Some(pop3), Some(smtp)) => (imap, pop3, smtp, String::new(), false),
        (imap, pop3, smtp) => {
            let found = crate::accounts::autoconfig::blocking_lookup(&args.email)
                .map_err(|e| CliError::new(Kind::Servers, e))?;
            if found.needs_confirmation() && !args.accept_found_settings {
                return Err(CliError::new(
                    Kind::Usage,
                    format!(
                        "{} named servers outside the address's domain: {}. DNS answers can be \
                     forged, so they are not used unless you check them and add \
                     --accept-found-settings (or give the servers with --imap/--pop3/--smtp)",
                        found.source,
                        found.unverified_hosts.join(", ")
                    ),
                ));
            }
            let pick = |given: Option<ServerSettings>, found: Option<ServerSettings>, port| {
                given
                    .or(found.map(|mut s| {
                        s.username = username.clone();
                        s
                    }))
                    .unwrap_or_else(|| off(&username, port))
            };
            terminal::say!("settings for {} from {}", args.email, found.source);
            (
                pick(imap, found.imap, 993),
                pick(pop3, found.pop3, 995),
                pick(smtp, found.smtp, 465),
                found.provider_id,
                found.provider_saves_sent,
            )
        }
    };
    // A protocol found by autoconfig stays off when both IMAP and POP3 were found: IMAP is the
    // better default, and the user can switch POP3 on.
    let pop3 = if imap.enabled && args.pop3.is_none() {
        ServerSettings {
            enabled: false,
            ..pop3
        }
    } else {
        pop3
    };
    let certs = match &args.trust_cert {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::new(Kind::Io, format!("cannot read {}: {e}", path.display()))
            })?;
            crate::protocols::tls::certificates_from_pem(&pem)
                .map_err(|e| CliError::new(Kind::Usage, format!("{}: {e}", path.display())))?
                .into_iter()
                .map(|c| c.to_vec())
                .collect()
        }
        None => Vec::new(),
    };
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::new(Kind::Io, format!("cannot read the password: {e}")))?;
        Some(line.trim_end_matches(['\r', '\n']).to_owned())
    } else {
        None
    };
    let mut account = Account {
        id: 0,
        display_name: args.name,
        address: args.email,
        provider_id,
        imap,
        pop3,
        smtp,
        pop3_options: Pop3Options::default(),
        sync_window_days: args.sync_window_days,
        provider_saves_sent,
        password_mode: if args.ask_each_start {
            PasswordMode::Ask
        } else {
            PasswordMode::Keyring
        },
    };
    let row = account.clone();
    let id = store.writer().write_blocking(move |tx| {
        let id = accounts::insert(tx, &row)?;
        let hosts = [&row.imap, &row.pop3, &row.smtp]
            .into_iter()
            .filter(|s| s.enabled)
            .map(|s| s.host.clone())
            .collect::<std::collections::BTreeSet<_>>();
        for host in hosts {
            for der in &certs {
                crate::store::certificates::trust_ca(tx, id, &host, der)?;
            }
        }
        Ok(id)
    })?;
    account.id = id;
    if let (Some(password), PasswordMode::Keyring) = (password, account.password_mode) {
        for (settings, protocol) in [
            (&account.imap, Protocol::Imap),
            (&account.pop3, Protocol::Pop3),
            (&account.smtp, Protocol::Smtp),
        ] {
            if settings.enabled
                && let Err(e) = secrets::store_password(&account, protocol, &password)
            {
                // Without a keyring the account must not half-exist.
                let _ = store
                    .writer()
                    .write_blocking(move |tx| accounts::delete(tx, id));
                return Err(CliError::new(Kind::Keyring, e.to_string()));
            }
        }
    }
    terminal::say!("added account {id}");
    Ok(())
}

fn test(store: &Store, name: &str, trust: Option<&str>) -> Result<(), CliError> {
    let i18n = crate::i18n::I18n::from_env();
    let runtime = tokio::runtime::Runtime::new()?;
    let mut all_ok = true;
    let chosen = super::select_accounts(store, Some(name))?;
    let given = super::password_from_env(Some(name), &chosen)?;
    for account in chosen {
        let secrets = AccountSecrets::new();
        if let Some((id, password)) = &given {
            for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
                secrets.remember(*id, p, password.clone());
            }
        }
        let password = |p: Protocol| secrets.password(&account, p).ok();
        let trusted = |store: &Store| -> Result<crate::protocols::tls::Trust, CliError> {
            let reader = store.reader()?;
            Ok(crate::protocols::tls::Trust {
                roots: Vec::new(),
                entries: crate::store::certificates::for_account(&reader, account.id)?,
            })
        };
        let mut report = runtime.block_on(doctor::examine(&account, password, &trusted(store)?));
        if let Some(wanted) = trust {
            let wanted = wanted.replace(':', "").to_ascii_uppercase();
            let shown: Vec<(String, u16, Vec<u8>)> = report
                .protocols
                .iter()
                .filter_map(|p| {
                    let c = p.certificate.as_ref()?;
                    (c.sha256.replace(':', "") == wanted)
                        .then(|| (p.host.clone(), p.port, c.der.clone()))
                })
                .collect();
            if shown.is_empty() {
                return Err(CliError::new(
                    Kind::NotFound,
                    format!(
                        "no server of {} showed a certificate with that fingerprint",
                        account.address
                    ),
                ));
            }
            let id = account.id;
            store.writer().write_blocking(move |tx| {
                for (host, port, der) in &shown {
                    crate::store::certificates::pin(tx, id, host, *port, der)?;
                }
                Ok(())
            })?;
            report = runtime.block_on(doctor::examine(&account, password, &trusted(store)?));
        }
        print!("{}", terminal::clean(&report.render(&i18n)));
        all_ok &= report.ok();
    }
    if all_ok {
        Ok(())
    } else {
        Err(CliError::new(
            Kind::Failed,
            "some steps failed; see the hints above",
        ))
    }
}

fn remove(store: &Store, name: &str) -> Result<(), CliError> {
    for account in super::select_accounts(store, Some(name))? {
        secrets::forget(&account).map_err(|e| CliError::new(Kind::Keyring, e))?;
        let id = account.id;
        store
            .writer()
            .write_blocking(move |tx| accounts::delete(tx, id))?;
        terminal::say!("removed account {}", account.address);
    }
    Ok(())
}

fn switch(store: &Store, name: &str, protocol: Protocol, on: bool) -> Result<(), CliError> {
    for mut account in super::select_accounts(store, Some(name))? {
        let settings = match protocol {
            Protocol::Imap => &mut account.imap,
            Protocol::Pop3 => &mut account.pop3,
            Protocol::Smtp => &mut account.smtp,
        };
        if on && settings.host.is_empty() {
            return Err(CliError::new(
                Kind::Usage,
                format!(
                    "{} has no {protocol} server; remove and add it again with its settings",
                    account.address
                ),
            ));
        }
        settings.enabled = on;
        store
            .writer()
            .write_blocking(move |tx| accounts::update(tx, &account))?;
    }
    Ok(())
}

/// Prints the store's location and its accounts.
pub fn summary(store: &Store) -> Result<(), CliError> {
    let reader = store.reader()?;
    let list = accounts::list(&reader)?;
    terminal::say!(
        "Tidings {} — mail store {} (schema {}), {} account(s)",
        env!("CARGO_PKG_VERSION"),
        store.path().display(),
        crate::store::SCHEMA_VERSION,
        list.len()
    );
    for a in list {
        let on = |enabled: bool, name: &'static str| if enabled { name } else { "-" };
        terminal::say!(
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Commands};

    #[test]
    fn protocols_are_named_on_the_command_line_as_the_user_types_them() {
        for (typed, protocol) in [
            ("imap", Protocol::Imap),
            ("pop3", Protocol::Pop3),
            ("smtp", Protocol::Smtp),
        ] {
            let cli = Cli::try_parse_from(["tidings", "account", "enable", "me@163.com", typed]);
            assert!(
                matches!(
                    cli.map(|c| c.command),
                    Ok(Some(Commands::Account(AccountCommand::Enable { protocol: p, .. }))) if p == protocol
                ),
                "{typed}"
            );
        }
        assert!(
            Cli::try_parse_from(["tidings", "account", "enable", "me@163.com", "ftp"]).is_err()
        );
    }

    #[test]
    fn switching_on_a_protocol_without_a_server_says_which() -> Result<(), CliError> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("t.sqlite3"))?;
        let mut account = crate::store::tests::account();
        account.pop3.host.clear();
        store
            .writer()
            .write_blocking(move |tx| crate::store::accounts::insert(tx, &account))?;
        let Err(e) = switch(&store, "zhangsan@163.com", Protocol::Pop3, true) else {
            return Err(CliError::new(
                Kind::Failed,
                "a protocol without a server was switched on",
            ));
        };
        assert!(e.detail.contains("has no POP3 server"), "{e}");
        assert_eq!(e.kind, Kind::Usage);
        Ok(())
    }
}
