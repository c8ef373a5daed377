//! POP3 logins over implicit TLS and STLS. Tidings' own POP3 client comes with the POP3 issue;
//! until then these speak the few commands needed by hand.

use tidings::protocols::tls;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::harness::{HOST, Result, Servers};

async fn command<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut BufReader<S>,
    line: &str,
) -> Result<String> {
    if !line.is_empty() {
        stream
            .get_mut()
            .write_all(format!("{line}\r\n").as_bytes())
            .await?;
    }
    let mut reply = String::new();
    stream.read_line(&mut reply).await?;
    if !reply.starts_with("+OK") {
        return Err(format!("POP3 {line:?} answered {reply:?}").into());
    }
    Ok(reply)
}

async fn login_and_stat<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: BufReader<S>,
    servers: &Servers,
) -> Result<String> {
    let alice = servers.user("alice");
    command(&mut stream, &format!("USER {}", alice.address)).await?;
    command(&mut stream, &format!("PASS {}", alice.password)).await?;
    let stat = command(&mut stream, "STAT").await?;
    command(&mut stream, "QUIT").await?;
    Ok(stat)
}

#[tokio::test]
async fn login_over_implicit_tls() -> Result<()> {
    let servers = Servers::start()?;
    servers.seed("alice", "INBOX", 0, 3)?;
    let config = tls::client_config(&servers.ca_der()?)?;
    let tcp = TcpStream::connect((HOST, servers.ports.pop3s)).await?;
    let mut stream = BufReader::new(tls::handshake(config, HOST, tcp).await?);
    command(&mut stream, "").await?;
    let stat = login_and_stat(stream, &servers).await?;
    assert!(stat.starts_with("+OK 3 "), "{stat}");
    Ok(())
}

#[tokio::test]
async fn login_after_stls() -> Result<()> {
    let servers = Servers::start()?;
    let config = tls::client_config(&servers.ca_der()?)?;
    let tcp = TcpStream::connect((HOST, servers.ports.pop3)).await?;
    let mut plain = BufReader::new(tcp);
    command(&mut plain, "").await?;
    command(&mut plain, "STLS").await?;
    let stream = BufReader::new(tls::handshake(config, HOST, plain.into_inner()).await?);
    let stat = login_and_stat(stream, &servers).await?;
    assert!(stat.starts_with("+OK 0 "), "{stat}");
    Ok(())
}
