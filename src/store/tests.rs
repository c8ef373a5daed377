//! Round trips of every table through a real file, with the writer thread and a reader.

use super::accounts::{Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings};
use super::actions::{ActionKind, PendingAction};
use super::drafts::{Draft, DraftAttachment, DraftKind};
use super::folders::{Folder, Role};
use super::messages::{Envelope, Flags};
use super::outbox::{OutboxItem, OutboxState};
use super::*;

fn server(host: &str, port: u16, security: Security) -> ServerSettings {
    ServerSettings {
        enabled: true,
        host: host.into(),
        port,
        security,
        auth: AuthKind::Password,
        username: "张三@163.com".into(),
    }
}

pub(crate) fn account() -> Account {
    Account {
        id: 0,
        display_name: "张三".into(),
        address: "zhangsan@163.com".into(),
        provider_id: "163.com".into(),
        imap: server("imap.163.com", 993, Security::Tls),
        pop3: ServerSettings {
            enabled: false,
            ..server("pop.163.com", 110, Security::StartTls)
        },
        smtp: server("smtp.163.com", 465, Security::Tls),
        pop3_options: Pop3Options {
            leave_on_server: true,
            delete_after_days: 14,
            delete_when_deleted_locally: true,
            poll_minutes: 5,
            use_apop: false,
        },
        sync_window_days: 90,
        provider_saves_sent: true,
        password_mode: PasswordMode::Ask,
    }
}

fn open() -> Result<(tempfile::TempDir, Store), StoreError> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let store = Store::open(&dir.path().join("t.sqlite3"))?;
    Ok((dir, store))
}

#[test]
fn opening_an_empty_file_migrates_and_reopening_keeps_data() -> Result<(), StoreError> {
    let (dir, store) = open()?;
    let id = store
        .writer()
        .write_blocking(|tx| accounts::insert(tx, &account()))?;
    drop(store);
    let store = Store::open(&dir.path().join("t.sqlite3"))?;
    let reader = store.reader()?;
    let version: i64 = reader
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .ctx("version")?;
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = reader
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .ctx("journal mode")?;
    assert_eq!(mode, "wal");
    assert_eq!(
        accounts::get(&reader, id)?.map(|a| a.address),
        Some("zhangsan@163.com".into())
    );
    Ok(())
}

#[test]
fn accounts_round_trip() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let id = store
        .writer()
        .write_blocking(|tx| accounts::insert(tx, &account()))?;
    let got = accounts::get(&store.reader()?, id)?;
    assert_eq!(got, Some(Account { id, ..account() }));
    assert_eq!(accounts::list(&store.reader()?)?.len(), 1);
    let mut changed = Account { id, ..account() };
    changed.pop3.enabled = true;
    changed.imap.security = Security::StartTls;
    changed.password_mode = PasswordMode::Keyring;
    let c = changed.clone();
    store
        .writer()
        .write_blocking(move |tx| accounts::update(tx, &c))?;
    assert_eq!(accounts::get(&store.reader()?, id)?, Some(changed));
    store
        .writer()
        .write_blocking(move |tx| accounts::delete(tx, id))?;
    assert!(accounts::list(&store.reader()?)?.is_empty());
    Ok(())
}

