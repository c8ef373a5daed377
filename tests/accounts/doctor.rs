//! The connection doctor against the harness: each failure stops at the right step with the
//! right hint, and a pinned certificate turns a failure into a pass.

use tidings::accounts::doctor::{Hint, Report, Step, examine};
use tidings::engine::Protocol;
use tidings::i18n::I18n;
use tidings::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};

use crate::harness::{HOST, NO_TLS_HOST, Result, Servers};
use tidings::protocols::tls::{Trust, TrustEntry, TrustKind};

fn account(servers: &Servers) -> Account {
    let alice = servers.user("alice").address;
    let server = |host: &str, port, security| ServerSettings {
        enabled: true,
        host: host.into(),
        port,
        security,
        auth: AuthKind::Password,
        username: alice.clone(),
    };
    Account {
        id: 1,
        display_name: "Alice".into(),
        address: alice.clone(),
        provider_id: String::new(),
        imap: server(HOST, servers.ports.imaps, Security::Tls),
        pop3: server(HOST, servers.ports.pop3, Security::StartTls),
        smtp: server(HOST, servers.ports.submission, Security::StartTls),
        pop3_options: Pop3Options::default(),
        sync_window_days: 0,
        provider_saves_sent: false,
        password_mode: PasswordMode::Keyring,
    }
}

fn failure(report: &Report, protocol: Protocol) -> Option<(Step, Hint)> {
    report
        .protocols
        .iter()
        .find(|p| p.protocol == protocol)?
        .steps
        .iter()
        .find(|s| !s.ok)
        .and_then(|s| s.hint.clone().map(|h| (s.step, h)))
}

#[tokio::test]
async fn a_good_account_passes_every_step() -> Result<()> {
    let servers = Servers::start()?;
    let password = servers.user("alice").password;
    let report = examine(
        &account(&servers),
        |_| Some(password.clone()),
        &Trust::roots(servers.ca_der()?),
    )
    .await;
    assert!(report.ok(), "{}", report.render(&I18n::new("en")));
    let imap = &report.protocols[0];
    let steps: Vec<Step> = imap.steps.iter().map(|s| s.step).collect();
    assert_eq!(
        steps,
        [
            Step::Dns,
            Step::Connect,
            Step::Tls,
            Step::Login,
            Step::Mailbox
        ]
    );
    let cert = imap.certificate.as_ref().ok_or("no certificate shown")?;
    assert!(cert.issuer.contains("Tidings test CA"), "{}", cert.issuer);
    assert_eq!(report.protocols.len(), 3);
    Ok(())
}

