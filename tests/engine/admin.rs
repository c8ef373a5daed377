//! What the window asks of the engine for accounts: test settings before saving, save with the
//! password going to the real keyring (never to SQLite), remove with or without the mirror, and
//! new-mail announcements that never fire for a first sync.

use std::time::Duration;

use tidings::accounts::doctor::Hint;
use tidings::accounts::secrets::{self, AccountSecrets};
use tidings::engine::{self, Command, EngineOptions, Event, Protocol, SecretError};
use tidings::store::accounts::{self, Security};
use tidings::store::{Store, messages};

use crate::fixture::{Fixture, account_for, wait_for};
use crate::harness::{Result, Servers};

const MINUTE: Duration = Duration::from_secs(60);

/// Reads a keyring entry the way the engine does: off the async threads (the Secret Service
/// client blocks on D-Bus).
async fn stored_password(
    account: &tidings::store::accounts::Account,
) -> Result<std::result::Result<String, SecretError>> {
    let who = account.clone();
    Ok(tokio::task::spawn_blocking(move || secrets::load_password(&who, Protocol::Imap)).await?)
}

fn new_mail(events: &[Event]) -> Vec<Vec<i64>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::NewMail { messages, .. } => Some(messages.clone()),
            _ => None,
        })
        .collect()
}

