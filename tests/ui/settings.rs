//! Settings: per-protocol switches, the account form, the doctor's report, app settings and
//! password prompts.

use crate::common::*;

#[test]
fn settings_switch_a_protocol_per_account() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    click(&mut app, "Settings")?;
    assert_eq!(app.screen, Screen::Settings);
    snapshot(&app, "settings-app-light")?;
    click(&mut app, "alice@example.org")?;
    let account = app.tree.accounts[0].0.id;
    assert_eq!(app.settings.form.as_ref().map(|f| f.id), Some(account));
    snapshot(&app, "settings-account-light")?;
    // Switching POP3 on acts at once: its servers are filled in.
    click(&mut app, "POP3 — mail is downloaded to this computer")?;
    assert!(app.tree.accounts[0].0.pop3.enabled);
    assert!(sent.all().iter().any(|c| matches!(
        c,
        Command::SetProtocol { account: a, protocol: Protocol::Pop3, enabled: true } if *a == account
    )));
    snapshot(&app, "settings-account-pop3-on-light")?;
    // And SMTP off, at once too.
    click(&mut app, "SMTP — sending mail")?;
    assert!(sent.all().iter().any(|c| matches!(
        c,
        Command::SetProtocol { account: a, protocol: Protocol::Smtp, enabled: false } if *a == account
    )));
    let mut zh = window(&db, "zh-CN")?;
    zh.screen = Screen::Settings;
    let _ = zh.update(Message::Settings(settings::Message::EditAccount(account)));
    zh.prefs.theme = ThemeChoice::Dark;
    snapshot(&zh, "settings-account-dark-zh")?;
    Ok(())
}

#[test]
fn invalid_input_is_shown_inline_and_blocks_saving() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    app.screen = Screen::Settings;
    let account = app.tree.accounts[0].0.id;
    let _ = app.update(Message::Settings(settings::Message::EditAccount(account)));
    type_into(&mut app, "imap-port", "00")?;
    assert_eq!(
        app.settings.form.as_ref().map(|f| f.imap.port.as_str()),
        Some("99300")
    );
    assert_eq!(
        app.settings
            .form
            .as_ref()
            .and_then(|f| f.problem(Field::Port(Protocol::Imap))),
        Some("form-port-range")
    );
    let _ = app.update(Message::Settings(settings::Message::Form(Edit::Text(
        Field::Host(Protocol::Smtp),
        String::new(),
    ))));
    snapshot(&app, "settings-invalid-light")?;
    let before = sent.all().len();
    let clicked = click(&mut app, "Save")?;
    assert!(clicked.is_empty(), "Save is disabled: {clicked:?}");
    assert_eq!(sent.all().len(), before);
    // Fixed, it saves: settings and the typed password go to the engine.
    let _ = app.update(Message::Settings(settings::Message::Form(Edit::Text(
        Field::Port(Protocol::Imap),
        "993".into(),
    ))));
    let _ = app.update(Message::Settings(settings::Message::Form(Edit::Text(
        Field::Host(Protocol::Smtp),
        "smtp.example.org".into(),
    ))));
    type_into(&mut app, "imap-password", "s3cret")?;
    click(&mut app, "Save")?;
    let saved = sent.all().iter().find_map(|c| match c {
        Command::SaveAccount {
            account, passwords, ..
        } => Some((account.clone(), passwords.0.clone())),
        _ => None,
    });
    let (saved, passwords) = saved.ok_or("no SaveAccount sent")?;
    assert_eq!(saved.imap.port, 993);
    assert_eq!(passwords, vec![(Protocol::Imap, "s3cret".to_owned())]);
    // Handed over, the typed password is nowhere in the window's state.
    let state = format!("{:?} {:?}", app.settings.form, app.setup);
    assert!(!state.contains("s3cret"), "{state}");
    Ok(())
}