#[test]
fn folders_messages_and_bodies_round_trip() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let raw = b"Subject: =?GBK?B?suLK1A==?=\r\n\r\n\xb2\xe2\xca\xd4\r\n".to_vec();
    let raw_in = raw.clone();
    let (folder, message) = store.writer().write_blocking(move |tx| {
        let account = accounts::insert(tx, &account())?;
        let mut f = Folder::new_imap(account, "已发送", "&XfJT0ZAB-", Role::Sent);
        f.uidvalidity = 7;
        f.uidnext = 99;
        f.highestmodseq = u64::from(u32::MAX) + 5;
        let folder = folders::insert(tx, &f)?;
        let m = Envelope {
            account_id: account,
            folder_id: folder,
            uid: 42,
            rfc_message_id: "abc@example.org".into(),
            refs: "a@x b@y".into(),
            date: 1_700_000_000,
            from_name: "李四".into(),
            from_addr: "lisi@126.com".into(),
            subject: "测试".into(),
            flags: Flags {
                seen: true,
                keywords: "$Forwarded".into(),
                ..Flags::default()
            },
            size: 1234,
            has_attachments: true,
            modseq: 77,
            ..Envelope::default()
        };
        let message = messages::insert(tx, &m)?;
        bodies::put(tx, message, &raw_in)?;
        Ok((folder, message))
    })?;
    let reader = store.reader()?;
    let f = folders::get(&reader, folder)?.ok_or(StoreError::Corrupt("folder".into()))?;
    assert_eq!(
        (f.name.as_str(), f.wire_name.as_str()),
        ("已发送", "&XfJT0ZAB-")
    );
    assert_eq!(f.highestmodseq, u64::from(u32::MAX) + 5);
    let m = messages::get(&reader, message)?.ok_or(StoreError::Corrupt("message".into()))?;
    assert_eq!(m.subject, "测试");
    assert!(m.flags.seen && !m.flags.flagged);
    assert_eq!(
        messages::by_uid(&reader, folder, 42)?.map(|m| m.id),
        Some(message)
    );
    assert_eq!(
        messages::by_rfc_message_id(&reader, m.account_id, "abc@example.org")?.len(),
        1
    );
    assert_eq!(messages::page(&reader, folder, 0, 50)?, vec![m]);
    assert_eq!(bodies::get(&reader, message)?, Some(raw));
    Ok(())
}

#[test]
fn list_pages_follow_the_list_order_from_its_index() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let folder = store.writer().write_blocking(|tx| {
        let account = accounts::insert(tx, &account())?;
        let folder = folders::insert(
            tx,
            &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
        )?;
        // Three messages to a date, so ties are ordered by id; every seventh one hidden.
        for n in 0..30u32 {
            messages::insert(
                tx,
                &Envelope {
                    account_id: account,
                    folder_id: folder,
                    uid: n + 1,
                    date: 1_700_000_000 + i64::from(n / 3),
                    hidden: n % 7 == 0,
                    ..Envelope::default()
                },
            )?;
        }
        Ok(folder)
    })?;
    let reader = store.reader()?;
    let mut expected: Vec<(i64, i64)> = reader
        .prepare("SELECT date, id FROM messages WHERE hidden = 0")
        .ctx("prepare")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("query")?
        .collect::<Result<_, _>>()
        .ctx("collect")?;
    expected.sort_by(|a, b| b.cmp(a));
    let mut paged = Vec::new();
    for page in 0..4 {
        paged.extend(
            messages::page(&reader, folder, page * 8, 8)?
                .into_iter()
                .map(|m| (m.date, m.id)),
        );
    }
    assert_eq!(paged, expected);
    // The offset is walked in the index alone, with no sorter for equal dates: that walk
    // row by row took half a second in the middle of a 1M folder.
    let plan: Vec<String> = reader
        .prepare(
            "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE folder_id = ?1 AND hidden = 0 \
             ORDER BY date DESC, id DESC LIMIT 8 OFFSET 8",
        )
        .ctx("plan")?
        .query_map([folder], |r| r.get::<_, String>(3))
        .ctx("plan")?
        .collect::<Result<_, _>>()
        .ctx("plan")?;
    assert_eq!(
        plan,
        ["SEARCH messages USING COVERING INDEX messages_list (folder_id=? AND hidden=?)"]
    );
    Ok(())
}

