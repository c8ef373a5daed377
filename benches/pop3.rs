//! POP3 download benchmark: Tidings' `sync --once` on a POP3-only account against fetchmail
//! (Debian `fetchmail`) delivering the same mailbox to a file, both over POP3S to the harness
//! Dovecot, in one run; prints the ratio.
//!
//! `cargo bench --bench pop3` uses 10k messages; `TIDINGS_BENCH_MESSAGES` sets another count.

#[path = "../tests/harness/mod.rs"]
mod harness;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use harness::{HOST, Result, Servers};

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
    let work = tempfile::tempdir()?;
    let ca = work.path().join("ca.pem");
    std::fs::write(&ca, &servers.ca_pem)?;

    // fetchmail: keep everything on the server, append every message to one file.
    let mbox = work.path().join("fetched.mbox");
    let rc = work.path().join("fetchmailrc");
    std::fs::write(
        &rc,
        format!(
            "poll localhost port {} protocol pop3 uidl\n  user \"{}\" password \"{}\"\n  \
             ssl sslcertck sslcertfile \"{}\"\n  keep fetchall\n  mda \"/bin/sh -c 'cat >> {}'\"\n",
            servers.ports.pop3s,
            alice.address,
            alice.password,
            ca.display(),
            mbox.display()
        ),
    )?;
    std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600))?;
    let start = Instant::now();
    let status = Command::new("/usr/bin/fetchmail")
        .arg("-f")
        .arg(&rc)
        .arg("--idfile")
        .arg(work.path().join("fetchids"))
        .arg("--nosyslog")
        .env("HOME", work.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let theirs = start.elapsed();
    if !status.success() {
        return Err(format!("fetchmail failed: {status}").into());
    }

    let data = work.path().join("tidings");
    let tidings = env!("CARGO_BIN_EXE_tidings");
    let status = Command::new(tidings)
        .arg("--data-dir")
        .arg(&data)
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
        .arg(&ca)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err("tidings account add failed".into());
    }
    let start = Instant::now();
    let status = Command::new(tidings)
        .arg("--data-dir")
        .arg(&data)
        .args(["sync", "--once", "--account", &alice.address])
        .env("TIDINGS_PASSWORD", &alice.password)
        .stdout(Stdio::null())
        .status()?;
    let ours = start.elapsed();
    if !status.success() {
        return Err("tidings sync failed".into());
    }
    println!("mailbox: {count} messages, POP3S to Dovecot on loopback");
    println!("| measure | Tidings | fetchmail | Tidings / fetchmail |");
    println!("|---|---|---|---|");
    println!(
        "| download everything | {:.2} s | {:.2} s | {:.2} |",
        ours.as_secs_f64(),
        theirs.as_secs_f64(),
        ours.as_secs_f64() / theirs.as_secs_f64().max(1e-9)
    );
    Ok(())
}
