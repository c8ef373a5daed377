//! The window, driven through iced_test's simulator: clicks and state, the commands sent, and
//! PNG snapshots in tests/snapshots (committed; a changed rendering fails the test). Look at
//! every PNG before committing it.

use std::path::{Path, PathBuf};

mod harness;

use iced::{Settings, Theme};
use iced_test::Simulator;
use tidings::engine::{Command, Event, Protocol};
use tidings::i18n::I18n;
use tidings::mime::envelope;
use tidings::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tidings::store::folders::{self, Folder, Role};
use tidings::store::messages::{self, Envelope, Flags};
use tidings::store::{Store, accounts, bodies};
use tidings::ui::account_form::{Edit, Field};
use tidings::ui::app::{App, Message, Screen, ThemeChoice};
use tidings::ui::list::{PAGE, ROW_HEIGHT};
use tidings::ui::{data, view};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

fn settings() -> Result<Settings> {
    let cjk = std::fs::read(CJK_FONT).map_err(|e| {
        format!("{CJK_FONT}: {e}; install it with: apt-get install -y fonts-wqy-microhei")
    })?;
    let mut fonts = tidings::ui::fonts::all();
    fonts.push(cjk.into());
    Ok(Settings {
        fonts,
        default_font: tidings::ui::fonts::UI,
        ..Settings::default()
    })
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/eml")
            .join(name),
    )
    .unwrap_or_default()
}

/// A store with one account, its folders and a few messages (Chinese and English).
fn seeded() -> Result<(tempfile::TempDir, PathBuf)> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        let server = |host: &str, port| ServerSettings {
            enabled: true,
            host: host.into(),
            port,
            security: Security::Tls,
            auth: AuthKind::Password,
            username: "alice@example.org".into(),
        };
        let id = accounts::insert(
            tx,
            &Account {
                id: 0,
                display_name: "Alice".into(),
                address: "alice@example.org".into(),
                provider_id: String::new(),
                imap: server("imap.example.org", 993),
                pop3: ServerSettings {
                    enabled: false,
                    ..server("pop.example.org", 995)
                },
                smtp: server("smtp.example.org", 465),
                pop3_options: Pop3Options::default(),
                sync_window_days: 0,
                provider_saves_sent: false,
                password_mode: PasswordMode::Keyring,
            },
        )?;
        let inbox = folders::insert(tx, &Folder::new_imap(id, "INBOX", "INBOX", Role::Inbox))?;
        for (name, wire, role) in [
            ("Sent", "Sent", Role::Sent),
            ("Drafts", "Drafts", Role::Drafts),
            ("Trash", "Trash", Role::Trash),
            ("项目资料", "&mHl2LojEZZk-", Role::Other),
        ] {
            folders::insert(tx, &Folder::new_imap(id, name, wire, role))?;
        }
        for (uid, file, seen) in [
            (1, "28-quotes-and-urls.eml", true),
            (2, "19-newsletter-tracking.eml", true),
            (3, "14-nested-multiparts.eml", false),
            (4, "01-gbk-163.eml", false),
        ] {
            let raw = fixture(file);
            let f = envelope::body_fields(&raw);
            let m = Envelope {
                account_id: id,
                folder_id: inbox,
                uid,
                rfc_message_id: f.list.rfc_message_id.clone(),
                date: f.list.date.unwrap_or(0) + i64::from(uid) * 60,
                from_name: f.list.from_name.clone(),
                from_addr: f.list.from_addr.clone(),
                to_addrs: f.list.to.clone(),
                subject: f.list.subject.clone(),
                snippet: f.snippet.clone(),
                flags: Flags {
                    seen,
                    flagged: uid == 2,
                    ..Flags::default()
                },
                size: raw.len() as u64,
                has_attachments: f.has_attachments,
                ..Envelope::default()
            };
            let mid = messages::insert(tx, &m)?;
            bodies::put(tx, mid, &raw)?;
        }
        folders::recount(tx, inbox)?;
        Ok(())
    })?;
    Ok((dir, db))
}

/// A fixed "now" (14 Nov 2025) so list dates in snapshots do not age.
const NOW: i64 = 1_763_100_000;

/// The window over `db` in `locale`, with its data loaded as the tasks would load it.
fn window(db: &Path, locale: &str) -> Result<App> {
    let (mut app, _) = App::new(db.to_owned(), I18n::new(locale), false);
    app.now = NOW;
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(db)?)));
    load_visible(&mut app, db)?;
    Ok(app)
}

/// Reads the pages the list's viewport shows, as the window's tasks would.
fn load_visible(app: &mut App, db: &Path) -> Result<()> {
    let Some(folder) = app.folder else {
        return Ok(());
    };
    if app.list.held().count() == 0 {
        let _ = app.update(Message::PageLoaded(
            folder,
            0,
            Ok(data::page(db, folder, 0)?),
        ));
    }
    let range = app.list.visible();
    let pages = range.start / PAGE..=range.end.saturating_sub(1).max(range.start) / PAGE;
    for page in pages {
        let _ = app.update(Message::PageLoaded(
            folder,
            page,
            Ok(data::page(db, folder, page)?),
        ));
    }
    Ok(())
}

/// The window's size: settings pages get a taller one so a whole account form is in view.
fn size(app: &App) -> (f32, f32) {
    if matches!(app.screen, Screen::Settings | Screen::Setup) {
        (1200.0, 1150.0)
    } else {
        (1200.0, 760.0)
    }
}

fn snapshot(app: &App, name: &str) -> Result<()> {
    let mut ui = Simulator::with_size(settings()?, size(app), view::view(app));
    let theme: Theme = app.theme();
    let snap = ui.snapshot(&theme)?;
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.png"));
    assert!(
        snap.matches_image(&path)?,
        "{name}.png differs from the committed snapshot"
    );
    Ok(())
}

/// Clicks the widget showing `label` and feeds the resulting messages to the window.
fn click(app: &mut App, label: &str) -> Result<Vec<Message>> {
    let messages: Vec<Message> = {
        let mut ui = Simulator::with_size(settings()?, size(app), view::view(app));
        ui.click(label)
            .map_err(|e| format!("no {label:?} to click: {e:?}"))?;
        ui.into_messages().collect()
    };
    for m in &messages {
        let _ = app.update(m.clone());
    }
    Ok(messages)
}

