//! Mail delivered through Postfix while the engine idles shows up in the mirror.

use std::time::{Duration, Instant};

use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tidings::engine::{Command, Event};
use tidings::protocols::tls;
use tidings::store::messages;

use crate::fixture::{Fixture, wait_for};
use crate::harness::{HOST, Result};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_mail_arrives_while_idling() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 1, 2)?;
    let (handle, mut events) = fx.start_engine();
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    // Let the IDLE connection settle into IDLE before the delivery.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let bob = fx.servers.user("bob");
    let params = tls::smtp_parameters(HOST, &fx.servers.ca_der()?)?;
    let transport: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(HOST)
            .port(fx.servers.ports.submissions)
            .tls(Tls::Wrapper(params))
            .credentials(Credentials::new(bob.address.clone(), bob.password))
            .authentication(vec![Mechanism::Plain])
            .build();
    let message = Message::builder()
        .from(bob.address.parse()?)
        .to(fx.servers.user("alice").address.parse()?)
        .subject("新邮件 while idling")
        .message_id(Some("<idle-test@tidings.test>".into()))
        .body(String::from("Hello.\r\n"))?;
    let sent = Instant::now();
    transport.send(message).await?;

    let inbox = fx.folder_id("INBOX")?;
    let reader = fx.reader()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        wait_for(
            &mut events,
            deadline - Instant::now(),
            |e| matches!(e, Event::MessagesChanged { folder, .. } if *folder == inbox),
        )
        .await?;
        let found = messages::by_rfc_message_id(&reader, fx.account, "idle-test@tidings.test")?;
        if let Some(m) = found.first() {
            assert_eq!(m.subject, "新邮件 while idling");
            eprintln!("delivered mail visible after {:?}", sent.elapsed());
            break;
        }
    }
    handle.send(Command::Shutdown).await?;
    Ok(())
}
