//! An account in a fresh store pointed at the harness, an engine to run on it, and a second
//! independent IMAP session to look at (and change) the server side.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use tidings::engine::{self, EngineOptions, Event};
use tidings::protocols::imap::{self, ImapSession, Login};
use tidings::protocols::tls;
use tidings::store::Store;
use tidings::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tokio::sync::mpsc::UnboundedReceiver;

pub use crate::harness::events::{TestSecrets, error_kinds, wait_for};
use crate::harness::{HOST, Result, Servers};

/// A store with one IMAP account for a harness user.
pub struct Fixture {
    pub servers: Servers,
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub account: i64,
    pub user: String,
    pub password: String,
}

/// The account settings for `user` on the harness's implicit-TLS IMAP port.
pub fn account_for(servers: &Servers, user: &str, port: u16, security: Security) -> Account {
    let address = servers.user(user).address;
    let server = |enabled: bool, port: u16| ServerSettings {
        enabled,
        host: HOST.to_owned(),
        port,
        security,
        auth: AuthKind::Password,
        username: address.clone(),
    };
    Account {
        id: 0,
        display_name: user.to_owned(),
        address: address.clone(),
        provider_id: String::new(),
        imap: server(true, port),
        pop3: server(false, servers.ports.pop3s),
        smtp: server(false, servers.ports.submissions),
        pop3_options: Pop3Options::default(),
        sync_window_days: 0,
        provider_saves_sent: false,
        password_mode: PasswordMode::Keyring,
    }
}

impl Fixture {
    /// Starts the servers and adds an account for alice that trusts the run's CA.
    pub fn new() -> Result<Fixture> {
        let servers = Servers::start()?;
        let port = servers.ports.imaps;
        Fixture::with_account(
            servers,
            |s| account_for(s, "alice", port, Security::Tls),
            true,
        )
    }