#[test]
fn a_uid_is_unique_within_a_folder() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let result = store.writer().write_blocking(|tx| {
        let account = accounts::insert(tx, &account())?;
        let folder = folders::insert(
            tx,
            &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
        )?;
        let m = Envelope {
            account_id: account,
            folder_id: folder,
            uid: 5,
            ..Envelope::default()
        };
        messages::insert(tx, &m)?;
        messages::insert(tx, &m)
    });
    assert!(result.is_err());
    // The failed transaction rolled back whole: not even the account is left.
    assert!(accounts::list(&store.reader()?)?.is_empty());
    Ok(())
}

#[test]
fn pending_actions_round_trip_in_order() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let account = store
        .writer()
        .write_blocking(|tx| accounts::insert(tx, &account()))?;
    let first = PendingAction {
        folder_id: 3,
        uidvalidity: 9,
        uid: 10,
        flags_add: "\\Seen".into(),
        ..PendingAction::new(account, ActionKind::SetFlags)
    };
    let second = PendingAction {
        pop3_uidl: "UID123".into(),
        ..PendingAction::new(account, ActionKind::Pop3Delete)
    };
    let (a, b) = (first.clone(), second.clone());
    let ids = store
        .writer()
        .write_blocking(move |tx| Ok((actions::push(tx, &a)?, actions::push(tx, &b)?)))?;
    let got = actions::pending(&store.reader()?, account)?;
    assert_eq!(
        got,
        vec![
            PendingAction { id: ids.0, ..first },
            PendingAction {
                id: ids.1,
                ..second
            }
        ]
    );
    store.writer().write_blocking(move |tx| {
        actions::done(
            tx,
            &PendingAction {
                id: ids.0,
                ..PendingAction::new(account, ActionKind::SetFlags)
            },
        )
    })?;
    assert_eq!(actions::pending(&store.reader()?, account)?.len(), 1);
    Ok(())
}

#[test]
fn outbox_round_trip_and_state_changes() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let account = store
        .writer()
        .write_blocking(|tx| accounts::insert(tx, &account()))?;
    let item = OutboxItem {
        answers_message: 0,
        answers_mark: String::new(),
        id: 0,
        account_id: account,
        rfc_message_id: "m1@tidings".into(),
        envelope_from: "zhangsan@163.com".into(),
        recipients: vec!["a@x.org".into(), "bcc@y.org".into()],
        raw: b"Subject: hi\r\n\r\nbody\r\n".to_vec(),
        state: OutboxState::Queued,
        attempts: 0,
        last_error: String::new(),
        next_attempt_at: 0,
        sent_copy_saved: false,
        draft_id: 0,
    };
    let copy = item.clone();
    let id = store
        .writer()
        .write_blocking(move |tx| outbox::enqueue(tx, &copy))?;
    assert_eq!(
        outbox::get(&store.reader()?, id)?,
        Some(OutboxItem { id, ..item.clone() })
    );
    store.writer().write_blocking(move |tx| {
        outbox::set_state(tx, id, OutboxState::Failed, "550 mailbox unavailable")
    })?;
    let failed = outbox::list(&store.reader()?, account)?;
    assert_eq!(failed[0].state, OutboxState::Failed);
    assert_eq!(failed[0].last_error, "550 mailbox unavailable");
    store
        .writer()
        .write_blocking(move |tx| outbox::remove(tx, id))?;
    assert!(outbox::list(&store.reader()?, account)?.is_empty());
    // The next message never gets the id the user saw for the one just sent.
    let again = store
        .writer()
        .write_blocking(move |tx| outbox::enqueue(tx, &item))?;
    assert!(again > id, "outbox id {id} was given out again");
    Ok(())
}