#[test]
fn reading_a_chinese_message_marks_it_read() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    assert_eq!(app.list.total, 4);
    snapshot(&app, "mail-list-light")?;
    click(&mut app, "项目进度会通知")?;
    let id = app.message.ok_or("no message opened")?;
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
    assert!(
        app.reading
            .as_ref()
            .is_some_and(|m| m.subject == "项目进度会通知")
    );
    assert!(
        app.sent.iter().any(
            |c| matches!(c, Command::SetSeen { messages, seen: true } if messages == &vec![id])
        ),
        "{:?}",
        app.sent
    );
    snapshot(&app, "mail-reading-gbk-light")?;
    Ok(())
}

#[test]
fn a_newsletter_shows_what_was_blocked_in_dark_and_chinese() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "zh-CN")?;
    app.theme = ThemeChoice::Dark;
    click(&mut app, "Our autumn newsletter")?;
    let id = app.message.ok_or("no message opened")?;
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
    assert_eq!(app.reading.as_ref().map(|m| m.remote_blocked), Some(6));
    snapshot(&app, "mail-newsletter-dark-zh")?;
    Ok(())
}

#[test]
fn remote_images_show_once_or_always_for_the_sender() -> Result<()> {
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Our autumn newsletter")?;
    let id = app.message.ok_or("no message opened")?;
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
    assert!(
        !app.sent
            .iter()
            .any(|c| matches!(c, Command::FetchRemote { .. }))
    );
    click(&mut app, "Show images")?;
    assert!(app.remote_once.contains(&id));
    // The reload the task does, allowed this once: nothing blocked, the banner is fetched.
    let model = data::open(&db, id, true)?;
    assert_eq!(model.as_ref().map(|m| m.remote_blocked), Some(0));
    let _ = app.update(Message::MessageLoaded(id, Ok(model)));
    let urls = app.sent.iter().find_map(|c| match c {
        Command::FetchRemote { message, urls } if *message == id => Some(urls.clone()),
        _ => None,
    });
    assert_eq!(
        urls,
        Some(vec!["https://cdn.shop.example/banner.jpg".to_owned()]),
        "tracking pixels are never fetched"
    );
    let banner =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/banner.png"))?;
    let _ = app.update(Message::Engine(Link::Event(Event::RemoteImage {
        message: id,
        url: "https://cdn.shop.example/banner.jpg".into(),
        result: Ok(banner),
    })));
    snapshot(&app, "mail-remote-shown-light")?;
    // Only this once: another window over the same store still blocks it.
    let again = window(&db, "en-US")?;
    assert!(again.remote_once.is_empty());
    assert_eq!(
        data::open(&db, id, false)?.map(|m| m.remote_blocked),
        Some(6)
    );
    // Always for the sender: the engine is asked to remember it.
    click(&mut app, "Archive").ok();
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Our autumn newsletter")?;
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
    click(&mut app, "Always from sender@example.org")?;
    assert!(app.sent.iter().any(|c| matches!(
        c,
        Command::AllowRemoteFrom { sender, .. } if sender == "sender@example.org"
    )));
    // What the engine then writes makes every later open show the content.
    let store = Store::open(&db)?;
    let account = app.tree.accounts[0].0.id;
    store.writer().write_blocking(move |tx| {
        tidings::store::remote_content::allow(tx, account, "sender@example.org")
    })?;
    assert_eq!(
        data::open(&db, id, false)?.map(|m| m.remote_blocked),
        Some(0)
    );
    Ok(())
}

#[test]
fn settings_switch_a_protocol_per_account() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Settings")?;
    assert_eq!(app.screen, Screen::Settings);
    snapshot(&app, "settings-app-light")?;
    click(&mut app, "alice@example.org")?;
    let account = app.tree.accounts[0].0.id;
    assert_eq!(app.form.as_ref().map(|f| f.id), Some(account));
    snapshot(&app, "settings-account-light")?;
    // Switching POP3 on acts at once: its servers are filled in.
    click(&mut app, "POP3 — mail is downloaded to this computer")?;
    assert!(app.tree.accounts[0].0.pop3.enabled);
    assert!(app.sent.iter().any(|c| matches!(
        c,
        Command::SetProtocol { account: a, protocol: Protocol::Pop3, enabled: true } if *a == account
    )));
    snapshot(&app, "settings-account-pop3-on-light")?;
    // And SMTP off, at once too.
    click(&mut app, "SMTP — sending mail")?;
    assert!(app.sent.iter().any(|c| matches!(
        c,
        Command::SetProtocol { account: a, protocol: Protocol::Smtp, enabled: false } if *a == account
    )));
    let mut zh = window(&db, "zh-CN")?;
    zh.screen = Screen::Settings;
    let _ = zh.update(Message::EditAccount(account));
    zh.theme = ThemeChoice::Dark;
    snapshot(&zh, "settings-account-dark-zh")?;
    Ok(())
}

/// Types `text` into the field with widget id `id`, feeding the messages to the window.
fn type_into(app: &mut App, id: &str, text: &str) -> Result<()> {
    let messages: Vec<Message> = {
        let mut ui = Simulator::with_size(settings()?, size(app), view::view(app));
        ui.click(iced_test::selector::id(id.to_owned()))
            .map_err(|e| format!("no field {id}: {e:?}"))?;
        ui.typewrite(text);
        ui.into_messages().collect()
    };
    for m in messages {
        let _ = app.update(m);
    }
    Ok(())
}

