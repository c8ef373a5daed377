//! One window per data directory. The first window process holds an exclusive lock on
//! `instance.lock` in the data directory (the system drops it when the process dies, even by
//! `kill -9`, so a crash never blocks the next start) and listens on a local socket named for
//! that directory. A second launch cannot take the lock: it hands its request (a mailto: link,
//! or "show the window") over the socket, waits for the answer, and exits.
//!
//! The socket is a file in the per-user runtime directory (0700 on Linux) or the private data
//! directory, so other users cannot reach it; on Windows a named pipe.
//!
//! The command-line subcommands that change mail or accounts (sync, send, the outbox's retry
//! and discard, adding or switching accounts, folder roles, the index) take the same lock for
//! as long as they run, so a command and a window never run two engines on one mirror: the
//! one that comes second is told who has the directory. The lock file names its holder.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use interprocess::local_socket::prelude::*;
use interprocess::local_socket::{ListenerOptions, Name, Stream};

use super::Launch;
use super::mailto;

/// The longest request read: a mailto: link at its longest, and the word before it.
const MAX_REQUEST: u64 = 2 * 1024 * 1024 + 64;

/// How long a second launch keeps trying while the first is still starting up.
const HAND_OVER_FOR: Duration = Duration::from_secs(10);

/// The lock of the first instance: held as long as this lives.
#[derive(Debug)]
pub struct Primary {
    _lock: File,
    /// Where a second launch finds this one.
    pub address: Address,
}

/// The socket a data directory's window listens on.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct Address(String);

/// What holds a data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// The window (which listens for second launches).
    Window,
    /// A command-line subcommand that changes the mirror.
    Command,
}

impl Holder {
    fn tag(self) -> &'static str {
        match self {
            Holder::Window => "window",
            Holder::Command => "command",
        }
    }
}

/// Who this launch is.
#[derive(Debug)]
pub enum Claim {
    /// The first: it has the directory.
    Primary(Primary),
    /// Another process has it: the window (hand the request to it) or a command.
    Secondary(Address, Holder),
}

/// Takes the data directory for this process as `holder`, or finds who has it.
pub fn claim(data_dir: &Path, holder: Holder) -> Result<Claim, String> {
    crate::paths::private_dir(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let path = data_dir.join("instance.lock");
    let failed = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(failed)?;
    let address = address_for(data_dir);
    match lock.try_lock() {
        Ok(()) => {
            // Only for the other process's message: a full disk must not stop the command.
            let _ = lock
                .set_len(0)
                .and_then(|()| lock.write_all(holder.tag().as_bytes()));
            Ok(Claim::Primary(Primary {
                _lock: lock,
                address,
            }))
        }
        Err(TryLockError::WouldBlock) => {
            let mut tag = String::new();
            let _ = (&mut lock).take(16).read_to_string(&mut tag);
            let other = if tag == Holder::Command.tag() {
                Holder::Command
            } else {
                Holder::Window
            };
            Ok(Claim::Secondary(address, other))
        }
        Err(TryLockError::Error(e)) => Err(failed(e)),
    }
}

/// The socket for `data_dir`: named by a digest of the directory, so two data directories
/// (two test runs, or `--data-dir`) never meet.
fn address_for(data_dir: &Path) -> Address {
    let canonical = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_owned());
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        canonical.as_os_str().as_encoded_bytes(),
    );
    let tag: String = digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Address(socket_location(data_dir, &tag))
}

#[cfg(windows)]
fn socket_location(_data_dir: &Path, tag: &str) -> String {
    format!("tidings-{tag}")
}

#[cfg(not(windows))]
fn socket_location(data_dir: &Path, tag: &str) -> String {
    // A socket path holds about 100 bytes: the runtime directory is short and private; the
    // data directory serves where there is none (or when it is long, a private folder in /tmp
    // cannot be trusted, so it is the data directory anyway).
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && d.is_dir());
    let dir = runtime.unwrap_or_else(|| data_dir.to_owned());
    dir.join(format!("tidings-{tag}.sock"))
        .to_string_lossy()
        .into_owned()
}

impl Address {
    fn name(&self) -> std::io::Result<Name<'_>> {
        #[cfg(windows)]
        {
            use interprocess::local_socket::GenericNamespaced;
            self.0.as_str().to_ns_name::<GenericNamespaced>()
        }
        #[cfg(not(windows))]
        {
            use interprocess::local_socket::GenericFilePath;
            self.0.as_str().to_fs_name::<GenericFilePath>()
        }
    }

    /// Listens for second launches (the first instance, with its lock held: a socket file
    /// left by a crashed one is replaced).
    pub fn listen(&self) -> std::io::Result<interprocess::local_socket::tokio::Listener> {
        ListenerOptions::new()
            .name(self.name()?)
            .try_overwrite(true)
            .create_tokio()
    }
}

/// A request as one line on the socket; None for a file name that is not text (it cannot be
/// handed over, and is refused with the reason).
fn encode(launch: &Launch) -> Option<String> {
    Some(match launch {
        Launch::Window => "window\n".to_owned(),
        // A link cannot hold a line break (they are percent-encoded); one that does is cut.
        Launch::Mailto(url) => format!("mailto {}\n", url.lines().next().unwrap_or("")),
        Launch::Eml(path) => {
            let path = path.to_str().filter(|p| !p.contains(['\n', '\r']))?;
            format!("eml {path}\n")
        }
    })
}

