//! Faults on the wire, through the harness's fault-injecting proxy between Tidings and the
//! real servers: each run ends with the mirror compared to the server, nothing lost and
//! nothing twice.

use std::collections::HashSet;

use futures::TryStreamExt;
use tidings::store::accounts::Security;
use tidings::store::bodies;

use crate::fixture::{Fixture, account_for, server_state};
use crate::harness::proxy::{Faults, Proxy};
use crate::harness::{Result, Servers};

/// Offsets that cover a whole transfer, the same every run (xorshift).
fn offsets(seed: u64, count: usize, below: u64) -> Vec<u64> {
    let mut x = seed;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            200 + x % below
        })
        .collect()
}

/// An IMAP account on `port` (the proxy) with `security`.
fn through(servers: Servers, port: u16, security: Security) -> Result<Fixture> {
    Fixture::with_account(
        servers,
        move |s| account_for(s, "alice", port, security),
        true,
    )
}

/// The mirror of INBOX equals the server's, each message once and with its body.
async fn assert_exact_mirror(fx: &Fixture) -> Result<usize> {
    let mut other = fx.other_session().await?;
    let server = server_state(&mut other, "INBOX").await?;
    other.logout().await?;
    let mirrored = fx.mirrored("INBOX")?;
    let server_ids: Vec<(u32, String)> = server.iter().map(|(u, m, _)| (*u, m.clone())).collect();
    assert_eq!(mirrored, server_ids, "the mirror differs from the server");
    let unique: HashSet<&String> = mirrored.iter().map(|(_, m)| m).collect();
    assert_eq!(unique.len(), mirrored.len(), "a message is mirrored twice");
    let reader = fx.reader()?;
    let without: i64 = reader.query_row(
        "SELECT COUNT(*) FROM messages m LEFT JOIN message_bodies b ON b.message_id = m.id \
         WHERE b.message_id IS NULL",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(without, 0, "bodies missing after the last sync");
    let _ = bodies::get(&reader, 0)?;
    Ok(mirrored.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_sync_cut_at_fifty_offsets_resumes_to_an_exact_mirror() -> Result<()> {
    let servers = Servers::start()?;
    let proxy = Proxy::start(servers.ports.imaps).await?;
    let fx = through(servers, proxy.port, Security::Tls)?;
    fx.servers.seed("alice", "INBOX", 0, 120)?;
    for offset in offsets(0x9e37_79b9, 50, 2_500_000) {
        proxy.set(Faults {
            cut_to_client_after: Some(offset),
            reset: offset % 2 == 0,
            once: true,
            ..Faults::default()
        });
        // A cut pass fails (or finishes early, if the cut came late): either is fine.
        let _ = fx.sync_once().await?;
    }
    proxy.set(Faults::default());
    fx.sync_once().await?;
    assert_eq!(assert_exact_mirror(&fx).await?, 120);
    assert!(proxy.connections() >= 51);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_refusing_uid_lists_is_synced_one_range_at_a_time() -> Result<()> {
    let servers = Servers::start()?;
    let proxy = Proxy::start(servers.ports.imap).await?;
    let fx = through(servers, proxy.port, Security::Plain)?;
    fx.servers.seed("alice", "INBOX", 0, 30)?;
    // Gaps in the UIDs, so the missing messages make a UID list ("1:4,6:9,...").
    let mut other = fx.other_session().await?;
    other.select("INBOX").await?;
    let _: Vec<_> = other
        .uid_store("5,10,15", "+FLAGS (\\Deleted)")
        .await?
        .try_collect()
        .await?;
    let _: Vec<_> = other.expunge().await?.try_collect().await?;
    other.logout().await?;
    proxy.set(Faults {
        bad_uid_lists: true,
        ..Faults::default()
    });
    let events = fx.sync_once().await?;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, tidings::engine::Event::Error { .. })),
        "{events:?}"
    );
    assert_eq!(assert_exact_mirror(&fx).await?, 27);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_cut_anywhere_keeps_every_message_once_here_or_there() -> Result<()> {
    let servers = Servers::start()?;
    let proxy = Proxy::start(servers.ports.pop3s).await?;
    let port = proxy.port;
    let fx = Fixture::pop3(servers, port, |a| {
        // Deleted from the server once downloaded: the cut between RETR and DELE matters.
        a.pop3_options.leave_on_server = false;
    })?;
    let seeded: HashSet<String> = fx
        .servers
        .seed("alice", "INBOX", 0, 60)?
        .into_iter()
        .map(|s| s.message_id)
        .collect();
    let check = |fx: &Fixture| -> Result<(usize, usize)> {
        let reader = fx.reader()?;
        let mut stmt = reader.prepare("SELECT rfc_message_id FROM messages")?;
        let local: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        let unique: HashSet<&String> = local.iter().collect();
        assert_eq!(unique.len(), local.len(), "a message was downloaded twice");
        let on_server = crate::harness::seed::count_files(&fx.servers.maildir("alice", "INBOX"))?;
        // Never neither: what is not here is still on the server.
        assert!(
            local.len() + on_server >= seeded.len(),
            "lost: {} here, {on_server} on the server",
            local.len()
        );
        Ok((local.len(), on_server))
    };
    for offset in offsets(0x51ed_2701, 20, 1_500_000) {
        proxy.set(Faults {
            cut_to_client_after: Some(offset),
            reset: offset % 3 == 0,
            once: true,
            ..Faults::default()
        });
        let _ = fx.sync_once().await?;
        check(&fx)?;
    }
    proxy.set(Faults::default());
    fx.sync_once().await?;
    // Dovecot may hold the mailbox lock a moment after a cut session.
    let mut last = check(&fx)?;
    for _ in 0..5 {
        if last.1 == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        fx.sync_once().await?;
        last = check(&fx)?;
    }
    assert_eq!(
        last,
        (seeded.len(), 0),
        "all downloaded, none left on the server"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_cut_anywhere_delivers_once_or_says_it_may_have() -> Result<()> {
    use tidings::engine::outbox::SendOutcome;
    use tidings::engine::{EngineOptions, Event};
    let servers = Servers::start()?;
    let proxy = Proxy::start(servers.ports.submissions).await?;
    let fx = crate::send::sender(servers, proxy.port, Security::Tls, true)?;
    let password = fx.password.clone();
    // Cuts in both directions, over the whole session: before MAIL, inside DATA, and after
    // the final "." but before the server's answer arrives.
    let mut cuts: Vec<(bool, u64)> = offsets(0x2545_f491, 10, 9_000)
        .into_iter()
        .map(|o| (true, o))
        .collect();
    cuts.extend(
        offsets(0x6a09_e667, 10, 9_000)
            .into_iter()
            .map(|o| (false, o)),
    );
    let mut outcomes = Vec::new();
    for (n, (to_server, offset)) in cuts.into_iter().enumerate() {
        proxy.set(Faults {
            cut_to_server_after: to_server.then_some(offset),
            cut_to_client_after: (!to_server).then_some(offset),
            once: true,
            ..Faults::default()
        });
        let subject = format!("cut {n:02}");
        let (_, events) = crate::send::send_with(&fx, &password, &subject).await?;
        let outcome = events.into_iter().find_map(|e| match e {
            Event::SendResult { outcome, .. } => Some(outcome),
            _ => None,
        });
        // What waits for a retry goes with the next pass, without faults; the next attempt
        // starts with nothing else queued.
        proxy.set(Faults::default());
        fx.sync_once_options(
            &password,
            EngineOptions {
                send_only: true,
                ..EngineOptions::default()
            },
        )
        .await?;
        outcomes.push((subject, outcome));
    }
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let inbox = crate::send::messages_of(&fx, "bob", "INBOX").await?;
    let copies = |subject: &str| {
        inbox
            .iter()
            .filter(|m| String::from_utf8_lossy(m).contains(&format!("Subject: {subject}\r\n")))
            .count()
    };
    let mut uncertain = 0;
    for (subject, outcome) in &outcomes {
        match outcome {
            Some(SendOutcome::MayHaveBeenSent) => {
                uncertain += 1;
                assert!(copies(subject) <= 1, "{subject} was delivered twice");
            }
            Some(SendOutcome::Sent | SendOutcome::Retrying(_)) => {
                assert_eq!(copies(subject), 1, "{subject}: {outcome:?}");
            }
            other => return Err(format!("{subject}: {other:?}").into()),
        }
    }
    assert!(outcomes.len() - uncertain >= 10, "{outcomes:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silently_dropped_idle_connection_is_noticed_and_new_mail_still_arrives() -> Result<()> {
    use std::time::{Duration, Instant};
    use tidings::engine::{Command, EngineOptions, Event};
    let servers = Servers::start()?;
    let proxy = Proxy::start(servers.ports.imaps).await?;
    let fx = through(servers, proxy.port, Security::Tls)?;
    fx.servers.seed("alice", "INBOX", 0, 3)?;
    let (handle, mut events) = fx.start_engine_with(EngineOptions {
        idle_keepalive: Duration::from_secs(2),
        ..EngineOptions::default()
    });
    crate::fixture::wait_for(&mut events, Duration::from_secs(30), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    // The main connection came first; the second one is IDLE's.
    let deadline = Instant::now() + Duration::from_secs(10);
    while proxy.connections() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.silence(1);
    fx.servers.deliver_raw(
        "alice",
        "INBOX",
        "after-the-drop",
        b"From: a@x.org\r\nSubject: after the drop\r\nMessage-ID: <drop@x>\r\n\r\nhello\r\n",
    )?;
    // Noticed within the keepalive (and the answer timeout), reconnected, synced.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut found = false;
    while Instant::now() < deadline {
        if fx.mirrored("INBOX")?.iter().any(|(_, id)| id == "drop@x") {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    handle.send(Command::Shutdown).await?;
    assert!(found, "new mail after a silent drop never arrived");
    assert!(proxy.connections() >= 3, "IDLE never connected again");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_while_filing_the_sent_copy_still_files_exactly_one() -> Result<()> {
    use tidings::engine::EngineOptions;
    let servers = Servers::start()?;
    let proxy = Proxy::start(servers.ports.imaps).await?;
    let (imap_port, smtp_port) = (proxy.port, servers.ports.submissions);
    let fx = Fixture::with_account(
        servers,
        move |s| {
            let mut a = account_for(s, "alice", imap_port, Security::Tls);
            a.smtp.enabled = true;
            a.smtp.port = smtp_port;
            // Tidings files the Sent copy itself, over the cut connection.
            a.provider_saves_sent = false;
            a
        },
        true,
    )?;
    let password = fx.password.clone();
    let once_sending = || EngineOptions {
        send_only: true,
        ..EngineOptions::default()
    };
    for (n, offset) in offsets(0x3c6e_f372, 8, 9_000).into_iter().enumerate() {
        proxy.set(Faults {
            cut_to_client_after: (n % 2 == 0).then_some(offset),
            cut_to_server_after: (n % 2 == 1).then_some(offset),
            once: true,
            ..Faults::default()
        });
        crate::send::send_with(&fx, &password, &format!("filed {n}")).await?;
        // The next start files what is missing, and looks before it files.
        proxy.set(Faults::default());
        fx.sync_once_options(&password, once_sending()).await?;
    }
    let sent = crate::send::messages_of(&fx, "alice", "Sent").await?;
    for n in 0..8 {
        let subject = format!("Subject: filed {n}\r\n");
        let copies = sent
            .iter()
            .filter(|m| String::from_utf8_lossy(m).contains(&subject))
            .count();
        assert_eq!(copies, 1, "filed {n}: {copies} Sent copies");
    }
    let reader = fx.reader()?;
    let left: i64 = reader.query_row("SELECT COUNT(*) FROM outbox", [], |r| r.get(0))?;
    assert_eq!(left, 0, "every item finished");
    Ok(())
}