#[test]
fn invalid_input_is_shown_inline_and_blocks_saving() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    app.screen = Screen::Settings;
    let account = app.tree.accounts[0].0.id;
    let _ = app.update(Message::EditAccount(account));
    type_into(&mut app, "imap-port", "00")?;
    assert_eq!(
        app.form.as_ref().map(|f| f.imap.port.as_str()),
        Some("99300")
    );
    assert_eq!(
        app.form
            .as_ref()
            .and_then(|f| f.problem(Field::Port(Protocol::Imap))),
        Some("form-port-range")
    );
    let _ = app.update(Message::Form(Edit::Text(
        Field::Host(Protocol::Smtp),
        String::new(),
    )));
    snapshot(&app, "settings-invalid-light")?;
    let before = app.sent.len();
    let clicked = click(&mut app, "Save")?;
    assert!(clicked.is_empty(), "Save is disabled: {clicked:?}");
    assert_eq!(app.sent.len(), before);
    // Fixed, it saves: settings and the typed password go to the engine.
    let _ = app.update(Message::Form(Edit::Text(
        Field::Port(Protocol::Imap),
        "993".into(),
    )));
    let _ = app.update(Message::Form(Edit::Text(
        Field::Host(Protocol::Smtp),
        "smtp.example.org".into(),
    )));
    type_into(&mut app, "imap-password", "s3cret")?;
    click(&mut app, "Save")?;
    let saved = app.sent.iter().find_map(|c| match c {
        Command::SaveAccount {
            account, passwords, ..
        } => Some((account.clone(), passwords.0.clone())),
        _ => None,
    });
    let (saved, passwords) = saved.ok_or("no SaveAccount sent")?;
    assert_eq!(saved.imap.port, 993);
    assert_eq!(passwords, vec![(Protocol::Imap, "s3cret".to_owned())]);
    Ok(())
}

#[test]
fn a_new_account_is_added_from_a_plain_form() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    drop(Store::open(&db)?);
    let mut app = window(&db, "en-US")?;
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
    }) = app.sent.last()
    else {
        return Err(format!("{:?}", app.sent).into());
    };
    assert_eq!(account.id, 0);
    assert_eq!(account.address, "lilei@163.com");
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
    let account = app.tree.accounts[0].0.id;
    app.screen = Screen::Settings;
    let _ = app.update(Message::EditAccount(account));
    click(&mut app, "Remove account")?;
    assert!(app.confirm_remove);
    assert!(
        !app.sent
            .iter()
            .any(|c| matches!(c, Command::RemoveAccount { .. }))
    );
    snapshot(&app, "settings-remove-ask-light")?;
    click(&mut app, "Remove, keep the downloaded mail")?;
    assert!(app.sent.iter().any(|c| matches!(
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
    let account = app.tree.accounts[0].0.id;
    app.screen = Screen::Settings;
    let _ = app.update(Message::EditAccount(account));
    // Nothing listens on port 1 of loopback: a real, quick connection failure.
    for (field, value) in [
        (Field::Host(Protocol::Imap), "127.0.0.1"),
        (Field::Port(Protocol::Imap), "1"),
    ] {
        let _ = app.update(Message::Form(Edit::Text(field, value.into())));
    }
    for p in [Protocol::Pop3, Protocol::Smtp] {
        let _ = app.update(Message::Form(Edit::Enabled(p, false)));
    }
    click(&mut app, "Test connection")?;
    assert!(app.testing);
    let Some(Command::TestSettings {
        account: tested, ..
    }) = app.sent.last().cloned()
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
    assert!(!app.testing);
    // Timings vary from run to run: the snapshot is of the report with fixed ones.
    if let Some(r) = &mut app.report {
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
    app.theme = ThemeChoice::Light;
    click(&mut app, "Settings")?;
    click(&mut app, "Follow system")?;
    // Two "Follow system" buttons: language first. Choose the theme's by message.
    let _ = app.update(Message::Theme(ThemeChoice::System));
    let _ = app.update(Message::SystemTheme(iced::theme::Mode::Dark));
    assert_eq!(app.theme(), Theme::Dark);
    let _ = app.update(Message::SystemTheme(iced::theme::Mode::Light));
    assert_eq!(app.theme(), Theme::Light);
    assert!(app.language.is_empty());
    // New mail raises a notification while they are on...
    let inbox = app.folder.ok_or("no folder")?;
    let unread = app
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
    assert_eq!(app.notified.len(), 1);
    // ...and not once switched off.
    click(&mut app, "Tell me when new mail arrives")?;
    assert!(!app.notifications);
    assert_eq!(app.update(event()).units(), 0);
    snapshot(&app, "settings-app-system-light")?;
    // About: the log folder opens for a bug report; it is the store's own.
    let opened = click(&mut app, "Open log folder")?;
    assert!(
        matches!(opened.first(), Some(Message::OpenLogFolder)),
        "{opened:?}"
    );
    assert!(app.log_dir().starts_with(db.parent().ok_or("no parent")?));
    Ok(())
}

#[test]
fn a_refused_password_is_asked_for_and_syncing_shows_progress() -> Result<()> {
    use tidings::engine::{AccountState, ErrorKind};
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let account = app.tree.accounts[0].0.id;
    let inbox = app.folder.ok_or("no folder")?;
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
    let _ = app.update(Message::Engine(Link::Event(Event::Error {
        account,
        kind: ErrorKind::AuthFailed,
        message: "imap.example.org refused the password".into(),
    })));
    assert!(app.prompt.as_ref().is_some_and(|p| p.refused));
    type_into(&mut app, "prompt-password", "new-secret")?;
    snapshot(&app, "mail-password-prompt-light")?;
    click(&mut app, "Use this password")?;
    assert!(app.prompt.is_none());
    let Some(Command::ProvidePassword {
        account: a,
        passwords,
    }) = app.sent.last()
    else {
        return Err(format!("{:?}", app.sent).into());
    };
    assert_eq!(*a, account);
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
    assert!(app.prompt.is_none());
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
    assert_eq!(app.form.as_ref().map(|f| f.id), Some(account));
    Ok(())
}

#[test]
fn an_empty_store_opens_the_account_setup() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    drop(Store::open(&db)?);
    let app = window(&db, "en-US")?;
    assert!(app.tree.accounts.is_empty());
    assert_eq!(
        app.screen,
        Screen::Setup,
        "a first run opens the account setup"
    );
    snapshot(&app, "setup-first-run-light")?;
    Ok(())
}

fn press(key: iced::keyboard::Key, modifiers: iced::keyboard::Modifiers) -> iced::keyboard::Event {
    iced::keyboard::Event::KeyPressed {
        key: key.clone(),
        modified_key: key,
        physical_key: iced::keyboard::key::Physical::Unidentified(
            iced::keyboard::key::NativeCode::Unidentified,
        ),
        location: iced::keyboard::Location::Standard,
        modifiers,
        text: None,
        repeat: false,
    }
}

#[test]
fn toolbar_and_keyboard_act_on_the_open_message() -> Result<()> {
    use iced::keyboard::{Key, Modifiers, key::Named};
    use tidings::ui::app::{Action, shortcut};
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    // j opens the first message, j again the next one.
    let step = shortcut(press(Key::Character("j".into()), Modifiers::empty()));
    assert!(matches!(step, Some(Message::Step(1))));
    let _ = app.update(Message::Step(1));
    let _ = app.update(Message::Step(1));
    let second = app.list.get(1).map(|m| m.id).ok_or("no second row")?;
    assert_eq!(app.message, Some(second));
    assert!(matches!(
        shortcut(press(Key::Character("u".into()), Modifiers::empty())),
        Some(Message::Act(Action::ToggleRead))
    ));
    assert!(matches!(
        shortcut(press(Key::Named(Named::Delete), Modifiers::empty())),
        Some(Message::Act(Action::Delete))
    ));
    assert!(matches!(
        shortcut(press(Key::Character("q".into()), Modifiers::CTRL)),
        Some(Message::Quit)
    ));
    let _ = app.update(Message::MessageLoaded(
        second,
        Ok(data::open(&db, second, false)?),
    ));
    snapshot(&app, "mail-toolbar-light")?;
    click(&mut app, "Flag")?;
    assert!(app.sent.iter().any(|c| matches!(c, Command::SetFlagged { messages, flagged: true } if messages == &vec![second])));
    let _ = app.update(Message::MessageLoaded(
        second,
        Ok(data::open(&db, second, false)?),
    ));
    click(&mut app, "Delete")?;
    assert!(
        app.sent
            .iter()
            .any(|c| matches!(c, Command::Delete { messages } if messages == &vec![second]))
    );
    assert_eq!(app.list.total, 3);
    assert_eq!(app.message, None);
    Ok(())
}

#[test]
fn scrolling_down_reads_the_folder_a_page_at_a_time() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        let account = accounts::list(tx)?[0].id;
        let inbox = folders::list(tx, account)?
            .into_iter()
            .find(|f| f.role == Role::Inbox)
            .map(|f| f.id)
            .unwrap_or_default();
        for uid in 100..546u32 {
            messages::insert(
                tx,
                &Envelope {
                    account_id: account,
                    folder_id: inbox,
                    uid,
                    subject: format!("Bulk message {uid}"),
                    date: 1_700_000_000 + i64::from(uid),
                    ..Envelope::default()
                },
            )?;
        }
        Ok(())
    })?;
    drop(store);
    let mut app = window(&db, "en-US")?;
    assert_eq!(app.list.total, 450);
    assert_eq!(
        app.list.held().count(),
        200,
        "only the first page is read at first"
    );
    // Scroll to row 300: its page is read, and only a screenful of rows is drawn.
    let _ = app.update(Message::ListScrolled(300.0 * ROW_HEIGHT, 700.0));
    assert!(app.list.get(300).is_none());
    load_visible(&mut app, &db)?;
    let row = app.list.get(300).ok_or("row 300 not read")?;
    assert!(row.subject.starts_with("Bulk message"), "{}", row.subject);
    assert!(app.list.visible().len() < 16, "{:?}", app.list.visible());
    // Newest first, no row twice.
    let ids: Vec<i64> = app.list.held().map(|m| m.id).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    let dates: Vec<i64> = app.list.held().map(|m| m.date).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    Ok(())
}

