//! The guided setup, driven through the window with a real engine against the harness
//! Dovecot and Postfix, and the questions it asks before a password goes anywhere.

use crate::common::*;

use std::time::{Duration, Instant};
use tidings::accounts::autoconfig::{Dns, Lookup};
use tidings::accounts::doctor::Hint;
use tidings::accounts::secrets::AccountSecrets;
use tidings::engine::{self, EngineHandle, EngineOptions};
use tidings::ui::engine_link::Link;
use tidings::ui::screen::setup::{self, Stage};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::harness::{HOST, Servers};

struct Run {
    _servers: Servers,
    _dir: tempfile::TempDir,
    db: PathBuf,
    runtime: tokio::runtime::Runtime,
    engine: EngineHandle,
    events: UnboundedReceiver<Event>,
    app: App,
    sent: Sent,
}

/// Servers, an empty store, the window on its first run and a real engine whose
/// autoconfig probes only the harness ports; `trust_ca` says whether the engine trusts
/// the run's CA (as the OS store would a real provider's).
fn first_run(servers: Servers, trust_ca: bool) -> Result<Run> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    let store = Store::open(&db)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let ca = servers.ca_der()?;
    let roots = if trust_ca { ca } else { Vec::new() };
    let lookup = Lookup {
        config_urls: Vec::new(),
        extra_roots: roots.clone(),
        dns: Dns::Off,
        probe_hosts: vec![HOST.into()],
        probe_imap: vec![(servers.ports.imaps, Security::Tls)],
        probe_pop3: vec![(servers.ports.pop3s, Security::Tls)],
        probe_smtp: vec![(servers.ports.submissions, Security::Tls)],
        ..Lookup::default()
    };
    let (engine, events) = {
        let _guard = runtime.enter();
        engine::spawn(
            store,
            AccountSecrets::new(),
            EngineOptions {
                extra_roots: roots,
                autoconfig: Some(lookup),
                ..EngineOptions::default()
            },
        )
    };
    let (mut app, _) = App::new(db.clone(), I18n::new("en-US"), false);
    let sent = Sent::tap(&mut app);
    app.mail.now = NOW;
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
    Ok(Run {
        sent,
        _servers: servers,
        _dir: dir,
        db,
        runtime,
        engine,
        events,
        app,
    })
}

impl Run {
    /// Hands the window's commands to the engine and its events back, until `done`.
    fn pump(&mut self, mut done: impl FnMut(&Event) -> bool) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            for command in self.sent.take() {
                self.runtime.block_on(self.engine.send(command))?;
            }
            let events = &mut self.events;
            let event = self
                .runtime
                .block_on(
                    async move { tokio::time::timeout_at(deadline.into(), events.recv()).await },
                )
                .map_err(|_| "no expected event within a minute")?
                .ok_or("the engine stopped")?;
            let stop = done(&event);
            let _ = self.app.update(Message::Engine(Link::Event(event)));
            if stop {
                return Ok(());
            }
        }
    }

    fn type_address(&mut self, user: &str, password: &str) -> Result<()> {
        type_into(&mut self.app, "name-input", "Alice")?;
        type_into(&mut self.app, "address-input", user)?;
        type_into(&mut self.app, "password-input", password)?;
        Ok(())
    }
}

/// The setup's doctor report.
fn report(app: &App) -> Option<&tidings::accounts::doctor::Report> {
    app.setup.as_ref()?.check.report.as_ref()
}

fn hints(app: &App) -> Vec<Hint> {
    report(app)
        .into_iter()
        .flat_map(|r| &r.protocols)
        .flat_map(|p| p.steps.iter().filter_map(|s| s.hint.clone()))
        .collect()
}

#[test]
fn a_good_account_is_found_tested_saved_and_synced() -> Result<()> {
    let servers = Servers::start()?;
    servers.seed("alice", "INBOX", 1, 3)?;
    let alice = servers.user("alice");
    let mut run = first_run(servers, true)?;
    assert_eq!(run.app.screen, Screen::Setup, "a first run opens the setup");
    run.type_address(&alice.address, &alice.password)?;
    click(&mut run.app, "Continue")?;
    assert!(matches!(run.sent.last(), Some(Command::Autoconfig { .. })));
    // Found by probing, then tested at once: every step of IMAP and SMTP passes.
    let mut ticked = 0;
    run.pump(|e| {
        ticked += usize::from(matches!(e, Event::DoctorStep { .. }));
        matches!(e, Event::ConnectionReport(_))
    })?;
    assert!(ticked >= 8, "steps arrive one by one ({ticked})");
    let setup = run.app.setup.as_ref().ok_or("setup closed")?;
    assert_eq!(setup.stage, Stage::Review);
    let form = setup.form.as_ref().ok_or("no settings found")?;
    assert!(form.imap.enabled && form.smtp.enabled && !form.pop3.enabled);
    assert!(
        report(&run.app).is_some_and(|r| r.ok()),
        "{:?}",
        hints(&run.app)
    );
    assert!(
        Store::open(&run.db)?
            .reader()?
            .query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get::<_, i64>(0))?
            == 0,
        "nothing is saved before Save"
    );
    click(&mut run.app, "Save")?;
    run.pump(|e| matches!(e, Event::SyncDone { full: true, .. }))?;
    assert_eq!(run.app.screen, Screen::Mail);
    assert!(run.app.setup.is_none());
    let _ = run
        .app
        .update(Message::TreeLoaded(Ok(data::tree(&run.db)?)));
    assert_eq!(run.app.tree.accounts.len(), 1);
    assert_eq!(run.app.tree.accounts[0].0.address, alice.address);
    let inbox = run.app.mail.folder.ok_or("INBOX not opened")?;
    assert_eq!(
        data::page(&run.db, inbox, 0, false)?.total,
        3,
        "the first sync mirrored INBOX"
    );
    Ok(())
}

