//! The window's cold start and steady memory: the built binary under Xvfb over a seeded mirror
//! (one account, 10,000 messages in its Inbox, its servers switched off so no network is
//! involved), timed from the spawn to the first drawn frame, and its resident memory once it
//! has settled.
//!
//! The reference in the same run is another build of the window, named by
//! `TIDINGS_BENCH_REFERENCE` (for example the binary of the commit before a change); both run
//! `RUNS` times, interleaved, each on a fresh copy of the same mirror, and each is reported at
//! its best. Without a reference the figures are printed alone.
//!
//! Needs Xvfb (`apt-get install -y xvfb`).

#[path = "common/figures.rs"]
mod figures;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tidings::store::Store;
use tidings::store::accounts::{
    self, Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tidings::store::folders::{self, Folder, Role};
use tidings::store::messages::{self, Envelope, Flags};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, Window};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const MESSAGES: u32 = 10_000;
const RUNS: usize = 5;
/// A blank or half-drawn frame has few colours; the window's first real frame has many.
const DRAWN_COLOURS: usize = 200;

/// Ends a child process when dropped, so a failed run leaves nothing behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

/// A mirror with one account (every protocol off) and `MESSAGES` list rows in its Inbox.
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
        for n in 0..MESSAGES {
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

/// Starts Xvfb on a free display; the display's name.
fn xvfb() -> Result<(Running, String)> {
    let mut child = Running(
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("Xvfb: {e}; install it with: apt-get install -y xvfb"))?,
    );
    let out = child.0.stdout.take().ok_or("no pipe from Xvfb")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line);
        let _ = tx.send(line);
    });
    let number = rx
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| "Xvfb did not start within 30 s")?;
    Ok((child, format!(":{}", number.trim())))
}

/// The top-level window named "Tidings", once there is one.
fn tidings_window(conn: &impl Connection, root: Window) -> Result<Option<Window>> {
    for child in conn.query_tree(root)?.reply()?.children {
        let name = conn
            .get_property(
                false,
                child,
                x11rb::protocol::xproto::AtomEnum::WM_NAME,
                x11rb::protocol::xproto::AtomEnum::ANY,
                0,
                64,
            )?
            .reply()?;
        if name.value == b"Tidings" {
            return Ok(Some(child));
        }
    }
    Ok(None)
}

/// How many colours the window shows now (every 7th pixel, enough to tell a drawn frame).
fn colours(conn: &impl Connection, window: Window) -> Result<usize> {
    let geometry = conn.get_geometry(window)?.reply()?;
    let Ok(image) = conn
        .get_image(
            ImageFormat::Z_PIXMAP,
            window,
            0,
            0,
            geometry.width,
            geometry.height,
            !0,
        )?
        .reply()
    else {
        return Ok(0);
    };
    let seen: std::collections::HashSet<&[u8]> = image.data.chunks_exact(4).step_by(7).collect();
    Ok(seen.len())
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// One cold start: (time to the first drawn frame, settled resident memory in KiB).
fn one_run(binary: &Path, seeded: &Path, display: &str) -> Result<(Duration, u64)> {
    let work = tempfile::tempdir()?;
    std::fs::copy(
        seeded.join("mirror.sqlite3"),
        work.path().join("mirror.sqlite3"),
    )?;
    let (conn, screen) = x11rb::connect(Some(display))?;
    let root = conn.setup().roots[screen].root;
    let started = Instant::now();
    let app = Running(
        Command::new(binary)
            .arg("--data-dir")
            .arg(work.path())
            .env("DISPLAY", display)
            .env("XDG_RUNTIME_DIR", work.path())
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("RUST_LOG")
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let deadline = started + Duration::from_secs(120);
    let mut window = None;
    let drawn = loop {
        if Instant::now() > deadline {
            return Err(format!("{} drew no window within 120 s", binary.display()).into());
        }
        if window.is_none() {
            window = tidings_window(&conn, root)?;
        }
        if let Some(w) = window
            && colours(&conn, w)? > DRAWN_COLOURS
        {
            break started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Settled: eight samples in a row a quarter second apart within 1% of each other.
    let pid = app.0.id();
    let mut samples: Vec<u64> = Vec::new();
    let settle_by = Instant::now() + Duration::from_secs(60);
    loop {
        samples.push(rss_kib(pid));
        let last = &samples[samples.len().saturating_sub(8)..];
        let (lo, hi) = (last.iter().min(), last.iter().max());
        if let (8, Some(&lo), Some(&hi)) = (last.len(), lo, hi)
            && hi as f64 <= lo as f64 * 1.01
        {
            return Ok((drawn, hi));
        }
        if Instant::now() > settle_by {
            return Ok((drawn, samples.last().copied().unwrap_or(0)));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn main() -> Result<()> {
    let current = PathBuf::from(env!("CARGO_BIN_EXE_tidings"));
    let reference = std::env::var_os("TIDINGS_BENCH_REFERENCE").map(PathBuf::from);
    let seeded = tempfile::tempdir()?;
    seed(seeded.path())?;
    let (_xvfb, display) = xvfb()?;
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
        figures::count_label(u64::from(MESSAGES))
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