#[test]
fn shift_and_ctrl_clicks_select_several_and_act_on_all() -> Result<()> {
    use iced::keyboard::Modifiers;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let ids: Vec<i64> = app.list.held().map(|m| m.id).collect();
    click(&mut app, "项目进度会通知")?;
    let _ = app.update(Message::Modifiers(Modifiers::SHIFT));
    click(&mut app, "Our autumn newsletter")?;
    assert_eq!(app.list.selected.len(), 3, "{:?}", app.list.selected);
    let _ = app.update(Message::Modifiers(Modifiers::CTRL));
    click(&mut app, "Nested multiparts")?;
    assert_eq!(app.list.selected.len(), 2);
    let _ = app.update(Message::Modifiers(Modifiers::empty()));
    snapshot(&app, "mail-multiselect-light")?;
    click(&mut app, "Archive")?;
    let archived = app.sent.iter().find_map(|c| match c {
        Command::Archive { messages } => Some(messages.clone()),
        _ => None,
    });
    let nested = ids.iter().copied().find(|id| {
        app.sent
            .iter()
            .all(|c| !matches!(c, Command::SetSeen { messages, .. } if messages == &vec![*id]))
    });
    assert!(nested.is_some());
    assert_eq!(archived.as_ref().map(Vec::len), Some(2));
    assert_eq!(app.list.total, 2);
    assert!(app.list.selected.is_empty());
    Ok(())
}

#[test]
fn panes_resize_within_limits() -> Result<()> {
    use iced::widget::pane_grid::ResizeEvent;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let splits: Vec<_> = app.panes.layout().splits().copied().collect();
    assert_eq!(splits.len(), 2);
    let _ = app.update(Message::PaneResized(ResizeEvent {
        split: splits[0],
        ratio: 0.01,
    }));
    let _ = app.update(Message::PaneResized(ResizeEvent {
        split: splits[1],
        ratio: 0.6,
    }));
    let regions = app
        .panes
        .layout()
        .pane_regions(1.0, 0.0, iced::Size::new(1200.0, 700.0));
    let widths: Vec<f32> = app
        .panes
        .iter()
        .filter_map(|(pane, _)| regions.get(pane).map(|r| r.width))
        .collect();
    assert!(widths.iter().all(|w| *w >= 100.0), "{widths:?}");
    // Remembered once the dragging stops: only the last drag's tick saves.
    assert_eq!(app.pane_ratios, [0.12, 0.6]);
    app.prefs_file = Some(_dir.path().join("window.json"));
    let last = app.pane_generation;
    assert_eq!(app.update(Message::PanesSettled(last - 1)).units(), 0);
    assert_eq!(app.update(Message::PanesSettled(last)).units(), 1);
    snapshot(&app, "mail-resized-light")?;
    Ok(())
}