#[test]
fn drafts_round_trip_with_attachments() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let account = store
        .writer()
        .write_blocking(|tx| accounts::insert(tx, &account()))?;
    let draft = Draft {
        id: 0,
        account_id: account,
        kind: DraftKind::ReplyAll,
        source_message_id: 0,
        to_addrs: "李四 <lisi@126.com>".into(),
        cc_addrs: String::new(),
        bcc_addrs: "hidden@x.org".into(),
        subject: "回复: 测试".into(),
        body_text: "好的\n".into(),
        body_html: String::new(),
        in_reply_to: "abc@example.org".into(),
        refs: "abc@example.org".into(),
        rfc_message_id: "d1@tidings".into(),
        server_folder_id: 0,
        server_uid: 0,
    };
    let attachments = vec![DraftAttachment {
        file_name: "报告.pdf".into(),
        mime_type: "application/pdf".into(),
        content_id: String::new(),
        data: vec![0, 1, 2, 255],
    }];
    let (d, a) = (draft.clone(), attachments.clone());
    let id = store
        .writer()
        .write_blocking(move |tx| drafts::save(tx, &d, Some(&a)))?;
    assert_eq!(
        drafts::get(&store.reader()?, id)?,
        Some((
            Draft {
                id,
                ..draft.clone()
            },
            attachments.clone()
        ))
    );
    // Saving again replaces, it does not add a second draft or duplicate attachments.
    let edited = Draft {
        id,
        body_text: "好的，明天见\n".into(),
        ..draft
    };
    // New words only: the stored attachments stay as they are.
    let e = edited.clone();
    store
        .writer()
        .write_blocking(move |tx| drafts::save(tx, &e, None))?;
    assert_eq!(
        drafts::get(&store.reader()?, id)?,
        Some((edited.clone(), attachments))
    );
    let e = edited.clone();
    store
        .writer()
        .write_blocking(move |tx| drafts::save(tx, &e, Some(&[])))?;
    assert_eq!(drafts::get(&store.reader()?, id)?, Some((edited, vec![])));
    store
        .writer()
        .write_blocking(move |tx| drafts::delete(tx, id))?;
    assert_eq!(drafts::get(&store.reader()?, id)?, None);
    Ok(())
}

#[test]
fn pop3_uidls_round_trip() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let account = store
        .writer()
        .write_blocking(|tx| accounts::insert(tx, &account()))?;
    store.writer().write_blocking(move |tx| {
        pop3::mark_downloaded(tx, account, "UIDL-1", 0)?;
        pop3::mark_deleted_on_server(tx, account, "UIDL-1")
    })?;
    let record = pop3::get(&store.reader()?, account, "UIDL-1")?
        .ok_or(StoreError::Corrupt("uidl".into()))?;
    assert!(record.downloaded_at > 0 && record.deleted_on_server_at > 0);
    assert_eq!(pop3::get(&store.reader()?, account, "UIDL-2")?, None);
    Ok(())
}

#[test]
fn readers_cannot_write() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let reader = store.reader()?;
    assert!(
        reader
            .execute("INSERT INTO accounts (address) VALUES ('x@y')", [])
            .is_err()
    );
    Ok(())
}

#[tokio::test]
async fn async_writes_commit() -> Result<(), StoreError> {
    let (_dir, store) = open()?;
    let id = store
        .writer()
        .write(|tx| accounts::insert(tx, &account()))
        .await?;
    assert!(accounts::get(&store.reader()?, id)?.is_some());
    Ok(())
}

#[test]
fn trusted_certificates_round_trip() -> Result<(), StoreError> {
    use crate::protocols::tls::TrustKind;
    let (_dir, store) = open()?;
    let account = store
        .writer()
        .write_blocking(|tx| accounts::insert(tx, &account()))?;
    store.writer().write_blocking(move |tx| {
        certificates::pin(tx, account, "Mail.Example.org", 993, &[1, 2, 3])?;
        certificates::pin(tx, account, "mail.example.org", 993, &[1, 2, 3])?;
        certificates::trust_ca(tx, account, "other.example.org", &[9])
    })?;
    let all = certificates::for_account(&store.reader()?, account)?;
    let seen: Vec<_> = all
        .iter()
        .map(|e| (e.host.as_str(), e.port, e.kind, e.der.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("mail.example.org", 993, TrustKind::Pin, vec![1, 2, 3]),
            ("other.example.org", 0, TrustKind::Ca, vec![9]),
        ]
    );
    Ok(())
}