#[test]
fn a_new_account_is_added_from_a_plain_form() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    drop(Store::open(&db)?);
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    assert_eq!(app.screen, Screen::Setup);
    click(&mut app, "Manual settings")?;
    assert_eq!(app.screen, Screen::Settings);
    for (id, value) in [
        ("name", "Li Lei"),
        ("address", "lilei@163.com"),
        ("imap-host", "imap.163.com"),
        ("imap-username", "lilei@163.com"),
        ("imap-password", "authcode"),
        ("smtp-host", "smtp.163.com"),
        ("smtp-username", "lilei@163.com"),
    ] {
        type_into(&mut app, id, value)?;
    }
    snapshot(&app, "settings-new-account-light")?;
    click(&mut app, "Save")?;
    let Some(Command::SaveAccount {
        account, passwords, ..
    }) = sent.last()
    else {
        return Err(format!("{:?}", sent.all()).into());
    };
    assert_eq!(account.id, 0);
    assert_eq!(account.address, "lilei@163.com");
    let state = format!("{:?} {:?}", app.settings.form, app.setup);
    assert!(
        !state.contains("authcode"),
        "the window kept the password: {state}"
    );
    assert!(account.imap.enabled && account.smtp.enabled && !account.pop3.enabled);
    assert_eq!(
        &passwords.0,
        &vec![
            (Protocol::Imap, "authcode".to_owned()),
            (Protocol::Smtp, "authcode".to_owned())
        ]
    );
    Ok(())
}

#[test]
fn removing_asks_whether_to_keep_the_mail() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    let account = app.tree.accounts[0].0.id;
    app.screen = Screen::Settings;
    let _ = app.update(Message::Settings(settings::Message::EditAccount(account)));
    click(&mut app, "Remove account")?;
    assert!(app.settings.confirm_remove);
    assert!(
        !sent
            .all()
            .iter()
            .any(|c| matches!(c, Command::RemoveAccount { .. }))
    );
    snapshot(&app, "settings-remove-ask-light")?;
    click(&mut app, "Remove, keep the downloaded mail")?;
    assert!(sent.all().iter().any(|c| matches!(
        c,
        Command::RemoveAccount { account: a, keep_mirror: true } if *a == account
    )));
    Ok(())
}

#[test]
fn the_doctor_report_shows_the_failed_step_and_its_fix() -> Result<()> {
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    let account = app.tree.accounts[0].0.id;
    app.screen = Screen::Settings;
    let _ = app.update(Message::Settings(settings::Message::EditAccount(account)));
    // Nothing listens on port 1 of loopback: a real, quick connection failure.
    for (field, value) in [
        (Field::Host(Protocol::Imap), "127.0.0.1"),
        (Field::Port(Protocol::Imap), "1"),
    ] {
        let _ = app.update(Message::Settings(settings::Message::Form(Edit::Text(
            field,
            value.into(),
        ))));
    }
    for p in [Protocol::Pop3, Protocol::Smtp] {
        let _ = app.update(Message::Settings(settings::Message::Form(Edit::Enabled(
            p, false,
        ))));
    }
    click(&mut app, "Test connection")?;
    assert!(app.settings.check.testing);
    let Some(Command::TestSettings {
        account: tested, ..
    }) = sent.last()
    else {
        return Err("no TestSettings sent".into());
    };
    let report = tokio::runtime::Runtime::new()?.block_on(tidings::accounts::doctor::examine(
        &tested,
        |_| Some("pw".into()),
        &tidings::protocols::tls::Trust::default(),
    ));
    assert!(!report.ok());
    let _ = app.update(Message::Engine(Link::Event(Event::ConnectionReport(
        report,
    ))));
    assert!(!app.settings.check.testing);
    // Timings vary from run to run: the snapshot is of the report with fixed ones.
    if let Some(r) = &mut app.settings.check.report {
        for p in &mut r.protocols {
            for s in &mut p.steps {
                s.elapsed = std::time::Duration::from_millis(1);
            }
        }
    }
    snapshot(&app, "settings-doctor-failed-light")?;
    Ok(())
}

#[test]
fn app_settings_follow_the_system_and_switch_notifications() -> Result<()> {
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    app.prefs.theme = ThemeChoice::Light;
    click(&mut app, "Settings")?;
    click(&mut app, "Follow system")?;
    // Two "Follow system" buttons: language first. Choose the theme's by message.
    let _ = app.update(Message::Settings(settings::Message::Theme(
        ThemeChoice::System,
    )));
    let _ = app.update(Message::SystemTheme(iced::theme::Mode::Dark));
    assert_eq!(app.theme(), Theme::Dark);
    let _ = app.update(Message::SystemTheme(iced::theme::Mode::Light));
    assert_eq!(app.theme(), Theme::Light);
    assert!(app.prefs.language.is_empty());
    // New mail raises a notification while they are on...
    let inbox = app.mail.folder.ok_or("no folder")?;
    let unread = app
        .mail
        .list
        .held()
        .find(|m| !m.flags.seen)
        .map(|m| m.id)
        .ok_or("none unread")?;
    let event = || {
        Message::Engine(Link::Event(Event::NewMail {
            account: 1,
            folder: inbox,
            messages: vec![unread],
        }))
    };
    assert_eq!(
        app.update(event()).units(),
        1,
        "the rows are read for the notice"
    );
    let _ = app.update(Message::NewMailLoaded(Ok(data::envelopes(&db, &[unread])?)));
    assert_eq!(app.desktop.notified.len(), 1);
    // ...and not once switched off.
    click(&mut app, "Tell me when new mail arrives")?;
    assert!(!app.prefs.notifications);
    assert_eq!(app.update(event()).units(), 0);
    snapshot(&app, "settings-app-system-light")?;
    // About: the log folder opens for a bug report; it is the store's own.
    let opened = click(&mut app, "Open log folder")?;
    assert!(
        matches!(
            opened.first(),
            Some(Message::Settings(settings::Message::OpenLogFolder))
        ),
        "{opened:?}"
    );
    assert!(
        app.paths
            .log_dir()
            .starts_with(db.parent().ok_or("no parent")?)
    );
    Ok(())
}

