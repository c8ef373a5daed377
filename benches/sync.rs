//! Full-mirror benchmark: Tidings' `sync --once` against mbsync on the same seeded mailbox, both
//! over TLS to the harness Dovecot, in one run. Prints a table with ratios.
//!
//! `cargo bench --bench sync` seeds 10k messages; `TIDINGS_BENCH_MESSAGES=100000` for 100k.
//! Needs mbsync (Debian `isync`) and GNU time (`time`) for peak RSS and CPU time. Each side
//! runs `TIDINGS_BENCH_RUNS` times (3), interleaved; the best of each figure counts.

#[path = "../tests/harness/mod.rs"]
mod harness;

#[path = "common/figures.rs"]
mod figures;

#[path = "common/mailbox.rs"]
mod mailbox;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{HOST, Result, Servers};

/// What one run took.
struct Run {
    wall: Duration,
    peak_rss_kb: u64,
    /// User plus system CPU time.
    cpu: Duration,
    first_50: Option<Duration>,
    /// When a progress line first reported every envelope in.
    all_envelopes: Option<Duration>,
    /// When the mirror was complete (the "synced" line), before the search index caught up.
    mirrored: Option<Duration>,
}

/// The best figures over the runs, each taken on its own.
struct Best {
    raw_bodies: Duration,
    raw_headers: Duration,
    mbsync_full: Run,
    ours_full: Run,
    mbsync_again: Run,
    ours_again: Run,
}

impl Best {
    /// Each figure the better of the two.
    fn or(self, other: Best) -> Best {
        Best {
            raw_bodies: self.raw_bodies.min(other.raw_bodies),
            raw_headers: self.raw_headers.min(other.raw_headers),
            mbsync_full: self.mbsync_full.or(other.mbsync_full),
            ours_full: self.ours_full.or(other.ours_full),
            mbsync_again: self.mbsync_again.or(other.mbsync_again),
            ours_again: self.ours_again.or(other.ours_again),
        }
    }
}

impl Run {
    /// Each figure the better of the two runs.
    fn or(self, other: Run) -> Run {
        let min = |a: Option<Duration>, b: Option<Duration>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Run {
            wall: self.wall.min(other.wall),
            peak_rss_kb: self.peak_rss_kb.min(other.peak_rss_kb),
            cpu: self.cpu.min(other.cpu),
            first_50: min(self.first_50, other.first_50),
            all_envelopes: min(self.all_envelopes, other.all_envelopes),
            mirrored: min(self.mirrored, other.mirrored),
        }
    }
}

/// The protocol limit: a minimal client (openssl s_client, its bytes counted and dropped)
/// logs in and fetches `what` for every message of INBOX in one command.
fn raw_fetch(servers: &Servers, ca: &Path, what: &str) -> Result<(Duration, u64)> {
    use std::io::{Read, Write};
    let alice = servers.user("alice");
    let start = Instant::now();
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-ign_eof",
            "-verify_return_error",
            "-connect",
        ])
        .arg(format!("{HOST}:{}", servers.ports.imaps))
        .arg("-CAfile")
        .arg(ca)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        write!(
            input,
            "a LOGIN \"{}\" \"{}\"\r\nb SELECT INBOX\r\nc UID FETCH 1:* ({what})\r\nd LOGOUT\r\n",
            alice.address, alice.password
        )?;
    }
    let mut bytes = 0u64;
    let mut tail = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = out.read(&mut buf)?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            tail.extend_from_slice(&buf[..n]);
            if tail.len() > 4096 {
                tail.drain(..tail.len() - 4096);
            }
        }
    }
    child.wait()?;
    let took = start.elapsed();
    let tail = String::from_utf8_lossy(&tail);
    if !tail.contains("c OK") {
        return Err(format!("the raw fetch of {what} did not finish: {tail}").into());
    }
    Ok((took, bytes))
}

