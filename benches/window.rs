//! The window's cold start and steady memory: the built binary under Xvfb over a seeded mirror
//! (one account, 10,000 messages in its Inbox — `TIDINGS_BENCH_MESSAGES` for another count —, its
//! servers switched off so no network is involved), timed from the spawn to the first drawn
//! frame, and its resident memory once it has settled.
//!
//! The reference in the same run is another build of the window, named by
//! `TIDINGS_BENCH_REFERENCE` (for example the binary of the commit before a change); both run
//! `RUNS` times, interleaved, each on a fresh copy of the same mirror, and each is reported at
//! its best. Without a reference the figures are printed alone.
//!
//! Needs Xvfb (`apt-get install -y xvfb`).

#[path = "common/figures.rs"]
mod figures;

#[path = "common/window.rs"]
mod window;

use std::path::{Path, PathBuf};
use std::time::Duration;

use tidings::store::Store;
use tidings::store::accounts::{
    self, Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tidings::store::folders::{self, Folder, Role};
use tidings::store::messages::{self, Envelope, Flags};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Messages in the mirror's Inbox unless `TIDINGS_BENCH_MESSAGES` says otherwise.
const MESSAGES: u32 = 10_000;

/// How many messages the mirror holds.
fn messages() -> u32 {
    std::env::var("TIDINGS_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MESSAGES)
}
const RUNS: usize = 5;

fn server(host: &str, port: u16) -> ServerSettings {
    ServerSettings {
        enabled: false,
        host: host.into(),
        port,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: String::new(),
    }
}

/// A mirror with one account (every protocol off) and `messages()` list rows in its Inbox.
fn seed(dir: &Path) -> Result<()> {
    let store = Store::open(&dir.join("mirror.sqlite3"))?;
    store.writer().write_blocking(|tx| {
        let account = accounts::insert(
            tx,
            &Account {
                id: 0,
                display_name: "张三".into(),
                address: "zhangsan@example.org".into(),
                provider_id: String::new(),
                imap: server("127.0.0.1", 1),
                pop3: server("127.0.0.1", 1),
                smtp: server("127.0.0.1", 1),
                pop3_options: Pop3Options::default(),
                sync_window_days: 0,
                provider_saves_sent: false,
                password_mode: PasswordMode::Keyring,
            },
        )?;
        let inbox = folders::insert(
            tx,
            &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
        )?;
        for n in 0..messages() {
            messages::insert(
                tx,
                &Envelope {
                    account_id: account,
                    folder_id: inbox,
                    uid: n + 1,
                    rfc_message_id: format!("<{n}@example.org>"),
                    date: 1_765_000_000 - i64::from(n) * 600,
                    internal_date: 1_765_000_000 - i64::from(n) * 600,
                    from_name: format!("发件人 {n}"),
                    from_addr: format!("sender{n}@example.org"),
                    to_addrs: "zhangsan@example.org".into(),
                    subject: format!("第 {n} 封: the quarterly numbers and the meeting notes"),
                    snippet: "各位同事，请查收本季度的数字。The numbers are in.".into(),
                    flags: Flags {
                        seen: n % 3 != 0,
                        ..Flags::default()
                    },
                    size: 4096,
                    ..Envelope::default()
                },
            )?;
        }
        folders::recount(tx, inbox)
    })?;
    Ok(())
}

/// One cold start on a fresh copy of the seeded mirror.
fn one_run(binary: &Path, seeded: &Path, display: &str) -> Result<(Duration, u64)> {
    let work = tempfile::tempdir()?;
    std::fs::copy(
        seeded.join("mirror.sqlite3"),
        work.path().join("mirror.sqlite3"),
    )?;
    window::cold_start(binary, work.path(), display)
}

fn main() -> Result<()> {
    let current = PathBuf::from(env!("CARGO_BIN_EXE_tidings"));
    let reference = std::env::var_os("TIDINGS_BENCH_REFERENCE").map(PathBuf::from);
    let seeded = tempfile::tempdir()?;
    seed(seeded.path())?;
    let (_xvfb, display) = window::xvfb()?;
    let mut builds = vec![("this build", current)];
    if let Some(r) = reference {
        builds.push(("reference", r));
    }
    let mut best: Vec<(Duration, u64)> = vec![(Duration::MAX, u64::MAX); builds.len()];
    // More runs (TIDINGS_BENCH_RUNS) narrow the best of each when the machine is noisy; the
    // order alternates so neither build always follows the other's teardown.
    let runs = std::env::var("TIDINGS_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(RUNS);
    for run in 0..runs {
        let mut order: Vec<usize> = (0..builds.len()).collect();
        if run % 2 == 1 {
            order.reverse();
        }
        for i in order {
            let (name, binary) = &builds[i];
            let (start, rss) = one_run(binary, seeded.path(), &display)?;
            eprintln!(
                "run {}: {name}: first frame {start:?}, settled RSS {} MB",
                run + 1,
                rss / 1024
            );
            best[i] = (best[i].0.min(start), best[i].1.min(rss));
        }
    }
    println!(
        "| window, {} messages | this build | reference | ratio | README |",
        figures::count_label(u64::from(messages()))
    );
    println!("|---|---|---|---|---|");
    let (start, rss) = best[0];
    match best.get(1) {
        Some(&(ref_start, ref_rss)) => {
            figures::row(
                "cold start to first frame",
                &[
                    format!("{} ms", start.as_millis()),
                    format!("{} ms", ref_start.as_millis()),
                ],
                start.as_secs_f64() / ref_start.as_secs_f64(),
            );
            figures::row(
                "settled RSS",
                &[
                    format!("{} MB", rss / 1024),
                    format!("{} MB", ref_rss / 1024),
                ],
                rss as f64 / ref_rss as f64,
            );
        }
        None => {
            println!(
                "| cold start to first frame | {} ms | – | – | – |",
                start.as_millis()
            );
            println!("| settled RSS | {} MB | – | – | – |", rss / 1024);
        }
    }
    Ok(())
}