/// Reads a request; None for anything else (a stray or hostile client).
pub fn decode(line: &str) -> Option<Launch> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    if line == "window" {
        return Some(Launch::Window);
    }
    if let Some(path) = line.strip_prefix("eml ") {
        let path = PathBuf::from(path);
        return path.is_absolute().then_some(Launch::Eml(path));
    }
    let url = line.strip_prefix("mailto ")?;
    mailto::is_mailto(url).then(|| Launch::Mailto(url.to_owned()))
}

/// Accepts second launches at `address` and passes each request on, until `requests` is
/// closed. For the first instance's window (its subscription runs this).
pub async fn serve(address: &Address, mut requests: futures::channel::mpsc::Sender<Launch>) {
    use futures::SinkExt;
    use interprocess::local_socket::traits::tokio::Listener as _;
    let listener = match address.listen() {
        Ok(listener) => listener,
        Err(e) => {
            // Second launches then say the running window does not answer.
            tracing::warn!("cannot listen for second launches: {e}");
            return;
        }
    };
    loop {
        match listener.accept().await {
            Ok(stream) => {
                if let Some(launch) = answer(stream).await
                    && requests.send(launch).await.is_err()
                {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!("a second launch could not connect: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Reads one request from a connection and answers it; bounded in size and time.
async fn answer(stream: interprocess::local_socket::tokio::Stream) -> Option<Launch> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    let mut reader = tokio::io::BufReader::new((&stream).take(MAX_REQUEST));
    let mut line = String::new();
    let read = tokio::time::timeout(Duration::from_secs(5), reader.read_line(&mut line)).await;
    let launch = match read {
        Ok(Ok(_)) => decode(&line),
        _ => None,
    };
    let answer: &[u8] = if launch.is_some() { b"ok\n" } else { b"no\n" };
    let mut writer = &stream;
    let _ = writer.write_all(answer).await;
    launch
}

/// A second launch: gives the request to the running window and waits for its answer.
pub fn hand_over(address: &Address, launch: &Launch) -> Result<(), String> {
    let deadline = Instant::now() + HAND_OVER_FOR;
    let mut stream = loop {
        let name = address.name().map_err(|e| format!("{}: {e}", address.0))?;
        match Stream::connect(name) {
            Ok(stream) => break stream,
            // The first instance holds the lock but is not listening yet: it is starting.
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                return Err(format!(
                    "Tidings is already running for this data directory but does not answer \
                     ({e}); close it or pass another --data-dir"
                ));
            }
        }
    };
    let Some(request) = encode(launch) else {
        return Err(
            "this file name cannot be handed to the running Tidings (it is not valid text)".into(),
        );
    };
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("handing over to the running Tidings: {e}"))?;
    let mut answer = String::new();
    BufReader::new((&mut stream).take(16))
        .read_line(&mut answer)
        .map_err(|e| format!("handing over to the running Tidings: {e}"))?;
    match answer.as_str() {
        "ok\n" => Ok(()),
        _ => Err(format!(
            "the running Tidings refused the request ({:?})",
            answer.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_strangers_are_refused() {
        for launch in [
            Launch::Window,
            Launch::Mailto("mailto:bob@example.com?subject=%E4%BD%A0".into()),
            Launch::Eml(std::env::temp_dir().join("李").join("报告 final.eml")),
        ] {
            assert_eq!(decode(&encode(&launch).unwrap_or_default()), Some(launch));
        }
        assert_eq!(decode("mailto http://evil.example\n"), None);
        assert_eq!(decode("rm -rf /\n"), None);
        assert_eq!(decode("eml relative.eml\n"), None);
        // A link with a line break in it is cut there, never read as two requests.
        let cut = encode(&Launch::Mailto("mailto:a@example.com\nwindow".into()));
        assert_eq!(
            decode(&cut.unwrap_or_default()),
            Some(Launch::Mailto("mailto:a@example.com".into()))
        );
        assert_eq!(encode(&Launch::Eml(PathBuf::from("/a\nwindow"))), None);
    }

    #[test]
    fn the_second_claim_is_secondary_and_a_dropped_lock_frees_the_directory()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let first = claim(dir.path(), Holder::Window)?;
        let Claim::Primary(primary) = first else {
            return Err("the first claim was not primary".into());
        };
        match claim(dir.path(), Holder::Command)? {
            Claim::Secondary(address, holder) => {
                assert_eq!(address, primary.address);
                assert_eq!(holder, Holder::Window);
            }
            Claim::Primary(_) => return Err("two primaries for one directory".into()),
        }
        drop(primary);
        let Claim::Primary(command) = claim(dir.path(), Holder::Command)? else {
            return Err("the lock was not freed".into());
        };
        // A window started while a command works is told so.
        assert!(matches!(
            claim(dir.path(), Holder::Window)?,
            Claim::Secondary(_, Holder::Command)
        ));
        drop(command);
        // Another directory is another instance.
        let other = tempfile::tempdir()?;
        let a = address_for(dir.path());
        assert_ne!(a, address_for(other.path()));
        Ok(())
    }
}
