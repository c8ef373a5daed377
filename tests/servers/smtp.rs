//! SMTP submission over implicit TLS and STARTTLS, delivered through LMTP into Dovecot.

use std::time::{Duration, Instant};

use futures::StreamExt;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tidings::protocols::tls;
use tokio::net::TcpStream;

use crate::harness::{HOST, Result, Servers};

fn transport(servers: &Servers, implicit: bool) -> Result<AsyncSmtpTransport<Tokio1Executor>> {
    let params = tls::smtp_parameters(HOST, &servers.ca_der()?)?;
    let alice = servers.user("alice");
    let (port, mode) = if implicit {
        (servers.ports.submissions, Tls::Wrapper(params))
    } else {
        (servers.ports.submission, Tls::Required(params))
    };
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(HOST)
            .port(port)
            .tls(mode)
            .credentials(Credentials::new(alice.address, alice.password))
            .authentication(vec![Mechanism::Plain])
            .timeout(Some(Duration::from_secs(10)))
            .build(),
    )
}

/// Waits (bounded) until `user`'s INBOX holds a message with `subject`, read over IMAP.
async fn wait_for_subject(servers: &Servers, user: &str, subject: &str) -> Result<()> {
    let config = tls::client_config(&servers.ca_der()?)?;
    let account = servers.user(user);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let tcp = TcpStream::connect((HOST, servers.ports.imaps)).await?;
        let mut client = async_imap::Client::new(tls::handshake(config.clone(), HOST, tcp).await?);
        client.read_response().await?.ok_or("no IMAP greeting")?;
        let mut session = client
            .login(&account.address, &account.password)
            .await
            .map_err(|(e, _)| e)?;
        let mailbox = session.select("INBOX").await?;
        let mut found = false;
        if mailbox.exists > 0 {
            let subjects: Vec<String> = session
                .fetch("1:*", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
                .await?
                .filter_map(|f| async move {
                    f.ok()
                        .and_then(|f| f.header().map(|h| String::from_utf8_lossy(h).into_owned()))
                })
                .collect()
                .await;
            found = subjects.iter().any(|s| s.contains(subject));
        }
        session.logout().await?;
        if found {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{subject:?} never reached {user}:\n{}", servers.logs()).into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn send(servers: &Servers, implicit: bool, to: &str, subject: &str) -> Result<()> {
    let message = Message::builder()
        .from(servers.user("alice").address.parse()?)
        .to(to.parse()?)
        .subject(subject)
        .body(String::from("Hello from the harness.\r\n"))?;
    transport(servers, implicit)?.send(message).await?;
    Ok(())
}

#[tokio::test]
async fn submission_with_starttls_reaches_the_inbox() -> Result<()> {
    let servers = Servers::start()?;
    let bob = servers.user("bob").address;
    send(&servers, false, &bob, "via STARTTLS").await?;
    wait_for_subject(&servers, "bob", "via STARTTLS").await
}

#[tokio::test]
async fn submission_over_implicit_tls_reaches_the_inbox() -> Result<()> {
    let servers = Servers::start()?;
    let bob = servers.user("bob").address;
    send(&servers, true, &bob, "via implicit TLS").await?;
    wait_for_subject(&servers, "bob", "via implicit TLS").await
}

#[tokio::test]
async fn mail_to_other_domains_stays_on_the_machine() -> Result<()> {
    let servers = Servers::start()?;
    send(&servers, true, "someone@example.org", "to the outside").await?;
    wait_for_subject(&servers, "sink", "to the outside").await
}

#[tokio::test]
async fn a_wrong_password_is_refused() -> Result<()> {
    let servers = Servers::start()?;
    let params = tls::smtp_parameters(HOST, &servers.ca_der()?)?;
    let transport: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(HOST)
            .port(servers.ports.submissions)
            .tls(Tls::Wrapper(params))
            .credentials(Credentials::new(
                servers.user("alice").address,
                "wrong".into(),
            ))
            .authentication(vec![Mechanism::Plain])
            .build();
    let ok = transport.test_connection().await;
    assert!(ok.is_err(), "a wrong password was accepted");
    Ok(())
}
