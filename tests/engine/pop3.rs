//! POP3 download mode against the harness Dovecot: bytes intact, each deletion policy, kills,
//! errors, and IMAP + POP3 on one account without duplicates.

use std::process::Stdio;
use std::time::Duration;

use tidings::engine::{Change, Command, ErrorKind, Event};
use tidings::protocols::pop3::{self, Pop3Login};
use tidings::store::accounts::{Account, Security};
use tidings::store::{bodies, messages};

use crate::fixture::{Fixture, account_for, error_kinds, wait_for};
use crate::harness::{HOST, NO_TLS_HOST, Result, Servers, seed};

fn pop3_account(s: &Servers, port: u16, security: Security, imap: bool) -> Account {
    let mut a = account_for(s, "alice", s.ports.imaps, Security::Tls);
    a.imap.enabled = imap;
    a.pop3.enabled = true;
    a.pop3.port = port;
    a.pop3.security = security;
    a
}

fn fixture(servers: Servers, edit: impl FnOnce(&mut Account)) -> Result<Fixture> {
    let port = servers.ports.pop3s;
    Fixture::pop3(servers, port, edit)
}

/// (uidl, bytes) of every message on the server, through an independent POP3 session.
async fn server_side(fx: &Fixture) -> Result<Vec<Vec<u8>>> {
    let login = Pop3Login {
        host: HOST.into(),
        port: fx.servers.ports.pop3s,
        security: Security::Tls,
        username: fx.servers.user("alice").address,
        password: fx.password.clone(),
    };
    let config = tidings::protocols::tls::client_config(&fx.servers.ca_der()?)?;
    // The engine's session may still hold the mailbox lock for a moment after its QUIT.
    let mut tries = 0;
    let mut session = loop {
        match pop3::connect(&login, config.clone()).await {
            Err(pop3::Pop3Error::AuthFailed { message, .. })
                if message.contains("[IN-USE]") && tries < 10 =>
            {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => break other?,
        }
    };
    let mut out = Vec::new();
    for (n, _) in session.uidl().await? {
        out.push(session.retr(n).await?);
    }
    session.quit().await?;
    Ok(out)
}

fn local_bodies(fx: &Fixture) -> Result<Vec<Vec<u8>>> {
    let reader = fx.reader()?;
    let mut stmt = reader.prepare(
        "SELECT m.id FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.source = 'local'",
    )?;
    let ids: Vec<i64> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    ids.into_iter()
        .map(|id| Ok(bodies::get(&reader, id)?.unwrap_or_default()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn download_keeps_every_byte_once() -> Result<()> {
    let fx = fixture(Servers::start()?, |_| {})?;
    fx.servers.seed("alice", "INBOX", 0, 40)?;
    let dots: &[u8] = b"From: a@x.org\r\nSubject: dots\r\nMessage-ID: <dots@x>\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n";
    fx.servers.deliver_raw("alice", "INBOX", "dots", dots)?;
    let (gbk, _, _) = encoding_rs::GBK.encode("中文正文，八位字节。");
    let mut eight = b"From: b@x.org\r\nSubject: gbk\r\nMessage-ID: <gbk@x>\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".to_vec();
    eight.extend_from_slice(&gbk);
    eight.extend_from_slice(b"\r\n");
    fx.servers.deliver_raw("alice", "INBOX", "gbk", &eight)?;
    let mut huge = b"From: c@x.org\r\nSubject: huge\r\nMessage-ID: <huge@x>\r\n\r\n".to_vec();
    for _ in 0..(10 * 1024 * 1024 / 76) {
        huge.extend_from_slice(&[b'A'; 74]);
        huge.extend_from_slice(b"\r\n");
    }
    fx.servers.deliver_raw("alice", "INBOX", "huge", &huge)?;

    let events = fx.sync_once().await?;
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{events:?}"
    );
    let mut local = local_bodies(&fx)?;
    let mut server = server_side(&fx).await?;
    local.sort();
    server.sort();
    assert_eq!(local.len(), 43);
    assert!(local == server, "local bytes differ from the server's");
    // Dot-stuffed lines, 8-bit GBK and 10 MB come back exactly as delivered.
    for raw in [dots, &eight[..], &huge[..]] {
        assert!(
            local.iter().any(|b| b == raw),
            "a message changed on the way"
        );
    }
    assert!(
        local.contains(&seed::message(9).0),
        "the 1 MB attachment message changed"
    );
    // A second pass downloads nothing again.
    fx.sync_once().await?;
    assert_eq!(local_bodies(&fx)?.len(), 43);
    // Leave on server (the default): all still there.
    assert_eq!(server_side(&fx).await?.len(), 43);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_right_after_download() -> Result<()> {
    let fx = fixture(Servers::start()?, |a| {
        a.pop3_options.leave_on_server = false
    })?;
    fx.servers.seed("alice", "INBOX", 0, 12)?;
    fx.sync_once().await?;
    assert_eq!(local_bodies(&fx)?.len(), 12);
    assert!(server_side(&fx).await?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_after_some_days() -> Result<()> {
    let fx = fixture(Servers::start()?, |a| a.pop3_options.delete_after_days = 7)?;
    fx.servers.seed("alice", "INBOX", 0, 6)?;
    fx.sync_once().await?;
    assert_eq!(server_side(&fx).await?.len(), 6);
    // Two of them were downloaded eight days ago.
    fx.store.writer().write_blocking(|tx| {
        tx.execute(
            "UPDATE pop3_uidls SET downloaded_at = downloaded_at - 8 * 86400 \
             WHERE uidl IN (SELECT uidl FROM pop3_uidls ORDER BY uidl LIMIT 2)",
            [],
        )
        .map_err(|e| tidings::store::StoreError::Corrupt(e.to_string()))?;
        Ok(())
    })?;
    fx.sync_once().await?;
    assert_eq!(server_side(&fx).await?.len(), 4);
    assert_eq!(local_bodies(&fx)?.len(), 6);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_on_the_server_when_deleted_here() -> Result<()> {
    let fx = fixture(Servers::start()?, |a| {
        a.pop3_options.delete_when_deleted_locally = true
    })?;
    fx.servers.seed("alice", "INBOX", 0, 5)?;
    let (handle, mut events) = fx.start_engine();
    wait_for(&mut events, Duration::from_secs(30), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    let victim = messages::by_rfc_message_id(&fx.reader()?, fx.account, "seed-2@tidings.test")?
        .first()
        .map(|m| m.id)
        .ok_or("not downloaded")?;
    handle
        .send(Command::Change(Change::Delete {
            messages: vec![victim],
        }))
        .await?;
    wait_for(&mut events, Duration::from_secs(30), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    handle.send(Command::Shutdown).await?;
    let server = server_side(&fx).await?;
    assert_eq!(server.len(), 4);
    assert!(
        !server
            .iter()
            .any(|b| String::from_utf8_lossy(b).contains("seed-2@"))
    );
    assert_eq!(local_bodies(&fx)?.len(), 4);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kills_lose_nothing_and_duplicate_nothing() -> Result<()> {
    let fx = fixture(Servers::start()?, |_| {})?;
    fx.servers.seed("alice", "INBOX", 0, 3000)?;
    let mut child = fx
        .cli()?
        .args(["sync", "--once", "--account", "alice@tidings.test"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Killed once some downloads are committed (the store tells; progress lines are sparse).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline && local_bodies(&fx)?.len() < 100 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill()?;
    child.wait()?;
    let partial = local_bodies(&fx)?.len();
    assert!(partial > 0 && partial < 3000, "{partial}");
    fx.sync_once().await?;
    assert_eq!(local_bodies(&fx)?.len(), 3000);
    let distinct: i64 = fx.reader()?.query_row(
        "SELECT count(DISTINCT rfc_message_id) FROM messages",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(distinct, 3000);

    // The state a kill between commit and DELE leaves: downloaded, still on the server. With
    // the policy switched to delete, the next pass deletes without downloading again.
    let id = fx.account;
    fx.store.writer().write_blocking(move |tx| {
        let mut a = tidings::store::accounts::get(tx, id)?
            .ok_or(tidings::store::StoreError::Corrupt("account".into()))?;
        a.pop3_options.leave_on_server = false;
        tidings::store::accounts::update(tx, &a)
    })?;
    fx.sync_once().await?;
    assert!(server_side(&fx).await?.is_empty());
    assert_eq!(local_bodies(&fx)?.len(), 3000);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_clear_and_lose_nothing() -> Result<()> {
    let fx = fixture(Servers::start()?, |_| {})?;
    fx.servers.seed("alice", "INBOX", 0, 3)?;
    assert_eq!(
        error_kinds(&fx.sync_once_with("wrong").await?),
        [ErrorKind::AuthFailed]
    );

    let servers = Servers::start()?;
    let port = servers.ports.pop3_no_tls;
    let fx = Fixture::with_account(
        servers,
        move |s| {
            let mut a = pop3_account(s, port, Security::StartTls, false);
            a.pop3.host = NO_TLS_HOST.into();
            a
        },
        true,
    )?;
    assert_eq!(
        error_kinds(&fx.sync_once().await?),
        [ErrorKind::StartTlsUnavailable]
    );

    let servers = Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::with_account(
        servers,
        move |s| pop3_account(s, port, Security::Tls, false),
        false,
    )?;
    assert_eq!(
        error_kinds(&fx.sync_once().await?),
        [ErrorKind::TlsNotTrusted]
    );
    assert!(local_bodies(&fx)?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_closing_mid_download_loses_nothing() -> Result<()> {
    let mut fx = fixture(Servers::start()?, |_| {})?;
    fx.servers.seed("alice", "INBOX", 0, 3000)?;
    let (handle, mut events) = fx.start_engine();
    wait_for(
        &mut events,
        Duration::from_secs(60),
        |e| matches!(e, Event::SyncProgress { done, .. } if *done >= 50),
    )
    .await?;
    fx.servers.restart_dovecot()?;
    wait_for(&mut events, Duration::from_secs(30), |e| {
        matches!(e, Event::Error { .. })
    })
    .await?;
    handle.send(Command::Shutdown).await?;
    fx.sync_once().await?;
    assert_eq!(local_bodies(&fx)?.len(), 3000);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_and_pop3_on_one_account_show_each_message_once() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::with_account(
        servers,
        move |s| pop3_account(s, port, Security::Tls, true),
        true,
    )?;
    fx.servers.seed("alice", "INBOX", 0, 20)?;
    fx.sync_once().await?;
    fx.sync_once().await?;
    let total: i64 = fx
        .reader()?
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
    let distinct: i64 = fx.reader()?.query_row(
        "SELECT count(DISTINCT rfc_message_id) FROM messages",
        [],
        |r| r.get(0),
    )?;
    assert_eq!((total, distinct), (20, 20), "a message shows twice");
    let seen: i64 = fx.reader()?.query_row(
        "SELECT count(*) FROM pop3_uidls WHERE downloaded_at > 0",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(
        seen, 20,
        "POP3 must record what it saw, even when not shown"
    );
    Ok(())
}

/// Turns IMAP on for the fixture's account, as the settings switch does.
fn switch_imap_on(fx: &Fixture) -> Result<()> {
    let id = fx.account;
    fx.store.writer().write_blocking(move |tx| {
        let mut account = tidings::store::accounts::get(tx, id)?.ok_or_else(|| {
            tidings::store::StoreError::Corrupt("the fixture's account is gone".into())
        })?;
        account.imap.enabled = true;
        tidings::store::accounts::update(tx, &account)
    })?;
    Ok(())
}

/// The one message of the account's POP3 folder: downloaded with IMAP off, then gone from the
/// server (another client deleted it), then IMAP switched on.
async fn only_a_pop3_copy(fx: &Fixture) -> Result<i64> {
    fx.servers.seed("alice", "INBOX", 1, 1)?;
    fx.sync_once().await?;
    let id: i64 = fx
        .reader()?
        .query_row("SELECT id FROM messages", [], |r| r.get(0))?;
    for sub in ["cur", "new"] {
        for entry in std::fs::read_dir(fx.servers.maildir("alice", "INBOX").join(sub))? {
            std::fs::remove_file(entry?.path())?;
        }
    }
    switch_imap_on(fx)?;
    Ok(id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marking_a_pop3_copy_read_never_stops_new_mail_over_imap() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::with_account(
        servers,
        move |s| pop3_account(s, port, Security::Tls, false),
        true,
    )?;
    let copy = only_a_pop3_copy(&fx).await?;
    fx.change_while_offline(Change::SetSeen {
        messages: vec![copy],
        seen: true,
    })
    .await?;
    fx.change_while_offline(Change::SetFlagged {
        messages: vec![copy],
        flagged: true,
    })
    .await?;
    let queued: i64 = fx
        .reader()?
        .query_row("SELECT count(*) FROM pending_actions", [], |r| r.get(0))?;
    assert_eq!(queued, 0, "a POP3 copy has no server to tell");
    let seen: bool =
        fx.reader()?
            .query_row("SELECT seen FROM messages WHERE id = ?1", [copy], |r| {
                r.get(0)
            })?;
    assert!(seen, "the local change stays");
    fx.servers.seed("alice", "INBOX", 2, 1)?;
    let events = fx.sync_once().await?;
    assert!(error_kinds(&events).is_empty(), "{events:?}");
    // The IMAP pass ran to the end: it mirrored the server's Inbox (POP3, running beside it,
    // may have been first to the new message; it is kept once either way).
    let uidvalidity: u32 = fx.reader()?.query_row(
        "SELECT uidvalidity FROM folders WHERE source = 'imap' AND wire_name = 'INBOX'",
        [],
        |r| r.get(0),
    )?;
    assert!(uidvalidity > 0, "the server's Inbox was never synced");
    let arrived: i64 = fx.reader()?.query_row(
        "SELECT count(*) FROM messages WHERE rfc_message_id = 'seed-2@tidings.test'",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(arrived, 1, "new mail arrives, once");
    // The copy the server does not have is listed once, as what it is: not a second inbox.
    let listed = fx.cli()?.args(["folder", "list"]).output()?;
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{text}");
    assert_eq!(text.matches("\tinbox").count(), 1, "{text}");
    assert!(text.contains("\tDownloaded (POP3)\tpop3"), "{text}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_pop3_copy_into_a_server_folder_uploads_it_once() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::with_account(
        servers,
        move |s| pop3_account(s, port, Security::Tls, false),
        true,
    )?;
    let copy = only_a_pop3_copy(&fx).await?;
    // The first IMAP pass makes the server's folders known.
    fx.sync_once().await?;
    let inbox = fx.reader()?.query_row(
        "SELECT id FROM folders WHERE source = 'imap' AND role = 'inbox'",
        [],
        |r| r.get::<_, i64>(0),
    )?;
    fx.change_while_offline(Change::SetSeen {
        messages: vec![copy],
        seen: true,
    })
    .await?;
    fx.change_while_offline(Change::Move {
        messages: vec![copy],
        folder: inbox,
    })
    .await?;
    let events = fx.sync_once().await?;
    assert!(error_kinds(&events).is_empty(), "{events:?}");
    let mut session = fx.other_session().await?;
    let on_server = crate::fixture::server_state(&mut session, "INBOX").await?;
    assert_eq!(on_server.len(), 1, "{on_server:?}");
    assert_eq!(on_server[0].1, "seed-1@tidings.test");
    assert!(
        on_server[0].2.iter().any(|f| f.contains("Seen")),
        "the flags go with it: {on_server:?}"
    );
    let rows: Vec<(i64, u32, String)> = fx
        .reader()?
        .prepare("SELECT folder_id, uid, rfc_message_id FROM messages")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<std::result::Result<_, _>>()?;
    assert_eq!(rows.len(), 1, "one copy, not two: {rows:?}");
    assert_eq!(rows[0].0, inbox);
    assert!(
        rows[0].1 > 0,
        "the server's copy is the one mirrored: {rows:?}"
    );
    fx.sync_once().await?;
    let total: i64 = fx
        .reader()?
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?;
    assert_eq!(total, 1, "a later sync (and POP3) adds no duplicate");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_the_server_keeps_refusing_is_set_aside_and_mail_goes_on() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 1, 1)?;
    fx.sync_once().await?;
    let message: i64 = fx
        .reader()?
        .query_row("SELECT id FROM messages", [], |r| r.get(0))?;
    // A folder we think exists but the server does not have: every MOVE into it is refused.
    let account = fx.account;
    let gone = fx.store.writer().write_blocking(move |tx| {
        let folder = tidings::store::folders::Folder::new_imap(
            account,
            "Vanished",
            "Vanished",
            tidings::store::folders::Role::Other,
        );
        tidings::store::folders::insert(tx, &folder)
    })?;
    fx.change_while_offline(Change::Move {
        messages: vec![message],
        folder: gone,
    })
    .await?;
    for round in 0..tidings::store::actions::SET_ASIDE_AFTER + 1 {
        fx.servers
            .seed("alice", "INBOX", 10 + u64::from(round), 1)?;
        let events = fx.sync_once().await?;
        let arrived = fx
            .mirrored("INBOX")?
            .iter()
            .any(|(_, id)| *id == format!("seed-{}@tidings.test", 10 + round));
        assert!(arrived, "round {round}: new mail is held up: {events:?}");
    }
    let (attempts, error): (u32, String) = fx.reader()?.query_row(
        "SELECT attempts, last_error FROM pending_actions",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    assert_eq!(
        attempts,
        tidings::store::actions::SET_ASIDE_AFTER,
        "set aside after a few tries, then left alone"
    );
    assert!(
        !error.is_empty(),
        "the server's reason is kept for the user"
    );
    Ok(())
}
