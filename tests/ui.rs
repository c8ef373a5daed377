//! The window, driven through iced_test's simulator: clicks and state, the commands sent, and
//! PNG snapshots in tests/snapshots (committed; a changed rendering fails the test). Look at
//! every PNG before committing it.

use std::path::{Path, PathBuf};

use iced::{Settings, Theme};
use iced_test::Simulator;
use tidings::engine::{Command, Protocol};
use tidings::i18n::I18n;
use tidings::mime::envelope;
use tidings::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
use tidings::store::folders::{self, Folder, Role};
use tidings::store::messages::{self, Envelope, Flags};
use tidings::store::{Store, accounts, bodies};
use tidings::ui::app::{App, Message, Screen};
use tidings::ui::list::{PAGE, ROW_HEIGHT};
use tidings::ui::{data, view};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

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

fn snapshot(app: &App, name: &str) -> Result<()> {
    let mut ui = Simulator::with_size(settings()?, (1200.0, 760.0), view::view(app));
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
        let mut ui = Simulator::with_size(settings()?, (1200.0, 760.0), view::view(app));
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
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id)?)));
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
    app.theme = tidings::ui::app::ThemeChoice::Dark;
    click(&mut app, "Our autumn newsletter")?;
    let id = app.message.ok_or("no message opened")?;
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id)?)));
    assert_eq!(app.reading.as_ref().map(|m| m.remote_blocked), Some(6));
    snapshot(&app, "mail-newsletter-dark-zh")?;
    Ok(())
}

#[test]
fn settings_switch_a_protocol_per_account() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Settings")?;
    assert_eq!(app.screen, Screen::Settings);
    snapshot(&app, "settings-light")?;
    click(&mut app, "POP3 — mail is downloaded to this computer")?;
    let account = app.tree.accounts[0].0.id;
    assert!(app.tree.accounts[0].0.pop3.enabled);
    assert!(app.sent.iter().any(|c| matches!(
        c,
        Command::SetProtocol { account: a, protocol: Protocol::Pop3, enabled: true } if *a == account
    )));
    let mut zh = window(&db, "zh-CN")?;
    zh.screen = Screen::Settings;
    snapshot(&zh, "settings-zh")?;
    Ok(())
}

#[test]
fn an_empty_store_says_what_to_do() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("mirror.sqlite3");
    drop(Store::open(&db)?);
    let app = window(&db, "en-US")?;
    assert!(app.tree.accounts.is_empty());
    snapshot(&app, "empty-light")?;
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
    let _ = app.update(Message::MessageLoaded(second, Ok(data::open(&db, second)?)));
    snapshot(&app, "mail-toolbar-light")?;
    click(&mut app, "Flag")?;
    assert!(app.sent.iter().any(|c| matches!(c, Command::SetFlagged { messages, flagged: true } if messages == &vec![second])));
    let _ = app.update(Message::MessageLoaded(second, Ok(data::open(&db, second)?)));
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
    let _ = app.update(Message::MessageLoaded(id, Ok(data::open(&db, id)?)));
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
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("report.pdf"))
    );
    Ok(())
}
