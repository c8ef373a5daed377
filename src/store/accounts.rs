//! Account rows: identity, one section per protocol, POP3 options. Never a password.

use rusqlite::{Connection, Row};

use super::{SqlContext, StoreError, flag};

/// How a protocol connection is secured.
/// One of the three protocols an account speaks: the one name for them everywhere (settings,
/// secrets, errors, the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// IMAP.
    Imap,
    /// POP3.
    Pop3,
    /// SMTP submission.
    Smtp,
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
            Protocol::Smtp => "SMTP",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (993, 995, 465).
    Tls,
    /// Plain connect, then STARTTLS/STLS; refusing to continue if the server lacks it.
    StartTls,
    /// No encryption; only when the user explicitly allowed it for this account.
    Plain,
}

/// How we authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// A password or provider authorization code, kept in the OS keyring. (OAuth2 joins with
    /// its sign-in flow; until something acts on it, it is not a choice.)
    Password,
}

/// Where the account's password lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordMode {
    /// In the OS keyring.
    Keyring,
    /// Nowhere: asked at each start (for machines without a keyring).
    Ask,
}

/// One protocol's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// The user's switch for this protocol.
    pub enabled: bool,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// Authentication kind.
    pub auth: AuthKind,
    /// Login name (often the address).
    pub username: String,
}

/// What POP3 does with the server's copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pop3Options {
    /// Keep messages on the server after download.
    pub leave_on_server: bool,
    /// With `leave_on_server`, delete them after this many days; 0 keeps them forever.
    pub delete_after_days: u32,
    /// Delete on the server when the user deletes the local copy.
    pub delete_when_deleted_locally: bool,
    /// Minutes between checks.
    pub poll_minutes: u32,
    /// Authenticate with APOP instead of USER/PASS.
    pub use_apop: bool,
}

impl Default for Pop3Options {
    fn default() -> Self {
        Pop3Options {
            leave_on_server: true,
            delete_after_days: 0,
            delete_when_deleted_locally: false,
            poll_minutes: 10,
            use_apop: false,
        }
    }
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Row id; 0 before insertion.
    pub id: i64,
    /// The name shown in From.
    pub display_name: String,
    /// The email address.
    pub address: String,
    /// Which provider entry configured it ("" for manual setups).
    pub provider_id: String,
    /// IMAP section.
    pub imap: ServerSettings,
    /// POP3 section.
    pub pop3: ServerSettings,
    /// SMTP section.
    pub smtp: ServerSettings,
    /// POP3 behaviour.
    pub pop3_options: Pop3Options,
    /// Days of mail to mirror; 0 mirrors everything.
    pub sync_window_days: u32,
    /// The provider files its own copy of sent mail, so we must not APPEND one.
    pub provider_saves_sent: bool,
    /// Where the password is kept.
    pub password_mode: PasswordMode,
}

impl Security {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::StartTls => "starttls",
            Security::Plain => "plain",
        }
    }

    fn parse(s: &str) -> Result<Security, StoreError> {
        match s {
            "tls" => Ok(Security::Tls),
            "starttls" => Ok(Security::StartTls),
            "plain" => Ok(Security::Plain),
            other => Err(StoreError::Corrupt(format!("unknown security {other:?}"))),
        }
    }
}

impl AuthKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::Password => "password",
        }
    }

    fn parse(s: &str) -> Result<AuthKind, StoreError> {
        match s {
            "password" => Ok(AuthKind::Password),
            other => Err(StoreError::Corrupt(format!("unknown auth kind {other:?}"))),
        }
    }
}

impl PasswordMode {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordMode::Keyring => "keyring",
            PasswordMode::Ask => "ask",
        }
    }

    fn parse(s: &str) -> Result<PasswordMode, StoreError> {
        match s {
            "keyring" => Ok(PasswordMode::Keyring),
            "ask" => Ok(PasswordMode::Ask),
            other => Err(StoreError::Corrupt(format!(
                "unknown password mode {other:?}"
            ))),
        }
    }
}

const COLUMNS: &str = "id, display_name, address, provider_id, \
    imap_enabled, imap_host, imap_port, imap_security, imap_auth, imap_username, \
    pop3_enabled, pop3_host, pop3_port, pop3_security, pop3_auth, pop3_username, \
    pop3_leave_on_server, pop3_delete_after_days, pop3_delete_when_deleted_locally, \
    pop3_poll_minutes, pop3_use_apop, \
    smtp_enabled, smtp_host, smtp_port, smtp_security, smtp_auth, smtp_username, \
    sync_window_days, provider_saves_sent, password_mode";

// Stored as their spelling, so rows read well in any SQLite tool.
macro_rules! text_column {
    ($($ty:ty),*) => {$(
        impl rusqlite::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(rusqlite::types::ToSqlOutput::from(self.as_str()))
            }
        }
    )*};
}
text_column!(Security, AuthKind, PasswordMode);

