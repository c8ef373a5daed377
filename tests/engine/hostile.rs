//! Hostile structure delivered through the real servers: deep HTML, deep quotes, deep
//! multiparts and deeply nested messages sync over IMAP and download over POP3 without
//! crashing the process (a stack overflow aborts it, on every sync), are committed, and
//! display on a thread with a sync worker's 2 MiB stack.

use tidings::mime::body::{self, Options};
use tidings::store::accounts::Security;
use tidings::store::bodies;

use crate::fixture::Fixture;
use crate::harness::{Result, Servers};

/// (name, bytes, a word the reader must still show).
fn hostile() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let head = |id: &str, ct: &str| {
        format!(
            "From: x@evil.test\r\nSubject: {id}\r\nMessage-ID: <{id}@evil.test>\r\nContent-Type: {ct}\r\n\r\n"
        )
    };
    let divs = format!(
        "{}{}deep div words{}",
        head("divs", "text/html"),
        "<div>".repeat(6_000),
        "</div>".repeat(6_000)
    );
    let quotes = format!(
        "{}{}deep quote words\r\n",
        head("quotes", "text/plain"),
        ">".repeat(5_000)
    );
    let mut parts = head("parts", "multipart/mixed; boundary=\"b0\"") + "--b0\r\n";
    for i in 1..3_000 {
        parts.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    parts.push_str("Content-Type: text/plain\r\n\r\ndeep part words\r\n");
    let mut nested = head("nested", "message/rfc822").into_bytes();
    for _ in 0..20_000 {
        nested.extend_from_slice(b"Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n");
    }
    nested.extend_from_slice(b"Subject: core\r\n\r\ncore\r\n");
    vec![
        ("divs", divs.into_bytes(), "deep div words"),
        ("quotes", quotes.into_bytes(), "deep quote words"),
        ("parts", parts.into_bytes(), "deep part words"),
        // Followed 8 levels, then listed: the subject is what must survive.
        ("nested", nested, ""),
    ]
}

/// Every local body displays on a 2 MiB stack and shows its words.
fn display_all(fx: &Fixture, source: &str) -> Result<()> {
    let reader = fx.reader()?;
    let mut stmt = reader.prepare(
        "SELECT m.id, m.subject FROM messages m JOIN folders f ON f.id = m.folder_id \
         WHERE f.source = ?1",
    )?;
    let rows: Vec<(i64, String)> = stmt
        .query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<_, _>>()?;
    for (name, _, words) in hostile() {
        let (id, _) = rows
            .iter()
            .find(|(_, s)| s == name)
            .ok_or(format!("{name} was not committed ({source})"))?;
        let raw = bodies::get(&reader, *id)?.ok_or(format!("{name} has no body"))?;
        let shown = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let m = body::display(&raw, Options::default());
                format!("{m:?}")
            })?
            .join()
            .map_err(|_| format!("{name} panicked while displaying"))?;
        assert!(shown.contains(words), "{name} lost its text");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_nesting_syncs_over_imap_and_displays() -> Result<()> {
    let fx = Fixture::new()?;
    for (name, raw, _) in hostile() {
        fx.servers.deliver_raw("alice", "INBOX", name, &raw)?;
    }
    fx.servers.seed("alice", "INBOX", 0, 5)?;
    let events = fx.sync_once().await?;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, tidings::engine::Event::Error { .. })),
        "{events:?}"
    );
    assert_eq!(fx.mirrored("INBOX")?.len(), 9);
    display_all(&fx, "imap")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_nesting_downloads_over_pop3_and_displays() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::pop3(servers, port, |_| {})?;
    for (name, raw, _) in hostile() {
        fx.servers.deliver_raw("alice", "INBOX", name, &raw)?;
    }
    let events = fx.sync_once().await?;
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, tidings::engine::Event::Error { .. })),
        "{events:?}"
    );
    display_all(&fx, "local")?;
    // A second pass finds nothing new: every hostile message was committed the first time.
    fx.sync_once().await?;
    let count: i64 = fx
        .reader()?
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))?;
    assert_eq!(count, 4);
    Ok(())
}