    /// Like `new`, with the account's settings chosen by `make` and the CA trusted or not.
    pub fn with_account(
        servers: Servers,
        make: impl FnOnce(&Servers) -> Account,
        trust_ca: bool,
    ) -> Result<Fixture> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("mirror.sqlite3"))?;
        let account = make(&servers);
        let ca: Vec<Vec<u8>> = if trust_ca {
            servers.ca_der()?.into_iter().map(|c| c.to_vec()).collect()
        } else {
            Vec::new()
        };
        let id = crate::harness::events::add_account(&store, account, HOST, ca)?;
        let alice = servers.user("alice");
        Ok(Fixture {
            servers,
            dir,
            store,
            account: id,
            user: "alice".into(),
            password: alice.password,
        })
    }

    /// A store with a POP3-only account for alice on `port` over TLS (a proxy's port, or
    /// the harness's POP3S), the run's CA trusted, with `edit` applied to its settings.
    pub fn pop3(servers: Servers, port: u16, edit: impl FnOnce(&mut Account)) -> Result<Fixture> {
        Fixture::with_account(
            servers,
            move |s| {
                let mut a = account_for(s, "alice", s.ports.imaps, Security::Tls);
                a.imap.enabled = false;
                a.pop3.enabled = true;
                a.pop3.port = port;
                edit(&mut a);
                a
            },
            true,
        )
    }

    /// The built binary on this fixture's store, with the password given the way a script
    /// gives it: TIDINGS_PASSWORD, which only an "ask each start" account takes (so the
    /// account becomes one) and only when the command names it (`--account` or the address).
    pub fn cli(&self) -> Result<std::process::Command> {
        crate::harness::events::cli(&self.store, self.dir.path(), self.account, &self.password)
    }

    /// The secrets the engine gets: the right password unless told otherwise.
    pub fn secrets(&self, password: &str) -> Arc<TestSecrets> {
        Arc::new(TestSecrets(HashMap::from([(
            self.account,
            password.to_owned(),
        )])))
    }

    /// Runs one sync pass (`--once` mode) and returns every event.
    pub async fn sync_once(&self) -> Result<Vec<Event>> {
        self.sync_once_with(&self.password).await
    }

    /// One pass with a given password.
    pub async fn sync_once_with(&self, password: &str) -> Result<Vec<Event>> {
        self.sync_once_options(password, EngineOptions::default())
            .await
    }

    /// One pass with a given password and engine options (`once` is set here).
    pub async fn sync_once_options(
        &self,
        password: &str,
        options: EngineOptions,
    ) -> Result<Vec<Event>> {
        crate::harness::events::sync_once(&self.store, self.secrets(password), options).await
    }

    /// Starts the engine in its normal, staying-online mode.
    pub fn start_engine(&self) -> (engine::EngineHandle, UnboundedReceiver<Event>) {
        engine::spawn(
            self.store.clone(),
            self.secrets(&self.password),
            EngineOptions::default(),
        )
    }

    /// Starts the engine with other options.
    pub fn start_engine_with(
        &self,
        options: EngineOptions,
    ) -> (engine::EngineHandle, UnboundedReceiver<Event>) {
        engine::spawn(self.store.clone(), self.secrets(&self.password), options)
    }

    /// Applies a local change while the account cannot reach its server (the engine runs with
    /// a wrong password), so the change stays queued.
    pub async fn change_while_offline(&self, change: engine::Change) -> Result<()> {
        let (handle, mut events) = engine::spawn(
            self.store.clone(),
            self.secrets("wrong password"),
            EngineOptions::default(),
        );
        wait_for(&mut events, Duration::from_secs(20), |e| {
            matches!(e, Event::Error { .. })
        })
        .await?;
        handle.send(engine::Command::Change(change)).await?;
        wait_for(&mut events, Duration::from_secs(30), |e| {
            matches!(e, Event::MessagesChanged { .. })
        })
        .await?;
        handle.send(engine::Command::Shutdown).await?;
        Ok(())
    }

    /// A second, independent IMAP session as the fixture's user.
    pub async fn other_session(&self) -> Result<ImapSession> {
        let config = tls::client_config(&self.servers.ca_der()?)?;
        let login = Login {
            host: HOST.into(),
            port: self.servers.ports.imaps,
            security: Security::Tls,
            username: self.servers.user(&self.user).address,
            password: self.password.clone(),
            send_id: false,
        };
        Ok(imap::connect(&login, config).await?.0)
    }

    /// A read-only connection to the fixture's store.
    pub fn reader(&self) -> Result<rusqlite::Connection> {
        Ok(self.store.reader()?)
    }

    /// The id of the account's folder named `name`.
    pub fn folder_id(&self, name: &str) -> Result<i64> {
        let reader = self.reader()?;
        tidings::store::folders::list(&reader, self.account)?
            .into_iter()
            .find(|f| f.name == name)
            .map(|f| f.id)
            .ok_or_else(|| format!("no folder {name}").into())
    }

    /// (uid, Message-ID) of every mirrored message in a folder, sorted by UID.
    pub fn mirrored(&self, folder: &str) -> Result<Vec<(u32, String)>> {
        let reader = self.reader()?;
        let id = self.folder_id(folder)?;
        let mut stmt = reader.prepare(
            "SELECT uid, rfc_message_id FROM messages WHERE folder_id = ?1 ORDER BY uid",
        )?;
        let rows = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

/// (uid, Message-ID, flags) of every message in a server folder, read by a separate session.
pub async fn server_state(
    session: &mut ImapSession,
    folder: &str,
) -> Result<Vec<(u32, String, Vec<String>)>> {
    let mailbox = session.select(folder).await?;
    if mailbox.exists == 0 {
        return Ok(Vec::new());
    }
    let fetched: Vec<_> = session
        .uid_fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        .await?
        .try_collect()
        .await?;
    let mut out: Vec<(u32, String, Vec<String>)> = fetched
        .iter()
        .filter_map(|f| {
            let header = String::from_utf8_lossy(f.header()?).into_owned();
            let id = header
                .split_once('<')
                .and_then(|(_, rest)| rest.split_once('>'))
                .map(|(id, _)| id.to_owned())
                .unwrap_or_default();
            let flags = f.flags().map(|fl| format!("{fl:?}")).collect();
            Some((f.uid?, id, flags))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Polls `check` until it holds (bounded), for server-side effects of replayed actions.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("condition not met within {within:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
