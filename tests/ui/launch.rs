//! A launch's request reaching the window: a mailto: link (from this process's command line,
//! or handed over by a second launch) opens the composer filled in, in English and Chinese; a
//! link with addresses that cannot be read keeps them typed, with a note; a link that comes
//! before any account waits for setup. A message file opens in a reader of its own, answered
//! from there; a missing one is a clear error.

use crate::common::*;

use tidings::launch::Launch;
use tidings::ui::composer::AddrField;
use tidings::ui::message::ComposeMsg;
use tidings::ui::message_file;

const LINK: &str = "mailto:%E5%BC%A0%E4%BC%9F%20%3Czhangwei@163.com%3E,bob@example.org\
                    ?cc=carol@example.org&subject=%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%20Q3\
                    &body=%E5%90%84%E4%BD%8D%E5%A5%BD%EF%BC%8C%0D%0A%E6%8A%A5%E5%91%8A%E8%A7%81%E9%99%84%E4%BB%B6%E3%80%82\
                    &in-reply-to=%3Cq3@example.org%3E&from=evil@example.net";

/// The window with `launch` pending, as `ui::run` starts it, then the accounts read.
fn launched(db: &Path, locale: &str, launch: Launch) -> Result<App> {
    let (mut app, _) = App::new(db.to_owned(), I18n::new(locale), false);
    app.mail.now = NOW;
    app.launch.pending = Some(launch);
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(db)?)));
    load_visible(&mut app, db)?;
    Ok(app)
}

#[test]
fn a_mailto_link_at_start_opens_the_composer_filled_in() -> Result<()> {
    let (_dir, db) = seeded()?;
    for (locale, name) in [
        ("en-US", "launch-mailto-light"),
        ("zh-CN", "launch-mailto-zh"),
    ] {
        let app = launched(&db, locale, Launch::Mailto(LINK.into()))?;
        assert_eq!(app.screen, Screen::Compose);
        assert!(app.launch.pending.is_none());
        let c = app.writing.composer.as_ref().ok_or("no composer")?;
        let shown = |f| c.field(f).iter().map(|m| m.to_string()).collect::<Vec<_>>();
        assert_eq!(shown(AddrField::To).len(), 2, "{:?}", shown(AddrField::To));
        assert!(shown(AddrField::To)[0].contains("zhangwei@163.com"));
        assert_eq!(shown(AddrField::Cc), ["carol@example.org"]);
        assert!(c.show_cc_bcc);
        assert_eq!(c.subject, "季度报告 Q3");
        assert_eq!(c.body.text(), "各位好，\n报告见附件。");
        assert_eq!(c.draft.in_reply_to, "q3@example.org");
        assert!(c.error.is_none());
        // The link cannot choose who it is from: the account's own address.
        assert!(!format!("{:?}", c.draft).contains("evil@example.net"));
        snapshot(&app, name)?;
    }
    Ok(())
}

#[test]
fn addresses_that_cannot_be_read_stay_typed_with_a_note() -> Result<()> {
    let (_dir, db) = seeded()?;
    let link = "mailto:not%20an%20address?bcc=%3Cbroken&subject=Hello";
    let app = launched(&db, "zh-CN", Launch::Mailto(link.into()))?;
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert!(c.to.is_empty() && c.bcc.is_empty());
    assert_eq!(c.typed(AddrField::To), "not an address");
    assert_eq!(c.typed(AddrField::Bcc), "<broken");
    assert_eq!(c.subject, "Hello");
    assert_eq!(
        c.error.as_deref(),
        Some("打开此邮件的链接中有地址无法识别，请检查收件人、抄送和密送。")
    );
    snapshot(&app, "launch-mailto-bad-zh")?;
    Ok(())
}

#[test]
fn a_link_handed_over_later_opens_the_composer_and_one_before_any_account_waits() -> Result<()> {
    let (_dir, db) = seeded()?;
    // Handed over by a second launch while the mail list shows.
    let mut app = launched(&db, "en-US", Launch::Window)?;
    assert_eq!(app.screen, Screen::Mail);
    let _ = app.update(Message::Launch(Launch::Mailto(
        "mailto:bob@example.org".into(),
    )));
    assert_eq!(app.screen, Screen::Compose);
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.to.len(), 1);

    // No account yet: setup first, the link kept until setup has made one.
    let (mut app, _) = App::new(db.clone(), I18n::new("en-US"), false);
    app.launch.pending = Some(Launch::Mailto("mailto:bob@example.org".into()));
    let _ = app.update(Message::TreeLoaded(Ok(data::Tree::default())));
    assert_eq!(app.screen, Screen::Setup);
    assert!(app.launch.pending.is_some() && app.writing.composer.is_none());
    // Setup saved (what it leaves behind), then the accounts read again.
    app.setup = None;
    app.screen = Screen::Mail;
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
    assert_eq!(app.screen, Screen::Compose);
    assert!(app.launch.pending.is_none());
    Ok(())
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/eml")
        .join(name)
}

