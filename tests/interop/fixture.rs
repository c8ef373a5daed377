//! A fresh store with one account on a shared interop server, the engine to sync it, and a
//! second IMAP session to seed and change the server side.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use futures::TryStreamExt;
use rustls_pki_types::CertificateDer;
use tidings::engine::{self, EngineOptions, Event};
use tidings::protocols::imap::{self, ImapSession, Login};
use tidings::protocols::tls;
use tidings::store::Store;
use tidings::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tidings::store::{bodies, folders, messages};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::harness::courier::Courier;
use crate::harness::cyrus::Cyrus;
pub use crate::harness::events::{TestSecrets, error_kinds, wait_for};
use crate::harness::interop::password_of;
use crate::harness::{HOST, Result};

/// The binary's one Courier, started by the first test that asks.
pub static COURIER: LazyLock<std::result::Result<Courier, String>> =
    LazyLock::new(|| Courier::start().map_err(|e| e.to_string()));
/// The binary's one Cyrus, started by the first test that asks.
pub static CYRUS: LazyLock<std::result::Result<Cyrus, String>> =
    LazyLock::new(|| Cyrus::start().map_err(|e| e.to_string()));

/// The shared Courier, or why it could not start.
pub fn courier() -> Result<&'static Courier> {
    COURIER.as_ref().map_err(|e| e.clone().into())
}

/// The shared Cyrus, or why it could not start.
pub fn cyrus() -> Result<&'static Cyrus> {
    CYRUS.as_ref().map_err(|e| e.clone().into())
}

/// Where an account points: one server's ports and CA.
#[derive(Clone)]
pub struct Site {
    /// IMAP port and its security.
    pub imap: (u16, Security),
    /// POP3 port and its security; 0 for none.
    pub pop3: (u16, Security),
    /// The CA the server's certificate chains to.
    pub ca: Vec<CertificateDer<'static>>,
}

impl Site {
    /// The shared Courier over implicit TLS.
    pub fn courier() -> Result<Site> {
        let c = courier()?;
        Ok(Site {
            imap: (c.imaps, Security::Tls),
            pop3: (c.pop3s, Security::Tls),
            ca: c.ca_der()?,
        })
    }

    /// The shared Cyrus over implicit TLS.
    pub fn cyrus() -> Result<Site> {
        let c = cyrus()?;
        Ok(Site {
            imap: (c.imaps, Security::Tls),
            pop3: (0, Security::Tls),
            ca: c.ca_der()?,
        })
    }
}

/// One account of one interop user in a fresh store.
pub struct Fixture {
    pub site: Site,
    pub _dir: tempfile::TempDir,
    pub store: Store,
    pub account: i64,
    pub user: String,
    pub password: String,
}

