//! Initial and incremental sync: every message once, fields and bytes as the server has them.

use std::collections::HashSet;

use futures::TryStreamExt;
use tidings::engine::Event;
use tidings::store::{bodies, messages};

use crate::fixture::{Fixture, server_state};
use crate::harness::{Result, seed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_sync_mirrors_every_message_once_with_its_bytes() -> Result<()> {
    let fx = Fixture::new()?;
    let seeded = fx.servers.seed("alice", "INBOX", 0, 3000)?;
    fx.servers.seed("alice", "Archive", 5000, 40)?;
    let events = fx.sync_once().await?;
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SyncDone { full: true, .. }))
    );

    let mut other = fx.other_session().await?;
    let server = server_state(&mut other, "INBOX").await?;
    let mirrored = fx.mirrored("INBOX")?;
    assert_eq!(mirrored.len(), 3000);
    let pairs: Vec<(u32, String)> = server.iter().map(|(u, m, _)| (*u, m.clone())).collect();
    assert_eq!(
        mirrored, pairs,
        "UIDs and Message-IDs differ from the server's"
    );
    assert_eq!(fx.mirrored("Archive")?.len(), 40);

    // Fields and raw bytes of every message, against what was seeded.
    let reader = fx.reader()?;
    let inbox = fx.folder_id("INBOX")?;
    let by_id: std::collections::HashMap<String, &seed::Seeded> =
        seeded.iter().map(|s| (s.message_id.clone(), s)).collect();
    for (uid, _) in &mirrored {
        let m = messages::by_uid(&reader, inbox, *uid)?.ok_or("row missing")?;
        let s = by_id.get(&m.rfc_message_id).ok_or("unknown Message-ID")?;
        assert_eq!(m.subject, s.subject);
        assert_eq!(m.date, s.date);
        assert_eq!(m.size as usize, s.size);
        assert_eq!(m.has_attachments, s.has_attachment, "{}", m.rfc_message_id);
        let n: u64 = s.message_id["seed-".len()..]
            .split('@')
            .next()
            .unwrap_or("")
            .parse()?;
        assert_eq!(m.flags.seen, n.is_multiple_of(3), "flags of {n}");
        let raw = bodies::get(&reader, m.id)?.ok_or("body missing")?;
        assert!(raw == seed::message(n).0, "bytes of message {n} differ");
        assert!(!m.snippet.is_empty(), "no snippet for {n}");
    }
    let unread: u32 = reader.query_row(
        "SELECT unread_count FROM folders WHERE id = ?1",
        [inbox],
        |r| r.get(0),
    )?;
    assert_eq!(unread, 2000);

    // Roles from SPECIAL-USE.
    let roles: HashSet<String> = reader
        .prepare("SELECT role FROM folders")?
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    for role in ["inbox", "sent", "drafts", "trash", "junk", "archive"] {
        assert!(roles.contains(role), "no {role} folder in {roles:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_sync_follows_new_mail_flags_and_expunges() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 0, 30)?;
    fx.sync_once().await?;

    // A resync with nothing new changes nothing.
    let events = fx.sync_once().await?;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::MessagesChanged { .. })),
        "{events:?}"
    );

    // Another client flags one message, deletes another; new mail arrives.
    let mut other = fx.other_session().await?;
    let server = server_state(&mut other, "INBOX").await?;
    let (flag_uid, del_uid) = (server[3].0, server[7].0);
    let _: Vec<_> = other
        .uid_store(flag_uid.to_string(), "+FLAGS (\\Flagged \\Seen)")
        .await?
        .try_collect()
        .await?;
    let _: Vec<_> = other
        .uid_store(del_uid.to_string(), "+FLAGS (\\Deleted)")
        .await?
        .try_collect()
        .await?;
    let _: Vec<_> = other.expunge().await?.try_collect().await?;
    other.logout().await?;
    fx.servers.seed("alice", "INBOX", 100, 5)?;

    let events = fx.sync_once().await?;
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{events:?}"
    );
    let mut other = fx.other_session().await?;
    let server = server_state(&mut other, "INBOX").await?;
    let pairs: Vec<(u32, String)> = server.iter().map(|(u, m, _)| (*u, m.clone())).collect();
    assert_eq!(fx.mirrored("INBOX")?, pairs);
    assert_eq!(pairs.len(), 34);
    let reader = fx.reader()?;
    let inbox = fx.folder_id("INBOX")?;
    let flagged = messages::by_uid(&reader, inbox, flag_uid)?.ok_or("flagged row missing")?;
    assert!(flagged.flags.flagged && flagged.flags.seen);
    assert!(messages::by_uid(&reader, inbox, del_uid)?.is_none());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_over_starttls_logs_in_and_mirrors() -> Result<()> {
    let servers = crate::harness::Servers::start()?;
    let port = servers.ports.imap;
    let fx = Fixture::with_account(
        servers,
        |s| {
            crate::fixture::account_for(
                s,
                "alice",
                port,
                tidings::store::accounts::Security::StartTls,
            )
        },
        true,
    )?;
    fx.servers.seed("alice", "INBOX", 0, 12)?;
    let events = fx.sync_once().await?;
    assert!(
        !events.iter().any(|e| matches!(e, Event::Error { .. })),
        "{events:?}"
    );
    assert_eq!(fx.mirrored("INBOX")?.len(), 12);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_prints_a_mirrored_message_and_an_eml_file() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 0, 10)?;
    fx.sync_once().await?;
    let reader = fx.reader()?;
    // Seed message 7 has a GBK subject and body; message 9 an attachment.
    let id7 = messages::by_rfc_message_id(&reader, fx.account, "seed-7@tidings.test")?
        .first()
        .map(|m| m.id)
        .ok_or("message 7 missing")?;
    let id9 = messages::by_rfc_message_id(&reader, fx.account, "seed-9@tidings.test")?
        .first()
        .map(|m| m.id)
        .ok_or("message 9 missing")?;
    let show = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(fx.dir.path())
            .args(args)
            .env("LANG", "en_US.UTF-8")
            .output()
    };
    let out = show(&["show", "--message", &id7.to_string()])?;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("Subject: GBK "),
        "{text}"
    );
    assert!(text.contains("This is seeded message 7."), "{text}");
    let saved = tempfile::tempdir()?;
    let out = show(&[
        "show",
        "--message",
        &id9.to_string(),
        "--save-attachments",
        &saved.path().display().to_string(),
    ])?;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Attachment: data-9.bin (application/octet-stream, 1.0 MB)"),
        "{text}"
    );
    let data = std::fs::read(saved.path().join("data-9.bin"))?;
    assert_eq!(data.len(), 1_048_576);

    // A file from the fixture corpus, shown and its dangerous attachment names saved safely.
    let eml = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eml/34-traversal-name.eml");
    let out = show(&["show", &eml.display().to_string()])?;
    assert!(String::from_utf8_lossy(&out.stdout).contains("Two attachments."));
    let out = show(&[
        "show",
        &eml.display().to_string(),
        "--save-attachments",
        &saved.path().display().to_string(),
    ])?;
    assert!(out.status.success());
    let mut names: Vec<String> = std::fs::read_dir(saved.path())?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(names, ["_._evil.sh", "_CON.txt", "data-9.bin"]);
    Ok(())
}
