//! Autosaving a draft with a 20 MB attachment, 50 times, through the window's composer and a
//! real engine over a real store: bytes the process writes, its resident memory, and the
//! server uploads queued, per autosave. The reference in the same run is what the window did
//! before: each save carried (and the store rewrote) every attachment byte, filed a server copy,
//! and the window kept a copy of each command it sent.
//!
//! Flat means: after the first save stored the attachment, the bytes written per autosave are
//! the draft's text and SQLite's pages for it (kilobytes), and memory does not grow with the
//! number of saves.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tidings::engine::{self, Command, EngineOptions, Event, Protocol, SecretError, Secrets};
use tidings::i18n::I18n;
use tidings::store::Store;
use tidings::store::accounts::{
    self, Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tidings::store::drafts::DraftAttachment;
use tidings::store::folders::{self, Folder, Role};
use tidings::ui::app::{App, Message};
use tidings::ui::composer::Edit;
use tidings::ui::engine_link::Link;
use tidings::ui::message::ComposeMsg;
use tidings::ui::screen::compose;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const SAVES: usize = 50;
const ATTACHMENT: usize = 20 * 1024 * 1024;

struct NoServer;

impl Secrets for NoServer {
    fn password(&self, _: &Account, _: Protocol) -> std::result::Result<String, SecretError> {
        Ok("unused".into())
    }
}

/// A line of /proc/self/`file` ("name: value ..."), as a number.
fn proc_value(file: &str, name: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/self/{file}"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Bytes this process has handed to write() so far (SQLite's database and WAL writes).
fn written() -> u64 {
    proc_value("io", "wchar:")
}

/// Resident memory in KiB.
fn rss_kib() -> u64 {
    proc_value("status", "VmRSS:")
}

/// An account whose servers are unreachable (the engine only saves drafts here), with Drafts.
fn store_with_account(dir: &std::path::Path) -> Result<(Store, i64)> {
    let store = Store::open(&dir.join("mirror.sqlite3"))?;
    let account = store.writer().write_blocking(|tx| {
        let server = |port| ServerSettings {
            enabled: true,
            host: "127.0.0.1".into(),
            port,
            security: Security::Tls,
            auth: AuthKind::Password,
            username: "me@example.org".into(),
        };
        let id = accounts::insert(
            tx,
            &Account {
                id: 0,
                display_name: "Me".into(),
                address: "me@example.org".into(),
                provider_id: String::new(),
                imap: server(9),
                pop3: ServerSettings {
                    enabled: false,
                    ..server(9)
                },
                smtp: server(9),
                pop3_options: Pop3Options::default(),
                sync_window_days: 0,
                provider_saves_sent: false,
                password_mode: PasswordMode::Keyring,
            },
        )?;
        folders::insert(tx, &Folder::new_imap(id, "INBOX", "INBOX", Role::Inbox))?;
        folders::insert(tx, &Folder::new_imap(id, "Drafts", "Drafts", Role::Drafts))?;
        Ok(id)
    })?;
    Ok((store, account))
}

/// Waits for the engine's answer to a save and gives it to the window.
fn saved(
    rt: &tokio::runtime::Runtime,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
    app: &mut App,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let event = rt
            .block_on(async { tokio::time::timeout_at(deadline.into(), events.recv()).await })
            .map_err(|_| "no DraftSaved within two minutes")?
            .ok_or("the engine stopped")?;
        let done = matches!(event, Event::DraftSaved { .. });
        let _ = app.update(Message::Engine(Link::Event(event)));
        if done {
            return Ok(());
        }
    }
}

/// Per autosave: bytes written, resident memory after it, and uploads queued.
struct Row {
    written: u64,
    rss_kib: u64,
    uploads: i64,
}

/// 50 autosaves of one draft with a 20 MB attachment. `as_before` replays the old window:
/// every save carries the attachments and files a server copy, and each command is kept.
fn run(as_before: bool) -> Result<Vec<Row>> {
    let dir = tempfile::Builder::new()
        .prefix("tidings-bench-")
        .tempdir_in("/tmp")?;
    let (store, account) = store_with_account(dir.path())?;
    let rt = tokio::runtime::Runtime::new()?;
    let (engine, mut events) = {
        let _guard = rt.enter();
        engine::spawn(store.clone(), Arc::new(NoServer), EngineOptions::default())
    };
    let (mut app, _) = App::new(dir.path().join("mirror.sqlite3"), I18n::new("en-US"), false);
    let tap = app.tap();
    let _ = app.update(Message::TreeLoaded(Ok(tidings::ui::data::tree(
        &dir.path().join("mirror.sqlite3"),
    )?)));
    let _ = app.update(Message::Compose(ComposeMsg::New));
    let _ = app.update(Message::Composer(compose::Message::Edit(Edit::Attached(
        vec![DraftAttachment {
            file_name: "年度报告.pdf".into(),
            mime_type: "application/pdf".into(),
            content_id: String::new(),
            data: (0..ATTACHMENT).map(|i| (i % 251) as u8).collect(),
        }],
    ))));
    // What the old window kept: a clone of every command.
    let mut kept: Vec<Command> = Vec::new();
    let mut rows = Vec::new();
    for n in 0..SAVES {
        let before = written();
        let _ = app.update(Message::Composer(compose::Message::Edit(Edit::Subject(
            format!("季度报告 draft {n}"),
        ))));
        let generation = app.writing.composer.as_ref().map_or(0, |c| c.generation);
        let _ = app.update(Message::Composer(compose::Message::Autosave(generation)));
        for mut command in tap.try_iter() {
            if as_before
                && let Command::SaveDraft {
                    attachments, file, ..
                } = &mut command
            {
                *attachments = app.writing.composer.as_ref().map(|c| c.attachments.clone());
                *file = true;
            }
            if as_before {
                kept.push(command.clone());
            }
            rt.block_on(engine.send(command))?;
        }
        saved(&rt, &mut events, &mut app)?;
        let uploads: i64 = store.reader()?.query_row(
            "SELECT count(*) FROM pending_actions WHERE kind = 'append' AND account_id = ?1",
            [account],
            |r| r.get(0),
        )?;
        rows.push(Row {
            written: written() - before,
            rss_kib: rss_kib(),
            uploads,
        });
    }
    std::hint::black_box(&kept);
    rt.block_on(engine.send(Command::Shutdown))?;
    Ok(rows)
}

fn summary(label: &str, rows: &[Row]) -> (f64, f64, f64) {
    let mb = |b: u64| b as f64 / 1e6;
    let later: Vec<&Row> = rows.iter().skip(1).collect();
    let per_save = later.iter().map(|r| mb(r.written)).sum::<f64>() / later.len() as f64;
    let first_rss = rows.first().map_or(0, |r| r.rss_kib) as f64 / 1024.0;
    let last_rss = rows.last().map_or(0, |r| r.rss_kib) as f64 / 1024.0;
    let uploads = rows.last().map_or(0, |r| r.uploads);
    println!(
        "| {label} | {:.1} MB | {per_save:.3} MB | {first_rss:.0} → {last_rss:.0} MB | {uploads} |",
        mb(rows.first().map_or(0, |r| r.written)),
    );
    (per_save, last_rss - first_rss, uploads as f64)
}

fn main() -> Result<()> {
    // The reference first, so the measured run does not inherit a smaller heap.
    let before = run(true)?;
    let now = run(false)?;
    println!(
        "{SAVES} autosaves of a draft with a {} MB attachment",
        ATTACHMENT >> 20
    );
    println!(
        "| run | first save writes | each later save writes | resident memory, save 1 → {SAVES} | uploads queued |"
    );
    println!("|---|---|---|---|---|");
    let (b_bytes, b_growth, _) =
        summary("as before (attachments every save, commands kept)", &before);
    let (n_bytes, n_growth, _) = summary("now", &now);
    println!();
    println!(
        "bytes written per later autosave: {:.4}x the reference; memory growth over the saves: {:.0} MB now, {:.0} MB before",
        n_bytes / b_bytes,
        n_growth,
        b_growth
    );
    Ok(())
}