/// The window after `tidings FILE` and the file's read.
fn file_opened(db: &Path, locale: &str, path: &Path) -> Result<App> {
    let mut app = launched(db, locale, Launch::Eml(path.to_owned()))?;
    let read = message_file::read(path).map(Box::new);
    let _ = app.update(Message::FileLoaded(read));
    Ok(app)
}

#[test]
fn a_message_file_opens_in_a_reader_of_its_own_and_can_be_answered() -> Result<()> {
    let (_dir, db) = seeded()?;
    let path = fixture_path("01-gbk-163.eml");
    let mut app = file_opened(&db, "zh-CN", &path)?;
    assert_eq!(app.screen, Screen::File);
    let file = app.file.as_ref().ok_or("no file shown")?.file.clone();
    assert_eq!(file.model.subject, "项目进度会通知");
    // Shown, never imported into a folder.
    let stored: i64 = tidings::store::open_reader(&db)?.query_row(
        "SELECT count(*) FROM messages WHERE rfc_message_id LIKE ?1",
        ["%6926388539529254936@example.org%"],
        |r| r.get(0),
    )?;
    assert_eq!(stored, 1, "the seeded copy only");
    snapshot(&app, "launch-eml-gbk-zh")?;

    // Reply from the file's reader: the composer answers its sender, quoting it.
    let asked = click(&mut app, "回复")?;
    let reply = tidings::ui::screen::file::Message::Reply { all: false };
    assert!(
        asked
            .iter()
            .any(|m| matches!(m, Message::File(f) if format!("{f:?}") == format!("{reply:?}"))),
        "{asked:?}"
    );
    // The reader asks the window for a reply from the file's bytes.
    let i18n = I18n::new("zh-CN");
    let ctx = screen_ctx(&i18n, &app.tree, &db);
    let mut reader = tidings::ui::screen::file::State::new(file.clone());
    assert!(matches!(
        reader.update(reply, ctx),
        tidings::ui::screen::file::Action::Answer(Some(false))
    ));
    let raw = app.file.as_ref().ok_or("no file")?.file.raw.clone();
    let account = app.tree.accounts[0].0.id;
    let draft = message_file::answer(&db, account, &raw, Some(false), "zh-CN")?;
    let _ = app.update(Message::Compose(ComposeMsg::Opened(Ok(Box::new(draft)))));
    assert_eq!(app.screen, Screen::Compose);
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.to.len(), 1);
    assert_eq!(c.to[0].email.to_string(), "zhangwei@163.com");
    assert!(c.subject.contains("项目进度会通知"), "{}", c.subject);
    assert_eq!(c.draft.in_reply_to, "6926388539529254936@example.org");

    // Esc (or Close) from a file goes back to the mail.
    let mut app = file_opened(&db, "en-US", &path)?;
    let _ = app.update(Message::Escape);
    assert_eq!(app.screen, Screen::Mail);
    assert!(app.file.is_none());
    Ok(())
}

#[test]
fn a_missing_or_empty_file_is_a_clear_error_in_the_window() -> Result<()> {
    let (dir, db) = seeded()?;
    // A fixed name, so the snapshot shows the same words each run.
    let missing = Path::new("/nonexistent-tidings/报告.eml");
    let app = file_opened(&db, "zh-CN", missing)?;
    assert_eq!(app.screen, Screen::Mail);
    let said = app.status.last_error.clone().unwrap_or_default();
    assert!(
        said.starts_with("无法打开") && said.contains("报告.eml"),
        "{said}"
    );
    snapshot(&app, "launch-eml-missing-zh")?;
    let empty = dir.path().join("empty.eml");
    std::fs::write(&empty, b"")?;
    let app = file_opened(&db, "en-US", &empty)?;
    let said = app.status.last_error.clone().unwrap_or_default();
    assert!(
        said.contains("empty.eml") && said.contains("the file is empty"),
        "{said}"
    );
    Ok(())
}

