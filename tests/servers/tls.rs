//! The project's TLS config against the harness: trusted with the run's CA, refused without.

use tidings::protocols::tls::{self, TlsError};
use tokio::net::TcpStream;

use crate::harness::{HOST, Result, Servers};

#[tokio::test]
async fn handshake_succeeds_when_the_harness_ca_is_trusted() -> Result<()> {
    let servers = Servers::start()?;
    let config = tls::client_config(&servers.ca_der()?)?;
    let tcp = TcpStream::connect((HOST, servers.ports.imaps)).await?;
    let stream = tls::handshake(config, HOST, tcp).await?;
    let (_, session) = stream.get_ref();
    assert!(session.protocol_version().is_some());
    Ok(())
}

#[tokio::test]
async fn handshake_without_the_ca_says_the_certificate_is_not_trusted() -> Result<()> {
    let servers = Servers::start()?;
    let config = tls::client_config(&[])?;
    let tcp = TcpStream::connect((HOST, servers.ports.imaps)).await?;
    let err = tls::handshake(config, HOST, tcp).await.err();
    match &err {
        Some(TlsError::NotTrusted { host, .. }) => assert_eq!(host, HOST),
        other => panic!("expected NotTrusted, got {other:?}"),
    }
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.contains("is not trusted"), "{text}");
    Ok(())
}

#[tokio::test]
async fn handshake_for_another_name_is_refused() -> Result<()> {
    let servers = Servers::start()?;
    let config = tls::client_config(&servers.ca_der()?)?;
    let tcp = TcpStream::connect((HOST, servers.ports.imaps)).await?;
    let err = tls::handshake(config, "imap.example.org", tcp).await.err();
    assert!(matches!(err, Some(TlsError::WrongHost { .. })), "{err:?}");
    Ok(())
}