#[test]
fn a_refused_password_is_asked_for_and_syncing_shows_progress() -> Result<()> {
    use tidings::engine::{AccountState, ErrorKind};
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    let account = app.tree.accounts[0].0.id;
    let inbox = app.mail.folder.ok_or("no folder")?;
    let _ = app.update(Message::Engine(Link::Event(Event::AccountState {
        account,
        state: AccountState::Online,
    })));
    let _ = app.update(Message::Engine(Link::Event(Event::SyncProgress {
        account,
        folder: inbox,
        done: 1200,
        total: 4000,
    })));
    snapshot(&app, "mail-syncing-light")?;
    // The folder's last batch ends the count (a quick refresh has no SyncDone after it).
    let _ = app.update(Message::Engine(Link::Event(Event::SyncProgress {
        account,
        folder: inbox,
        done: 4000,
        total: 4000,
    })));
    assert!(app.sync.progress.is_empty(), "{:?}", app.sync.progress);
    let _ = app.update(Message::Engine(Link::Event(Event::Error {
        account,
        kind: ErrorKind::AuthFailed,
        message: "imap.example.org refused the password".into(),
    })));
    assert!(app.prompts.shown.as_ref().is_some_and(|p| p.refused));
    type_into(&mut app, "prompt-password", "new-secret")?;
    snapshot(&app, "mail-password-prompt-light")?;
    click(&mut app, "Use this password")?;
    assert!(app.prompts.shown.is_none());
    let Some(Command::ProvidePassword {
        account: a,
        passwords,
    }) = sent.last()
    else {
        return Err(format!("{:?}", sent.all()).into());
    };
    assert_eq!(a, account);
    assert_eq!(
        &passwords.0,
        &vec![
            (Protocol::Imap, "new-secret".to_owned()),
            (Protocol::Smtp, "new-secret".to_owned())
        ]
    );
    // "Later" keeps it from coming back this run.
    let _ = app.update(Message::Engine(Link::Event(Event::Error {
        account,
        kind: ErrorKind::NoPassword,
        message: "no IMAP password".into(),
    })));
    click(&mut app, "Later")?;
    let _ = app.update(Message::Engine(Link::Event(Event::Error {
        account,
        kind: ErrorKind::NoPassword,
        message: "no IMAP password".into(),
    })));
    assert!(app.prompts.shown.is_none());
    Ok(())
}

#[test]
fn clicking_an_account_error_opens_its_settings() -> Result<()> {
    use tidings::engine::ErrorKind;
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let account = app.tree.accounts[0].0.id;
    let _ = app.update(Message::Engine(Link::Event(Event::Error {
        account,
        kind: ErrorKind::AuthFailed,
        message: "imap.example.org refused the password".into(),
    })));
    snapshot(&app, "mail-error-light")?;
    click(&mut app, "Error: imap.example.org refused the password")?;
    assert_eq!(app.screen, Screen::Settings);
    assert_eq!(app.settings.form.as_ref().map(|f| f.id), Some(account));
    Ok(())
}