/// The account's columns in the order both `insert` and `update` bind them (?1..?29).
fn params_of(a: &Account) -> Vec<&dyn rusqlite::ToSql> {
    vec![
        &a.display_name,
        &a.address,
        &a.provider_id,
        &a.imap.enabled,
        &a.imap.host,
        &a.imap.port,
        &a.imap.security,
        &a.imap.auth,
        &a.imap.username,
        &a.pop3.enabled,
        &a.pop3.host,
        &a.pop3.port,
        &a.pop3.security,
        &a.pop3.auth,
        &a.pop3.username,
        &a.pop3_options.leave_on_server,
        &a.pop3_options.delete_after_days,
        &a.pop3_options.delete_when_deleted_locally,
        &a.pop3_options.poll_minutes,
        &a.pop3_options.use_apop,
        &a.smtp.enabled,
        &a.smtp.host,
        &a.smtp.port,
        &a.smtp.security,
        &a.smtp.auth,
        &a.smtp.username,
        &a.sync_window_days,
        &a.provider_saves_sent,
        &a.password_mode,
    ]
}

/// Inserts a new account and returns its id.
pub fn insert(conn: &Connection, a: &Account) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO accounts (display_name, address, provider_id, \
            imap_enabled, imap_host, imap_port, imap_security, imap_auth, imap_username, \
            pop3_enabled, pop3_host, pop3_port, pop3_security, pop3_auth, pop3_username, \
            pop3_leave_on_server, pop3_delete_after_days, pop3_delete_when_deleted_locally, \
            pop3_poll_minutes, pop3_use_apop, \
            smtp_enabled, smtp_host, smtp_port, smtp_security, smtp_auth, smtp_username, \
            sync_window_days, provider_saves_sent, password_mode) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)",
        params_of(a).as_slice(),
    )
    .ctx(&format!("adding account {}", a.address))?;
    Ok(conn.last_insert_rowid())
}

/// Loads one account.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Account>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE id = ?1"))
        .ctx("preparing account lookup")?;
    let mut rows = stmt.query([id]).ctx("looking up an account")?;
    match rows.next().ctx("reading an account")? {
        Some(row) => Ok(Some(from_row(row)?)),
        None => Ok(None),
    }
}

/// Loads every account in creation order.
pub fn list(conn: &Connection) -> Result<Vec<Account>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts ORDER BY id"))
        .ctx("preparing account list")?;
    let mut rows = stmt.query([]).ctx("listing accounts")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().ctx("reading an account")? {
        out.push(from_row(row)?);
    }
    Ok(out)
}

fn server(row: &Row<'_>, base: usize) -> Result<ServerSettings, StoreError> {
    let get = |i: usize| {
        row.get::<_, String>(base + i)
            .ctx("reading server settings")
    };
    Ok(ServerSettings {
        enabled: flag(row.get(base).ctx("reading enabled")?),
        host: get(1)?,
        port: row.get(base + 2).ctx("reading port")?,
        security: Security::parse(&get(3)?)?,
        auth: AuthKind::parse(&get(4)?)?,
        username: get(5)?,
    })
}

fn from_row(row: &Row<'_>) -> Result<Account, StoreError> {
    let text = |i: usize| row.get::<_, String>(i).ctx("reading account");
    let int = |i: usize| row.get::<_, i64>(i).ctx("reading account");
    let count = |i: usize| -> Result<u32, StoreError> {
        u32::try_from(int(i)?).map_err(|_| StoreError::Corrupt("negative count in account".into()))
    };
    Ok(Account {
        id: int(0)?,
        display_name: text(1)?,
        address: text(2)?,
        provider_id: text(3)?,
        imap: server(row, 4)?,
        pop3: server(row, 10)?,
        pop3_options: Pop3Options {
            leave_on_server: flag(int(16)?),
            delete_after_days: count(17)?,
            delete_when_deleted_locally: flag(int(18)?),
            poll_minutes: count(19)?,
            use_apop: flag(int(20)?),
        },
        smtp: server(row, 21)?,
        sync_window_days: count(27)?,
        provider_saves_sent: flag(int(28)?),
        password_mode: PasswordMode::parse(&text(29)?)?,
    })
}

/// Saves every setting of an existing account.
pub fn update(conn: &Connection, a: &Account) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE accounts SET display_name = ?1, address = ?2, provider_id = ?3, \
            imap_enabled = ?4, imap_host = ?5, imap_port = ?6, imap_security = ?7, \
            imap_auth = ?8, imap_username = ?9, \
            pop3_enabled = ?10, pop3_host = ?11, pop3_port = ?12, pop3_security = ?13, \
            pop3_auth = ?14, pop3_username = ?15, \
            pop3_leave_on_server = ?16, pop3_delete_after_days = ?17, \
            pop3_delete_when_deleted_locally = ?18, pop3_poll_minutes = ?19, pop3_use_apop = ?20, \
            smtp_enabled = ?21, smtp_host = ?22, smtp_port = ?23, smtp_security = ?24, \
            smtp_auth = ?25, smtp_username = ?26, \
            sync_window_days = ?27, provider_saves_sent = ?28, password_mode = ?29 \
         WHERE id = ?30",
        [params_of(a).as_slice(), &[&a.id as &dyn rusqlite::ToSql]]
            .concat()
            .as_slice(),
    )
    .ctx(&format!("saving account {}", a.address))?;
    Ok(())
}

/// Removes an account and, by cascade, everything mirrored for it.
pub fn delete(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute("DELETE FROM accounts WHERE id = ?1", [id])
        .ctx("removing an account")?;
    Ok(())
}
