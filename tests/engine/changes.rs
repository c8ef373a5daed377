//! Local changes reach the server, and survive a restart while offline.

use std::time::Duration;

use tidings::engine::{Change, Command, Event};
use tidings::store::{actions, messages};

use crate::fixture::{Fixture, eventually, server_state, wait_for};
use crate::harness::Result;

fn flags_of(state: &[(u32, String, Vec<String>)], message_id: &str) -> Option<Vec<String>> {
    state
        .iter()
        .find(|(_, m, _)| m == message_id)
        .map(|(_, _, f)| f.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mark_read_move_and_delete_reach_the_server() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 1, 6)?;
    let (handle, mut events) = fx.start_engine();
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    let reader = fx.reader()?;
    let inbox = fx.folder_id("INBOX")?;
    let rows = messages::page(&reader, inbox, 0, 10)?;
    let unread = rows
        .iter()
        .find(|m| !m.flags.seen)
        .ok_or("no unread message")?;
    let moved = rows.iter().find(|m| m.id != unread.id).ok_or("too few")?;
    let deleted = rows
        .iter()
        .find(|m| m.id != unread.id && m.id != moved.id)
        .ok_or("too few")?;

    handle
        .send(Command::Change(Change::SetSeen {
            messages: vec![unread.id],
            seen: true,
        }))
        .await?;
    handle
        .send(Command::Change(Change::Archive {
            messages: vec![moved.id],
        }))
        .await?;
    handle
        .send(Command::Change(Change::Delete {
            messages: vec![deleted.id],
        }))
        .await?;
    // The local half is immediate.
    wait_for(&mut events, Duration::from_secs(5), |e| {
        matches!(e, Event::MessagesChanged { .. })
    })
    .await?;
    assert!(messages::get(&reader, unread.id)?.is_some_and(|m| m.flags.seen));

    let (unread_mid, moved_mid, deleted_mid) = (
        unread.rfc_message_id.clone(),
        moved.rfc_message_id.clone(),
        deleted.rfc_message_id.clone(),
    );
    let fx_ref = &fx;
    eventually(Duration::from_secs(20), || {
        let (unread_mid, moved_mid, deleted_mid) =
            (unread_mid.clone(), moved_mid.clone(), deleted_mid.clone());
        async move {
            let mut other = fx_ref.other_session().await?;
            let inbox = server_state(&mut other, "INBOX").await?;
            let archive = server_state(&mut other, "Archive").await?;
            let trash = server_state(&mut other, "Trash").await?;
            other.logout().await?;
            Ok(
                flags_of(&inbox, &unread_mid).is_some_and(|f| f.iter().any(|x| x == "Seen"))
                    && flags_of(&inbox, &moved_mid).is_none()
                    && flags_of(&archive, &moved_mid).is_some()
                    && flags_of(&inbox, &deleted_mid).is_none()
                    && flags_of(&trash, &deleted_mid).is_some(),
            )
        }
    })
    .await?;
    // Once the queue is empty and the folders resynced, the mirror matches: the moved message
    // is in Archive once, with its server UID.
    eventually(Duration::from_secs(20), || async {
        Ok(actions::pending(&fx_ref.reader()?, fx_ref.account)?.is_empty())
    })
    .await?;
    handle.send(Command::SyncNow { account: None }).await?;
    wait_for(&mut events, Duration::from_secs(30), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    let archive: Vec<String> = fx
        .mirrored("Archive")?
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    assert_eq!(archive, vec![moved.rfc_message_id.clone()]);
    assert!(fx.mirrored("Archive")?.iter().all(|(uid, _)| *uid > 0));
    handle.send(Command::Shutdown).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_offline_are_replayed_after_a_restart() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 1, 3)?;
    fx.sync_once().await?;
    let reader = fx.reader()?;
    let inbox = fx.folder_id("INBOX")?;
    let target = messages::page(&reader, inbox, 0, 10)?
        .into_iter()
        .find(|m| !m.flags.flagged)
        .ok_or("no message")?;

    // Offline: the engine runs with a wrong password, so nothing reaches the server...
    fx.change_while_offline(Change::SetFlagged {
        messages: vec![target.id],
        flagged: true,
    })
    .await?;
    assert_eq!(actions::pending(&reader, fx.account)?.len(), 1);

    // ...and after a restart with the right one, the queued change goes out.
    fx.sync_once().await?;
    assert!(actions::pending(&reader, fx.account)?.is_empty());
    let mut other = fx.other_session().await?;
    let state = server_state(&mut other, "INBOX").await?;
    let flags = flags_of(&state, &target.rfc_message_id).ok_or("message gone")?;
    assert!(flags.iter().any(|f| f == "Flagged"), "{flags:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_imap_off_stops_it_and_keeps_the_mirror() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 1, 4)?;
    let (handle, mut events) = fx.start_engine();
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    let id = fx.account;
    let set = |on: bool| {
        fx.store.writer().write_blocking(move |tx| {
            let mut a = tidings::store::accounts::get(tx, id)?
                .ok_or(tidings::store::StoreError::Corrupt("account".into()))?;
            a.imap.enabled = on;
            tidings::store::accounts::update(tx, &a)
        })
    };
    set(false)?;
    handle.send(Command::AccountsChanged).await?;
    wait_for(&mut events, Duration::from_secs(10), |e| {
        matches!(e, Event::AccountState { state: tidings::engine::AccountState::Offline(why), .. } if why.contains("switched off"))
    })
    .await?;
    assert_eq!(
        fx.mirrored("INBOX")?.len(),
        4,
        "switching off must keep the mirror"
    );

    set(true)?;
    fx.servers.seed("alice", "INBOX", 10, 2)?;
    handle.send(Command::AccountsChanged).await?;
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    assert_eq!(fx.mirrored("INBOX")?.len(), 6);
    handle.send(Command::Shutdown).await?;
    Ok(())
}
