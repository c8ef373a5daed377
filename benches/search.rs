//! Search benchmark, side by side with notmuch in one run: the harness Dovecot is seeded (the
//! deterministic seeder: English, Chinese in UTF-8 and GBK, HTML alternatives, attachments),
//! Tidings mirrors it, then: building the index from the mirror (`tidings index --rebuild`)
//! vs `notmuch new` over the same maildir (Debian's notmuch with `XAPIAN_CJK_NGRAM=1`), the
//! index's size vs `.notmuch`, and the latency of a fixed query mix for the first 50 hits —
//! in process, through `tidings search --limit 50`, and `notmuch search --limit=50`.
//!
//! `cargo bench --bench search` seeds 100k messages; `TIDINGS_BENCH_MESSAGES` sets another
//! count, and `TIDINGS_BENCH_KEEP=DIR` keeps a copy of the mirror there (to profile queries or
//! a rebuild on it). Needs notmuch (`apt-get install notmuch`).

#[path = "../tests/harness/mod.rs"]
mod harness;

#[path = "common/figures.rs"]
mod figures;

#[path = "common/mailbox.rs"]
mod mailbox;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{HOST, Result};
use tidings::search::{Order, Scope};

/// The query mix: (what it is, Tidings' query, notmuch's query).
const QUERIES: &[(&str, &str, &str)] = &[
    ("English word", "budget", "budget"),
    ("2-character Chinese word", "你好", "你好"),
    ("4-character Chinese phrase", "进度更新", "进度更新"),
    ("from:", "from:carol", "from:carol"),
    ("has:attachment", "has:attachment", "tag:attachment"),
    (
        "date range",
        "after:2025-01-01 before:2025-02-01",
        "date:2025-01-01..2025-01-31",
    ),
    (
        "combination",
        "report from:dana has:attachment",
        "report and from:dana and tag:attachment",
    ),
];

/// Rounds of the mix for the percentiles.
const ROUNDS: usize = 15;

