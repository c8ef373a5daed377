//! The disk under the store: full while syncing (a small tmpfs), read-only, or not a directory
//! at all. Each gives a clear error and no panic, nothing is half-written, and syncing goes on
//! once there is room again.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::harness::{HOST, Result, Servers};

/// A tmpfs of its own for one test, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
    _root: tempfile::TempDir,
}

fn mount(args: &[&str]) -> Result<()> {
    let out = Process::new("mount").args(args).output()?;
    if !out.status.success() {
        return Err(format!(
            "mount {args:?} failed: {} (these tests mount a small tmpfs: run them as root on \
             Linux, as tests/run.sh does)",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(())
}

impl Tmpfs {
    fn new(size: &str) -> Result<Tmpfs> {
        let root = tempfile::tempdir()?;
        let path = root.path().join("fs");
        std::fs::create_dir(&path)?;
        let target = path.to_string_lossy().into_owned();
        mount(&[
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size},mode=0700"),
            "tmpfs",
            &target,
        ])?;
        Ok(Tmpfs { path, _root: root })
    }

    fn remount(&self, options: &str) -> Result<()> {
        let target = self.path.to_string_lossy().into_owned();
        mount(&["-o", &format!("remount,{options}"), &target])
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Process::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn tidings(data: &Path, args: &[&str]) -> Result<std::process::Output> {
    Ok(Process::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()?)
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_full_disk_pauses_the_sync_cleanly_and_it_goes_on_when_there_is_room() -> Result<()> {
    let servers = Servers::start()?;
    let alice = servers.user("alice");
    let fs = Tmpfs::new("1500k")?;
    let data = fs.path.join("store");
    let ca = servers.root().join("ca-for-cli.pem");
    std::fs::write(&ca, &servers.ca_pem)?;
    let imap = format!("{HOST}:{}:tls", servers.ports.imaps);
    let ca_arg = ca.to_string_lossy().into_owned();
    let out = tidings(
        &data,
        &[
            "account",
            "add",
            "--email",
            &alice.address,
            "--ask-each-start",
            "--imap",
            &imap,
            "--no-pop3",
            "--no-smtp",
            "--trust-cert",
            &ca_arg,
        ],
    )?;
    assert!(out.status.success(), "{}", text(&out));
    // Some megabytes of mail for a disk of one and a half.
    servers.seed("alice", "INBOX", 0, 400)?;
    let sync = |data: &Path| {
        Process::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(data)
            .args(["sync", "--once", "--account", &alice.address])
            .env("TIDINGS_PASSWORD", &alice.password)
            .output()
    };
    let full = sync(&data)?;
    let said = text(&full);
    assert!(
        !full.status.success(),
        "the sync reported no trouble: {said}"
    );
    assert!(said.contains("disk") && said.contains("full"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    // Nothing half-written: the database is sound.
    let db = rusqlite::Connection::open_with_flags(
        data.join("mirror.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let check: String = db.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    assert_eq!(check, "ok");
    drop(db);
    // Room again: the same command finishes the mirror.
    fs.remount("size=64m")?;
    let done = sync(&data)?;
    assert!(done.status.success(), "{}", text(&done));
    let list = tidings(&data, &["list"])?;
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 400);
    Ok(())
}

#[test]
fn a_read_only_or_impossible_data_directory_is_a_clear_error() -> Result<()> {
    let fs = Tmpfs::new("8m")?;
    let data = fs.path.join("store");
    let out = tidings(&data, &["account", "list"])?;
    assert!(out.status.success(), "{}", text(&out));
    fs.remount("ro")?;
    let out = tidings(&data, &["account", "list"])?;
    let said = text(&out);
    assert!(!out.status.success());
    assert!(said.contains("Read-only file system"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    // A data "directory" that is a file.
    let root = tempfile::tempdir()?;
    let file = root.path().join("not-a-dir");
    std::fs::write(&file, b"x")?;
    let out = tidings(&file.join("store"), &["account", "list"])?;
    let said = text(&out);
    assert!(!out.status.success());
    assert!(said.contains("cannot create"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_saved_on_a_full_disk_says_so_and_saves_once_there_is_room() -> Result<()> {
    use std::sync::Arc;
    use std::time::Duration;
    use tidings::engine::{self, Command, EngineOptions, ErrorKind, Event};
    use tidings::store::{Store, accounts, drafts};
    let fs = Tmpfs::new("2m")?;
    let store = Store::open(&fs.path.join("mirror.sqlite3"))?;
    let servers = Servers::start()?;
    let mut account = crate::fixture::account_for(
        &servers,
        "alice",
        servers.ports.imaps,
        tidings::store::accounts::Security::Tls,
    );
    // Only the local save matters here: no server work.
    account.imap.enabled = false;
    let id = store
        .writer()
        .write_blocking(move |tx| accounts::insert(tx, &account))?;
    // Fill the disk to the last block.
    let filler = fs.path.join("filler");
    let mut chunk = 0usize;
    while std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&filler)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &[0u8; 4096]))
        .is_ok()
    {
        chunk += 1;
        if chunk > 10_000 {
            break;
        }
    }
    let (handle, mut events) = engine::spawn(
        store.clone(),
        Arc::new(crate::fixture::TestSecrets(Default::default())),
        EngineOptions {
            send_only: true,
            ..EngineOptions::default()
        },
    );
    let draft = drafts::Draft {
        subject: "written on a full disk".into(),
        body_text: "x".repeat(64 * 1024),
        ..drafts::Draft::new(id)
    };
    handle
        .send(Command::SaveDraft {
            draft: Box::new(draft.clone()),
            attachments: Some(vec![]),
            file: true,
        })
        .await?;
    let refused = crate::fixture::wait_for(&mut events, Duration::from_secs(20), |e| {
        matches!(e, Event::Error { .. } | Event::DraftSaved { .. })
    })
    .await?;
    assert!(
        matches!(
            &refused,
            Event::Error {
                kind: ErrorKind::DiskFull,
                ..
            }
        ),
        "{refused:?}"
    );
    // Room again: the same save goes through.
    std::fs::remove_file(&filler)?;
    handle
        .send(Command::SaveDraft {
            draft: Box::new(draft),
            attachments: Some(vec![]),
            file: true,
        })
        .await?;
    let saved = crate::fixture::wait_for(&mut events, Duration::from_secs(20), |e| {
        matches!(e, Event::Error { .. } | Event::DraftSaved { .. })
    })
    .await?;
    handle.send(Command::Shutdown).await?;
    assert!(matches!(saved, Event::DraftSaved { .. }), "{saved:?}");
    let kept: Vec<_> = drafts::list(&store.reader()?)?
        .into_iter()
        .filter(|d| d.account_id == id)
        .collect();
    assert_eq!(kept.len(), 1, "exactly one draft, nothing half-written");
    Ok(())
}
