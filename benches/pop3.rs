//! POP3 download benchmark: Tidings' `sync --once` on a POP3-only account against fetchmail
//! (Debian `fetchmail`) at its best — `keep fetchall` with `--bsmtp FILE`, writing every
//! message to one file with no process per message — both over POP3S to the harness Dovecot,
//! alternated twice from fresh state in one run, the best of each kept (the first run also
//! pays for Dovecot building its index). Prints the ratio beside the README's last one.
//!
//! `cargo bench --bench pop3` uses 10k messages; `TIDINGS_BENCH_MESSAGES` sets another count.

#[path = "../tests/harness/mod.rs"]
mod harness;

#[path = "common/figures.rs"]
mod figures;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{HOST, Result, Servers};

/// The time of one fetchmail run into a fresh id file and BSMTP file under `dir`.
fn fetchmail(dir: &Path, rc: &Path) -> Result<Duration> {
    std::fs::create_dir_all(dir)?;
    let start = Instant::now();
    let status = Command::new("/usr/bin/fetchmail")
        .arg("-f")
        .arg(rc)
        .arg("--idfile")
        .arg(dir.join("fetchids"))
        .arg("--bsmtp")
        .arg(dir.join("fetched.bsmtp"))
        .arg("--nosyslog")
        .env("HOME", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let took = start.elapsed();
    if !status.success() {
        return Err(format!("fetchmail failed: {status}").into());
    }
    Ok(took)
}

/// The time of one `tidings sync --once` into a fresh store under `dir`.
fn tidings(dir: &Path, servers: &Servers, ca: &Path) -> Result<Duration> {
    let alice = servers.user("alice");
    let bin = env!("CARGO_BIN_EXE_tidings");
    let status = Command::new(bin)
        .arg("--data-dir")
        .arg(dir)
        .args([
            "account",
            "add",
            "--email",
            &alice.address,
            "--no-imap",
            "--no-smtp",
            "--ask-each-start",
        ])
        .arg("--pop3")
        .arg(format!("{HOST}:{}:tls", servers.ports.pop3s))
        .arg("--trust-cert")
        .arg(ca)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err("tidings account add failed".into());
    }
    let start = Instant::now();
    let status = Command::new(bin)
        .arg("--data-dir")
        .arg(dir)
        .args(["sync", "--once", "--account", &alice.address])
        .env("TIDINGS_PASSWORD", &alice.password)
        .stdout(Stdio::null())
        .status()?;
    let took = start.elapsed();
    if !status.success() {
        return Err("tidings sync failed".into());
    }
    Ok(took)
}

fn main() -> Result<()> {
    if !Path::new("/usr/bin/fetchmail").exists() {
        return Err("fetchmail is missing; run: apt-get install -y fetchmail".into());
    }
    let count: u64 = std::env::var("TIDINGS_BENCH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let servers = Servers::start()?;
    servers.seed("alice", "INBOX", 0, count)?;
    let alice = servers.user("alice");
    // Named so a later run (or the disk tool) finds it if this one is killed.
    let work = tempfile::Builder::new()
        .prefix("tidings-bench-")
        .tempdir_in("/tmp")?;
    let ca = work.path().join("ca.pem");
    std::fs::write(&ca, &servers.ca_pem)?;
    let rc = work.path().join("fetchmailrc");
    std::fs::write(
        &rc,
        format!(
            "poll localhost port {} protocol pop3 uidl\n  user \"{}\" password \"{}\"\n  \
             ssl sslcertck sslcertfile \"{}\"\n  keep fetchall\n",
            servers.ports.pop3s,
            alice.address,
            alice.password,
            ca.display(),
        ),
    )?;
    std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600))?;

    let mut theirs = Duration::MAX;
    let mut ours = Duration::MAX;
    for round in 0..2 {
        theirs = theirs.min(fetchmail(
            &work.path().join(format!("fetchmail-{round}")),
            &rc,
        )?);
        ours = ours.min(tidings(
            &work.path().join(format!("tidings-{round}")),
            &servers,
            &ca,
        )?);
    }
    println!("mailbox: {count} messages, POP3S to Dovecot on loopback, best of two runs each");
    println!("| measure | Tidings | fetchmail --bsmtp | Tidings / fetchmail | README's last |");
    println!("|---|---|---|---|---|");
    figures::row(
        &format!(
            "POP3S download {}, leave on server",
            figures::count_label(count)
        ),
        &[
            format!("{:.2} s", ours.as_secs_f64()),
            format!("{:.2} s", theirs.as_secs_f64()),
        ],
        ours.as_secs_f64() / theirs.as_secs_f64().max(1e-9),
    );
    Ok(())
}
