//! What the server benchmarks share: the harness started, alice's INBOX seeded with
//! `TIDINGS_BENCH_MESSAGES` messages (or the bench's default), a work folder, and the run's CA
//! as a PEM file for the clients.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::harness::{Result, Servers};

/// A seeded mailbox and a place to work.
pub struct Mailbox {
    /// The running servers.
    pub servers: Servers,
    /// How many messages were seeded.
    pub count: u64,
    /// Removed with the bench.
    pub work: tempfile::TempDir,
    /// The run's CA certificate, PEM.
    pub ca: PathBuf,
}

/// Fails with the install line when a tool a bench compares with is missing.
pub fn require(binary: &str, package: &str) -> Result<()> {
    if Path::new(binary).exists() {
        Ok(())
    } else {
        Err(format!("{binary} is missing; run: apt-get install -y {package}").into())
    }
}

/// Starts the servers and seeds alice's INBOX.
pub fn seeded(default_count: u64) -> Result<Mailbox> {
    let count: u64 = std::env::var("TIDINGS_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_count);
    let servers = Servers::start()?;
    let seeding = Instant::now();
    servers.seed("alice", "INBOX", 0, count)?;
    eprintln!("seeded {count} messages in {:?}", seeding.elapsed());
    // Named so a later run (or the disk tool) finds it if this one is killed.
    let work = tempfile::Builder::new()
        .prefix("tidings-bench-")
        .tempdir_in("/tmp")?;
    let ca = work.path().join("ca.pem");
    std::fs::write(&ca, &servers.ca_pem)?;
    Ok(Mailbox {
        servers,
        count,
        work,
        ca,
    })
}
