//! Autoconfig sources in order, against loopback: built-in data, a domain's config served over
//! HTTPS, and probing that finds the harness servers.

use std::sync::Arc;
use std::time::Duration;

use rcgen::{CertificateParams, KeyPair, SanType};
use tidings::accounts::autoconfig::{Dns, Lookup, Source, lookup};
use tidings::store::accounts::Security;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::harness::{HOST, Result, Servers};

/// A port nothing listens on.
fn closed_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind((HOST, 0))?.local_addr()?.port())
}

fn offline() -> Result<Lookup> {
    Ok(Lookup {
        config_urls: vec![format!("https://{HOST}:{}/x.xml", closed_port()?)],
        dns: Dns::Off,
        probe_hosts: Vec::new(),
        timeout: Duration::from_secs(2),
        ..Lookup::default()
    })
}

#[tokio::test]
async fn built_in_data_comes_first() -> Result<()> {
    let found = lookup("zhang@163.com", &offline()?).await?;
    assert_eq!(found.source, Source::BuiltIn("163.com".into()));
    let imap = found.imap.ok_or("no IMAP")?;
    assert_eq!((imap.host.as_str(), imap.port), ("imap.163.com", 993));
    assert!(found.provider.is_some_and(|p| p.sends_imap_id));
    Ok(())
}

/// Serves `body` at `path` (404 elsewhere) over HTTPS on loopback; returns port and CA.
async fn https_server(path: &'static str, body: String) -> Result<(u16, String)> {
    https_routes(vec![(path, Reply::Body(body))]).await
}

/// What a route answers.
enum Reply {
    /// 200 with this XML.
    Body(String),
    /// 302 to this location; `{port}` is replaced by the server's port.
    Redirect(String),
}

/// Serves each route over HTTPS on loopback (404 elsewhere); returns port and CA.
async fn https_routes(routes: Vec<(&'static str, Reply)>) -> Result<(u16, String)> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(HOST.parse()?));
    // A second name for the same server, so a redirect to "another host" would succeed if
    // it were followed.
    params
        .subject_alt_names
        .push(SanType::DnsName("localhost".try_into()?));
    let cert = params.signed_by(&key, &issuer)?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.der().clone()],
        rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
    )?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind((HOST, 0)).await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        // Bounded: a handful of requests, then the server stops by itself.
        for _ in 0..8 {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let Ok(mut tls) = acceptor.accept(tcp).await else {
                continue;
            };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request);
            let asked = line
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.split('?').next())
                .unwrap_or_default()
                .to_owned();
            let response = match routes.iter().find(|(p, _)| *p == asked).map(|(_, r)| r) {
                Some(Reply::Body(body)) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
                     Connection: close\r\n\r\n{body}",
                    body.len()
                ),
                Some(Reply::Redirect(to)) => format!(
                    "HTTP/1.1 302 Found\r\nLocation: {}\r\nContent-Length: 0\r\n\
                     Connection: close\r\n\r\n",
                    to.replace("{port}", &port.to_string())
                ),
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .into(),
            };
            let _ = tls.write_all(response.as_bytes()).await;
            let _ = tls.shutdown().await;
        }
    });
    Ok((port, ca.pem()))
}

#[tokio::test]
async fn the_domains_own_config_is_read_over_https() -> Result<()> {
    let xml = r#"<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="corp.example">
  <domain>corp.example</domain><displayName>Corp</displayName>
  <incomingServer type="imap"><hostname>imap.%EMAILDOMAIN%</hostname><port>993</port>
    <socketType>SSL</socketType><username>%EMAILLOCALPART%</username></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.corp.example</hostname><port>587</port>
    <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>"#;
    let (port, ca) =
        https_server("/.well-known/autoconfig/mail/config-v1.1.xml", xml.into()).await?;
    let how = Lookup {
        // The first URL answers 404; the second has the file.
        config_urls: vec![
            format!("https://{HOST}:{port}/mail/config-v1.1.xml?emailaddress={{email}}"),
            format!("https://{HOST}:{port}/.well-known/autoconfig/mail/config-v1.1.xml"),
        ],
        extra_roots: tidings::protocols::tls::certificates_from_pem(ca.as_bytes())?,
        ..offline()?
    };
    let found = lookup("bo@corp.example", &how).await?;
    assert_eq!(
        found.source,
        Source::DomainConfig(format!(
            "https://{HOST}:{port}/.well-known/autoconfig/mail/config-v1.1.xml"
        ))
    );
    let imap = found.imap.ok_or("no IMAP")?;
    assert_eq!(
        (imap.host.as_str(), imap.username.as_str()),
        ("imap.corp.example", "bo")
    );
    let smtp = found.smtp.ok_or("no SMTP")?;
    assert_eq!((smtp.port, smtp.security), (587, Security::StartTls));
    Ok(())
}

