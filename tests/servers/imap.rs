//! IMAP logins over implicit TLS and STARTTLS with the project's TLS config.

use std::sync::Arc;

use futures::StreamExt;
use tidings::protocols::tls;
use tokio::net::TcpStream;

use crate::harness::{HOST, Result, Servers};

async fn login_and_select<S>(stream: S, servers: &Servers) -> Result<u32>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + std::fmt::Debug,
{
    let mut client = async_imap::Client::new(stream);
    // async-imap does not read the greeting itself.
    client.read_response().await?.ok_or("no IMAP greeting")?;
    let alice = servers.user("alice");
    let mut session = client
        .login(&alice.address, &alice.password)
        .await
        .map_err(|(e, _)| e)?;
    let caps = session.capabilities().await?;
    for cap in [
        "IDLE",
        "CONDSTORE",
        "QRESYNC",
        "MOVE",
        "UIDPLUS",
        "SPECIAL-USE",
    ] {
        assert!(caps.has_str(cap), "Dovecot does not offer {cap}");
    }
    let mailbox = session.select("INBOX").await?;
    let names: Vec<String> = session
        .list(Some(""), Some("*"))
        .await?
        .filter_map(|n| async move { n.ok().map(|n| n.name().to_owned()) })
        .collect()
        .await;
    for folder in ["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"] {
        assert!(
            names.iter().any(|n| n == folder),
            "{folder} missing in {names:?}"
        );
    }
    session.logout().await?;
    Ok(mailbox.exists)
}

#[tokio::test]
async fn login_over_implicit_tls() -> Result<()> {
    let servers = Servers::start()?;
    let config = tls::client_config(&servers.ca_der()?)?;
    let tcp = TcpStream::connect((HOST, servers.ports.imaps)).await?;
    let stream = tls::handshake(config, HOST, tcp).await?;
    assert_eq!(login_and_select(stream, &servers).await?, 0);
    Ok(())
}

#[tokio::test]
async fn login_after_starttls() -> Result<()> {
    let servers = Servers::start()?;
    let config: Arc<_> = tls::client_config(&servers.ca_der()?)?;
    let tcp = TcpStream::connect((HOST, servers.ports.imap)).await?;
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await?.ok_or("no IMAP greeting")?;
    client.run_command_and_check_ok("STARTTLS", None).await?;
    let stream = tls::handshake(config, HOST, client.into_inner()).await?;
    // A fresh client: the greeting was already consumed before STARTTLS.
    let client = async_imap::Client::new(stream);
    let alice = servers.user("alice");
    let mut session = client
        .login(&alice.address, &alice.password)
        .await
        .map_err(|(e, _)| e)?;
    let mailbox = session.select("INBOX").await?;
    assert_eq!(mailbox.exists, 0);
    session.logout().await?;
    Ok(())
}