/// Runs `command` under GNU time, noting when a progress line first reports 50 messages.
fn timed(command: Command) -> Result<Run> {
    let rss_file = tempfile::NamedTempFile::new()?;
    let err_file = tempfile::NamedTempFile::new()?;
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = command
        .get_envs()
        .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned())))
        .collect();
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-f")
        .arg("%M %U %S")
        .arg("-o")
        .arg(rss_file.path())
        .arg(program)
        .args(args)
        .envs(envs)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(err_file.reopen()?);
    let start = Instant::now();
    let mut child = wrapped.spawn()?;
    let mut first_50 = None;
    let mut all_envelopes = None;
    let mut mirrored = None;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line?;
            if mirrored.is_none() && line.ends_with(": synced") {
                mirrored = Some(start.elapsed());
            }
            let Some((done, total)) = line.rsplit(": ").next().and_then(|p| p.split_once('/'))
            else {
                continue;
            };
            let (done, total) = (
                done.parse::<u64>().unwrap_or(0),
                total.trim().parse::<u64>().unwrap_or(u64::MAX),
            );
            if first_50.is_none() && done >= 50 {
                first_50 = Some(start.elapsed());
            }
            if all_envelopes.is_none() && done >= total {
                all_envelopes = Some(start.elapsed());
            }
        }
    }
    let status = child.wait()?;
    let wall = start.elapsed();
    if !status.success() {
        let stderr = std::fs::read_to_string(err_file.path()).unwrap_or_default();
        return Err(format!("{command:?} failed: {status}\n{stderr}").into());
    }
    // GNU time's last line: peak RSS in KB, user and system seconds.
    let report = std::fs::read_to_string(rss_file.path())?;
    let fields: Vec<&str> = report
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let [rss, user, system] = fields[..] else {
        return Err(format!("GNU time wrote {report:?}").into());
    };
    let cpu = Duration::from_secs_f64(user.parse::<f64>()? + system.parse::<f64>()?);
    Ok(Run {
        wall,
        peak_rss_kb: rss.parse()?,
        cpu,
        first_50,
        all_envelopes,
        mirrored,
    })
}

