//! A fault-injecting TCP proxy on loopback, between Tidings and a harness server: it cuts the
//! connection after N bytes in either direction (with FIN or RST), stalls it silently (no FIN,
//! as a dropped Wi-Fi does), throttles, refuses new connections for a while, and answers UID FETCH
//! with a UID list by a tagged `BAD` (as QQ Mail does). Each fault applies
//! to the connections opened after it is set; `Faults::default()` forwards faithfully.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{HOST, Result};

/// What goes wrong on the connections opened from now on.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Close after the server sent this many bytes to the client.
    pub cut_to_client_after: Option<u64>,
    /// Close after the client sent this many bytes to the server.
    pub cut_to_server_after: Option<u64>,
    /// Close with a reset (RST) rather than a FIN.
    pub reset: bool,
    /// After this many bytes to the client, forward nothing more in either direction and
    /// never close: the peer has silently vanished.
    pub stall_after: Option<u64>,
    /// Bytes per second to the client.
    pub throttle: Option<u64>,
    /// Refuse (accept and drop at once) connections until then.
    pub refuse_until: Option<Instant>,
    /// A client `UID FETCH` line whose UID set is a list (has a comma) is not forwarded; its
    /// tag gets `BAD` instead, as QQ Mail answers.
    pub bad_uid_lists: bool,
    /// Apply to one connection only, then forward faithfully again.
    pub once: bool,
}

/// A running proxy; stops with the test's runtime.
pub struct Proxy {
    /// The port to point the client at.
    pub port: u16,
    faults: Arc<Mutex<Faults>>,
    connections: Arc<AtomicUsize>,
    /// Per connection, in the order accepted: set to silence it from now on.
    silenced: Arc<Mutex<Vec<Arc<std::sync::atomic::AtomicBool>>>>,
}