mod backups {
    use super::*;
    use crate::store::backup;
    use crate::store::messages::Envelope;

    /// A store with an account, an IMAP message and a POP3 message (both with bodies), a
    /// draft and an outbox item.
    fn populated(dir: &std::path::Path) -> Result<(Store, i64), StoreError> {
        let store = Store::open(&dir.join("mirror.sqlite3"))?;
        let account = store.writer().write_blocking(|tx| {
            let account = accounts::insert(tx, &account())?;
            let imap = folders::insert(
                tx,
                &folders::Folder::new_imap(account, "INBOX", "INBOX", folders::Role::Inbox),
            )?;
            let local = folders::local_inbox(tx, account)?;
            for (folder, uid, id) in [(imap, 7, "imap@x"), (local, 0, "pop@x")] {
                let m = messages::insert(
                    tx,
                    &Envelope {
                        account_id: account,
                        folder_id: folder,
                        uid,
                        rfc_message_id: id.into(),
                        subject: id.into(),
                        ..Envelope::default()
                    },
                )?;
                // Large enough that the file has many pages to damage.
                bodies::put(tx, m, &vec![b'x'; 200_000])?;
            }
            crate::store::pop3::mark_downloaded(tx, account, "uidl-1", 2)?;
            Ok(account)
        })?;
        Ok((store, account))
    }

    fn subjects(store: &Store) -> Result<Vec<String>, StoreError> {
        let reader = store.reader()?;
        let mut stmt = reader
            .prepare("SELECT subject FROM messages ORDER BY subject")
            .ctx("prepare")?;
        stmt.query_map([], |r| r.get(0))
            .ctx("query")?
            .collect::<Result<Vec<_>, _>>()
            .ctx("collect")
    }