#[test]
fn attachments_are_saved_under_a_safe_name() -> Result<()> {
    let (dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    app.downloads = dir.path().join("Downloads");
    click(&mut app, "Nested multiparts")?;
    let id = app.message.ok_or("no message")?;
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
    let clicked = click(&mut app, "Save")?;
    let Some(Message::SaveAttachment(part)) = clicked.first().cloned() else {
        return Err(format!("{clicked:?}").into());
    };
    // What the task does off the UI thread:
    let saved = data::save_attachment(&db, id, part, "report.pdf", &app.downloads)?;
    let again = data::save_attachment(&db, id, part, "report.pdf", &app.downloads)?;
    assert_eq!(saved, app.downloads.join("report.pdf"));
    assert_eq!(again, app.downloads.join("report (2).pdf"));
    assert_eq!(std::fs::read(&saved)?, b"%PDF-1.4 fake pdf content");
    let _ = app.update(Message::AttachmentSaved(Ok(saved)));
    // Open hands a copy in a folder of its own to the desktop's default application.
    let opened = click(&mut app, "Open")?;
    assert!(
        matches!(opened.first(), Some(Message::OpenAttachment(p)) if *p == part),
        "{opened:?}"
    );
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("report.pdf"))
    );
    Ok(())
}

#[test]
fn a_program_attachment_shows_its_real_name_and_asks_before_opening() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Nested multiparts")?;
    let id = app.message.ok_or("no message")?;
    let mut model = data::open(&db, id, false)?.ok_or("no model")?;
    // A right-to-left override (U+202E) makes "invoice<RLO>fdp.exe" read as "invoiceexe.pdf".
    for a in &mut model.attachments {
        a.name = "invoice\u{202E}fdp.exe".into();
    }
    let _ = app.update(Message::MessageLoaded(id, Ok(Some(model))));
    let opened = click(&mut app, "Open")?;
    assert!(matches!(opened.first(), Some(Message::OpenAttachment(_))));
    // The program is not opened: the user is asked, and sees what it really is.
    assert!(app.confirm_open.is_some());
    snapshot(&app, "reader-risky-attachment")?;
    let confirmed = click(&mut app, "Open anyway")?;
    let Some(Message::OpenRiskyAttachment(part)) = confirmed.first().cloned() else {
        return Err(format!("{confirmed:?}").into());
    };
    // Cancel forgets the question.
    let _ = app.update(Message::OpenAttachment(part));
    assert_eq!(app.confirm_open, Some(part));
    let _ = app.update(Message::CancelOpen);
    assert!(app.confirm_open.is_none());
    Ok(())
}

#[test]
fn a_message_over_the_size_limit_says_why_it_has_no_body() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        let inbox = folders::list(tx, 1)?
            .into_iter()
            .find(|f| f.role == Role::Inbox)
            .map(|f| f.id)
            .unwrap_or_default();
        messages::insert(
            tx,
            &Envelope {
                account_id: 1,
                folder_id: inbox,
                uid: 9,
                subject: "Holiday videos".into(),
                from_name: "Bob".into(),
                from_addr: "bob@example.org".into(),
                date: NOW - 600,
                size: 180 * 1024 * 1024,
                ..Envelope::default()
            },
        )?;
        folders::recount(tx, inbox)
    })?;
    drop(store);
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Holiday videos")?;
    let id = app.message.ok_or("no message")?;
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
    assert!(app.reading.is_none(), "no body was downloaded");
    snapshot(&app, "reader-too-large")?;
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
        !app.sent
            .iter()
            .any(|c| matches!(c, Command::TestSettings { .. })),
        "{:?}",
        app.sent
    );
    snapshot(&app, "setup-unverified-hosts")?;
    click(&mut app, "I trust these servers")?;
    assert!(matches!(
        app.sent.last(),
        Some(Command::TestSettings { .. })
    ));
    Ok(())
}

/// Fails with the install line when a tool the window test needs is missing.
fn need(tool: &str, package: &str) -> Result<()> {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()?
        .status
        .success();
    if found {
        Ok(())
    } else {
        Err(format!("{tool} is missing; install it with: apt-get install -y {package}").into())
    }
}

/// Kills a child process when dropped, so a failed assertion leaves nothing running.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(program: &str, args: &[&str], display: &str) -> Result<std::process::Output> {
    Ok(std::process::Command::new(program)
        .args(args)
        .env("DISPLAY", display)
        .output()?)
}