fn run_ok(command: &mut Command, what: &str) -> Result<Duration> {
    let start = Instant::now();
    let out = command.stdin(Stdio::null()).output()?;
    let took = start.elapsed();
    if !out.status.success() {
        return Err(format!("{what} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(took)
}

/// The 50th and 95th percentiles.
fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    (at(0.50), at(0.95))
}

fn du(path: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            let p = e.path();
            total += if p.is_dir() {
                du(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            };
        }
    }
    total
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<()> {
    mailbox::require("/usr/bin/notmuch", "notmuch")?;
    let mailbox::Mailbox {
        servers,
        count,
        work,
        ca,
    } = mailbox::seeded(100_000)?;
    let alice = servers.user("alice");

    // Tidings mirrors the mailbox (its index is complete when this returns).
    let data = work.path().join("tidings");
    let bin = env!("CARGO_BIN_EXE_tidings");
    run_ok(
        Command::new(bin)
            .arg("--data-dir")
            .arg(&data)
            .args(["account", "add", "--email", &alice.address])
            .args(["--no-pop3", "--no-smtp", "--ask-each-start", "--imap"])
            .arg(format!("{HOST}:{}:tls", servers.ports.imaps))
            .arg("--trust-cert")
            .arg(&ca),
        "tidings account add",
    )?;
    let mirrored = run_ok(
        Command::new(bin)
            .arg("--data-dir")
            .arg(&data)
            .args(["sync", "--once", "--account", &alice.address])
            .env("TIDINGS_PASSWORD", &alice.password),
        "tidings sync",
    )?;
    eprintln!("mirrored (and indexed) in {mirrored:?}");

    // notmuch over the same maildir, and Tidings rebuilding its index from the mirror.
    let maildir = servers.maildir("alice", "INBOX");
    let config = work.path().join("notmuch-config");
    std::fs::write(
        &config,
        format!(
            "[database]\npath={}\n[user]\nname=Alice\nprimary_email={}\n[new]\ntags=inbox;\n\
             ignore=dovecot.index;dovecot.index.log;dovecot.index.cache;dovecot-uidlist;\
             dovecot-keywords;dovecot.list.index;dovecot.list.index.log;subscriptions\n\
             [maildir]\nsynchronize_flags=false\n",
            maildir.display(),
            alice.address
        ),
    )?;
    let notmuch = |args: &[&str]| {
        let mut c = Command::new("/usr/bin/notmuch");
        c.arg(format!("--config={}", config.display()))
            .args(args)
            .env("XAPIAN_CJK_NGRAM", "1")
            .stdout(Stdio::null());
        c
    };
    let theirs_build = run_ok(&mut notmuch(&["new", "--quiet"]), "notmuch new")?;
    let ours_build = run_ok(
        Command::new(bin)
            .arg("--data-dir")
            .arg(&data)
            .args(["index", "--rebuild"])
            .stdout(Stdio::null()),
        "tidings index --rebuild",
    )?;
    let theirs_size = du(&maildir.join(".notmuch"));
    let db = data.join("mirror.sqlite3");
    let conn = tidings::store::open_reader(&db)?;
    let ours_size: i64 = conn.query_row(
        "SELECT sum(pgsize) FROM dbstat WHERE name IN \
         ('search_data', 'search_idx', 'search_docsize', 'search_config')",
        [],
        |r| r.get(0),
    )?;

    // Latency of the mix, first 50 hits.
    let mut in_process = Vec::new();
    let mut ours_cli = Vec::new();
    let mut theirs_cli = Vec::new();
    let mut hits = Vec::new();
    // The slowest command-line run of each query, to tell a slow query from a slow start.
    let mut slowest = vec![Duration::ZERO; QUERIES.len()];
    for round in 0..ROUNDS {
        for (i, (_, ours, theirs)) in QUERIES.iter().enumerate() {
            let start = Instant::now();
            let found = tidings::search::run(
                &conn,
                ours,
                chrono::Utc::now().timestamp(),
                Scope::default(),
                Order::Newest,
                Some(50),
            )?;
            in_process.push(start.elapsed());
            if round == 0 {
                hits.push(found.len());
            }
            let took = run_ok(
                Command::new(bin)
                    .arg("--data-dir")
                    .arg(&data)
                    .args(["search", "--limit", "50", ours])
                    .stdout(Stdio::null()),
                "tidings search",
            )?;
            slowest[i] = slowest[i].max(took);
            ours_cli.push(took);
            theirs_cli.push(run_ok(
                &mut notmuch(&["search", "--limit=50", theirs]),
                "notmuch search",
            )?);
        }
    }
    if let Ok(keep) = std::env::var("TIDINGS_BENCH_KEEP") {
        let copy = Path::new(&keep).join("mirror.sqlite3");
        let _ = std::fs::remove_file(&copy);
        conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()])?;
        eprintln!("kept the mirror as {}", copy.display());
    }
    let (ip50, ip95) = percentiles(in_process);
    let (oc50, oc95) = percentiles(ours_cli);
    let (tc50, tc95) = percentiles(theirs_cli);

    let size = figures::count_label(count);
    println!(
        "mailbox: {count} messages; first-50 hits of {} queries × {ROUNDS}",
        QUERIES.len()
    );
    for (((what, q, _), n), slow) in QUERIES.iter().zip(&hits).zip(&slowest) {
        println!(
            "  {what}: {q:?} → {n} of the first 50; slowest command-line run {}",
            ms(*slow)
        );
    }
    println!("| measure | Tidings | notmuch | Tidings / notmuch | README's last |");
    println!("|---|---|---|---|---|");
    figures::row(
        &format!("index build, {size}"),
        &[
            format!("{:.1} s", ours_build.as_secs_f64()),
            format!("{:.1} s", theirs_build.as_secs_f64()),
        ],
        ours_build.as_secs_f64() / theirs_build.as_secs_f64().max(1e-9),
    );
    figures::row(
        &format!("index size, {size}"),
        &[
            format!("{} MB", ours_size / 1_048_576),
            format!("{} MB", theirs_size / 1_048_576),
        ],
        ours_size as f64 / (theirs_size as f64).max(1.0),
    );
    figures::row(
        &format!("query p50, command line, {size}"),
        &[ms(oc50), ms(tc50)],
        oc50.as_secs_f64() / tc50.as_secs_f64().max(1e-9),
    );
    figures::row(
        &format!("query p95, command line, {size}"),
        &[ms(oc95), ms(tc95)],
        oc95.as_secs_f64() / tc95.as_secs_f64().max(1e-9),
    );
    println!(
        "| query p50 / p95 in process (the window's path), {size} | {} / {} | – | – | – |",
        ms(ip50),
        ms(ip95)
    );
    Ok(())
}
