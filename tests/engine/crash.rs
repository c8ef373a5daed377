//! Crash safety: a `kill -9` or a server restart in the middle of a sync loses nothing and
//! duplicates nothing; a UIDVALIDITY change keeps local data and queued changes.

use std::process::Stdio;
use std::time::Duration;

use futures::TryStreamExt;
use tidings::engine::{Change, Command, Event};
use tidings::store::{actions, messages};

use crate::fixture::{Fixture, server_state, wait_for};
use crate::harness::{Result, seed};

async fn assert_mirror_matches_server(fx: &Fixture, folder: &str) -> Result<usize> {
    let mut other = fx.other_session().await?;
    let server = server_state(&mut other, folder).await?;
    other.logout().await?;
    let pairs: Vec<(u32, String)> = server.iter().map(|(u, m, _)| (*u, m.clone())).collect();
    let mirrored = fx.mirrored(folder)?;
    assert_eq!(
        mirrored.len(),
        pairs.len(),
        "count differs from the server's"
    );
    assert_eq!(mirrored, pairs, "the mirror differs from the server");
    Ok(pairs.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_during_initial_sync_then_rerun_gives_exactly_the_servers_messages() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 0, 8000)?;
    let mut child = fx
        .cli()?
        .args(["sync", "--once", "--account", "alice@tidings.test"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Kill as soon as some batches are committed, well before the sync can finish (progress
    // lines come only every few seconds when not on a terminal: the store tells sooner).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        let committed = fx.mirrored("INBOX").map(|m| m.len()).unwrap_or(0);
        if committed >= 750 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill()?;
    child.wait()?;
    let partial = fx.mirrored("INBOX")?.len();
    assert!(
        partial > 0 && partial < 8000,
        "killed too late or too early: {partial}"
    );

    let status = fx
        .cli()?
        .args(["sync", "--once", "--account", "alice@tidings.test"])
        .stdout(Stdio::null())
        .status()?;
    assert!(status.success());
    assert_eq!(assert_mirror_matches_server(&fx, "INBOX").await?, 8000);
    // Every body arrived too.
    let missing: i64 = fx.reader()?.query_row(
        "SELECT count(*) FROM messages m LEFT JOIN message_bodies b ON b.message_id = m.id \
         WHERE b.message_id IS NULL",
        [],
        |r| r.get(0),
    )?;
    assert_eq!(missing, 0);

    // And `tidings list` shows them, one line each.
    let out = fx
        .cli()?
        .args(["list", "--folder", "INBOX", "--json"])
        .output()?;
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 8000);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restart_mid_sync_is_survived() -> Result<()> {
    let mut fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 0, 6000)?;
    let (handle, mut events) = fx.start_engine();
    wait_for(
        &mut events,
        Duration::from_secs(60),
        |e| matches!(e, Event::SyncProgress { done, .. } if *done >= 250),
    )
    .await?;
    fx.servers.restart_dovecot()?;
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(
            e,
            Event::AccountState {
                state: tidings::engine::AccountState::Offline(_),
                ..
            }
        )
    })
    .await?;
    wait_for(&mut events, Duration::from_secs(120), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    handle.send(Command::Shutdown).await?;
    assert_eq!(assert_mirror_matches_server(&fx, "INBOX").await?, 6000);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uidvalidity_change_keeps_local_data_and_queued_changes() -> Result<()> {
    let fx = Fixture::new()?;
    let mut other = fx.other_session().await?;
    other.create("Projects").await?;
    let originals: Vec<Vec<u8>> = (200..210).map(|n| seed::message(n).0).collect();
    for raw in &originals {
        other.append("Projects", None, None, raw).await?;
    }
    fx.sync_once().await?;
    let before = fx.mirrored("Projects")?;
    assert_eq!(before.len(), 10);
    let reader = fx.reader()?;
    let projects = fx.folder_id("Projects")?;
    let target = messages::by_uid(&reader, projects, before[4].0)?.ok_or("row missing")?;

    // Queue a change while offline.
    fx.change_while_offline(Change::SetFlagged {
        messages: vec![target.id],
        flagged: true,
    })
    .await?;

    // The server recreates the folder: same messages, new UIDVALIDITY.
    other.delete("Projects").await?;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    other.create("Projects").await?;
    for raw in originals.iter().rev() {
        other.append("Projects", None, None, raw).await?;
    }
    other.logout().await?;

    fx.sync_once().await?;
    assert_mirror_matches_server(&fx, "Projects").await?;
    // The same local row, re-matched by Message-ID, body kept, change still queued.
    let again = messages::by_rfc_message_id(&reader, fx.account, &target.rfc_message_id)?;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, target.id);
    assert!(again[0].flags.flagged);
    assert!(tidings::store::bodies::get(&reader, target.id)?.is_some());
    assert_eq!(actions::pending(&reader, fx.account)?.len(), 1);

    // The next pass sends it, to the message's new UID.
    fx.sync_once().await?;
    assert!(actions::pending(&reader, fx.account)?.is_empty());
    let mut other = fx.other_session().await?;
    let state = server_state(&mut other, "Projects").await?;
    let flagged: Vec<_> = state
        .iter()
        .filter(|(_, _, f)| f.iter().any(|x| x == "Flagged"))
        .map(|(_, m, _)| m.clone())
        .collect();
    assert_eq!(flagged, vec![target.rfc_message_id.clone()]);
    let _: Vec<_> = other.list(None, Some("*")).await?.try_collect().await?;
    Ok(())
}
