//! "Search on the server" against the harness Dovecot: mail outside the sync window (no body
//! here) and mail the mirror has not seen are found by UID SEARCH, merged newest first, and
//! their bodies downloaded so the local search finds them next; Chinese text in a GBK body
//! goes as a UTF-8 literal; a refused charset is retried without it for ASCII text. A message
//! outside the window that the user opens is downloaded on request.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tidings::engine::{Command, Event};
use tidings::protocols::imap::search::{Literals, SearchError, uid_search};
use tidings::search::server::Key;
use tidings::search::{Order, Scope};
use tidings::store::accounts::Security;

use crate::fixture::{Fixture, account_for, wait_for};
use crate::harness::{Result, Servers};

/// A plain-text message dated `date` (RFC 5322), its body in `charset`.
fn message(id: &str, date: &str, subject: &str, charset: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "From: Bob <bob@tidings.test>\r\nTo: alice@tidings.test\r\nSubject: {subject}\r\n\
         Message-ID: <{id}@tidings.test>\r\nDate: {date}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw.extend_from_slice(b"\r\n");
    raw
}

/// 季度报告 in GBK.
const GBK_REPORT: &[u8] = b"\xbc\xbe\xb6\xc8\xb1\xa8\xb8\xe6";

/// Alice with a 30-day sync window and, in INBOX, three walrus messages (two old, so no body
/// mirrored; one recent) and an old one without; Archive holds one more old message.
fn windowed() -> Result<Fixture> {
    let servers = Servers::start()?;
    let port = servers.ports.imaps;
    let fx = Fixture::with_account(
        servers,
        |s| {
            let mut a = account_for(s, "alice", port, Security::Tls);
            a.sync_window_days = 30;
            a
        },
        true,
    )?;
    let recent = chrono::Utc::now().to_rfc2822();
    let mut gbk = b"Minutes: ".to_vec();
    gbk.extend_from_slice(GBK_REPORT);
    gbk.extend_from_slice(b" and the walrus budget.");
    let mail = [
        (
            "old-ledger",
            "Mon, 06 Jan 2020 09:00:00 +0000",
            "Ledger",
            "utf-8",
            b"The walrus ledger is attached in spirit.".to_vec(),
        ),
        (
            "old-gbk",
            "Tue, 07 Jan 2020 09:00:00 +0000",
            "Minutes",
            "gbk",
            gbk,
        ),
        (
            "old-other",
            "Wed, 08 Jan 2020 09:00:00 +0000",
            "Other",
            "utf-8",
            b"Nothing to see here.".to_vec(),
        ),
        (
            "recent",
            recent.as_str(),
            "Recent",
            "utf-8",
            b"A walrus, recently.".to_vec(),
        ),
    ];
    for (id, date, subject, charset, body) in mail {
        fx.servers.deliver_raw(
            "alice",
            "INBOX",
            id,
            &message(id, date, subject, charset, &body),
        )?;
    }
    // A second folder, where mail arrives unseen by IDLE (which watches INBOX).
    fx.servers.deliver_raw(
        "alice",
        "Archive",
        "old-filed",
        &message(
            "old-filed",
            "Fri, 03 Jan 2020 09:00:00 +0000",
            "Filed",
            "utf-8",
            b"Filed away.",
        ),
    )?;
    Ok(fx)
}

fn local(fx: &Fixture, query: &str) -> Result<Vec<i64>> {
    Ok(tidings::search::run(
        &fx.reader()?,
        query,
        chrono::Utc::now().timestamp(),
        Scope::default(),
        Order::Newest,
        None,
    )?)
}

fn message_ids(fx: &Fixture, ids: &[i64]) -> Result<Vec<String>> {
    let reader = fx.reader()?;
    let mut out = Vec::new();
    for id in ids {
        let m = tidings::store::messages::get(&reader, *id)?.ok_or("hit not mirrored")?;
        out.push(
            m.rfc_message_id
                .trim_end_matches("@tidings.test")
                .to_owned(),
        );
    }
    Ok(out)
}