impl Proxy {
    /// Starts forwarding 127.0.0.1:`port` (new) to 127.0.0.1:`target`.
    pub async fn start(target: u16) -> Result<Proxy> {
        let listener = TcpListener::bind((HOST, 0)).await?;
        let port = listener.local_addr()?.port();
        let faults = Arc::new(Mutex::new(Faults::default()));
        let connections = Arc::new(AtomicUsize::new(0));
        let silenced: Arc<Mutex<Vec<Arc<std::sync::atomic::AtomicBool>>>> = Arc::default();
        let (f, count, all) = (faults.clone(), connections.clone(), silenced.clone());
        tokio::spawn(async move {
            // Bounded: a test opens a few hundred connections at most.
            for _ in 0..2000 {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                count.fetch_add(1, Ordering::SeqCst);
                let now = {
                    let Ok(mut guard) = f.lock() else { return };
                    let now = guard.clone();
                    if now.once {
                        *guard = Faults::default();
                    }
                    now
                };
                let silence = Arc::new(std::sync::atomic::AtomicBool::new(false));
                if let Ok(mut all) = all.lock() {
                    all.push(silence.clone());
                }
                if now.refuse_until.is_some_and(|t| Instant::now() < t) {
                    drop(client);
                    continue;
                }
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect((HOST, target)).await {
                        let _ = pump(client, server, now, silence).await;
                    }
                });
            }
        });
        Ok(Proxy {
            port,
            faults,
            connections,
            silenced,
        })
    }

    /// Silences connection `n` (0 is the first accepted) from now on: nothing more is
    /// forwarded either way and it is never closed, as when the network drops without a word.
    pub fn silence(&self, n: usize) {
        if let Some(flag) = self
            .silenced
            .lock()
            .ok()
            .and_then(|all| all.get(n).cloned())
        {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// Sets the faults for the next connections.
    pub fn set(&self, faults: Faults) {
        if let Ok(mut f) = self.faults.lock() {
            *f = faults;
        }
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

async fn close(stream: &mut tokio::net::tcp::OwnedWriteHalf, reset: bool) {
    if !reset {
        let _ = stream.shutdown().await;
    }
}

async fn pump(
    client: TcpStream,
    server: TcpStream,
    faults: Faults,
    silence: Arc<std::sync::atomic::AtomicBool>,
) -> std::io::Result<()> {
    if faults.reset {
        // Dropping with a zero linger sends RST.
        let _ = client.set_zero_linger();
    }
    let (mut client_read, client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let client_write = Arc::new(tokio::sync::Mutex::new(client_write));
    let stalled = silence;

    let to_client = {
        let client_write = client_write.clone();
        let faults = faults.clone();
        let stalled = stalled.clone();
        async move {
            let mut sent = 0u64;
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = server_read.read(&mut buf).await?;
                if stalled.load(Ordering::SeqCst) {
                    std::future::pending::<()>().await;
                }
                if n == 0 {
                    close(&mut *client_write.lock().await, false).await;
                    return Ok::<_, std::io::Error>(());
                }
                let mut chunk = &buf[..n];
                let limit = faults
                    .cut_to_client_after
                    .into_iter()
                    .chain(faults.stall_after)
                    .min();
                if let Some(limit) = limit
                    && sent + chunk.len() as u64 >= limit
                {
                    chunk = &chunk[..(limit.saturating_sub(sent)) as usize];
                    client_write.lock().await.write_all(chunk).await?;
                    if faults.stall_after.is_some_and(|s| s <= limit) {
                        stalled.store(true, Ordering::SeqCst);
                        // Silent: hold the socket open, forward nothing, until the test ends.
                        std::future::pending::<()>().await;
                    }
                    close(&mut *client_write.lock().await, faults.reset).await;
                    return Ok(());
                }
                if let Some(rate) = faults.throttle.filter(|r| *r > 0) {
                    tokio::time::sleep(Duration::from_secs_f64(chunk.len() as f64 / rate as f64))
                        .await;
                }
                client_write.lock().await.write_all(chunk).await?;
                sent += chunk.len() as u64;
            }
        }
    };
    let to_server = {
        let client_write = client_write.clone();
        async move {
            let mut sent = 0u64;
            let mut buf = vec![0u8; 16 * 1024];
            let mut line = Vec::new();
            loop {
                let n = client_read.read(&mut buf).await?;
                if n == 0 || stalled.load(Ordering::SeqCst) {
                    if n == 0 {
                        let _ = server_write.shutdown().await;
                        return Ok::<_, std::io::Error>(());
                    }
                    std::future::pending::<()>().await;
                }
                let mut chunk = buf[..n].to_vec();
                if faults.bad_uid_lists {
                    // Whole lines only: hold a partial line until its end arrives.
                    line.extend_from_slice(&chunk);
                    chunk.clear();
                    while let Some(end) = line.iter().position(|b| *b == b'\n') {
                        let one: Vec<u8> = line.drain(..=end).collect();
                        let text = String::from_utf8_lossy(&one).to_ascii_uppercase();
                        let list = text
                            .split_once("UID FETCH ")
                            .and_then(|(_, rest)| rest.split_whitespace().next())
                            .is_some_and(|set| set.contains(','));
                        if list {
                            let tag = String::from_utf8_lossy(&one)
                                .split_whitespace()
                                .next()
                                .unwrap_or("*")
                                .to_owned();
                            let reply = format!("{tag} BAD [CLIENTBUG] Invalid message set\r\n");
                            client_write
                                .lock()
                                .await
                                .write_all(reply.as_bytes())
                                .await?;
                        } else {
                            chunk.extend_from_slice(&one);
                        }
                    }
                }
                if let Some(limit) = faults.cut_to_server_after
                    && sent + chunk.len() as u64 >= limit
                {
                    let keep = (limit.saturating_sub(sent)) as usize;
                    server_write
                        .write_all(&chunk[..keep.min(chunk.len())])
                        .await?;
                    close(&mut *client_write.lock().await, faults.reset).await;
                    let _ = server_write.shutdown().await;
                    return Ok(());
                }
                server_write.write_all(&chunk).await?;
                sent += chunk.len() as u64;
            }
        }
    };
    // Whichever side ends first ends the connection (and, for a reset, drops the socket now).
    tokio::select! {
        r = to_client => r,
        r = to_server => r,
    }
}
