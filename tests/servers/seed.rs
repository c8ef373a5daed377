//! The seeder writes what Dovecot then serves, byte for byte.

use futures::StreamExt;
use tidings::protocols::tls;
use tokio::net::TcpStream;

use crate::harness::{HOST, Result, Servers, seed};

#[test]
fn messages_are_deterministic_and_varied() {
    let (a, sa) = seed::message(42);
    let (b, _) = seed::message(42);
    assert_eq!(a, b);
    let sizes: Vec<usize> = (0..200).map(|n| seed::message(n).1.size).collect();
    assert!(sizes.iter().any(|&s| s < 4_000) && sizes.iter().any(|&s| s > 15_000));
    assert!(
        sa.date > seed::message(43).1.date,
        "older messages must have older dates"
    );
    let (big, seeded) = seed::message(9);
    assert!(seeded.has_attachment && big.len() > 1_000_000);
    let gbk = seed::message(7).0;
    assert!(String::from_utf8_lossy(&gbk).contains("=?GBK?B?"));
}

#[tokio::test]
async fn seeded_messages_are_served_over_imap() -> Result<()> {
    let servers = Servers::start()?;
    let seeded = servers.seed("alice", "INBOX", 0, 50)?;
    servers.seed("alice", "Archive", 50, 10)?;
    let config = tls::client_config(&servers.ca_der()?)?;
    let tcp = TcpStream::connect((HOST, servers.ports.imaps)).await?;
    let mut client = async_imap::Client::new(tls::handshake(config, HOST, tcp).await?);
    client.read_response().await?.ok_or("no IMAP greeting")?;
    let alice = servers.user("alice");
    let mut session = client
        .login(&alice.address, &alice.password)
        .await
        .map_err(|(e, _)| e)?;
    assert_eq!(session.select("INBOX").await?.exists, 50);
    let bodies: Vec<Vec<u8>> = session
        .fetch("1:*", "BODY.PEEK[]")
        .await?
        .filter_map(|f| async move { f.ok().and_then(|f| f.body().map(<[u8]>::to_vec)) })
        .collect()
        .await;
    assert_eq!(bodies.len(), 50);
    for s in &seeded {
        let n: u64 = s
            .message_id
            .trim_start_matches("seed-")
            .split('@')
            .next()
            .unwrap_or("")
            .parse()?;
        let expected = seed::message(n).0;
        assert!(
            bodies.contains(&expected),
            "message {n} differs on the server"
        );
    }
    assert_eq!(session.select("Archive").await?.exists, 10);
    session.logout().await?;
    Ok(())
}