#[test]
fn a_folders_role_is_chosen_in_the_account_settings() -> Result<()> {
    use tidings::store::folders::Role;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    app.screen = Screen::Settings;
    let account = app.tree.accounts[0].0.id;
    let _ = app.update(Message::Settings(settings::Message::EditAccount(account)));
    snapshot(&app, "settings-roles-light")?;
    let other = app.tree.accounts[0]
        .1
        .iter()
        .find(|f| f.name == "项目资料")
        .map(|f| f.id)
        .ok_or("no 项目资料 folder")?;
    // Drafts go to another folder: the list shows it at once and the engine is told.
    let _ = app.update(Message::Settings(settings::Message::ChooseFolderRole(
        account,
        Role::Drafts,
        Some(other),
    )));
    let roles: Vec<(String, Role)> = app.tree.accounts[0]
        .1
        .iter()
        .map(|f| (f.name.clone(), f.role))
        .collect();
    assert!(
        roles.contains(&("项目资料".into(), Role::Drafts)),
        "{roles:?}"
    );
    assert!(
        !roles.contains(&("Drafts".into(), Role::Drafts)),
        "{roles:?}"
    );
    assert!(sent.all().iter().any(|c| matches!(
        c,
        Command::ChooseFolderRole { account: a, role: Role::Drafts, folder: Some(f) }
            if *a == account && *f == other
    )));
    let mut zh = window(&db, "zh-CN")?;
    zh.screen = Screen::Settings;
    let _ = zh.update(Message::Settings(settings::Message::EditAccount(account)));
    snapshot(&zh, "settings-roles-zh")?;
    Ok(())
}

#[test]
fn a_password_asked_for_before_the_accounts_are_read_is_asked_once_they_are() -> Result<()> {
    use tidings::engine::ErrorKind;
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    // An "ask each start" account: the engine asks before the window has read the accounts.
    let (mut app, _) = App::new(db.clone(), I18n::new("en-US"), false);
    let account = accounts::list(&tidings::store::open_reader(&db)?)?[0].id;
    let _ = app.update(Message::Engine(Link::Event(Event::Error {
        account,
        kind: ErrorKind::NoPassword,
        message: "no IMAP password is known for alice@example.org".into(),
    })));
    assert!(app.prompts.shown.is_none());
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
    let prompt = app
        .prompts
        .shown
        .as_ref()
        .ok_or("no prompt once the accounts were read")?;
    assert_eq!(prompt.address, "alice@example.org");
    assert!(!prompt.refused);
    // Read again later, the tree does not ask a second time.
    let _ = app.update(Message::Prompt(tidings::ui::prompt::Message::Input(
        "x".into(),
    )));
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
    assert_eq!(
        app.prompts.shown.as_ref().map(|p| p.typed.as_str()),
        Some("x")
    );
    Ok(())
}

/// Settings as a screen of its own: its update answers with what it needs of the window, and
/// keeps no typed password once its command has it.
#[test]
fn the_settings_screen_answers_with_actions() -> Result<()> {
    use settings::{Action, Pref};
    let (_dir, db) = seeded()?;
    let tree = data::tree(&db)?;
    let i18n = I18n::new("en-US");
    let ctx = screen_ctx(&i18n, &tree, &db);
    let account = tree.accounts[0].0.id;
    let mut state = settings::State::default();

    let shown = state.update(settings::Message::EditAccount(account), ctx);
    assert!(matches!(shown, Action::Show));
    assert_eq!(state.form.as_ref().map(|f| f.id), Some(account));

    // A saved account's switch acts at once.
    let switched = state.update(
        settings::Message::Form(Edit::Enabled(Protocol::Smtp, false)),
        ctx,
    );
    assert!(matches!(
        switched,
        Action::SwitchProtocol(a, Protocol::Smtp, false) if a == account
    ));

    let chosen = state.update(settings::Message::Language("zh-CN".into()), ctx);
    assert!(matches!(chosen, Action::Pref(Pref::Language(l)) if l == "zh-CN"));
    assert!(matches!(
        state.update(settings::Message::NewAccount, ctx),
        Action::StartSetup
    ));

    let _ = state.update(
        settings::Message::Form(Edit::Text(Field::Password(Protocol::Imap), "s3cret".into())),
        ctx,
    );
    let tested = state.update(settings::Message::TestForm, ctx);
    assert!(matches!(tested, Action::Send(Command::TestSettings { .. })));
    assert!(state.check.testing);
    let saved = state.update(settings::Message::SaveForm, ctx);
    let Action::Send(Command::SaveAccount { passwords, .. }) = saved else {
        return Err("Save did not ask the engine to save".into());
    };
    assert_eq!(passwords.0, vec![(Protocol::Imap, "s3cret".to_owned())]);
    assert!(state.check.saving);
    let kept = format!("{state:?}");
    assert!(!kept.contains("s3cret"), "{kept}");

    // The engine's answer makes the form that account's; removal closes its page.
    state.saved(account);
    assert!(!state.check.saving);
    state.removed(account);
    assert!(state.form.is_none());
    Ok(())
}