#[test]
fn settings_say_whether_tidings_is_the_default_mail_app_and_make_it_so() -> Result<()> {
    use tidings::launch::default_app::{self, DESKTOP_ID, Made, Standing};
    // A desktop of the test's own: Tidings' desktop file and another mail program that is the
    // default, in private XDG directories. xdg-mime only counts programs it can find on PATH.
    let dir = tempfile::tempdir()?;
    let (data, config) = (dir.path().join("data"), dir.path().join("config"));
    let apps = data.join("applications");
    std::fs::create_dir_all(&apps)?;
    std::fs::create_dir_all(&config)?;
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("packaging/linux")
            .join(DESKTOP_ID),
        apps.join(DESKTOP_ID),
    )?;
    std::fs::write(
        apps.join("other-mail.desktop"),
        "[Desktop Entry]\nType=Application\nName=Other Mail\nExec=true %u\n\
         MimeType=x-scheme-handler/mailto;message/rfc822;\n",
    )?;
    std::fs::write(
        config.join("mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/mailto=other-mail.desktop\n\
         message/rfc822=other-mail.desktop\n",
    )?;
    let bin = Path::new(env!("CARGO_BIN_EXE_tidings"))
        .parent()
        .ok_or("no binary folder")?
        .to_owned();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))?;
    let path = PathBuf::from(path);
    let env: [(&str, &Path); 5] = [
        ("XDG_DATA_HOME", &data),
        ("XDG_DATA_DIRS", &data),
        ("XDG_CONFIG_HOME", &config),
        ("XDG_CURRENT_DESKTOP", Path::new("")),
        ("PATH", &path),
    ];

    let (_dir, db) = seeded()?;
    let mut app = launched(&db, "en-US", Launch::Window)?;
    let _ = app.update(Message::Show(Screen::Settings));
    let first = default_app::check_with(&env);
    assert_eq!(
        first,
        Standing::Other("other-mail".into()),
        "(xdg-mime missing? install it with: apt-get install -y xdg-utils)"
    );
    let _ = app.update(Message::Settings(settings::Message::DefaultApp(first)));
    snapshot(&app, "settings-default-app-other-light")?;

    // Make default: the button asks, the desktop answers, the check runs again.
    let asked = click(&mut app, "Make default")?;
    assert!(
        asked
            .iter()
            .any(|m| matches!(m, Message::Settings(settings::Message::MakeDefault)))
    );
    let made = default_app::make_default_with(&env);
    assert_eq!(made, Ok(Made::Done));
    let _ = app.update(Message::Settings(settings::Message::MadeDefault(
        made.map_err(|e| {
            tidings::ui::failure::Failure::new(tidings::ui::failure::Kind::Desktop, e)
        }),
    )));
    assert!(app.settings.default_note.is_none());
    let now = default_app::check_with(&env);
    assert_eq!(now, Standing::Default);
    let _ = app.update(Message::Settings(settings::Message::DefaultApp(now)));
    let mimeapps = std::fs::read_to_string(config.join("mimeapps.list"))?;
    assert!(
        mimeapps.contains("x-scheme-handler/mailto=org.tidings.Tidings.desktop")
            && mimeapps.contains("message/rfc822=org.tidings.Tidings.desktop"),
        "{mimeapps}"
    );
    let queried = std::process::Command::new("xdg-mime")
        .args(["query", "default", "x-scheme-handler/mailto"])
        .envs(env.iter().copied())
        .output()?;
    assert_eq!(String::from_utf8_lossy(&queried.stdout).trim(), DESKTOP_ID);
    snapshot(&app, "settings-default-app-yes-light")?;
    Ok(())
}

/// A notification daemon of the test's own on its private session bus: it clicks (or closes)
/// the notices whose title the test marks, and leaves every other notice alone.
mod daemon {
    use std::collections::HashMap;

    use zbus::object_server::SignalEmitter;

    pub const CLICK: &str = "tidings-test: click me";
    pub const CLOSE: &str = "tidings-test: close me";

    /// Hands out notification ids, one per notice (a signal names the notice it is for).
    pub struct Fake(std::sync::atomic::AtomicU32);

    #[zbus::interface(name = "org.freedesktop.Notifications")]
    impl Fake {
        fn get_capabilities(&self) -> Vec<String> {
            vec!["actions".into(), "body".into()]
        }

        fn get_server_information(&self) -> (String, String, String, String) {
            ("fake".into(), "tidings".into(), "1".into(), "1.2".into())
        }

        #[allow(clippy::too_many_arguments)]
        fn notify(
            &self,
            #[zbus(signal_emitter)] emitter: SignalEmitter<'_>,
            _app_name: String,
            _replaces_id: u32,
            _app_icon: String,
            summary: String,
            _body: String,
            _actions: Vec<String>,
            _hints: HashMap<String, zbus::zvariant::OwnedValue>,
            _expire_timeout: i32,
        ) -> u32 {
            let id = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let emitter = emitter.to_owned();
            // After the answer, while the client listens: a few times, as it may subscribe late.
            std::thread::spawn(move || {
                for _ in 0..30 {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    let _ = futures::executor::block_on(async {
                        if summary == CLICK {
                            Fake::action_invoked(&emitter, id, "default").await
                        } else if summary == CLOSE {
                            Fake::notification_closed(&emitter, id, 2).await
                        } else {
                            Ok(())
                        }
                    });
                }
            });
            id
        }

