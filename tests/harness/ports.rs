//! Free loopback ports for the daemons a test starts.
//!
//! A port is probed by binding it, then released for the daemon to take, so two harnesses in one
//! test binary could be handed the same number between the probe and the daemon's bind. Ports are
//! therefore never handed out twice in a process, and each is probed on every loopback address a
//! listener may use: Dovecot's no-TLS listeners live on 127.0.0.3 only, so a probe of 127.0.0.1
//! alone neither sees them taken nor keeps another harness from picking the same number.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::Mutex;

use super::{HOST, INSECURE_HOST, NO_TLS_HOST, Result};

/// Every port this process has handed out.
static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// `n` distinct ports, free on every harness loopback address and never given before here.
pub fn free(n: usize) -> Result<Vec<u16>> {
    let mut given = GIVEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut ports = Vec::with_capacity(n);
    // Held until every port is chosen, so the kernel hands out a new number each time.
    let mut held = Vec::new();
    let mut tries = 0;
    while ports.len() < n {
        tries += 1;
        if tries > 1000 {
            return Err(format!("no free loopback port after {tries} tries").into());
        }
        let probe = TcpListener::bind((HOST, 0))?;
        let port = probe.local_addr()?.port();
        held.push(probe);
        if given.contains(&port) {
            continue;
        }
        let others_free = [INSECURE_HOST, NO_TLS_HOST]
            .iter()
            .all(|host| TcpListener::bind((*host, port)).is_ok());
        if others_free {
            given.insert(port);
            ports.push(port);
        }
    }
    Ok(ports)
}
