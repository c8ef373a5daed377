//! Real mail servers on loopback for integration tests and benchmarks.
//!
//! `Servers::start()` brings up Dovecot (IMAP, POP3, LMTP) and Postfix (submission, delivering
//! into Dovecot over LMTP) on free 127.0.0.1 ports, with a CA made for this run, maildirs in a
//! temporary directory and a few users. Everything is stopped, by process group, on drop.
//! Nothing system-wide is touched: both daemons run from config files of their own.

#![allow(dead_code)] // each test binary uses a different part of the harness

mod certs;
pub mod courier;
pub mod cyrus;
mod daemon;
pub mod dns;
mod dovecot;
pub mod events;
pub mod interop;
mod ports;
mod postfix;
pub mod proxy;
pub mod seed;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;

/// A harness failure: what went wrong, with the log tail when a daemon was involved.
pub type HarnessError = Box<dyn std::error::Error + Send + Sync>;
/// The harness's result type.
pub type Result<T> = std::result::Result<T, HarnessError>;

/// The mail domain every harness user lives in.
pub const DOMAIN: &str = "tidings.test";
/// The address clients connect to; Dovecot treats it as a secure (local) peer.
pub const HOST: &str = "127.0.0.1";
/// A second loopback address with plaintext listeners, where Dovecot does not treat the peer as
/// local, so tests can prove the client refuses plain-text login.
pub const INSECURE_HOST: &str = "127.0.0.2";

/// A loopback address whose IMAP and POP3 listeners offer no TLS at all, to prove the client
/// refuses to go on when STARTTLS is missing.
pub const NO_TLS_HOST: &str = "127.0.0.3";

/// A mailbox user.
#[derive(Debug, Clone)]
pub struct User {
    /// Login name and address.
    pub address: String,
    /// The password.
    pub password: String,
}

/// The ports each service listens on.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// IMAP with STARTTLS (also on `INSECURE_HOST`).
    pub imap: u16,
    /// IMAP over implicit TLS.
    pub imaps: u16,
    /// POP3 with STLS (also on `INSECURE_HOST`).
    pub pop3: u16,
    /// POP3 over implicit TLS.
    pub pop3s: u16,
    /// IMAP without STARTTLS, on `NO_TLS_HOST`.
    pub imap_no_tls: u16,
    /// POP3 without STLS, on `NO_TLS_HOST`.
    pub pop3_no_tls: u16,
    /// Dovecot LMTP (Postfix delivers here).
    pub lmtp: u16,
    /// SMTP submission with STARTTLS required.
    pub submission: u16,
    /// SMTP submission over implicit TLS.
    pub submissions: u16,
}

/// Running Dovecot and Postfix. Dropping it stops both.
pub struct Servers {
    /// Ports of every listener.
    pub ports: Ports,
    /// The run's CA certificate in PEM, for clients to trust explicitly.
    pub ca_pem: String,
    // Field order matters: daemons stop before the directory they run in is removed.
    postfix: daemon::Daemon,
    dovecot: daemon::Daemon,
    root: tempfile::TempDir,
}

/// The users every harness has; `sink` receives mail for any domain but ours.
const USERS: &[(&str, &str)] = &[
    ("alice", "alice-Secret-1"),
    ("bob", "bob-Secret-2"),
    ("carol", "carol-Secret-3"),
    ("sink", "sink-Secret-4"),
];

/// How long a work directory stays untouched before a later run takes it for a killed run's.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(2 * 3600);

/// Removes the `tidings-*` work directories in `dir` that a killed test or benchmark left
/// behind (a drop that never ran): untouched for `after`. The unpacked Courier and Cyrus
/// servers (`tidings-interop`) are kept. Returns what was removed.
pub fn sweep_stale(dir: &Path, after: std::time::Duration) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with("tidings-") || name == "tidings-interop" {
            continue;
        }
        let untouched = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= after);
        if untouched && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let path = entry.path();
            if fs::remove_dir_all(&path).is_ok() {
                removed.push(path);
            }
        }
    }
    removed
}

impl Servers {
    /// Starts both servers and waits until every port accepts connections.
    pub fn start() -> Result<Servers> {
        daemon::require_installed()?;
        sweep_stale(Path::new("/tmp"), STALE_AFTER);
        let root = tempfile::Builder::new()
            .prefix("tidings-mail-")
            .tempdir_in("/tmp")?;
        // The daemons drop privileges to dovecot, dovenull, postfix and mail: all of them must
        // be able to walk into the run's directory.
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755))?;
        let ports = free_ports()?;
        let users: Vec<User> = USERS
            .iter()
            .map(|(name, password)| User {
                address: format!("{name}@{DOMAIN}"),
                password: (*password).to_owned(),
            })
            .collect();
        let tls = certs::make(root.path())?;
        let dovecot = dovecot::start(root.path(), &ports, &users, &tls)?;
        let postfix = postfix::start(root.path(), &ports, &users, &tls)?;
        Ok(Servers {
            ports,
            ca_pem: tls.ca_pem,
            postfix,
            dovecot,
            root,
        })
    }

    /// Stops Dovecot and starts it again on the same ports and mail (a server restart).
    pub fn restart_dovecot(&mut self) -> Result<()> {
        self.dovecot.stop();
        self.dovecot = dovecot::launch(self.root.path(), &self.ports)?;
        Ok(())
    }

    /// Stops Postfix (submission goes away; queued mail stays in its queue).
    pub fn stop_postfix(&mut self) {
        self.postfix.stop();
    }

    /// Starts Postfix again after `stop_postfix`.
    pub fn start_postfix(&mut self) -> Result<()> {
        self.postfix = postfix::launch(self.root.path(), &self.ports)?;
        Ok(())
    }

    /// The CA certificate as rustls wants it.
    pub fn ca_der(&self) -> Result<Vec<CertificateDer<'static>>> {
        Ok(tidings::protocols::tls::certificates_from_pem(
            self.ca_pem.as_bytes(),
        )?)
    }

    /// The harness user called `name` ("alice", "bob", "carol", "sink").
    pub fn user(&self, name: &str) -> User {
        let password = USERS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| (*p).to_owned())
            .unwrap_or_default();
        User {
            address: format!("{name}@{DOMAIN}"),
            password,
        }
    }

    /// The maildir of a user's folder ("INBOX", "Sent", ...), for seeding and inspection.
    pub fn maildir(&self, user: &str, folder: &str) -> PathBuf {
        maildir_path(self.root.path(), &format!("{user}@{DOMAIN}"), folder)
    }

    /// The run's directory (logs are in `log/`).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The last lines of both daemons' logs, for failure messages.
    pub fn logs(&self) -> String {
        format!("{}\n{}", self.dovecot.log_tail(), self.postfix.log_tail())
    }
}

fn maildir_path(root: &Path, address: &str, folder: &str) -> PathBuf {
    let base = root.join("mail").join(address).join("Maildir");
    if folder.eq_ignore_ascii_case("INBOX") {
        base
    } else {
        // Maildir++ layout: sub-folders are dot-prefixed directories of the INBOX maildir.
        base.join(format!(".{}", folder.replace('/', ".")))
    }
}

/// Picks distinct free loopback ports by binding them all before releasing any.
fn free_ports() -> Result<Ports> {
    let p = ports::free(9)?;
    Ok(Ports {
        imap: p[0],
        imaps: p[1],
        pop3: p[2],
        pop3s: p[3],
        lmtp: p[4],
        submission: p[5],
        submissions: p[6],
        imap_no_tls: p[7],
        pop3_no_tls: p[8],
    })
}
