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