    #[test]
    fn a_backup_holds_what_exists_only_here() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().ctx_io()?;
        let (store, _) = populated(dir.path())?;
        let made = store.backup_now()?;
        let copy = Connection::open(&made).ctx("open")?;
        let count = |sql: &str| -> Result<i64, StoreError> {
            copy.query_row(sql, [], |r| r.get(0)).ctx(sql)
        };
        assert_eq!(count("SELECT COUNT(*) FROM accounts")?, 1);
        // The POP3 message and its body, not the IMAP one: that comes back from the server.
        assert_eq!(count("SELECT COUNT(*) FROM messages")?, 1);
        assert_eq!(count("SELECT COUNT(*) FROM message_bodies")?, 1);
        assert_eq!(count("SELECT COUNT(*) FROM pop3_uidls")?, 1);
        // Two kept.
        for _ in 0..3 {
            store.backup_now()?;
        }
        assert_eq!(backup::list(&dir.path().join("backups")).len(), 2);
        Ok(())
    }

    #[test]
    fn a_damaged_database_is_kept_aside_and_rebuilt_from_the_backup() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().ctx_io()?;
        let db = dir.path().join("mirror.sqlite3");
        let (store, _) = populated(dir.path())?;
        store.backup_now()?;
        drop(store);
        // Give the writer a moment to close (WAL checkpointed into the file).
        std::thread::sleep(std::time::Duration::from_millis(200));
        let mut bytes = std::fs::read(&db).ctx_io()?;
        for b in bytes.iter_mut().skip(4096).take(4096 * 8) {
            *b = 0x5A;
        }
        std::fs::write(&db, &bytes).ctx_io()?;
        let store = Store::open(&db)?;
        let recovery = store
            .recovery()
            .cloned()
            .ok_or(StoreError::Corrupt("not noticed".into()))?;
        assert!(recovery.damaged.exists(), "the damaged file is kept");
        assert!(recovery.restored_from.is_some());
        assert!(recovery.describe().contains("restored"));
        // POP3 mail and the account are back; IMAP mail will sync again.
        assert_eq!(subjects(&store)?, vec!["pop@x".to_owned()]);
        assert_eq!(accounts::list(&store.reader()?)?.len(), 1);
        Ok(())
    }

    #[test]
    fn corruption_seen_while_running_is_repaired_at_the_next_start() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().ctx_io()?;
        let db = dir.path().join("mirror.sqlite3");
        let (store, _) = populated(dir.path())?;
        store.backup_now()?;
        drop(store);
        std::fs::write(backup::damage_marker(&db), b"SQLITE_CORRUPT\n").ctx_io()?;
        let store = Store::open(&db)?;
        assert!(store.recovery().is_some());
        assert!(!backup::damage_marker(&db).exists());
        Ok(())
    }

    #[test]
    fn the_daily_backup_is_made_by_the_writer_and_waited_for_at_close() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().ctx_io()?;
        let (store, _) = populated(dir.path())?;
        store.close();
        let db = dir.path().join("mirror.sqlite3");
        let made = || backup::list(&backup::dir_for(&db)).len();
        // Handing the database over to the window: the window's own open makes the backup.
        Store::open_to_hand_over(&db)?.close();
        assert_eq!(made(), 0, "the hand-over made a backup");
        // Due at open: made on the writer thread, and finished before `close` returns.
        let store = Store::open(&db)?;
        assert_eq!(
            subjects(&store)?,
            ["imap@x", "pop@x"],
            "the store reads meanwhile"
        );
        store.close();
        assert_eq!(made(), 1, "no daily backup");
        // Not due again the same day.
        Store::open(&db)?.close();
        assert_eq!(made(), 1);
        Ok(())
    }

    #[test]
    fn a_migration_is_preceded_by_a_backup() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().ctx_io()?;
        let db = dir.path().join("mirror.sqlite3");
        {
            let mut old = Connection::open(&db).ctx("open")?;
            crate::store::migrations::migrate_to(&mut old, 5)?;
            old.execute(
                "INSERT INTO accounts (address) VALUES ('kept@example.org')",
                [],
            )
            .ctx("row")?;
        }
        let store = Store::open(&db)?;
        let made = backup::list(&backup::dir_for(&db));
        assert_eq!(made.len(), 1, "no backup before migrating");
        let copy = Connection::open(&made[0].0).ctx("open")?;
        let version: i64 = copy
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .ctx("version")?;
        assert_eq!(version, 5, "the backup keeps the old schema");
        assert!(store.recovery().is_none());
        Ok(())
    }
}

trait IoContext<T> {
    fn ctx_io(self) -> Result<T, StoreError>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx_io(self) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

#[test]
fn an_unchanged_database_is_not_checked_again_a_changed_one_is() -> Result<(), StoreError> {
    let io = |e: rusqlite::Error| StoreError::Corrupt(e.to_string());
    let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let path = dir.path().join("t.sqlite3");
    // A database file of its own (no writer thread that could remember it as it leaves).
    let conn = rusqlite::Connection::open(&path).map_err(io)?;
    conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .map_err(io)?;
    backup::mark_verified(&path);
    assert!(backup::unchanged_since_verified(&path));
    // Anyone writing to it (or damage that changes the file) makes the next start check it.
    conn.execute("UPDATE t SET x = 2", []).map_err(io)?;
    assert!(!backup::unchanged_since_verified(&path));
    drop(conn);
    backup::mark_verified(&path);
    // A reader opening it (which makes an empty WAL again) changes nothing.
    let reader = crate::store::open_reader(&path)?;
    let x: i64 = reader
        .query_row("SELECT x FROM t", [], |r| r.get(0))
        .map_err(io)?;
    assert_eq!(x, 2);
    assert!(backup::unchanged_since_verified(&path));
    drop(reader);
    // No record at all: checked.
    backup::mark_verified(&path);
    std::fs::remove_file(dir.path().join("t.sqlite3.verified"))
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    assert!(!backup::unchanged_since_verified(&path));
    Ok(())
}
