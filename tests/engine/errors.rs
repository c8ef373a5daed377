//! Bad settings and broken servers give one clear error each and leave the mirror untouched.

use tidings::engine::{ErrorKind, Event};
use tidings::store::accounts::Security;

use crate::fixture::{Fixture, account_for, error_kinds};
use crate::harness::{NO_TLS_HOST, Result, Servers};

fn message_count(fx: &Fixture) -> Result<i64> {
    Ok(fx
        .reader()?
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_an_auth_error() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 0, 3)?;
    let events = fx.sync_once_with("not the password").await?;
    assert_eq!(
        error_kinds(&events),
        vec![ErrorKind::AuthFailed],
        "{events:?}"
    );
    assert_eq!(message_count(&fx)?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_port_says_so() -> Result<()> {
    let servers = Servers::start()?;
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port();
    let fx = Fixture::with_account(
        servers,
        |s| account_for(s, "alice", port, Security::Tls),
        true,
    )?;
    let events = fx.sync_once().await?;
    assert_eq!(
        error_kinds(&events),
        vec![ErrorKind::Unreachable],
        "{events:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_refused() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.imaps;
    let fx = Fixture::with_account(
        servers,
        |s| account_for(s, "alice", port, Security::Tls),
        false,
    )?;
    fx.servers.seed("alice", "INBOX", 0, 3)?;
    let events = fx.sync_once().await?;
    assert_eq!(
        error_kinds(&events),
        vec![ErrorKind::TlsNotTrusted],
        "{events:?}"
    );
    let text = events
        .iter()
        .find_map(|e| match e {
            Event::Error { message, .. } => Some(message.clone()),
            _ => None,
        })
        .unwrap_or_default();
    assert!(text.contains("not trusted"), "{text}");
    assert_eq!(message_count(&fx)?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_missing_is_an_error_not_a_downgrade() -> Result<()> {
    let servers = Servers::start()?;
    let port = servers.ports.imap_no_tls;
    let fx = Fixture::with_account(
        servers,
        |s| {
            let mut a = account_for(s, "alice", port, Security::StartTls);
            a.imap.host = NO_TLS_HOST.into();
            a
        },
        true,
    )?;
    let events = fx.sync_once().await?;
    assert_eq!(
        error_kinds(&events),
        vec![ErrorKind::StartTlsUnavailable],
        "{events:?}"
    );
    Ok(())
}