fn raw(subject: &str, id: &str) -> Vec<u8> {
    format!(
        "From: Bob <bob@tidings.test>\r\nTo: alice@tidings.test\r\nSubject: {subject}\r\n\
         Message-ID: <{id}@tidings.test>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n\r\nHi.\r\n"
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_imap_mail_is_announced_only_after_the_first_sync() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 1, 5)?;
    let first = fx.sync_once().await?;
    assert!(
        new_mail(&first).is_empty(),
        "a first sync announces nothing"
    );
    fx.servers
        .deliver_raw("alice", "INBOX", "new1", &raw("Lunch?", "new1"))?;
    let second = fx.sync_once().await?;
    let announced = new_mail(&second);
    assert_eq!(announced.len(), 1, "{second:?}");
    let reader = fx.reader()?;
    let m = messages::get(&reader, announced[0][0])?.ok_or("announced row missing")?;
    assert_eq!(m.subject, "Lunch?");
    let third = fx.sync_once().await?;
    assert!(
        new_mail(&third).is_empty(),
        "nothing new, nothing announced"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_pop3_mail_is_announced_only_after_the_first_pass() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::pop3(servers, port, |_| {})?;
    fx.servers.seed("alice", "INBOX", 1, 3)?;
    assert!(new_mail(&fx.sync_once().await?).is_empty());
    fx.servers
        .deliver_raw("alice", "INBOX", "pop-new", &raw("新邮件", "pop-new"))?;
    let second = fx.sync_once().await?;
    assert_eq!(new_mail(&second).iter().map(Vec::len).sum::<usize>(), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_tested_saved_and_removed_through_the_engine() -> Result<()> {
    let servers = Servers::start()?;
    servers.seed("carol", "INBOX", 1, 4)?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    let store = Store::open(&db)?;
    let (handle, mut events) = engine::spawn(
        store.clone(),
        AccountSecrets::new(),
        EngineOptions {
            extra_roots: servers.ca_der()?,
            ..EngineOptions::default()
        },
    );
    let carol = servers.user("carol");
    let mut account = account_for(&servers, "carol", servers.ports.imaps, Security::Tls);
    account.smtp.enabled = true;

    // Unsaved settings with a wrong password: the doctor says so, and nothing is stored.
    let wrong = vec![(Protocol::Imap, "wrong".to_owned())];
    let report = doctor(&handle, &mut events, &account, wrong).await?;
    assert!(!report.ok());
    let hints: Vec<&Hint> = report
        .protocols
        .iter()
        .flat_map(|p| p.steps.iter().filter_map(|s| s.hint.as_ref()))
        .collect();
    assert!(hints.contains(&&Hint::WrongPassword), "{hints:?}");
    assert!(accounts::list(&store.reader()?)?.is_empty());

    // The right one passes every step of IMAP and SMTP.
    let typed = vec![
        (Protocol::Imap, carol.password.clone()),
        (Protocol::Smtp, carol.password.clone()),
    ];
    let report = doctor(&handle, &mut events, &account, typed.clone()).await?;
    assert!(
        report.ok(),
        "{}",
        report.render(&tidings::i18n::I18n::new("en-US"))
    );

    // Saved: the row is written, the password is in the keyring only, and the account syncs.
    handle
        .send(Command::SaveAccount {
            account: Box::new(account.clone()),
            passwords: typed.into(),
            trust: Vec::new(),
        })
        .await?;
    let Event::AccountSaved { account: id } = wait_for(&mut events, MINUTE, |e| {
        matches!(e, Event::AccountSaved { .. })
    })
    .await?
    else {
        return Err("not saved".into());
    };
    wait_for(
        &mut events,
        MINUTE,
        |e| matches!(e, Event::SyncDone { account, full: true } if *account == id),
    )
    .await?;
    let saved = accounts::get(&store.reader()?, id)?.ok_or("no row")?;
    assert_eq!(saved.address, carol.address);
    assert_eq!(
        stored_password(&saved).await?.map_err(|e| e.to_string())?,
        carol.password
    );
    let bytes = std::fs::read(&db)?;
    let wal = std::fs::read(db.with_extension("sqlite3-wal")).unwrap_or_default();
    for file in [&bytes, &wal] {
        assert!(
            !file
                .windows(carol.password.len())
                .any(|w| w == carol.password.as_bytes()),
            "the password reached the database"
        );
    }
    let mirrored = messages::page(&store.reader()?, inbox(&store, id)?, 0, 100)?.len();
    assert_eq!(mirrored, 4);

    // Renamed without typing the password again: it follows the account in the keyring.
    let mut renamed = saved.clone();
    renamed.address = "carol.renamed@tidings.test".into();
    handle
        .send(Command::SaveAccount {
            account: Box::new(renamed.clone()),
            passwords: Vec::new().into(),
            trust: Vec::new(),
        })
        .await?;
    wait_for(
        &mut events,
        MINUTE,
        |e| matches!(e, Event::AccountSaved { account } if *account == id),
    )
    .await?;
    assert_eq!(
        stored_password(&renamed)
            .await?
            .map_err(|e| e.to_string())?,
        carol.password
    );
    assert!(matches!(
        stored_password(&saved).await?,
        Err(SecretError::Missing)
    ));

    // Removed keeping the mirror: mail stays, every protocol is off, the password is gone.
    remove(&handle, &mut events, id, true).await?;
    let kept = accounts::get(&store.reader()?, id)?.ok_or("the mirror went too")?;
    assert!(!kept.imap.enabled && !kept.pop3.enabled && !kept.smtp.enabled);
    assert_eq!(
        messages::page(&store.reader()?, inbox(&store, id)?, 0, 100)?.len(),
        4
    );
    assert!(matches!(
        stored_password(&kept).await?,
        Err(SecretError::Missing)
    ));

    // Removed for good: the row and everything mirrored for it go.
    remove(&handle, &mut events, id, false).await?;
    assert!(accounts::get(&store.reader()?, id)?.is_none());
    let left: i64 = store
        .reader()?
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?;
    assert_eq!(left, 0);
    handle.send(Command::Shutdown).await?;
    Ok(())
}

/// Runs the doctor on unsaved settings through the engine and returns its report.
async fn doctor(
    handle: &engine::EngineHandle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    account: &tidings::store::accounts::Account,
    passwords: Vec<(Protocol, String)>,
) -> Result<tidings::accounts::doctor::Report> {
    handle
        .send(Command::TestSettings {
            account: Box::new(account.clone()),
            passwords: passwords.into(),
            trust: Vec::new(),
        })
        .await?;
    match wait_for(events, MINUTE, |e| matches!(e, Event::ConnectionReport(_))).await? {
        Event::ConnectionReport(report) => Ok(report),
        other => Err(format!("not a report: {other:?}").into()),
    }
}

/// Asks the engine to remove an account and waits until it has.
async fn remove(
    handle: &engine::EngineHandle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    id: i64,
    keep_mirror: bool,
) -> Result<()> {
    handle
        .send(Command::RemoveAccount {
            account: id,
            keep_mirror,
        })
        .await?;
    wait_for(
        events,
        MINUTE,
        |e| matches!(e, Event::AccountRemoved { account } if *account == id),
    )
    .await?;
    Ok(())
}

fn inbox(store: &Store, account: i64) -> Result<i64> {
    tidings::store::folders::list(&store.reader()?, account)?
        .into_iter()
        .find(|f| f.role == tidings::store::folders::Role::Inbox)
        .map(|f| f.id)
        .ok_or_else(|| "no INBOX".into())
}

/// A one-file web server on loopback: /banner.png answers with `body`, anything else 404.
/// Returns its address and the request heads it saw.
async fn image_server(
    body: Vec<u8>,
) -> Result<(String, std::sync::Arc<std::sync::Mutex<Vec<String>>>)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let local = listener.local_addr()?;
    let address = format!("http://{local}");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = vec![0u8; 4096];
            let n = socket.read(&mut head).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&head[..n]).into_owned();
            let path = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            if let Ok(mut l) = log.lock() {
                l.push(head);
            }
            let ok = |kind: &str, bytes: &[u8]| {
                let mut r = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    bytes.len()
                )
                .into_bytes();
                r.extend_from_slice(bytes);
                r
            };
            let reply = match path.as_str() {
                "/banner.png" => ok("image/png", &body),
                // A page where a picture was promised, and a tiny file claiming a huge picture.
                "/page.png" => ok("text/html", b"<script>alert(1)</script>"),
                // 100,000 × 100,000 pixels claimed in a few bytes.
                "/bomb.png" => ok("image/png", b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x06\x00\x00\x00\xa8\x52\x0b\xc8\x00\x00\x00\x08\x49\x44\x41\x54\x78\x9c\x03\x00\x00\x00\x00\x01\x48\x06\x89\xd2\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82"),
                // A redirect that stays unencrypted.
                "/moved.png" => format!(
                    "HTTP/1.1 302 Found\r\nLocation: http://{local}/banner.png\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
                .into_bytes(),
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = socket.write_all(&reply).await;
        }
    });
    Ok((address, seen))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_remote_images_are_fetched_by_the_engine() -> Result<()> {
    let fx = Fixture::new()?;
    let banner = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/banner.png"
    ))?;
    let (web, seen) = image_server(banner.clone()).await?;
    // Loopback stands in for the sender's public web server here.
    let (handle, mut events) = fx.start_engine_with(EngineOptions {
        allow_loopback_images: true,
        ..EngineOptions::default()
    });
    let urls = vec![
        format!("{web}/banner.png"),
        format!("{web}/gone.png"),
        format!("{web}/page.png"),
        format!("{web}/bomb.png"),
        format!("{web}/moved.png"),
        // The local network stays out of reach even so.
        "http://192.168.0.1/router.png".to_owned(),
    ];
    handle
        .send(Command::FetchRemote {
            message: 7,
            urls: urls.clone(),
        })
        .await?;
    let mut results = std::collections::HashMap::new();
    while results.len() < urls.len() {
        if let Event::RemoteImage {
            message: 7,
            url,
            result,
        } = wait_for(&mut events, MINUTE, |e| {
            matches!(e, Event::RemoteImage { .. })
        })
        .await?
        {
            results.insert(url, result);
        }
    }
    assert_eq!(results.get(&urls[0]), Some(&Ok(banner)));
    assert!(
        results
            .get(&urls[1])
            .is_some_and(|r| r.as_ref().is_err_and(|e| e.contains("404"))),
        "{results:?}"
    );
    for (url, why) in urls[2..].iter().zip([
        "not a picture",
        "too large",
        "redirect",
        "not a public web address",
    ]) {
        let got = results.get(url).map(|r| r.as_ref().map(Vec::len));
        assert!(
            got.as_ref()
                .is_some_and(|r| r.as_ref().is_err_and(|e| e.contains(why))),
            "{url}: {got:?}"
        );
    }
    for head in seen.lock().map_err(|e| e.to_string())?.iter() {
        let head = head.to_ascii_lowercase();
        assert!(
            !head.contains("\r\nreferer:") && !head.contains("\r\ncookie:"),
            "{head}"
        );
    }

    handle
        .send(Command::AllowRemoteFrom {
            account: fx.account,
            sender: "News@Shop.example".into(),
        })
        .await?;
    wait_for(&mut events, MINUTE, |e| {
        matches!(e, Event::RemoteAllowed { .. })
    })
    .await?;
    assert!(tidings::store::remote_content::allowed(
        &fx.reader()?,
        fx.account,
        "news@shop.example"
    )?);
    handle.send(Command::Shutdown).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ask_each_start_account_syncs_once_its_password_is_typed() -> Result<()> {
    let servers = Servers::start()?;
    servers.seed("bob", "INBOX", 1, 3)?;
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("mirror.sqlite3"))?;
    let mut account = account_for(&servers, "bob", servers.ports.imaps, Security::Tls);
    account.password_mode = accounts::PasswordMode::Ask;
    let id = store
        .writer()
        .write_blocking(move |tx| accounts::insert(tx, &account))?;
    let (handle, mut events) = engine::spawn(
        store.clone(),
        AccountSecrets::new(),
        EngineOptions {
            extra_roots: servers.ca_der()?,
            ..EngineOptions::default()
        },
    );
    wait_for(&mut events, MINUTE, |e| {
        matches!(e, Event::Error { account, kind: engine::ErrorKind::NoPassword, .. } if *account == id)
    })
    .await?;
    handle
        .send(Command::ProvidePassword {
            account: id,
            passwords: vec![(Protocol::Imap, servers.user("bob").password)].into(),
        })
        .await?;
    wait_for(
        &mut events,
        MINUTE,
        |e| matches!(e, Event::SyncDone { account, full: true } if *account == id),
    )
    .await?;
    assert_eq!(
        messages::page(&store.reader()?, inbox(&store, id)?, 0, 10)?.len(),
        3
    );
    // Kept in memory only: nothing went to the keyring for an "ask" account.
    let row = accounts::get(&store.reader()?, id)?.ok_or("no row")?;
    let mut as_keyring = row.clone();
    as_keyring.password_mode = accounts::PasswordMode::Keyring;
    assert!(matches!(
        stored_password(&as_keyring).await?,
        Err(SecretError::Missing)
    ));
    handle.send(Command::Shutdown).await?;
    Ok(())
}
