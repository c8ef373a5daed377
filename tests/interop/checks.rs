//! The checks every interop server gets, written once: each server's module calls them with
//! its own fixture and folder names.

use std::collections::BTreeMap;
use std::time::Duration;

use tidings::engine::{self, Event};
use tidings::protocols::imap::utf7;
use tidings::store::folders::Role;

use crate::fixture::{Fixture, append_all, server_flags};
use crate::harness::Result;
use crate::harness::seed;

/// The flags seeded message `n` carries, as APPEND wants them.
fn flags_for(n: u64) -> &'static str {
    match n % 6 {
        0 => "\\Seen",
        1 => "\\Seen \\Flagged",
        2 => "$Work",
        3 => "\\Answered \\Seen $Label1",
        _ => "",
    }
}

/// Seeds `count` messages into the server folder `wire` (created when not INBOX).
pub async fn seed(fx: &Fixture, wire: &str, first: u64, count: u64) -> Result<Vec<Vec<u8>>> {
    let mut session = fx.session().await?;
    if !wire.eq_ignore_ascii_case("INBOX") {
        // It may exist already (Cyrus makes Sent, Drafts, Trash and Junk at first login).
        let _ = session.create(wire).await;
    }
    let messages: Vec<(Vec<u8>, &str)> = (first..first + count)
        .map(|n| (seed::message(n).0, flags_for(n)))
        .collect();
    append_all(&mut session, wire, &messages).await?;
    session.logout().await?;
    Ok(messages.into_iter().map(|(raw, _)| raw).collect())
}

/// The mirror of folder `shown` holds exactly `raws`: same count, Message-IDs, flags,
/// keywords and byte-identical bodies, and the same flags as the server lists.
pub async fn assert_mirror_exact(
    fx: &Fixture,
    shown: &str,
    wire: &str,
    raws: &[Vec<u8>],
    first: u64,
) -> Result<()> {
    let mirrored = fx.mirrored(shown)?;
    assert_eq!(mirrored.len(), raws.len(), "message count of {shown}");
    let by_id: BTreeMap<String, (&tidings::store::messages::Envelope, &Option<Vec<u8>>)> = mirrored
        .iter()
        .map(|(m, b)| (m.rfc_message_id.clone(), (m, b)))
        .collect();
    for (i, raw) in raws.iter().enumerate() {
        let n = first + i as u64;
        let id = format!("seed-{n}@{}", crate::harness::DOMAIN);
        let (m, body) = by_id
            .get(&id)
            .ok_or_else(|| format!("{id} missing from the mirror of {shown}"))?;
        assert_eq!(body.as_deref(), Some(raw.as_slice()), "body of {id}");
        let flags = flags_for(n);
        assert_eq!(m.flags.seen, flags.contains("\\Seen"), "\\Seen of {id}");
        assert_eq!(
            m.flags.flagged,
            flags.contains("\\Flagged"),
            "\\Flagged of {id}"
        );
        assert_eq!(
            m.flags.answered,
            flags.contains("\\Answered"),
            "\\Answered of {id}"
        );
        let mut want: Vec<&str> = flags.split(' ').filter(|f| f.starts_with('$')).collect();
        let mut got: Vec<&str> = m.flags.keywords.split_whitespace().collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want, "keywords of {id}");
    }
    let mut session = fx.session().await?;
    let server = server_flags(&mut session, wire).await?;
    let uids: Vec<u32> = server.iter().map(|(u, _)| *u).collect();
    let mirrored_uids: Vec<u32> = mirrored.iter().map(|(m, _)| m.uid).collect();
    assert_eq!(mirrored_uids, uids, "UIDs of {shown}");
    session.logout().await?;
    Ok(())
}

/// After a first sync: a flag set and a message expunged by another client both reach the
/// mirror at the next sync.
pub async fn assert_server_changes_noticed(fx: &Fixture, shown: &str, wire: &str) -> Result<()> {
    let before = fx.mirrored(shown)?;
    let (flag_uid, gone_uid) = match before.as_slice() {
        [a, b, ..] => (a.0.uid, b.0.uid),
        _ => return Err(format!("{shown} needs two messages").into()),
    };
    let mut session = fx.session().await?;
    session.select(wire).await?;
    drop(
        session
            .uid_store(flag_uid.to_string(), "+FLAGS (\\Flagged $Urgent)")
            .await?,
    );
    drop(
        session
            .uid_store(gone_uid.to_string(), "+FLAGS (\\Deleted)")
            .await?,
    );
    {
        use futures::TryStreamExt as _;
        let _: Vec<_> = session.expunge().await?.try_collect().await?;
    }
    session.logout().await?;
    let events = fx.sync_once().await?;
    assert!(
        crate::fixture::error_kinds(&events).is_empty(),
        "sync errors: {events:?}"
    );
    let after = fx.mirrored(shown)?;
    assert_eq!(after.len(), before.len() - 1, "one expunged from {shown}");
    assert!(
        after.iter().all(|(m, _)| m.uid != gone_uid),
        "expunged uid gone"
    );
    let flagged = after
        .iter()
        .find(|(m, _)| m.uid == flag_uid)
        .ok_or("flagged message missing")?;
    assert!(flagged.0.flags.flagged, "\\Flagged noticed");
    assert!(
        flagged
            .0
            .flags
            .keywords
            .split_whitespace()
            .any(|k| k == "$Urgent"),
        "keyword noticed: {:?}",
        flagged.0.flags.keywords
    );
    Ok(())
}

/// The folder shown as `shown` has `role`, and no other folder has it.
pub fn assert_role(fx: &Fixture, shown: &str, role: Role) -> Result<()> {
    let folders = fx.folders()?;
    let holders: Vec<&str> = folders
        .iter()
        .filter(|f| f.role == role)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(holders, vec![shown], "holders of {role:?}");
    Ok(())
}

/// Folder names are shown without the personal namespace prefix, nested by the server's
/// separator, and the server's own name is kept for the wire.
pub fn assert_namespace_applied(fx: &Fixture, prefix: &str, separator: &str) -> Result<()> {
    for f in fx.folders()? {
        if f.name == "INBOX" {
            continue;
        }
        assert!(
            !f.name.starts_with(prefix),
            "{:?} is shown with the prefix {prefix:?}",
            f.name
        );
        assert_eq!(f.delimiter, separator, "separator of {:?}", f.name);
        let shown_wire = format!("{prefix}{}", utf7::encode(&f.name).replace('/', separator));
        assert_eq!(f.wire_name, shown_wire, "wire name of {:?}", f.name);
    }
    Ok(())
}

/// With the engine online, a message appended by another client arrives without a new sync
/// pass (IDLE, or the server's polling of it), within `within`.
pub async fn assert_idle_delivers(fx: &Fixture, within: Duration) -> Result<()> {
    let (handle, mut events) = fx.start_engine();
    crate::fixture::wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    let count = fx.mirrored("INBOX")?.len();
    seed(fx, "INBOX", 9000, 1).await?;
    let deadline = std::time::Instant::now() + within;
    loop {
        if fx.mirrored("INBOX")?.len() == count + 1 {
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the new message did not arrive in {within:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    handle.send(engine::Command::Shutdown).await?;
    Ok(())
}
