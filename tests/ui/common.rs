//! What every window test needs: fonts, a seeded store, the window over it, clicks, typing
//! and PNG snapshots compared with the committed ones.

#![allow(dead_code)] // each test module uses a part of these

pub use std::path::{Path, PathBuf};

pub use iced::{Settings, Theme};
pub use iced_test::Simulator;
pub use tidings::engine::{Change, Command, Event, Protocol};
pub use tidings::i18n::I18n;
pub use tidings::mime::envelope;
pub use tidings::store::accounts::{
    Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
};
pub use tidings::store::folders::{self, Folder, Role};
pub use tidings::store::messages::{self, Envelope, Flags};
pub use tidings::store::{Store, accounts, bodies};
pub use tidings::ui::account_form::{Edit, Field};
pub use tidings::ui::app::{App, Message, Screen, ThemeChoice};
pub use tidings::ui::list::{PAGE, ROW_HEIGHT};
pub use tidings::ui::reader;
pub use tidings::ui::screen::mail::{self, Act, search};
pub use tidings::ui::screen::{compose, settings};
pub use tidings::ui::{data, view};

/// Test results carry any error.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

pub fn settings() -> Result<Settings> {
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

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/eml")
            .join(name),
    )
    .unwrap_or_default()
}

/// A store with one account, its folders and a few messages (Chinese and English).
pub fn seeded() -> Result<(tempfile::TempDir, PathBuf)> {
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

/// The seeded account and its Inbox, for tests that add to them.
pub fn account_and_inbox(
    tx: &rusqlite::Connection,
) -> std::result::Result<(i64, i64), tidings::store::StoreError> {
    let account = accounts::list(tx)?
        .first()
        .map(|a| a.id)
        .unwrap_or_default();
    let inbox = folders::list(tx, account)?
        .into_iter()
        .find(|f| f.role == Role::Inbox)
        .map(|f| f.id)
        .unwrap_or_default();
    Ok((account, inbox))
}

/// A fixed "now" (14 Nov 2025) so list dates in snapshots do not age.
pub const NOW: i64 = 1_763_100_000;

/// The window over `db` in `locale`, with its data loaded as the tasks would load it.
pub fn window(db: &Path, locale: &str) -> Result<App> {
    let (mut app, _) = App::new(db.to_owned(), I18n::new(locale), false);
    app.mail.now = NOW;
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(db)?)));
    load_visible(&mut app, db)?;
    Ok(app)
}

/// Reads the pages the list's viewport shows, as the window's tasks would.
pub fn load_visible(app: &mut App, db: &Path) -> Result<()> {
    let Some(folder) = app.mail.folder else {
        return Ok(());
    };
    if app.mail.list.held().count() == 0 {
        let _ = app.update(Message::Mail(mail::Message::PageLoaded(
            folder,
            0,
            Ok(data::page(db, folder, 0, app.prefs.conversations)?),
        )));
    }
    let range = app.mail.list.visible();
    let pages = range.start / PAGE..=range.end.saturating_sub(1).max(range.start) / PAGE;
    for page in pages {
        let _ = app.update(Message::Mail(mail::Message::PageLoaded(
            folder,
            page,
            Ok(data::page(db, folder, page, app.prefs.conversations)?),
        )));
    }
    Ok(())
}

/// The window's size: settings pages get a taller one so a whole account form is in view.
pub fn size(app: &App) -> (f32, f32) {
    if matches!(app.screen, Screen::Settings | Screen::Setup) {
        (1200.0, 1150.0)
    } else {
        (1200.0, 760.0)
    }
}

pub fn snapshot(app: &App, name: &str) -> Result<()> {
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
pub fn click(app: &mut App, label: &str) -> Result<Vec<Message>> {
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

/// Types `text` into the field with widget id `id`, feeding the messages to the window.
pub fn type_into(app: &mut App, id: &str, text: &str) -> Result<()> {
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

pub fn press(
    key: iced::keyboard::Key,
    modifiers: iced::keyboard::Modifiers,
) -> iced::keyboard::Event {
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

/// What the window asked the engine for, read through its test tap.
pub struct Sent {
    rx: std::sync::mpsc::Receiver<Command>,
    seen: std::cell::RefCell<Vec<Command>>,
}

impl Sent {
    /// Starts reading `app`'s commands.
    pub fn tap(app: &mut App) -> Sent {
        Sent {
            rx: app.tap(),
            seen: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// Every command so far, oldest first.
    pub fn all(&self) -> Vec<Command> {
        let mut seen = self.seen.borrow_mut();
        seen.extend(self.rx.try_iter());
        seen.clone()
    }

    /// The newest command.
    pub fn last(&self) -> Option<Command> {
        self.all().pop()
    }

    /// Takes every command so far (the next `all` starts empty).
    pub fn take(&self) -> Vec<Command> {
        let mut all = self.all();
        self.seen.borrow_mut().clear();
        std::mem::take(&mut all)
    }
}

/// The screens' shared context over `tree`, as the window builds it (simulator: no desktop).
pub fn screen_ctx<'a>(
    i18n: &'a I18n,
    tree: &'a data::Tree,
    db: &'a Path,
) -> tidings::ui::screen::Ctx<'a> {
    tidings::ui::screen::Ctx {
        i18n,
        tree,
        language: "",
        theme: ThemeChoice::Light,
        notifications: true,
        background: true,
        unified: true,
        conversations: true,
        tray_shown: false,
        desktop: false,
        db,
        downloads: db,
        open_dir: None,
    }
}