#[test]
fn a_wrong_password_names_the_step_and_blocks_saving() -> Result<()> {
    let servers = Servers::start()?;
    let alice = servers.user("alice");
    let mut run = first_run(servers, true)?;
    run.type_address(&alice.address, "not-the-password")?;
    click(&mut run.app, "Continue")?;
    run.pump(|e| matches!(e, Event::ConnectionReport(_)))?;
    assert!(report(&run.app).is_some_and(|r| !r.ok()));
    assert!(
        hints(&run.app).contains(&Hint::WrongPassword),
        "{:?}",
        hints(&run.app)
    );
    let clicked = click(&mut run.app, "Save")?;
    assert!(clicked.is_empty(), "Save waits for a passing test");
    // Manual settings keep what was typed and found.
    click(&mut run.app, "Manual settings")?;
    assert_eq!(run.app.screen, Screen::Settings);
    let form = run.app.settings.form.as_ref().ok_or("no manual form")?;
    assert_eq!(form.address, alice.address);
    assert_eq!(form.imap.password, "not-the-password");
    Ok(())
}

#[test]
fn an_untrusted_certificate_can_be_trusted_for_this_account() -> Result<()> {
    let servers = Servers::start()?;
    let alice = servers.user("alice");
    let (imaps, submissions) = (servers.ports.imaps, servers.ports.submissions);
    let mut run = first_run(servers, false)?;
    run.type_address(&alice.address, &alice.password)?;
    click(&mut run.app, "Continue")?;
    run.pump(|e| matches!(e, Event::ConnectionReport(_)))?;
    let untrusted = hints(&run.app)
        .iter()
        .any(|h| matches!(h, Hint::CertificateNotTrusted(c) if c.sha256.contains(':')));
    assert!(untrusted, "{:?}", hints(&run.app));
    // One click per server, as each server is trusted on its own (host and port), even
    // though IMAP and SMTP show the same harness certificate.
    for _ in 0..2 {
        click(&mut run.app, "Trust this certificate for this account")?;
        run.pump(|e| matches!(e, Event::ConnectionReport(_)))?;
    }
    assert!(
        report(&run.app).is_some_and(|r| r.ok()),
        "{:?}",
        hints(&run.app)
    );
    click(&mut run.app, "Save")?;
    run.pump(|e| matches!(e, Event::SyncDone { full: true, .. }))?;
    let reader = Store::open(&run.db)?.reader()?;
    let id: i64 = reader.query_row("SELECT id FROM accounts", [], |r| r.get(0))?;
    assert_eq!(
        tidings::store::certificates::for_account(&reader, id)?
            .iter()
            .map(|e| (e.host.as_str(), e.port))
            .collect::<Vec<_>>(),
        vec![(HOST, imaps), (HOST, submissions)],
        "the certificate is pinned for each of this account's servers"
    );
    Ok(())
}

#[test]
fn a_163_address_shows_the_authorization_code_hint() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    drop(Store::open(&db)?);
    let mut app = window(&db, "zh-CN")?;
    let sent = Sent::tap(&mut app);
    assert_eq!(app.screen, Screen::Setup);
    type_into(&mut app, "name-input", "李雷")?;
    type_into(&mut app, "address-input", "lilei@163.com")?;
    snapshot(&app, "setup-163-hint-zh")?;
    type_into(&mut app, "password-input", "abc")?;
    click(&mut app, "继续")?;
    // What the engine answers for 163.com comes from the built-in data (no network).
    let offline = tidings::accounts::autoconfig::Lookup {
        dns: tidings::accounts::autoconfig::Dns::Off,
        ..Default::default()
    };
    let found = tidings::accounts::autoconfig::lookup("lilei@163.com", &offline);
    let found = tokio::runtime::Runtime::new()?.block_on(found)?;
    let _ = app.update(Message::Engine(Link::Event(Event::AutoconfigFound {
        address: "lilei@163.com".into(),
        result: Ok(Box::new(found)),
    })));
    let form = app
        .setup
        .as_ref()
        .and_then(|s| s.form.clone())
        .ok_or("no form")?;
    assert_eq!(form.imap.host, "imap.163.com");
    assert!(matches!(sent.last(), Some(Command::TestSettings { .. })));
    // The doctor's answer when the login password is used instead of the code:
    let report = tidings::accounts::doctor::Report {
        account: 0,
        protocols: vec![tidings::accounts::doctor::ProtocolReport {
            protocol: Protocol::Imap,
            host: "imap.163.com".into(),
            port: 993,
            steps: vec![tidings::accounts::doctor::StepResult {
                step: tidings::accounts::doctor::Step::Login,
                ok: false,
                elapsed: Duration::from_millis(120),
                detail: "NO LOGIN Login error password error".into(),
                hint: Some(Hint::NeedsAuthorizationCode {
                    provider: "NetEase 163 Mail".into(),
                    help_url: "https://help.mail.163.com/".into(),
                }),
            }],
            certificate: None,
        }],
    };
    let _ = app.update(Message::Engine(Link::Event(Event::ConnectionReport(
        report,
    ))));
    snapshot(&app, "setup-163-failed-zh")?;
    let clicked = click(&mut app, "打开 NetEase 163 Mail 的设置说明")?;
    assert!(matches!(
        clicked.first(),
        Some(Message::Setup(setup::Message::Help(_)))
    ));
    Ok(())
}