/// An IMAP "server" on loopback that greets, then answers anything with a response nested
/// 20,000 levels deep (a forged answer before STARTTLS looks the same). Bounded: it serves
/// `sessions` connections and stops.
async fn deep_imap_server(greeting_deep: bool, sessions: usize) -> Result<u16> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind((crate::harness::HOST, 0)).await?;
    let port = listener.local_addr()?.port();
    let deep = format!("{})", "(".repeat(20_000));
    tokio::spawn(async move {
        for _ in 0..sessions {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let (read, mut write) = socket.into_split();
            let greeting = if greeting_deep {
                format!("* OK [CAPABILITY IMAP4rev1] {deep}\r\n")
            } else {
                "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n".to_owned()
            };
            if write.write_all(greeting.as_bytes()).await.is_err() {
                continue;
            }
            let mut lines = tokio::io::BufReader::new(read).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let tag = line.split_whitespace().next().unwrap_or("*").to_owned();
                let reply = format!("* 1 FETCH (BODYSTRUCTURE {deep})\r\n{tag} OK done\r\n");
                if write.write_all(reply.as_bytes()).await.is_err() {
                    break;
                }
            }
        }
    });
    Ok(port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_server_answers_fail_the_connection_not_the_process() -> Result<()> {
    use tidings::protocols::imap::{self, Login};
    for greeting_deep in [true, false] {
        let port = deep_imap_server(greeting_deep, 1).await?;
        let login = Login {
            host: crate::harness::HOST.into(),
            port,
            security: Security::Plain,
            username: "alice".into(),
            password: "x".into(),
            send_id: false,
        };
        let config = tidings::protocols::tls::client_config(&[])?;
        let result = imap::connect(&login, config).await;
        let err = result.err().ok_or("a nested answer was accepted")?;
        assert!(err.to_string().contains("nested"), "{err}");
    }
    Ok(())
}

#[test]
fn the_cli_prints_no_terminal_escapes_and_keeps_its_files_private() -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir()?;
    let data = root.path().join("store");
    let eml = root.path().join("hostile.eml");
    std::fs::write(
        &eml,
        "From: \"Bank\x1b]0;pwned\x07\" <a@evil.test>\r\nSubject: Hi\x1b[2J\x1b]8;;https://evil.test\x1b\\\\click\x1b]8;;\x1b\\\\\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nbody \x1b[31mred\x1b[0m \u{202E}txt.exe\r\n",
    )?;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--data-dir")
        .arg(&data)
        .arg("show")
        .arg(&eml)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        !shown.contains('\x1b') && !shown.contains('\u{202E}') && !shown.contains('\x07'),
        "{shown:?}"
    );
    assert!(shown.contains("red") && shown.contains("click"), "{shown}");
    // The store the command created is the user's alone.
    let mode = |p: &std::path::Path| -> Result<u32> {
        Ok(std::fs::metadata(p)?.permissions().mode() & 0o777)
    };
    assert_eq!(mode(&data)?, 0o700);
    assert_eq!(mode(&data.join("mirror.sqlite3"))?, 0o600);
    Ok(())
}

#[test]
fn the_cli_repairs_a_damaged_database_from_its_daily_backup() -> Result<()> {
    let root = tempfile::tempdir()?;
    let data = root.path().join("store");
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
    };
    let out = cli(&[
        "account",
        "add",
        "--email",
        "kept@example.org",
        "--ask-each-start",
        "--imap",
        "imap.example.org:993:tls",
        "--no-pop3",
        "--no-smtp",
    ])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The next run finds the daily backup due and makes it.
    assert!(cli(&["account", "list"])?.status.success());
    let backups = data.join("backups");
    assert_eq!(std::fs::read_dir(&backups)?.count(), 1, "no daily backup");
    // Damage the database, as a failing disk would.
    // (The pages may still be in the write-ahead log: that is damaged the same way.)
    for file in ["mirror.sqlite3", "mirror.sqlite3-wal"] {
        let path = data.join(file);
        let Ok(mut bytes) = std::fs::read(&path) else {
            continue;
        };
        let len = bytes.len();
        for b in bytes.iter_mut().skip(100).take(len.saturating_sub(100)) {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes)?;
    }
    let out = cli(&["account", "list"])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("damaged") && stderr.contains("restored"),
        "{stderr}"
    );
    assert!(
        stdout.contains("kept@example.org"),
        "the account came back: {stdout}"
    );
    let kept_aside = std::fs::read_dir(&data)?
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().contains(".damaged-"));
    assert!(kept_aside, "the damaged file is kept");
    Ok(())
}
