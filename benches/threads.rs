//! Conversations' cost: 100,000 messages inserted the way the engine admits them (in
//! transactions of 500, as a sync commits its batches), with their threads kept as they
//! arrive, against the same inserts without threading in the same run; then a full rebuild
//! of the 100,000 messages' threads from their stored headers. Targets: threading adds at
//! most 1 ms per message, and the rebuild takes at most 1 s.
//!
//! The mail is shaped like a real mailbox: most messages alone, runs of replies naming their
//! parents (and the root) in References, some replies arriving before their parents.

#[path = "common/figures.rs"]
mod figures;

use std::time::{Duration, Instant};

use tidings::store::accounts::{
    self, Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tidings::store::folders::{self, Folder, Role};
use tidings::store::messages::{self, Envelope};
use tidings::store::{Store, conversations, threads};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const MESSAGES: u64 = 100_000;
const BATCH: u64 = 500;

fn server() -> ServerSettings {
    ServerSettings {
        enabled: false,
        host: "127.0.0.1".into(),
        port: 1,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: String::new(),
    }
}

/// Message `n`: one in four answers an earlier one (its parent and the conversation's root
/// named), one in fifty answers a later one (a reply that comes before its parent).
fn envelope(account: i64, folder: i64, n: u64) -> Envelope {
    let (in_reply_to, refs) = if n % 4 == 3 && n >= 8 {
        let parent = n - 1 - (n * 7919) % 7;
        let root = parent - parent % 8;
        (format!("m{parent}@x"), format!("m{root}@x m{parent}@x"))
    } else if n % 50 == 17 {
        (format!("m{}@x", n + 3), format!("m{}@x", n + 3))
    } else {
        (String::new(), String::new())
    };
    Envelope {
        account_id: account,
        folder_id: folder,
        uid: u32::try_from(n + 1).unwrap_or(u32::MAX),
        rfc_message_id: format!("m{n}@x"),
        in_reply_to,
        refs,
        date: 1_765_000_000 - i64::try_from(n).unwrap_or(0) * 60,
        subject: format!("第 {n} 封 quarterly numbers"),
        from_addr: format!("s{}@example.org", n % 300),
        ..Envelope::default()
    }
}

/// Inserts every message, threading each when `thread`; the time spent.
fn fill(thread: bool) -> Result<(Duration, tempfile::TempDir, Store)> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("mirror.sqlite3"))?;
    let (account, folder) = store.writer().write_blocking(|tx| {
        let account = accounts::insert(
            tx,
            &Account {
                id: 0,
                display_name: "张三".into(),
                address: "zhangsan@example.org".into(),
                provider_id: String::new(),
                imap: server(),
                pop3: server(),
                smtp: server(),
                pop3_options: Pop3Options::default(),
                sync_window_days: 0,
                provider_saves_sent: false,
                password_mode: PasswordMode::Keyring,
            },
        )?;
        let folder = folders::insert(
            tx,
            &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
        )?;
        Ok((account, folder))
    })?;
    let started = Instant::now();
    for start in (0..MESSAGES).step_by(BATCH as usize) {
        store.writer().write_blocking(move |tx| {
            for n in start..(start + BATCH).min(MESSAGES) {
                let id = messages::insert(tx, &envelope(account, folder, n))?;
                if thread {
                    threads::place(tx, id)?;
                }
            }
            Ok(())
        })?;
    }
    Ok((started.elapsed(), dir, store))
}

fn main() -> Result<()> {
    // Alternated, best of two each.
    let mut plain = Duration::MAX;
    let mut threaded = Duration::MAX;
    let mut kept = None;
    for _ in 0..2 {
        plain = plain.min(fill(false)?.0);
        let (spent, dir, store) = fill(true)?;
        threaded = threaded.min(spent);
        kept = Some((dir, store));
    }
    let (_dir, store) = kept.ok_or("no run")?;
    let conversations = |store: &Store| -> Result<usize> {
        let all = threads::of_all(&store.reader()?)?;
        Ok(all.values().collect::<std::collections::HashSet<_>>().len())
    };
    let incremental = conversations(&store)?;
    let mut rebuild = Duration::MAX;
    for _ in 0..2 {
        let started = Instant::now();
        store
            .writer()
            .write_blocking(|tx| threads::rebuild(tx).map(|_| ()))?;
        rebuild = rebuild.min(started.elapsed());
    }
    let rebuilt = conversations(&store)?;
    if rebuilt != incremental {
        return Err(
            format!("the rebuild made {rebuilt} conversations, arrival {incremental}").into(),
        );
    }
    let pages = pages(&store)?;
    let per = |d: Duration| d.as_secs_f64() * 1e6 / MESSAGES as f64;
    let extra = per(threaded) - per(plain);
    println!(
        "{} messages, {incremental} conversations, inserts in transactions of {BATCH}:",
        figures::count_label(MESSAGES)
    );
    println!("| measure | threaded | without threads | ratio | README |");
    println!("|---|---|---|---|---|");
    figures::row(
        "insert with threads, per message",
        &[
            format!("{:.1} µs", per(threaded)),
            format!("{:.1} µs", per(plain)),
        ],
        threaded.as_secs_f64() / plain.as_secs_f64(),
    );
    println!(
        "threading adds {extra:.1} µs a message (target ≤ 1,000 µs); a rebuild of all takes {} ms (target ≤ 1,000 ms)",
        rebuild.as_millis()
    );
    println!("| list page of 200 (count included) | conversations | messages | ratio |");
    println!("|---|---|---|---|");
    for (name, conv, flat) in pages {
        figures::row(
            name,
            &[
                format!("{:.1} ms", conv.as_secs_f64() * 1e3),
                format!("{:.1} ms", flat.as_secs_f64() * 1e3),
            ],
            conv.as_secs_f64() / flat.as_secs_f64(),
        );
    }
    Ok(())
}

/// The first, a middle and the last page of the 100k Inbox read as conversations and as
/// messages (what the window reads as it scrolls), best of three each.
fn pages(store: &Store) -> Result<Vec<(&'static str, Duration, Duration)>> {
    let conn = store.reader()?;
    let folder: i64 = conn.query_row("SELECT MIN(id) FROM folders", [], |r| r.get(0))?;
    let scope = conversations::Scope::Folder(folder);
    let total = conversations::count(&conn, scope)?;
    let mut out = Vec::new();
    for (name, at) in [
        ("first page", 0.0),
        ("middle page", 0.5),
        ("last page", 1.0),
    ] {
        let best = |f: &dyn Fn() -> Result<usize>| -> Result<Duration> {
            let mut best = Duration::MAX;
            for _ in 0..3 {
                let started = Instant::now();
                std::hint::black_box(f()?);
                best = best.min(started.elapsed());
            }
            Ok(best)
        };
        let conv_offset = ((f64::from(total) * at) as u32).saturating_sub(200);
        let flat_offset = ((MESSAGES as f64 * at) as u32).saturating_sub(200);
        let conv = best(&|| {
            let n = conversations::count(&conn, scope)?;
            Ok(n as usize + conversations::page(&conn, scope, conv_offset, 200)?.len())
        })?;
        let flat = best(&|| {
            let n = messages::visible_count(&conn, folder)?;
            Ok(n as usize + messages::page(&conn, folder, flat_offset, 200)?.len())
        })?;
        out.push((name, conv, flat));
    }
    Ok(out)
}
