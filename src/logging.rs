//! The log a user can send with a bug report: the connection, sync, send and POP3 lifecycle
//! through `tracing`, into a size-capped file in the per-user log folder (the newest two
//! older files kept), and to standard error as well when `RUST_LOG` asks for it. Passwords never
//! reach it: commands that carry one are logged through `redact_command`, and the structs that
//! hold passwords show `<redacted>` in their `Debug`.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// Largest log file before it is rotated.
pub const MAX_LOG_BYTES: u64 = 5 * 1024 * 1024;
/// Rotated files kept besides the current one.
const KEEP: usize = 2;
/// The current log's file name.
pub const LOG_FILE: &str = "tidings.log";

/// What is logged without `RUST_LOG`: Tidings' lifecycle, and only warnings from libraries.
const DEFAULT_FILTER: &str = "warn,tidings=info";

/// Sets up logging into `dir` (created private). Safe to call more than once: later calls
/// keep the first set-up.
pub fn init(dir: &Path) -> io::Result<()> {
    crate::paths::private_dir(dir)?;
    let file = Rotating::open(dir.join(LOG_FILE))?;
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let filter = EnvFilter::try_new(from_env.as_deref().unwrap_or(DEFAULT_FILTER))
        .unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let to_file = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(true)
        .with_writer(file);
    // Asked for on the command line: shown as it happens, too.
    let to_stderr = from_env.is_some().then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(io::stderr)
            .with_target(true)
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(to_file)
        .with(to_stderr)
        .try_init();
    Ok(())
}

/// A command line as it may be logged: the secret part of PASS, AUTH, APOP and LOGIN replaced.
pub fn redact_command(line: &str) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    let mut words = line.split(' ');
    let mut shown: Vec<&str> = Vec::new();
    // IMAP commands start with a tag.
    let first = words.next().unwrap_or_default();
    let (tag, verb) = if first.eq_ignore_ascii_case("PASS")
        || first.eq_ignore_ascii_case("AUTH")
        || first.eq_ignore_ascii_case("APOP")
        || first.eq_ignore_ascii_case("USER")
    {
        (None, first)
    } else {
        (Some(first), words.next().unwrap_or_default())
    };
    if let Some(tag) = tag {
        shown.push(tag);
    }
    shown.push(verb);
    let keep = match verb.to_ascii_uppercase().as_str() {
        "PASS" => 0,
        // AUTH PLAIN <token>, AUTHENTICATE PLAIN <token>: the mechanism stays.
        "AUTH" | "AUTHENTICATE" => 1,
        // APOP user digest, LOGIN user password: the user stays.
        "APOP" | "LOGIN" => 1,
        _ => return line.to_owned(),
    };
    let rest: Vec<&str> = words.collect();
    shown.extend(rest.iter().take(keep));
    if rest.len() > keep {
        shown.push("<redacted>");
    }
    shown.join(" ")
}

/// The log file, rotated when it grows past `MAX_LOG_BYTES`.
#[derive(Clone)]
struct Rotating {
    inner: Arc<Mutex<State>>,
}

struct State {
    path: PathBuf,
    file: File,
    written: u64,
}

fn open_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

impl Rotating {
    fn open(path: PathBuf) -> io::Result<Rotating> {
        let file = open_private(&path)?;
        let written = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(Rotating {
            inner: Arc::new(Mutex::new(State {
                path,
                file,
                written,
            })),
        })
    }
}

impl State {
    fn rotate(&mut self) -> io::Result<()> {
        let numbered = |n: usize| {
            let mut name = self.path.as_os_str().to_owned();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        };
        for n in (1..KEEP).rev() {
            let _ = std::fs::rename(numbered(n), numbered(n + 1));
        }
        std::fs::rename(&self.path, numbered(1))?;
        self.file = open_private(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

/// One write through the shared file.
struct Handle(Arc<Mutex<State>>);

impl Write for Handle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut state = self
            .0
            .lock()
            .map_err(|_| io::Error::other("the log is poisoned"))?;
        if state.written + buf.len() as u64 > MAX_LOG_BYTES {
            // A full disk or a read-only folder must not stop the program: keep writing on.
            let _ = state.rotate();
        }
        state.file.write_all(buf)?;
        state.written += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.0.lock() {
            Ok(mut state) => state.file.flush(),
            Err(_) => Ok(()),
        }
    }
}

impl<'a> MakeWriter<'a> for Rotating {
    type Writer = Handle;

    fn make_writer(&'a self) -> Handle {
        Handle(self.inner.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_commands_are_redacted() {
        for (line, shown) in [
            ("PASS hunter2\r\n", "PASS <redacted>"),
            (
                "AUTH PLAIN AGFsaWNlAGh1bnRlcjI=\r\n",
                "AUTH PLAIN <redacted>",
            ),
            ("APOP alice 8a6f0d3e", "APOP alice <redacted>"),
            ("a1 LOGIN alice \"hunter2\"", "a1 LOGIN alice <redacted>"),
            (
                "a2 AUTHENTICATE PLAIN AGFsaWNl",
                "a2 AUTHENTICATE PLAIN <redacted>",
            ),
            ("USER alice", "USER alice"),
            ("RETR 4", "RETR 4"),
            ("a3 SELECT INBOX", "a3 SELECT INBOX"),
        ] {
            assert_eq!(redact_command(line), shown);
        }
    }

    #[test]
    fn the_log_rotates_and_keeps_two() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let log = Rotating::open(dir.path().join(LOG_FILE))?;
        let line = vec![b'x'; 1024 * 1024];
        for _ in 0..20 {
            log.make_writer().write_all(&line)?;
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        assert_eq!(names, vec!["tidings.log", "tidings.log.1", "tidings.log.2"]);
        for name in names {
            assert!(std::fs::metadata(dir.path().join(name))?.len() <= MAX_LOG_BYTES);
        }
        Ok(())
    }
}