impl Fixture {
    /// An IMAP account for `user` on `site`, its CA trusted, with `edit` applied.
    pub fn imap(site: Site, user: &str, edit: impl FnOnce(&mut Account)) -> Result<Fixture> {
        let server = |enabled: bool, (port, security): (u16, Security)| ServerSettings {
            enabled,
            host: HOST.to_owned(),
            port,
            security,
            auth: AuthKind::Password,
            username: user.to_owned(),
        };
        let mut account = Account {
            id: 0,
            display_name: user.to_owned(),
            address: format!("{user}@interop.test"),
            provider_id: String::new(),
            imap: server(true, site.imap),
            pop3: server(false, site.pop3),
            smtp: server(false, site.imap),
            pop3_options: Pop3Options::default(),
            sync_window_days: 0,
            provider_saves_sent: false,
            password_mode: PasswordMode::Keyring,
        };
        edit(&mut account);
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("mirror.sqlite3"))?;
        let ca: Vec<Vec<u8>> = site.ca.iter().map(|c| c.to_vec()).collect();
        let id = crate::harness::events::add_account(&store, account, HOST, ca)?;
        Ok(Fixture {
            site,
            _dir: dir,
            store,
            account: id,
            user: user.to_owned(),
            password: password_of(user),
        })
    }

    /// A POP3-only account for `user` on `site`.
    pub fn pop3(site: Site, user: &str, edit: impl FnOnce(&mut Account)) -> Result<Fixture> {
        Fixture::imap(site, user, |a| {
            a.imap.enabled = false;
            a.pop3.enabled = true;
            edit(a);
        })
    }

    /// The built binary on this fixture's store, the password given as TIDINGS_PASSWORD
    /// (the account becomes an "ask each start" one, which is what takes it).
    pub fn cli(&self) -> Result<std::process::Command> {
        crate::harness::events::cli(&self.store, self._dir.path(), self.account, &self.password)
    }

    /// The secrets the engine gets.
    pub fn secrets(&self) -> Arc<TestSecrets> {
        Arc::new(TestSecrets(HashMap::from([(
            self.account,
            self.password.clone(),
        )])))
    }

    /// One sync pass (`--once`), every event it sent.
    pub async fn sync_once(&self) -> Result<Vec<Event>> {
        crate::harness::events::sync_once(&self.store, self.secrets(), EngineOptions::default())
            .await
    }

    /// The engine in its normal, staying-online mode.
    pub fn start_engine(&self) -> (engine::EngineHandle, UnboundedReceiver<Event>) {
        engine::spawn(self.store.clone(), self.secrets(), EngineOptions::default())
    }

    /// A second, independent IMAP session as the fixture's user.
    pub async fn session(&self) -> Result<ImapSession> {
        let config = tls::client_config(&self.site.ca)?;
        let login = Login {
            host: HOST.into(),
            port: self.site.imap.0,
            security: Security::Tls,
            username: self.user.clone(),
            password: self.password.clone(),
            send_id: false,
        };
        Ok(imap::connect(&login, config).await?.0)
    }

    /// The account's folders as the store has them.
    pub fn folders(&self) -> Result<Vec<folders::Folder>> {
        Ok(folders::list(&self.store.reader()?, self.account)?)
    }

    /// The folder shown as `name`.
    pub fn folder(&self, name: &str) -> Result<folders::Folder> {
        self.folders()?
            .into_iter()
            .find(|f| f.name == name)
            .ok_or_else(|| {
                let names: Vec<String> = self
                    .folders()
                    .map(|fs| fs.into_iter().map(|f| f.name).collect())
                    .unwrap_or_default();
                format!("no folder shown as {name:?}; folders: {names:?}").into()
            })
    }

    /// Every mirrored message of a folder with its stored body, sorted by UID.
    pub fn mirrored(&self, name: &str) -> Result<Vec<(messages::Envelope, Option<Vec<u8>>)>> {
        let reader = self.store.reader()?;
        let folder = self.folder(name)?;
        let mut out = Vec::new();
        for m in messages::all_in_folder(&reader, folder.id)? {
            let body = bodies::get(&reader, m.id)?;
            out.push((m, body));
        }
        out.sort_by_key(|(m, _)| m.uid);
        Ok(out)
    }
}

/// Seeds `raw` messages into `folder` with APPEND and the given flags.
pub async fn append_all(
    session: &mut ImapSession,
    folder: &str,
    messages: &[(Vec<u8>, &str)],
) -> Result<()> {
    for (raw, flags) in messages {
        let flags = (!flags.is_empty()).then(|| format!("({flags})"));
        session
            .append(folder, flags.as_deref(), None, raw)
            .await
            .map_err(|e| format!("APPEND to {folder}: {e}"))?;
    }
    Ok(())
}

/// (UID, flags as the server lists them) of every message of a server folder.
pub async fn server_flags(session: &mut ImapSession, folder: &str) -> Result<Vec<(u32, String)>> {
    let mailbox = session.select(folder).await?;
    if mailbox.exists == 0 {
        return Ok(Vec::new());
    }
    let fetched: Vec<_> = session
        .uid_fetch("1:*", "(UID FLAGS)")
        .await?
        .try_collect()
        .await?;
    let mut out: Vec<(u32, String)> = fetched
        .iter()
        .filter_map(|f| {
            let flags: Vec<String> = f.flags().map(|fl| format!("{fl:?}")).collect();
            Some((f.uid?, flags.join(" ")))
        })
        .collect();
    out.sort();
    Ok(out)
}