#[tokio::test]
async fn probing_finds_the_harness_servers() -> Result<()> {
    let servers = Servers::start()?;
    let closed = closed_port()?;
    let how = Lookup {
        probe_hosts: vec![HOST.into()],
        probe_imap: vec![
            (closed, Security::Tls),
            (servers.ports.imaps, Security::Tls),
        ],
        probe_pop3: vec![(servers.ports.pop3, Security::StartTls)],
        probe_smtp: vec![(servers.ports.submissions, Security::Tls)],
        extra_roots: servers.ca_der()?,
        // Generous: a loaded machine starts Postfix's first TLS worker slowly.
        timeout: Duration::from_secs(15),
        ..offline()?
    };
    let found = lookup("alice@unknown.example", &how).await?;
    assert_eq!(found.source, Source::Probe);
    assert_eq!(found.imap.map(|s| s.port), Some(servers.ports.imaps));
    assert_eq!(
        found.pop3.map(|s| (s.port, s.security)),
        Some((servers.ports.pop3, Security::StartTls))
    );
    assert_eq!(found.smtp.map(|s| s.port), Some(servers.ports.submissions));
    Ok(())
}

#[tokio::test]
async fn nothing_found_is_a_clear_error() -> Result<()> {
    let err = lookup("who@nowhere.example", &offline()?).await.err();
    assert!(
        err.as_ref()
            .is_some_and(|e| e.to_string().contains("enter the servers by hand")),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn account_add_fills_settings_from_built_in_data() -> Result<()> {
    let data = tempfile::tempdir()?;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
        .arg("--data-dir")
        .arg(data.path())
        .args([
            "account",
            "add",
            "--email",
            "zhang@126.com",
            "--ask-each-start",
        ])
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("built-in data for 126.com"));
    let store = tidings::store::Store::open(&data.path().join("mirror.sqlite3"))?;
    let a = tidings::store::accounts::list(&store.reader()?)?
        .pop()
        .ok_or("no account")?;
    assert_eq!(
        (a.imap.host.as_str(), a.imap.port, a.imap.enabled),
        ("imap.126.com", 993, true)
    );
    assert_eq!(
        (a.smtp.host.as_str(), a.smtp.port, a.smtp.enabled),
        ("smtp.126.com", 465, true)
    );
    // POP3 is known but stays off while IMAP is on; the user may switch it on.
    assert_eq!(
        (a.pop3.host.as_str(), a.pop3.enabled),
        ("pop.126.com", false)
    );
    assert!(a.provider_saves_sent);
    assert_eq!(a.provider_id, "126.com");
    Ok(())
}

#[tokio::test]
async fn srv_records_are_used_when_there_is_no_config_file() -> Result<()> {
    let dns = crate::harness::dns::DnsServer::start(&[
        "srv-host=_imaps._tcp.corp.example,imap.corp.example,993,0,10",
        "srv-host=_imap._tcp.corp.example,mail.corp.example,143,5,10",
        "srv-host=_submission._tcp.corp.example,smtp.corp.example,587,0,10",
    ])?;
    let how = Lookup {
        dns: Dns::Servers(vec![dns.addr]),
        ..offline()?
    };
    let found = lookup("li@corp.example", &how).await?;
    assert_eq!(found.source, Source::Srv);
    let imap = found.imap.ok_or("no IMAP")?;
    assert_eq!(
        (imap.host.as_str(), imap.port, imap.security),
        ("imap.corp.example", 993, Security::Tls)
    );
    let smtp = found.smtp.ok_or("no SMTP")?;
    assert_eq!(
        (smtp.host.as_str(), smtp.port, smtp.security),
        ("smtp.corp.example", 587, Security::StartTls)
    );
    assert!(found.pop3.is_none());
    // Every server is in the address's own domain: nothing to confirm.
    assert!(found.unverified_hosts.is_empty());
    Ok(())
}

#[tokio::test]
async fn srv_records_pointing_outside_the_domain_wait_for_the_user() -> Result<()> {
    // What a forged DNS answer looks like: the victim's domain sends mail clients elsewhere.
    let dns = crate::harness::dns::DnsServer::start(&[
        "srv-host=_imaps._tcp.victim.test,imap.attacker.test,993,0,10",
        "srv-host=_submission._tcp.victim.test,smtp.qq.com,587,0,10",
        "srv-host=_imaps._tcp.hosted.test,imap.qq.com,993,0,10",
    ])?;
    let how = Lookup {
        dns: Dns::Servers(vec![dns.addr]),
        ..offline()?
    };
    let found = lookup("me@victim.test", &how).await?;
    assert_eq!(found.source, Source::Srv);
    // A known provider's server is fine; the stranger must be accepted first.
    assert_eq!(
        found.unverified_hosts,
        vec!["imap.attacker.test".to_owned()]
    );
    assert!(found.needs_confirmation());
    let hosted = lookup("me@hosted.test", &how).await?;
    assert!(hosted.unverified_hosts.is_empty(), "{hosted:?}");
    Ok(())
}

#[tokio::test]
async fn config_redirects_stay_on_https_and_in_the_domain() -> Result<()> {
    let xml = r#"<clientConfig version="1.1"><emailProvider id="corp.example">
  <incomingServer type="imap"><hostname>imap.corp.example</hostname><port>993</port>
    <socketType>SSL</socketType></incomingServer>
</emailProvider></clientConfig>"#;
    let (port, ca) = https_routes(vec![
        (
            "/to-http",
            Reply::Redirect(format!("http://{HOST}:{{port}}/config.xml")),
        ),
        (
            "/to-elsewhere",
            Reply::Redirect("https://localhost:{port}/config.xml".into()),
        ),
        (
            "/moved",
            Reply::Redirect(format!("https://{HOST}:{{port}}/config.xml")),
        ),
        ("/config.xml", Reply::Body(xml.into())),
    ])
    .await?;
    let how = |path: &str| -> Result<Lookup> {
        Ok(Lookup {
            config_urls: vec![format!("https://{HOST}:{port}{path}")],
            extra_roots: tidings::protocols::tls::certificates_from_pem(ca.as_bytes())?,
            ..offline()?
        })
    };
    // Downgraded to http, or sent to another host: not followed, nothing found there.
    for path in ["/to-http", "/to-elsewhere"] {
        let found = lookup("bo@corp.example", &how(path)?).await;
        assert!(found.is_err(), "{path}: {found:?}");
    }
    // Within the same host over HTTPS: followed, and the address shown is the final one.
    let found = lookup("bo@corp.example", &how("/moved")?).await?;
    assert_eq!(
        found.source,
        Source::DomainConfig(format!("https://{HOST}:{port}/config.xml"))
    );
    Ok(())
}

#[tokio::test]
async fn a_domain_hosted_by_a_known_provider_is_found_by_its_mx() -> Result<()> {
    let dns = crate::harness::dns::DnsServer::start(&["mx-host=shop.example,mx3.qq.com,10"])?;
    let how = Lookup {
        dns: Dns::Servers(vec![dns.addr]),
        ..offline()?
    };
    let found = lookup("boss@shop.example", &how).await?;
    assert_eq!(found.source, Source::Mx("qq.com".into()));
    assert_eq!(
        found.imap.map(|s| (s.host, s.username)),
        Some(("imap.qq.com".into(), "boss@shop.example".into()))
    );
    Ok(())
}