#[tokio::test]
async fn an_empty_user_name_logs_in_as_the_address_as_the_engine_does() -> Result<()> {
    let servers = Servers::start()?;
    let password = servers.user("alice").password;
    let mut account = account(&servers);
    // Settings saved with the user name left blank: the engine logs in with the address, so
    // the doctor must too, or it fails an account that syncs.
    for s in [&mut account.imap, &mut account.pop3, &mut account.smtp] {
        s.username.clear();
    }
    let report = examine(
        &account,
        |_| Some(password.clone()),
        &Trust::roots(servers.ca_der()?),
    )
    .await;
    assert!(report.ok(), "{}", report.render(&I18n::new("en")));
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_fails_at_sign_in() -> Result<()> {
    let servers = Servers::start()?;
    let report = examine(
        &account(&servers),
        |_| Some("wrong".into()),
        &Trust::roots(servers.ca_der()?),
    )
    .await;
    for protocol in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
        assert_eq!(
            failure(&report, protocol),
            Some((Step::Login, Hint::WrongPassword)),
            "{protocol:?}: {}",
            report.render(&I18n::new("en"))
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_closed_port_fails_at_connect() -> Result<()> {
    let servers = Servers::start()?;
    let mut a = account(&servers);
    a.imap.port = std::net::TcpListener::bind((HOST, 0))?.local_addr()?.port();
    let report = examine(&a, |_| Some("x".into()), &Trust::roots(servers.ca_der()?)).await;
    assert_eq!(
        failure(&report, Protocol::Imap),
        Some((Step::Connect, Hint::PortBlocked))
    );
    Ok(())
}

#[tokio::test]
async fn an_untrusted_certificate_can_be_pinned() -> Result<()> {
    let servers = Servers::start()?;
    let a = account(&servers);
    let password = servers.user("alice").password;
    let report = examine(&a, |_| Some(password.clone()), &Trust::default()).await;
    let Some((Step::Tls, Hint::CertificateNotTrusted(cert))) = failure(&report, Protocol::Imap)
    else {
        return Err(format!("expected an untrusted certificate: {report:?}").into());
    };
    assert_eq!(cert.sha256.len(), 32 * 3 - 1);
    let zh = report.render(&I18n::new("zh-CN"));
    assert!(zh.contains("不受信任") && zh.contains(&cert.sha256), "{zh}");
    // The user trusts exactly what each server showed; the next run passes.
    let shown: Vec<TrustEntry> = report
        .protocols
        .iter()
        .filter_map(|p| {
            Some(TrustEntry {
                host: p.host.clone(),
                port: p.port,
                kind: TrustKind::Pin,
                der: p.certificate.as_ref()?.der.clone(),
            })
        })
        .collect();
    assert_eq!(shown.len(), 3, "each protocol showed its certificate");
    let pinned = Trust {
        roots: Vec::new(),
        entries: shown.clone(),
    };
    let report = examine(&a, |_| Some(password.clone()), &pinned).await;
    assert!(report.ok(), "{}", report.render(&I18n::new("en")));

    // A pin is bound to the server that showed it: the IMAP server's pin alone leaves the
    // POP3 port (same host, same certificate) untrusted.
    let imap_only = Trust {
        roots: Vec::new(),
        entries: shown
            .into_iter()
            .filter(|e| e.port == servers.ports.imaps)
            .collect(),
    };
    let report = examine(&a, |_| Some(password.clone()), &imap_only).await;
    assert!(failure(&report, Protocol::Imap).is_none());
    assert!(
        matches!(
            failure(&report, Protocol::Pop3),
            Some((Step::Tls, Hint::CertificateNotTrusted(_)))
        ),
        "{}",
        report.render(&I18n::new("en"))
    );
    Ok(())
}

#[tokio::test]
async fn a_pinned_ca_certificate_is_no_trust_root() -> Result<()> {
    // The server showed a certificate with CA:TRUE (here the harness's own CA) and the user
    // pinned it. Certificates that CA issued, for this or any other server, stay untrusted:
    // only the pinned certificate itself would be accepted.
    let servers = Servers::start()?;
    let mut a = account(&servers);
    a.pop3.enabled = false;
    a.smtp.enabled = false;
    let password = servers.user("alice").password;
    let pinned = Trust {
        roots: Vec::new(),
        entries: servers
            .ca_der()?
            .into_iter()
            .map(|ca| TrustEntry {
                host: HOST.into(),
                port: servers.ports.imaps,
                kind: TrustKind::Pin,
                der: ca.to_vec(),
            })
            .collect(),
    };
    let report = examine(&a, |_| Some(password.clone()), &pinned).await;
    assert!(
        matches!(
            failure(&report, Protocol::Imap),
            Some((Step::Tls, Hint::CertificateNotTrusted(_)))
        ),
        "{}",
        report.render(&I18n::new("en"))
    );
    Ok(())
}

#[tokio::test]
async fn a_missing_starttls_fails_at_sign_in_with_the_tls_port_hint() -> Result<()> {
    let servers = Servers::start()?;
    let mut a = account(&servers);
    a.imap.host = NO_TLS_HOST.into();
    a.imap.port = servers.ports.imap_no_tls;
    a.imap.security = Security::StartTls;
    a.pop3.host = NO_TLS_HOST.into();
    a.pop3.port = servers.ports.pop3_no_tls;
    let report = examine(&a, |_| Some("x".into()), &Trust::roots(servers.ca_der()?)).await;
    assert_eq!(
        failure(&report, Protocol::Imap),
        Some((Step::Login, Hint::StartTlsMissing))
    );
    assert_eq!(
        failure(&report, Protocol::Pop3),
        Some((Step::Login, Hint::StartTlsMissing))
    );
    Ok(())
}

#[tokio::test]
async fn a_netease_account_is_told_about_the_authorization_code() -> Result<()> {
    // The harness plays 163.com's server; the provider data decides the hint.
    let servers = Servers::start()?;
    let mut a = account(&servers);
    a.address = "someone@163.com".into();
    a.pop3.enabled = false;
    a.smtp.enabled = false;
    let report = examine(
        &a,
        |_| Some("login password".into()),
        &Trust::roots(servers.ca_der()?),
    )
    .await;
    let Some((Step::Login, Hint::NeedsAuthorizationCode { provider, .. })) =
        failure(&report, Protocol::Imap)
    else {
        return Err(format!("{report:?}").into());
    };
    assert_eq!(provider, "NetEase 163 Mail");
    let zh = report.render(&I18n::new("zh-CN"));
    assert!(zh.contains("授权码"), "{zh}");
    Ok(())
}

#[tokio::test]
async fn the_engine_answers_test_connection_with_a_report() -> Result<()> {
    let servers = Servers::start()?;
    let dir = tempfile::tempdir()?;
    let store = tidings::store::Store::open(&dir.path().join("m.sqlite3"))?;
    let mut a = account(&servers);
    a.password_mode = PasswordMode::Ask;
    let row = a.clone();
    let ca: Vec<Vec<u8>> = servers.ca_der()?.iter().map(|c| c.to_vec()).collect();
    let id = store.writer().write_blocking(move |tx| {
        let id = tidings::store::accounts::insert(tx, &row)?;
        for der in &ca {
            tidings::store::certificates::trust_ca(tx, id, HOST, der)?;
        }
        Ok(id)
    })?;
    let secrets = tidings::accounts::secrets::AccountSecrets::new();
    for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
        secrets.remember(id, p, servers.user("alice").password);
    }
    let (handle, mut events) = tidings::engine::spawn(
        store,
        secrets,
        tidings::engine::EngineOptions {
            only_accounts: vec![-1],
            ..Default::default()
        },
    );
    handle
        .send(tidings::engine::Command::TestConnection { account: id })
        .await?;
    let report = loop {
        match tokio::time::timeout(std::time::Duration::from_secs(60), events.recv()).await? {
            Some(tidings::engine::Event::ConnectionReport(r)) => break r,
            Some(_) => continue,
            None => return Err("engine stopped".into()),
        }
    };
    assert_eq!(report.account, id);
    assert!(report.ok(), "{}", report.render(&I18n::new("en")));
    Ok(())
}

#[test]
fn the_cli_pins_the_certificate_the_doctor_showed() -> Result<()> {
    let servers = Servers::start()?;
    let data = tempfile::tempdir()?;
    let alice = servers.user("alice");
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .env("TIDINGS_PASSWORD", &alice.password)
            .env("LANG", "en_US.UTF-8")
            .output()
    };
    let imap = format!("{HOST}:{}:tls", servers.ports.imaps);
    let out = cli(&[
        "account",
        "add",
        "--email",
        &alice.address,
        "--ask-each-start",
        "--imap",
        &imap,
        "--no-pop3",
        "--no-smtp",
    ])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&["account", "test", &alice.address])?;
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let fingerprint = text
        .split("fingerprint is ")
        .nth(1)
        .and_then(|rest| rest.split(". ").next())
        .ok_or_else(|| format!("no fingerprint in {text}"))?
        .to_owned();
    let out = cli(&[
        "account",
        "test",
        &alice.address,
        "--trust-certificate",
        &fingerprint,
    ])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Pinned for good: a plain test and a sync now pass.
    assert!(cli(&["account", "test", &alice.address])?.status.success());
    assert!(
        cli(&["sync", "--once", "--account", &alice.address])?
            .status
            .success()
    );

    // TIDINGS_PASSWORD goes to the one "ask each start" account named, never further: not to
    // every account of an unnamed sync, not to a keyring account, not to a name shared by two.
    let refused = |args: &[&str], why: &str| -> Result<()> {
        let out = cli(args)?;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!out.status.success(), "{args:?} ran");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
        Ok(())
    };
    refused(&["sync", "--once"], "--account")?;
    let bob = servers.user("bob");
    for (email, extra) in [
        (bob.address.as_str(), &["--name", "Shared"][..]),
        (
            "carol@tidings.test",
            &["--name", "Shared", "--ask-each-start"][..],
        ),
    ] {
        let mut args = vec!["account", "add", "--email", email, "--imap", &imap];
        args.extend_from_slice(&["--no-pop3", "--no-smtp"]);
        args.extend_from_slice(extra);
        let out = cli(&args)?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    refused(&["account", "test", &bob.address], "keyring")?;
    refused(
        &["sync", "--once", "--account", "Shared"],
        "names 2 accounts",
    )?;
    Ok(())
}

#[tokio::test]
async fn a_server_refusing_plain_text_sign_in_gets_that_hint() -> Result<()> {
    // 127.0.0.2 is not "local" to Dovecot, so it refuses passwords without TLS there.
    let servers = Servers::start()?;
    let mut a = account(&servers);
    a.imap.host = crate::harness::INSECURE_HOST.into();
    a.imap.port = servers.ports.imap;
    a.imap.security = Security::Plain;
    a.pop3.enabled = false;
    a.smtp.enabled = false;
    let password = servers.user("alice").password;
    let report = examine(
        &a,
        |_| Some(password.clone()),
        &Trust::roots(servers.ca_der()?),
    )
    .await;
    assert_eq!(
        failure(&report, Protocol::Imap),
        Some((Step::Login, Hint::PlaintextRefused)),
        "{}",
        report.render(&I18n::new("en"))
    );
    Ok(())
}
