//! Messages over the size limit: listed from their headers, never downloaded, never deleted
//! from the server, and they block nothing after them — over IMAP and POP3 against Dovecot,
//! and against a hostile POP3 server that announces small sizes and sends a huge message.

use std::time::Duration;

use tidings::engine::{EngineOptions, Event};
use tidings::store::accounts::Security;
use tidings::store::bodies;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::fixture::{Fixture, account_for};
use crate::harness::{HOST, Result, Servers};

const LIMIT: u64 = 1024 * 1024;

fn limited() -> EngineOptions {
    EngineOptions {
        max_message_bytes: LIMIT,
        ..EngineOptions::default()
    }
}

fn message(id: &str, body_bytes: usize) -> Vec<u8> {
    let mut raw = format!(
        "From: big@example.org\r\nTo: alice@tidings.test\r\nSubject: {id}\r\nMessage-ID: <{id}@example.org>\r\n\r\n"
    )
    .into_bytes();
    let line = [b'Z'; 98];
    for _ in 0..body_bytes / 100 {
        raw.extend_from_slice(&line);
        raw.extend_from_slice(b"\r\n");
    }
    raw
}

/// (subject, has a body, size) of every local message, by subject.
fn local(fx: &Fixture) -> Result<Vec<(String, bool, u64)>> {
    let reader = fx.reader()?;
    let mut stmt = reader.prepare("SELECT id, subject, size FROM messages ORDER BY subject")?;
    let rows: Vec<(i64, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<std::result::Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, subject, size)| Ok((subject, bodies::get(&reader, id)?.is_some(), size as u64)))
        .collect()
}

fn no_errors(events: &[Event]) {
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{events:?}"
    );
}

fn deliver_mix(fx: &Fixture) -> Result<()> {
    for (name, size) in [
        ("a-small", 2_000),
        ("b-huge", 3 * 1024 * 1024),
        ("c-small", 5_000),
    ] {
        fx.servers
            .deliver_raw("alice", "INBOX", name, &message(name, size))?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_lists_an_oversized_message_without_its_body() -> Result<()> {
    let fx = Fixture::new()?;
    deliver_mix(&fx)?;
    no_errors(&fx.sync_once_options(&fx.password, limited()).await?);
    let got = local(&fx)?;
    assert_eq!(
        got.iter()
            .map(|(s, b, _)| (s.as_str(), *b))
            .collect::<Vec<_>>(),
        vec![("a-small", true), ("b-huge", false), ("c-small", true)]
    );
    assert!(got[1].2 > LIMIT, "the list shows its real size");
    // Later syncs neither fail nor ask for it again.
    no_errors(&fx.sync_once_options(&fx.password, limited()).await?);
    assert_eq!(local(&fx)?, got);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_lists_an_oversized_message_and_leaves_it_on_the_server() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::pop3(servers, port, |a| {
        // Delete what was downloaded: the big one was not, so it must stay.
        a.pop3_options.leave_on_server = false;
    })?;
    deliver_mix(&fx)?;
    no_errors(&fx.sync_once_options(&fx.password, limited()).await?);
    let got = local(&fx)?;
    assert_eq!(
        got.iter()
            .map(|(s, b, _)| (s.as_str(), *b))
            .collect::<Vec<_>>(),
        vec![("a-small", true), ("b-huge", false), ("c-small", true)]
    );
    assert!(got[1].2 > LIMIT);
    let on_server = crate::harness::seed::count_files(&fx.servers.maildir("alice", "INBOX"))?;
    assert_eq!(
        on_server, 1,
        "only the message not downloaded stays on the server"
    );
    no_errors(&fx.sync_once_options(&fx.password, limited()).await?);
    assert_eq!(local(&fx)?, got, "nothing listed twice");
    Ok(())
}

/// A POP3 server that says every message is 100 bytes and then sends 3 MB for message 1.
/// Plain text on loopback; it answers a few sessions and stops.
async fn lying_pop3() -> Result<u16> {
    let listener = tokio::net::TcpListener::bind((HOST, 0)).await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        for _ in 0..4 {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            if write.write_all(b"+OK liar ready\r\n").await.is_err() {
                continue;
            }
            while let Ok(Some(line)) = lines.next_line().await {
                let command = line
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_ascii_uppercase();
                let reply: Vec<u8> = match command.as_str() {
                    "CAPA" => b"-ERR no\r\n".to_vec(),
                    "USER" | "PASS" | "NOOP" | "DELE" => b"+OK\r\n".to_vec(),
                    "UIDL" => b"+OK\r\n1 huge-1\r\n2 small-2\r\n.\r\n".to_vec(),
                    "LIST" => b"+OK\r\n1 100\r\n2 100\r\n.\r\n".to_vec(),
                    "RETR" if line.ends_with(" 1") => {
                        let mut r = b"+OK\r\n".to_vec();
                        r.extend_from_slice(&message("huge-liar", 3 * 1024 * 1024));
                        r.extend_from_slice(b".\r\n");
                        r
                    }
                    "RETR" => {
                        let mut r = b"+OK\r\n".to_vec();
                        r.extend_from_slice(&message("small-honest", 50));
                        r.extend_from_slice(b".\r\n");
                        r
                    }
                    "QUIT" => {
                        let _ = write.write_all(b"+OK bye\r\n").await;
                        break;
                    }
                    _ => b"-ERR unknown\r\n".to_vec(),
                };
                // The client may hang up in the middle of a huge answer: that is the point.
                if write.write_all(&reply).await.is_err() {
                    break;
                }
            }
        }
    });
    Ok(port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_lying_about_sizes_cannot_make_us_hold_more() -> Result<()> {
    let port = lying_pop3().await?;
    let fx = Fixture::with_account(
        Servers::start()?,
        move |s| {
            let mut a = account_for(s, "alice", s.ports.imaps, Security::Plain);
            a.imap.enabled = false;
            a.pop3.enabled = true;
            a.pop3.host = HOST.into();
            a.pop3.port = port;
            a.pop3.security = Security::Plain;
            a
        },
        false,
    )?;
    // The first pass stops at the liar's message: it is listed from its first bytes.
    let events = fx.sync_once_options(&fx.password, limited()).await?;
    assert!(
        events.iter().any(|e| matches!(e, Event::Error { message, .. } if message.contains("larger than the limit"))),
        "{events:?}"
    );
    // The next pass goes on without it and downloads the honest one.
    tokio::time::sleep(Duration::from_millis(100)).await;
    no_errors(&fx.sync_once_options(&fx.password, limited()).await?);
    let got = local(&fx)?;
    assert_eq!(
        got.iter()
            .map(|(s, b, _)| (s.as_str(), *b))
            .collect::<Vec<_>>(),
        vec![("huge-liar", false), ("small-honest", true)]
    );
    Ok(())
}