#[test]
fn the_built_binary_opens_the_main_window_under_xvfb() -> Result<()> {
    use std::process::{Command as Process, Stdio};
    use std::time::{Duration, Instant};
    need("Xvfb", "xvfb")?;
    need("xdotool", "xdotool")?;
    need("import", "imagemagick")?;
    let (dir, db) = seeded()?;
    // Loopback only: the account points at a port where nothing listens.
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        for mut a in accounts::list(tx)? {
            for s in [&mut a.imap, &mut a.pop3, &mut a.smtp] {
                s.host = "127.0.0.1".into();
                s.port = 1;
            }
            accounts::update(tx, &a)?;
        }
        Ok(())
    })?;
    drop(store);

    let display = format!(":{}", 60 + std::process::id() % 200);
    let socket = format!("/tmp/.X11-unix/X{}", &display[1..]);
    let _xvfb = Running(
        Process::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !Path::new(&socket).exists() {
        if Instant::now() > deadline {
            return Err(format!("Xvfb did not start on {display}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = dir.path().join("window.log");
    let _app = Running(
        Process::new(env!("CARGO_BIN_EXE_tidings"))
            .arg("--data-dir")
            .arg(dir.path())
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("LANG", "en_US.UTF-8")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?,
    );
    // Wait for the window, then for it to be drawn: a blank or half-drawn frame has few colours.
    let shot = dir.path().join("window.png");
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut colours = 0u64;
    let mut window = String::new();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        if window.is_empty() {
            let found = run("xdotool", &["search", "--name", "^Tidings$"], &display)?;
            window = String::from_utf8_lossy(&found.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned();
            continue;
        }
        let path = shot.to_string_lossy().into_owned();
        if !run("import", &["-window", &window, &path], &display)?
            .status
            .success()
        {
            continue;
        }
        let counted = run("identify", &["-format", "%k", &path], &display)?;
        colours = String::from_utf8_lossy(&counted.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        if colours > 200 {
            break;
        }
    }
    let geometry = run("xdotool", &["getwindowgeometry", &window], &display)?;
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("xvfb-window.png");
    let _ = std::fs::copy(&shot, &kept);
    assert!(
        !window.is_empty(),
        "no Tidings window appeared; its log: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(
        colours > 200,
        "the window looks blank ({colours} colours; screenshot in {}); its log: {}",
        kept.display(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let geometry = String::from_utf8_lossy(&geometry.stdout).into_owned();
    assert!(geometry.contains("1200x760"), "{geometry}");
    Ok(())
}

mod composing {
    use super::*;
    use tidings::engine::outbox::SendOutcome;
    use tidings::store::drafts::{self, Draft, DraftKind};
    use tidings::ui::compose_data;
    use tidings::ui::compose_update::ComposeMsg;
    use tidings::ui::composer::{self, AddrField};
    use tidings::ui::engine_link::Link;

    fn event(e: Event) -> Message {
        Message::Engine(Link::Event(e))
    }

    fn open_compose(db: &Path, locale: &str) -> Result<App> {
        let mut app = window(db, locale)?;
        app.address_book = compose_data::address_book(db)?;
        Ok(app)
    }

    #[test]
    fn chips_completion_attachments_autosave_and_send() -> Result<()> {
        let (dir, db) = seeded()?;
        let mut app = open_compose(&db, "en-US")?;
        click(&mut app, "New message")?;
        assert_eq!(app.screen, Screen::Compose);
        type_into(&mut app, "to-field", "zhang")?;
        // The sender seen in the mirror is offered; picking it makes a chip.
        click(&mut app, "张伟 <zhangwei@163.com>")?;
        let c = app.composer.as_ref().ok_or("no composer")?;
        assert_eq!(c.to.len(), 1, "{:?}", c.to);
        assert!(c.typed(AddrField::To).is_empty());
        type_into(&mut app, "to-field", "bob@example.org,")?;
        type_into(&mut app, "subject-field", "季度报告 Q3")?;
        type_into(&mut app, "body-field", "各位好，报告见附件。")?;
        let file = dir.path().join("报告.pdf");
        std::fs::write(&file, vec![b'x'; 26 * 1024 * 1024])?;
        let _ = app.update(Message::Compose(ComposeMsg::Picked(composer::read_files(
            &[file],
        ))));
        let c = app.composer.as_ref().ok_or("no composer")?;
        assert_eq!(c.to.len(), 2);
        assert_eq!(c.attachments[0].file_name, "报告.pdf");
        assert_eq!(c.attachments[0].mime_type, "application/pdf");
        snapshot(&app, "compose-light")?;

        // The quiet moment after the last edit saves; an older tick does not.
        let generation = c.generation;
        let _ = app.update(Message::Compose(ComposeMsg::Autosave(generation - 1)));
        assert!(
            !app.sent
                .iter()
                .any(|c| matches!(c, Command::SaveDraft { .. }))
        );
        let _ = app.update(Message::Compose(ComposeMsg::Autosave(generation)));
        let saves = |app: &App| {
            app.sent
                .iter()
                .filter(|c| matches!(c, Command::SaveDraft { .. }))
                .count()
        };
        assert_eq!(saves(&app), 1);
        let Some(Command::SaveDraft { draft, attachments }) = app.sent.last().cloned() else {
            return Err("no SaveDraft".into());
        };
        assert_eq!(draft.id, 0);
        assert_eq!(draft.subject, "季度报告 Q3");
        assert!(
            draft.to_addrs.contains("zhangwei@163.com"),
            "{}",
            draft.to_addrs
        );
        assert_eq!(draft.body_text, "各位好，报告见附件。\n");
        assert_eq!(attachments.len(), 1);
        // Typing on while that save is in flight, then Send: no second insert is asked for
        // until the engine answers; then the newest text is saved and sent.
        type_into(&mut app, "body-field", "!")?;
        click(&mut app, "Send")?;
        assert_eq!(saves(&app), 1, "one save in flight at a time");
        let message_id = draft.rfc_message_id.clone();
        let _ = app.update(event(Event::DraftSaved {
            draft: 41,
            message_id: message_id.clone(),
        }));
        assert_eq!(saves(&app), 2);
        let Some(Command::SaveDraft { draft: newer, .. }) = app.sent.last().cloned() else {
            return Err("no second SaveDraft".into());
        };
        assert_eq!(newer.id, 41, "the second save updates the same draft");
        assert!(newer.body_text.ends_with("!\n"));
        let _ = app.update(event(Event::DraftSaved {
            draft: 41,
            message_id,
        }));
        assert!(matches!(app.sent.last(), Some(Command::Send { draft: 41 })));
        assert!(app.composer.is_none());
        assert_eq!(app.screen, Screen::Mail);
        Ok(())
    }

    #[test]
    fn sending_needs_a_recipient_and_an_account_that_can_send() -> Result<()> {
        let (_dir, db) = seeded()?;
        let mut app = open_compose(&db, "zh-CN")?;
        let _ = app.update(Message::Compose(ComposeMsg::New));
        type_into(&mut app, "subject-field", "无收件人")?;
        let _ = app.update(Message::Compose(ComposeMsg::Send));
        assert!(app.composer.as_ref().is_some_and(|c| c.error.is_some()));
        app.theme = ThemeChoice::Dark;
        snapshot(&app, "compose-no-recipient-dark-zh")?;
        // SMTP off: listed, but sending says why.
        app.tree.accounts[0].0.smtp.enabled = false;
        type_into(&mut app, "to-field", "bob@example.org,")?;
        let _ = app.update(Message::Compose(ComposeMsg::Send));
        assert!(!app.sent.iter().any(|c| matches!(c, Command::Send { .. })));
        assert!(
            app.composer
                .as_ref()
                .and_then(|c| c.error.clone())
                .is_some_and(|e| e.contains("SMTP"))
        );
        Ok(())
    }

    #[test]
    fn reply_and_forward_open_prefilled() -> Result<()> {
        let (_dir, db) = seeded()?;
        let mut app = open_compose(&db, "en-US")?;
        click(&mut app, "项目进度会通知")?;
        let id = app.message.ok_or("no message")?;
        let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
        let clicked = click(&mut app, "Reply")?;
        assert!(matches!(
            clicked.first(),
            Some(Message::Compose(ComposeMsg::Reply { all: false }))
        ));
        // What the task reads:
        let _ = app.update(Message::Compose(ComposeMsg::Opened(Ok(Box::new(
            compose_data::reply(&db, id, false, "en-US")?,
        )))));
        let c = app.composer.as_ref().ok_or("no composer")?;
        assert_eq!(c.subject, "Re: 项目进度会通知");
        assert_eq!(c.to.len(), 1);
        assert!(c.body.text().contains("> "), "the original is quoted");
        assert!(!c.draft.in_reply_to.is_empty());
        snapshot(&app, "compose-reply-light")?;

        let _ = app.update(Message::Compose(ComposeMsg::Close));
        click(&mut app, "Nested multiparts")?;
        let id = app.message.ok_or("no message")?;
        let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id, false)?)));
        let clicked = click(&mut app, "Forward")?;
        assert!(matches!(
            clicked.first(),
            Some(Message::Compose(ComposeMsg::Forward))
        ));
        let _ = app.update(Message::Compose(ComposeMsg::Opened(Ok(Box::new(
            compose_data::forward(&db, id, "zh-CN")?,
        )))));
        let c = app.composer.as_ref().ok_or("no composer")?;
        assert_eq!(c.subject, "Fwd: Nested multiparts");
        assert!(c.to.is_empty());
        assert!(c.attachments.iter().any(|a| a.file_name == "report.pdf"));
        Ok(())
    }

    #[test]
    fn a_refused_send_offers_edit_and_retry() -> Result<()> {
        let (_dir, db) = seeded()?;
        let mut app = open_compose(&db, "en-US")?;
        let account = app.tree.accounts[0].0.id;
        let _ = app.update(event(Event::SendResult {
            account,
            item: 9,
            outcome: SendOutcome::Failed("550 5.1.1 <nobody@example.org>: no such user".into()),
        }));
        // What the outbox read then says:
        let _ = app.update(Message::Compose(ComposeMsg::OutboxRead(Ok(
            compose_data::Outbox {
                waiting: 0,
                problems: vec![compose_data::Problem {
                    item: 9,
                    reason: "550 5.1.1 <nobody@example.org>: no such user".into(),
                    uncertain: false,
                }],
            },
        ))));
        snapshot(&app, "mail-send-refused-light")?;
        click(&mut app, "Retry")?;
        assert!(matches!(
            app.sent.last(),
            Some(Command::RetrySend { item: 9 })
        ));
        assert!(app.outbox.problems.is_empty());

        // Edit: the refused message comes back into the composer, is saved as a draft, and
        // only then is its outbox copy dropped.
        let store = Store::open(&db)?;
        let item = store.writer().write_blocking(move |tx| {
            let acct = accounts::get(tx, account)?
                .ok_or(tidings::store::StoreError::Corrupt("no account".into()))?;
            let draft = Draft {
                id: 0,
                account_id: account,
                kind: DraftKind::New,
                source_message_id: 0,
                to_addrs: "nobody@example.org".into(),
                cc_addrs: String::new(),
                bcc_addrs: String::new(),
                subject: "退回的邮件".into(),
                body_text: "正文\n".into(),
                body_html: String::new(),
                in_reply_to: String::new(),
                refs: String::new(),
                rfc_message_id: "refused@example.org".into(),
                server_folder_id: 0,
                server_uid: 0,
            };
            let out =
                tidings::mime::compose::build(&acct, &draft, &[], std::time::SystemTime::now())
                    .map_err(|e| tidings::store::StoreError::Corrupt(e.to_string()))?;
            tidings::store::outbox::enqueue(
                tx,
                &tidings::store::outbox::OutboxItem {
                    id: 0,
                    account_id: account,
                    rfc_message_id: out.message_id,
                    envelope_from: out.envelope_from,
                    recipients: out.recipients,
                    raw: out.raw,
                    state: tidings::store::outbox::OutboxState::Failed,
                    attempts: 1,
                    last_error: "550 no such user".into(),
                    next_attempt_at: 0,
                    sent_copy_saved: false,
                    draft_id: 0,
                },
            )
        })?;
        drop(store);
        let _ = app.update(Message::Compose(ComposeMsg::OutboxRead(Ok(
            compose_data::outbox(&db)?,
        ))));
        let clicked = click(&mut app, "Edit")?;
        assert!(matches!(
            clicked.first(),
            Some(Message::Compose(ComposeMsg::EditRefused(i))) if *i == item
        ));
        let before = app.sent.len();
        let _ = app.update(Message::Compose(ComposeMsg::OpenedRefused(
            item,
            Ok(Box::new(compose_data::refused(&db, item)?)),
        )));
        let c = app.composer.as_ref().ok_or("no composer")?;
        assert_eq!(c.subject, "退回的邮件");
        assert_eq!(c.to.len(), 1);
        let after: Vec<&Command> = app.sent[before..].iter().collect();
        assert!(
            matches!(
                after.as_slice(),
                [Command::SaveDraft { .. }, Command::DiscardSend { item: i }] if *i == item
            ),
            "{after:?}"
        );
        Ok(())
    }

    #[test]
    fn drafts_left_by_a_crash_are_offered_again() -> Result<()> {
        let (_dir, db) = seeded()?;
        let store = Store::open(&db)?;
        let account = store.writer().write_blocking(|tx| {
            let account = accounts::list(tx)?[0].id;
            drafts::save(
                tx,
                &Draft {
                    id: 0,
                    account_id: account,
                    kind: DraftKind::New,
                    source_message_id: 0,
                    to_addrs: "lisi@126.com".into(),
                    cc_addrs: String::new(),
                    bcc_addrs: String::new(),
                    subject: "没写完的信".into(),
                    body_text: "第一段……\n".into(),
                    body_html: String::new(),
                    in_reply_to: String::new(),
                    refs: String::new(),
                    rfc_message_id: "crash-test@163.com".into(),
                    server_folder_id: 0,
                    server_uid: 0,
                },
                &[],
            )?;
            Ok(account)
        })?;
        drop(store);
        let mut app = open_compose(&db, "zh-CN")?;
        let _ = app.update(Message::Compose(ComposeMsg::Unsent(Ok(
            compose_data::unsent(&db)?,
        ))));
        assert_eq!(app.unsent.len(), 1);
        snapshot(&app, "mail-unsent-offer-zh")?;
        let clicked = click(&mut app, "没写完的信")?;
        let Some(Message::Compose(ComposeMsg::OpenDraft(id))) = clicked.first().cloned() else {
            return Err(format!("{clicked:?}").into());
        };
        let _ = app.update(Message::Compose(ComposeMsg::Opened(Ok(Box::new(
            compose_data::draft(&db, id)?,
        )))));
        let c = app.composer.as_ref().ok_or("no composer")?;
        assert_eq!(c.draft.id, id);
        assert_eq!(c.draft.account_id, account);
        assert_eq!(c.body.text().trim_end(), "第一段……");
        assert!(app.unsent.is_empty());
        Ok(())
    }

    #[test]
    fn shortcuts_compose_reply_forward_send_and_close() -> Result<()> {
        use iced::keyboard::{Key, Modifiers, key::Named};
        use tidings::ui::app::shortcut;
        let m = |key: Key, mods: Modifiers| shortcut(press(key, mods));
        assert!(matches!(
            m(Key::Character("c".into()), Modifiers::empty()),
            Some(Message::Compose(ComposeMsg::New))
        ));
        assert!(matches!(
            m(Key::Character("r".into()), Modifiers::empty()),
            Some(Message::Compose(ComposeMsg::Reply { all: false }))
        ));
        assert!(matches!(
            m(Key::Character("a".into()), Modifiers::empty()),
            Some(Message::Compose(ComposeMsg::Reply { all: true }))
        ));
        assert!(matches!(
            m(Key::Character("f".into()), Modifiers::empty()),
            Some(Message::Compose(ComposeMsg::Forward))
        ));
        assert!(matches!(
            m(Key::Named(Named::Enter), Modifiers::CTRL),
            Some(Message::Compose(ComposeMsg::Send))
        ));
        assert!(matches!(
            m(Key::Named(Named::Escape), Modifiers::empty()),
            Some(Message::Compose(ComposeMsg::Close))
        ));
        // Esc closes after saving what changed; an untouched message leaves no draft.
        let (_dir, db) = seeded()?;
        let mut app = open_compose(&db, "en-US")?;
        let _ = app.update(Message::Compose(ComposeMsg::New));
        let _ = app.update(Message::Compose(ComposeMsg::Close));
        assert!(app.sent.is_empty());
        let _ = app.update(Message::Compose(ComposeMsg::New));
        type_into(&mut app, "subject-field", "x")?;
        let _ = app.update(Message::Compose(ComposeMsg::Close));
        assert!(matches!(app.sent.last(), Some(Command::SaveDraft { .. })));
        assert!(app.composer.is_none());
        // Quitting (Ctrl+Q or closing the window) with fresh edits saves them first.
        let _ = app.update(Message::Compose(ComposeMsg::New));
        type_into(&mut app, "subject-field", "last words")?;
        let before = app.sent.len();
        let _ = app.update(Message::Quit);
        assert!(app.quitting);
        assert!(
            matches!(app.sent.get(before), Some(Command::SaveDraft { draft, .. }) if draft.subject == "last words")
        );
        app.quitting = false;
        let _ = app.update(Message::Compose(ComposeMsg::Close));
        // Delete typed in the composer's screen never deletes the open message.
        let _ = app.update(Message::Compose(ComposeMsg::New));
        let before = app.sent.len();
        let _ = app.update(Message::Act(tidings::ui::app::Action::Delete));
        assert_eq!(app.sent.len(), before);
        Ok(())
    }
}

/// The guided setup, driven through the window with a real engine against the harness
/// Dovecot and Postfix: autoconfig finds them by probing loopback, the doctor runs each step,
/// save stores the account and the first sync runs.
mod setting_up {
    use super::*;
    use std::time::{Duration, Instant};
    use tidings::accounts::autoconfig::{Dns, Lookup};
    use tidings::accounts::doctor::Hint;
    use tidings::accounts::secrets::AccountSecrets;
    use tidings::engine::{self, EngineHandle, EngineOptions};
    use tidings::ui::engine_link::Link;
    use tidings::ui::setup::{SetupMsg, Stage};
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
        app.now = NOW;
        let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
        Ok(Run {
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
                for command in self.app.sent.drain(..).collect::<Vec<_>>() {
                    self.runtime.block_on(self.engine.send(command))?;
                }
                let events = &mut self.events;
                let event = self
                    .runtime
                    .block_on(async move {
                        tokio::time::timeout_at(deadline.into(), events.recv()).await
                    })
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

    fn hints(app: &App) -> Vec<Hint> {
        app.report
            .iter()
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
        assert!(matches!(
            run.app.sent.last(),
            Some(Command::Autoconfig { .. })
        ));
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
            run.app.report.as_ref().is_some_and(|r| r.ok()),
            "{:?}",
            hints(&run.app)
        );
        assert!(
            Store::open(&run.db)?.reader()?.query_row(
                "SELECT COUNT(*) FROM accounts",
                [],
                |r| r.get::<_, i64>(0)
            )? == 0,
            "nothing is saved before Save"
        );
        click(&mut run.app, "Save")?;
        run.pump(|e| matches!(e, Event::SyncDone { .. }))?;
        assert_eq!(run.app.screen, Screen::Mail);
        assert!(run.app.setup.is_none());
        let _ = run
            .app
            .update(Message::TreeLoaded(Ok(data::tree(&run.db)?)));
        assert_eq!(run.app.tree.accounts.len(), 1);
        assert_eq!(run.app.tree.accounts[0].0.address, alice.address);
        let inbox = run.app.folder.ok_or("INBOX not opened")?;
        assert_eq!(
            data::page(&run.db, inbox, 0)?.0,
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
        assert!(run.app.report.as_ref().is_some_and(|r| !r.ok()));
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
        let form = run.app.form.as_ref().ok_or("no manual form")?;
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
            run.app.report.as_ref().is_some_and(|r| r.ok()),
            "{:?}",
            hints(&run.app)
        );
        click(&mut run.app, "Save")?;
        run.pump(|e| matches!(e, Event::SyncDone { .. }))?;
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
        assert!(matches!(
            app.sent.last(),
            Some(Command::TestSettings { .. })
        ));
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
            Some(Message::Setup(SetupMsg::Help(_)))
        ));
        Ok(())
    }
}
