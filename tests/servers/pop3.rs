//! POP3 against the harness: raw logins over implicit TLS and STLS (proving the harness), and
//! Tidings' own client speaking every command.

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

#[tokio::test]
async fn our_client_speaks_every_command() -> Result<()> {
    let servers = Servers::start()?;
    let seeded = servers.seed("alice", "INBOX", 0, 3)?;
    let alice = servers.user("alice");
    let login = tidings::protocols::pop3::Pop3Login {
        host: HOST.into(),
        port: servers.ports.pop3,
        security: tidings::store::accounts::Security::StartTls,
        username: alice.address.clone(),
        password: alice.password.clone(),
    };
    let config = tls::client_config(&servers.ca_der()?)?;
    let mut session = tidings::protocols::pop3::connect(&login, config).await?;
    assert!(session.capabilities().iter().any(|c| c == "UIDL"));
    let (count, size) = session.stat().await?;
    assert_eq!(count, 3);
    let list = session.list().await?;
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().map(|(_, s)| s).sum::<u64>(), size);
    let top = session.top(1, 0).await?;
    let top = String::from_utf8_lossy(&top);
    assert!(
        top.contains("Message-ID:") && !top.contains("This is seeded message"),
        "{top}"
    );
    let uidl = session.uidl().await?;
    assert_eq!(uidl.len(), 3);
    session.noop().await?;
    session.dele(1).await?;
    session.rset().await?;
    let mut all = Vec::new();
    let mut many = session.retr_many(&[1, 2, 3]);
    while let Some(next) = many.next().await {
        all.push(next?.1);
    }
    for s in &seeded {
        let n: u64 = s.message_id["seed-".len()..]
            .split('@')
            .next()
            .unwrap_or("")
            .parse()?;
        assert!(all.contains(&crate::harness::seed::message(n).0));
    }
    session.quit().await?;
    // RSET undid the DELE: all three are still there.
    let config = tls::client_config(&servers.ca_der()?)?;
    let mut again = tidings::protocols::pop3::connect(&login, config).await?;
    assert_eq!(again.stat().await?.0, 3);
    again.quit().await?;
    Ok(())
}