async fn search_on_server(
    handle: &tidings::engine::EngineHandle,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    request: u64,
    query: &str,
) -> Result<Vec<i64>> {
    handle
        .send(Command::SearchServer {
            request,
            query: query.into(),
            scope: Scope::default(),
        })
        .await?;
    let done = wait_for(
        events,
        Duration::from_secs(60),
        |e| matches!(e, Event::ServerSearchDone { request: r, .. } if *r == request),
    )
    .await?;
    let Event::ServerSearchDone { hits, failures, .. } = done else {
        return Err("not an answer".into());
    };
    if !failures.is_empty() {
        return Err(format!("the server search failed: {failures:?}").into());
    }
    Ok(hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_outside_the_window_is_found_on_the_server_then_searchable_here() -> Result<()> {
    let fx = windowed()?;
    fx.sync_once().await?;
    // Only the recent message's body is mirrored: the local search sees just it.
    let reader = fx.reader()?;
    let hits = local(&fx, "walrus")?;
    assert_eq!(message_ids(&fx, &hits)?, vec!["recent"]);
    let (handle, mut events) = fx.start_engine();
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    // One more old one arrives that the mirror has not seen at all (in Archive, where no
    // IDLE notices it and no sync runs before the search).
    fx.servers.deliver_raw(
        "alice",
        "Archive",
        "old-unseen",
        &message(
            "old-unseen",
            "Thu, 09 Jan 2020 09:00:00 +0000",
            "Unseen",
            "utf-8",
            b"Walrus again.",
        ),
    )?;
    let hits = search_on_server(&handle, &mut events, 1, "walrus").await?;
    // Every match, newest first, from both folders; the unseen one was mirrored for it.
    assert_eq!(
        message_ids(&fx, &hits)?,
        vec!["recent", "old-unseen", "old-gbk", "old-ledger"]
    );
    // Chinese in a GBK body, and the local conditions applied to the server's hits.
    let zh = search_on_server(&handle, &mut events, 2, "季度报告").await?;
    assert_eq!(message_ids(&fx, &zh)?, vec!["old-gbk"]);
    let in_archive = search_on_server(&handle, &mut events, 3, "walrus in:Archive").await?;
    assert_eq!(message_ids(&fx, &in_archive)?, vec!["old-unseen"]);
    assert!(
        search_on_server(&handle, &mut events, 4, "walrus in:sent")
            .await?
            .is_empty()
    );
    // The hits' bodies follow: the local search finds them all within moments.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found: BTreeSet<String> = message_ids(&fx, &local(&fx, "walrus")?)?
            .into_iter()
            .collect();
        if found.len() == 4 && local(&fx, "季度报告")?.len() == 1 {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("bodies not downloaded and indexed in time: {found:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let other: i64 = reader.query_row(
        "SELECT id FROM messages WHERE rfc_message_id = 'old-other@tidings.test'",
        [],
        |r| r.get(0),
    )?;
    let has_body =
        |id: i64| -> Result<bool> { Ok(tidings::store::bodies::get(&fx.reader()?, id)?.is_some()) };
    assert!(
        !has_body(other)?,
        "a message no search found stays bodiless"
    );
    // Opened by the user anyway: downloaded at once.
    handle
        .send(Command::Download {
            messages: vec![other],
        })
        .await?;
    wait_for(
        &mut events,
        Duration::from_secs(30),
        |e| matches!(e, Event::MessagesChanged { ids, .. } if ids.contains(&other)),
    )
    .await?;
    assert!(has_body(other)?);
    handle.send(Command::Shutdown).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_strings_go_as_literals_and_a_refused_charset_is_retried_without_it() -> Result<()> {
    let fx = windowed()?;
    let mut session = fx.other_session().await?;
    session.examine("INBOX").await?;
    let zh = [Key::Word("BODY".into()), Key::Text("季度报告".into())];
    // Waiting for each continuation, and with LITERAL+: the same one message.
    let waited = uid_search(&mut session, Literals::Sync, "UTF-8", &zh).await?;
    let inline = uid_search(&mut session, Literals::NonSync, "UTF-8", &zh).await?;
    assert_eq!(waited.len(), 1, "{waited:?}");
    assert_eq!(waited, inline);
    // A charset the server refuses: ASCII text is asked again without it...
    let ascii = [Key::Word("TEXT".into()), Key::Text("walrus".into())];
    let retried = uid_search(&mut session, Literals::NonSync, "X-NO-SUCH", &ascii).await?;
    assert_eq!(retried.len(), 3, "{retried:?}");
    // ...Chinese cannot be, and says so.
    match uid_search(&mut session, Literals::NonSync, "X-NO-SUCH", &zh).await {
        Err(SearchError::Charset(_)) => {}
        other => return Err(format!("expected a charset refusal, got {other:?}").into()),
    }
    // The session is still usable afterwards.
    assert_eq!(
        uid_search(&mut session, Literals::NonSync, "UTF-8", &ascii)
            .await?
            .len(),
        3
    );
    session.logout().await?;
    Ok(())
}
