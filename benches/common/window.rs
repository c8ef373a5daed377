//! The built window under Xvfb, for the benchmarks that time its cold start: a private X
//! server, the window found by its title, its first drawn frame told by its colours, and its
//! resident memory once settled.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, Window};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A blank or half-drawn frame has few colours; the window's first real frame has many.
const DRAWN_COLOURS: usize = 200;

/// Ends a child process when dropped, so a failed run leaves nothing behind.
pub struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb on a free display (kept up between clients: by default it resets when the
/// last one leaves, cutting the next connection); the display's name.
pub fn xvfb() -> Result<(Running, String)> {
    let mut child = Running(
        Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-noreset",
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

/// One cold start of `binary` over the mirror in `data`: (time to the first drawn frame,
/// settled resident memory in KiB). The process is ended before this returns.
pub fn cold_start(binary: &Path, data: &Path, display: &str) -> Result<(Duration, u64)> {
    let (conn, screen) = x11rb::connect(Some(display))?;
    let root = conn.setup().roots[screen].root;
    let started = Instant::now();
    let app = Running(
        Command::new(binary)
            .arg("--data-dir")
            .arg(data)
            .env("DISPLAY", display)
            .env("XDG_RUNTIME_DIR", data)
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
