//! What Courier and Cyrus share in the harness: the private root their packages are unpacked
//! into, free ports, users, and a start script that ends with the test process.
//!
//! Their packages conflict with Dovecot's (`imap-server`, `pop3-server`), so `tests/run.sh`
//! unpacks them with `apt-get download` and `dpkg -x` into `INTEROP_ROOT`; only their
//! libraries and helpers come from apt.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use rustls_pki_types::CertificateDer;

use super::Result;
use super::daemon::Daemon;

/// What every interop server has once started: the run's CA, the daemon, its directory.
pub struct Running {
    /// The run's CA in PEM.
    pub ca_pem: String,
    // Field order matters: the daemon stops before its directory is removed.
    daemon: Daemon,
    root: tempfile::TempDir,
}

impl Running {
    /// Starts `command` (which runs the start script) and waits for every port.
    pub fn start(
        name: &'static str,
        command: Command,
        root: tempfile::TempDir,
        ca_pem: String,
        ports: &[u16],
    ) -> Result<Running> {
        let log = root.path().join("log").join(format!("{name}.log"));
        let mut daemon = Daemon::spawn(name, command, &log)?;
        let addrs: Vec<SocketAddr> = ports
            .iter()
            .map(|p| SocketAddr::from(([127, 0, 0, 1], *p)))
            .collect();
        daemon.wait_listening(&addrs, &log)?;
        Ok(Running {
            ca_pem,
            daemon,
            root,
        })
    }

    /// The CA certificate as rustls wants it.
    pub fn ca_der(&self) -> Result<Vec<CertificateDer<'static>>> {
        Ok(tidings::protocols::tls::certificates_from_pem(
            self.ca_pem.as_bytes(),
        )?)
    }

    /// The end of the server's log, for failure messages.
    pub fn logs(&self) -> String {
        self.daemon.log_tail()
    }

    /// The run's directory.
    pub fn root(&self) -> &Path {
        self.root.path()
    }
}

/// Where `tests/run.sh` unpacks the Courier and Cyrus server packages.
pub const INTEROP_ROOT: &str = "/var/tmp/tidings-interop";

/// The line that puts the Courier and Cyrus servers where the harness looks for them.
pub const INTEROP_INSTALL_LINE: &str = "bash tests/run.sh (as root: it installs courier-base \
    courier-authdaemon courier-authlib-userdb cyrus-common cyrus-admin sasl2-bin and unpacks \
    cyrus-imapd, courier-imap and courier-pop into /var/tmp/tidings-interop)";

/// The users every interop server has, one per test so tests on a shared server never meet.
pub const INTEROP_USERS: &[(&str, &str)] = &[
    ("anna", "anna-Secret-1"),
    ("ben", "ben-Secret-2"),
    ("cleo", "cleo-Secret-3"),
    ("dan", "dan-Secret-4"),
    ("eve", "eve-Secret-5"),
    ("finn", "finn-Secret-6"),
    ("gwen", "gwen-Secret-7"),
    ("hugo", "hugo-Secret-8"),
];

/// The password of interop user `name`.
pub fn password_of(name: &str) -> String {
    INTEROP_USERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| (*p).to_owned())
        .unwrap_or_default()
}

/// A file of the unpacked server packages, or an error with the install line.
pub fn unpacked(relative: &str) -> Result<PathBuf> {
    let path = Path::new(INTEROP_ROOT).join(relative);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} is missing; run: {INTEROP_INSTALL_LINE}", path.display()).into())
    }
}

/// A system file a helper package installs, or an error with the install line.
pub fn installed(path: &str) -> Result<PathBuf> {
    if Path::new(path).exists() {
        Ok(PathBuf::from(path))
    } else {
        Err(format!("{path} is missing; run: {INTEROP_INSTALL_LINE}").into())
    }
}

/// `n` distinct free loopback ports, never handed out before in this process.
pub fn free_ports(n: usize) -> Result<Vec<u16>> {
    super::ports::free(n)
}

/// Writes a start script whose last act is to wait, and which stops what it started when it is
/// told to or when the test process that started it is gone: the servers are shared by every
/// test of a binary (held in a static), so no destructor runs when the binary exits. `body`
/// starts each long-running server with `bg COMMAND…`; couriertcpd puts itself in a process
/// group of its own, so each is stopped by its group as well as by its pid.
pub fn write_script(path: &Path, body: &str) -> Result<()> {
    let script = format!(
        "set -eu\nparent={parent}\npids=\"\"\n\
         bg() {{ \"$@\" & pids=\"$pids $!\"; }}\n\
         stop() {{ for p in $pids; do kill -TERM -- \"-$p\" 2>/dev/null || true; \
         kill -TERM \"$p\" 2>/dev/null || true; done; }}\n\
         trap 'stop; exit 0' TERM INT\n\
         {body}\n\
         while kill -0 \"$parent\" 2>/dev/null; do sleep 0.5; done\n\
         stop\nrm -rf {root}\n",
        parent = std::process::id(),
        root = path
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
    fs::write(path, script)?;
    Ok(())
}