#[test]
fn servers_dns_names_outside_the_domain_wait_for_the_user() -> Result<()> {
    use tidings::accounts::autoconfig::{Found, Source};
    use tidings::ui::engine_link::Link;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    drop(Store::open(&db)?);
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    type_into(&mut app, "address-input", "me@victim.test")?;
    type_into(&mut app, "password-input", "secret")?;
    click(&mut app, "Continue")?;
    let server = |host: &str, port| ServerSettings {
        enabled: true,
        host: host.into(),
        port,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: "me@victim.test".into(),
    };
    let found = Found {
        source: Source::Srv,
        provider: None,
        provider_id: String::new(),
        imap: Some(server("imap.attacker.test", 993)),
        pop3: None,
        smtp: Some(server("smtp.attacker.test", 465)),
        provider_saves_sent: false,
        unverified_hosts: vec!["imap.attacker.test".into(), "smtp.attacker.test".into()],
    };
    let _ = app.update(Message::Engine(Link::Event(Event::AutoconfigFound {
        address: "me@victim.test".into(),
        result: Ok(Box::new(found)),
    })));
    // No test ran, so the typed password went nowhere.
    assert!(
        !sent
            .all()
            .iter()
            .any(|c| matches!(c, Command::TestSettings { .. })),
        "{:?}",
        sent.all()
    );
    snapshot(&app, "setup-unverified-hosts")?;
    click(&mut app, "I trust these servers")?;
    assert!(matches!(sent.last(), Some(Command::TestSettings { .. })));
    Ok(())
}

/// The setup as a screen of its own: its update answers with what it needs of the window.
#[test]
fn the_setup_screen_answers_with_actions() -> Result<()> {
    use setup::{Action, Message as M};
    use tidings::accounts::autoconfig::{Found, Source};
    let empty = data::Tree::default();
    let i18n = I18n::new("en-US");
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    let ctx = screen_ctx(&i18n, &empty, &db);
    let mut s = setup::State::new();
    let _ = s.update(M::Address("lisi@example.org".into()), ctx);
    assert!(
        matches!(s.update(M::Continue, ctx), Action::None),
        "no lookup without a password"
    );
    let _ = s.update(M::Password("pw".into()), ctx);
    assert!(matches!(
        s.update(M::Continue, ctx),
        Action::Send(Command::Autoconfig { address }) if address == "lisi@example.org"
    ));
    let server = |host: &str, port| ServerSettings {
        enabled: true,
        host: host.into(),
        port,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: String::new(),
    };
    // DNS named servers outside the domain: nothing is tested (no password leaves) until the
    // user accepts them.
    let found = Found {
        source: Source::Srv,
        provider: None,
        provider_id: String::new(),
        imap: Some(server("imap.elsewhere.test", 993)),
        pop3: None,
        smtp: Some(server("smtp.elsewhere.test", 465)),
        provider_saves_sent: false,
        unverified_hosts: vec!["imap.elsewhere.test".into()],
    };
    let answered = s.autoconfig_found("lisi@example.org", Ok(Box::new(found)), ctx);
    assert!(matches!(answered, Action::None));
    assert_eq!(s.stage, Stage::Review);
    assert!(matches!(s.update(M::Test, ctx), Action::None));
    assert!(matches!(
        s.update(M::AcceptHosts, ctx),
        Action::Send(Command::TestSettings { .. })
    ));
    assert!(
        matches!(s.update(M::Save, ctx), Action::None),
        "nothing is saved before a test passes"
    );
    let trusted = s.update(M::Trust("imap.elsewhere.test".into(), 993, vec![1, 2]), ctx);
    assert!(
        matches!(trusted, Action::Send(Command::TestSettings { trust, .. }) if trust.len() == 1)
    );
    let Action::Manual(form, trust) = s.update(M::Manual, ctx) else {
        return Err("Manual settings did not hand the form over".into());
    };
    assert_eq!(form.address, "lisi@example.org");
    assert_eq!(trust.len(), 1, "what was trusted stays trusted");
    assert!(
        matches!(s.update(M::Cancel, ctx), Action::None),
        "no leaving the first setup"
    );
    Ok(())
}