fn main() -> Result<()> {
    mailbox::require("/usr/bin/mbsync", "isync")?;
    mailbox::require("/usr/bin/time", "time")?;
    let mailbox::Mailbox {
        servers,
        count,
        work,
        ca,
    } = mailbox::seeded(10_000)?;
    let alice = servers.user("alice");

    // Tidings, a fresh data directory (and account) for each first sync.
    let tidings = env!("CARGO_BIN_EXE_tidings");
    let fresh_tidings = |run: usize| -> Result<std::path::PathBuf> {
        let data = work.path().join(format!("tidings-{run}"));
        let status = Command::new(tidings)
            .arg("--data-dir")
            .arg(&data)
            .args([
                "account",
                "add",
                "--email",
                &alice.address,
                "--no-pop3",
                "--no-smtp",
                "--ask-each-start",
            ])
            .arg("--imap")
            .arg(format!("{HOST}:{}:tls", servers.ports.imaps))
            .arg("--trust-cert")
            .arg(&ca)
            .stdout(Stdio::null())
            .status()?;
        if !status.success() {
            return Err("tidings account add failed".into());
        }
        Ok(data)
    };
    let ours = |data: &Path| {
        let mut c = Command::new(tidings);
        c.arg("--data-dir")
            .arg(data)
            .args(["sync", "--once", "--account", &alice.address])
            .env("TIDINGS_PASSWORD", &alice.password);
        c
    };

    // mbsync, pulling the same INBOX into a fresh Maildir each run. It checks DNS names only,
    // not IP addresses, so it connects by the certificate's "localhost".
    let fresh_mbsync = |run: usize| -> Result<std::path::PathBuf> {
        let near = work.path().join(format!("mbsync-{run}"));
        std::fs::create_dir_all(&near)?;
        let rc = work.path().join(format!("mbsyncrc-{run}"));
        std::fs::write(
            &rc,
            format!(
                "IMAPAccount bench\nHost localhost\nPort {}\nUser {}\nPass {}\nSSLType IMAPS\n\
                 CertificateFile {}\n\nIMAPStore remote\nAccount bench\n\n\
                 MaildirStore local\nPath {}/\nInbox {}/INBOX\n\n\
                 Channel bench\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\n\
                 Sync Pull\nSyncState *\n",
                servers.ports.imaps,
                alice.address,
                alice.password,
                ca.display(),
                near.display(),
                near.display()
            ),
        )?;
        Ok(rc)
    };
    let theirs = |rc: &Path| {
        let mut c = Command::new("/usr/bin/mbsync");
        c.arg("-q").arg("-c").arg(rc).arg("-a");
        c
    };

    // Once untimed, so Dovecot's index and cache are built before anything is measured.
    raw_fetch(&servers, &ca, "BODY.PEEK[HEADER]")?;
    // Each side runs `TIDINGS_BENCH_RUNS` times (3 by default), interleaved, from fresh state;
    // the best run of each counts, so a slow moment of the machine hurts neither.
    let runs: usize = std::env::var("TIDINGS_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let mut best: Option<Best> = None;
    for run in 0..runs {
        let (raw_bodies, body_bytes) = raw_fetch(&servers, &ca, "BODY.PEEK[]")?;
        let (raw_headers, _) = raw_fetch(&servers, &ca, "BODY.PEEK[HEADER]")?;
        eprintln!("run {run}: raw fetch of {body_bytes} bytes of bodies in {raw_bodies:?}");
        let rc = fresh_mbsync(run)?;
        let data = fresh_tidings(run)?;
        // Alternate who goes first, so neither always meets a warm or a cold cache.
        let (mbsync_full, ours_full) = if run % 2 == 0 {
            let theirs_run = timed(theirs(&rc))?;
            (theirs_run, timed(ours(&data))?)
        } else {
            let ours_run = timed(ours(&data))?;
            (timed(theirs(&rc))?, ours_run)
        };
        let mbsync_again = timed(theirs(&rc))?;
        let ours_again = timed(ours(&data))?;
        eprintln!(
            "run {run}: Tidings {:?} (mirrored {:?}), mbsync {:?}",
            ours_full.wall, ours_full.mirrored, mbsync_full.wall
        );
        let this = Best {
            raw_bodies,
            raw_headers,
            mbsync_full,
            ours_full,
            mbsync_again,
            ours_again,
        };
        best = Some(match best {
            None => this,
            Some(so_far) => so_far.or(this),
        });
        // Each run's copies go now: a 100k run holds 2.4 GB in each.
        std::fs::remove_dir_all(work.path().join(format!("tidings-{run}")))?;
        std::fs::remove_dir_all(work.path().join(format!("mbsync-{run}")))?;
    }
    let Some(Best {
        raw_bodies,
        raw_headers,
        mbsync_full,
        ours_full,
        mbsync_again,
        ours_again,
    }) = best
    else {
        return Err("no run".into());
    };

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    let size = figures::count_label(count);
    println!("mailbox: {count} messages in INBOX, over TLS to Dovecot on loopback");
    println!("| measure | Tidings | mbsync | Tidings / mbsync | README's last |");
    println!("|---|---|---|---|---|");
    figures::row(
        &format!("full mirror (headers + bodies), {size}"),
        &[
            format!("{:.2} s", ours_full.wall.as_secs_f64()),
            format!("{:.2} s", mbsync_full.wall.as_secs_f64()),
        ],
        ratio(ours_full.wall, mbsync_full.wall),
    );
    if let Some(mirrored) = ours_full.mirrored {
        figures::row(
            &format!("mirror complete vs raw BODY.PEEK[] fetch, {size}"),
            &[
                format!("{:.2} s", mirrored.as_secs_f64()),
                format!("{:.2} s (raw)", raw_bodies.as_secs_f64()),
            ],
            ratio(mirrored, raw_bodies),
        );
    }
    figures::row(
        &format!("search index complete vs raw BODY.PEEK[] fetch, {size}"),
        &[
            format!("{:.2} s", ours_full.wall.as_secs_f64()),
            format!("{:.2} s (raw)", raw_bodies.as_secs_f64()),
        ],
        ratio(ours_full.wall, raw_bodies),
    );
    figures::row(
        &format!("CPU time (user + system), full mirror, {size}"),
        &[
            format!("{:.2} s", ours_full.cpu.as_secs_f64()),
            format!("{:.2} s", mbsync_full.cpu.as_secs_f64()),
        ],
        ratio(ours_full.cpu, mbsync_full.cpu),
    );
    if let Some(envelopes) = ours_full.all_envelopes {
        figures::row(
            &format!("all envelopes vs raw HEADER fetch, {size}"),
            &[
                format!("{:.2} s", envelopes.as_secs_f64()),
                format!("{:.2} s (raw)", raw_headers.as_secs_f64()),
            ],
            ratio(envelopes, raw_headers),
        );
    }
    println!(
        "| newest 50 committed, {size} | {} | – | – | – |",
        ours_full
            .first_50
            .map(|d| format!("{:.3} s", d.as_secs_f64()))
            .unwrap_or_else(|| "not seen".into())
    );
    figures::row(
        &format!("no-change resync, {size}"),
        &[
            format!("{:.3} s", ours_again.wall.as_secs_f64()),
            format!("{:.3} s", mbsync_again.wall.as_secs_f64()),
        ],
        ratio(ours_again.wall, mbsync_again.wall),
    );
    figures::row(
        &format!("peak RSS, full mirror, {size}"),
        &[
            format!("{} MB", ours_full.peak_rss_kb / 1024),
            format!("{} MB", mbsync_full.peak_rss_kb / 1024),
        ],
        ours_full.peak_rss_kb as f64 / mbsync_full.peak_rss_kb.max(1) as f64,
    );
    Ok(())
}