        fn close_notification(&self, _id: u32) {}

        #[zbus(signal)]
        async fn action_invoked(
            emitter: &SignalEmitter<'_>,
            id: u32,
            action_key: &str,
        ) -> zbus::Result<()>;

        #[zbus(signal)]
        async fn notification_closed(
            emitter: &SignalEmitter<'_>,
            id: u32,
            reason: u32,
        ) -> zbus::Result<()>;
    }

    /// Serves on the session bus (tests/run.sh's private one) for as long as it lives.
    pub fn start() -> zbus::Result<zbus::blocking::Connection> {
        zbus::blocking::connection::Builder::session()?
            .name("org.freedesktop.Notifications")?
            .serve_at(
                "/org/freedesktop/Notifications",
                Fake(std::sync::atomic::AtomicU32::new(0)),
            )?
            .build()
    }
}

#[test]
fn a_click_on_a_new_mail_notice_opens_that_message() -> Result<()> {
    use tidings::ui::notify::{self, Notice};
    let _daemon = daemon::start().map_err(|e| {
        format!("no notification daemon of our own on the session bus (run the tests with bash tests/run.sh): {e}")
    })?;
    let (_dir, db) = seeded()?;
    let mut app = launched(&db, "en-US", Launch::Window)?;
    // The newest message of the seeded mail, in its folder.
    let (folder, message) = {
        let conn = tidings::store::open_reader(&db)?;
        conn.query_row(
            "SELECT folder_id, id FROM messages ORDER BY date DESC, id DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )?
    };
    let notice = |title: &str| Notice {
        title: title.into(),
        body: "季度报告".into(),
        opens: Some((folder, message)),
        open_label: "Open".into(),
    };
    // Closed without a click: nothing opens.
    assert_eq!(notify::show(&notice(daemon::CLOSE))?, None);
    // Clicked: the window opens that message.
    let clicked = notify::show(&notice(daemon::CLICK))?;
    assert_eq!(clicked, Some((folder, message)));
    let _ = app.update(Message::Show(Screen::Settings));
    let _ = app.update(Message::Notified(Ok(clicked)));
    assert_eq!(app.screen, Screen::Mail);
    assert_eq!(app.mail.folder, Some(folder));
    assert_eq!(app.mail.message, Some(message));
    Ok(())
}

#[test]
fn a_link_handed_over_during_first_setup_is_named_there_and_opens_after_saving() -> Result<()> {
    let (_dir, db) = seeded()?;
    let (mut app, _) = App::new(db.clone(), I18n::new("zh-CN"), false);
    let _ = app.update(Message::TreeLoaded(Ok(data::Tree::default())));
    assert_eq!(app.screen, Screen::Setup);
    // A second launch hands the link over: the setup says what waits, by the recipient's name.
    let _ = app.update(Message::Launch(Launch::Mailto(
        "mailto:%E6%9D%8E%E5%9B%9B%20%3Clisi@126.com%3E?subject=%E5%91%A8%E6%8A%A5".into(),
    )));
    assert_eq!(app.screen, Screen::Setup);
    {
        let mut ui = Simulator::with_size(settings()?, size(&app), view::view(&app));
        assert!(
            ui.find("写给 李四 的邮件在等待：保存此账户后即可打开。")
                .is_ok(),
            "the setup does not say a message waits"
        );
    }
    // A message file needs no account: it opens at once, and closing it returns to setup,
    // where the link still waits.
    let path = fixture_path("01-gbk-163.eml");
    let _ = app.update(Message::Launch(Launch::Eml(path.clone())));
    let read = message_file::read(&path).map(Box::new);
    let _ = app.update(Message::FileLoaded(read));
    assert_eq!(app.screen, Screen::File);
    let _ = app.update(Message::Escape);
    assert_eq!(app.screen, Screen::Setup);
    assert!(app.launch.pending.is_some());
    // The account saved: the composer opens with the link.
    let _ = app.update(Message::Engine(tidings::ui::engine_link::Link::Event(
        Event::AccountSaved { account: 1 },
    )));
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
    assert_eq!(app.screen, Screen::Compose);
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.to.len(), 1);
    assert_eq!(c.to[0].email.to_string(), "lisi@126.com");
    assert_eq!(c.subject, "周报");
    Ok(())
}
