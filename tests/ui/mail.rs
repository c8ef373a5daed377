//! The mail view: reading, remote content, the toolbar and keys, the virtualised list,
//! selection and panes.

use crate::common::*;

#[test]
fn reading_a_chinese_message_marks_it_read() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    assert_eq!(app.mail.list.total, 4);
    snapshot(&app, "mail-list-light")?;
    click(&mut app, "项目进度会通知")?;
    let id = app.mail.message.ok_or("no message opened")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    assert!(
        app.mail
            .reading
            .as_ref()
            .is_some_and(|m| m.subject == "项目进度会通知")
    );
    assert!(
        sent.all().iter().any(
            |c| matches!(c, Command::Change(Change::SetSeen { messages, seen: true }) if messages == &vec![id])
        ),
        "{:?}",
        sent.all()
    );
    snapshot(&app, "mail-reading-gbk-light")?;
    Ok(())
}

#[test]
fn a_newsletter_shows_what_was_blocked_in_dark_and_chinese() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "zh-CN")?;
    app.prefs.theme = ThemeChoice::Dark;
    click(&mut app, "Our autumn newsletter")?;
    let id = app.mail.message.ok_or("no message opened")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    assert_eq!(app.mail.reading.as_ref().map(|m| m.remote_blocked), Some(6));
    snapshot(&app, "mail-newsletter-dark-zh")?;
    Ok(())
}

#[test]
fn remote_images_show_once_or_always_for_the_sender() -> Result<()> {
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    click(&mut app, "Our autumn newsletter")?;
    let id = app.mail.message.ok_or("no message opened")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    assert!(
        !sent
            .all()
            .iter()
            .any(|c| matches!(c, Command::FetchRemote { .. }))
    );
    click(&mut app, "Show images")?;
    assert!(app.mail.remote_once.contains(&id));
    // The reload the task does, allowed this once: nothing blocked, the banner is fetched.
    let model = data::open(&db, id, true)?;
    assert_eq!(model.as_ref().map(|m| m.remote_blocked), Some(0));
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(id, Ok(model))));
    let urls = sent.all().iter().find_map(|c| match c {
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
    assert!(again.mail.remote_once.is_empty());
    assert_eq!(
        data::open(&db, id, false)?.map(|m| m.remote_blocked),
        Some(6)
    );
    // Always for the sender: the engine is asked to remember it.
    click(&mut app, "Archive").ok();
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    click(&mut app, "Our autumn newsletter")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    click(&mut app, "Always from sender@example.org")?;
    assert!(sent.all().iter().any(|c| matches!(
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

#[test]
fn toolbar_and_keyboard_act_on_the_open_message() -> Result<()> {
    use iced::keyboard::{Key, Modifiers, key::Named};
    use tidings::ui::app::shortcut;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    // j opens the first message, j again the next one.
    let step = shortcut(press(Key::Character("j".into()), Modifiers::empty()));
    assert!(matches!(step, Some(Message::Mail(mail::Message::Step(1)))));
    let _ = app.update(Message::Mail(mail::Message::Step(1)));
    let _ = app.update(Message::Mail(mail::Message::Step(1)));
    let second = app.mail.list.get(1).map(|m| m.id).ok_or("no second row")?;
    assert_eq!(app.mail.message, Some(second));
    assert!(matches!(
        shortcut(press(Key::Character("u".into()), Modifiers::empty())),
        Some(Message::Mail(mail::Message::Act(Act::ToggleRead)))
    ));
    assert!(matches!(
        shortcut(press(Key::Named(Named::Delete), Modifiers::empty())),
        Some(Message::Mail(mail::Message::Act(Act::Delete)))
    ));
    assert!(matches!(
        shortcut(press(Key::Character("q".into()), Modifiers::CTRL)),
        Some(Message::Quit)
    ));
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        second,
        Ok(data::open(&db, second, false)?),
    )));
    snapshot(&app, "mail-toolbar-light")?;
    click(&mut app, "Flag")?;
    assert!(sent.all().iter().any(|c| matches!(c, Command::Change(Change::SetFlagged { messages, flagged: true }) if messages == &vec![second])));
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        second,
        Ok(data::open(&db, second, false)?),
    )));
    click(&mut app, "Delete")?;
    assert!(sent.all().iter().any(
        |c| matches!(c, Command::Change(Change::Delete { messages }) if messages == &vec![second])
    ));
    assert_eq!(app.mail.list.total, 3);
    assert_eq!(app.mail.message, None);
    Ok(())
}

#[test]
fn scrolling_down_reads_the_folder_a_page_at_a_time() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        let (account, inbox) = account_and_inbox(tx)?;
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
    assert_eq!(app.mail.list.total, 450);
    assert_eq!(
        app.mail.list.held().count(),
        200,
        "only the first page is read at first"
    );
    // Scroll to row 300: its page is read, and only a screenful of rows is drawn.
    let _ = app.update(Message::Mail(mail::Message::ListScrolled(
        300.0 * ROW_HEIGHT,
        700.0,
    )));
    assert!(app.mail.list.get(300).is_none());
    load_visible(&mut app, &db)?;
    let row = app.mail.list.get(300).ok_or("row 300 not read")?;
    assert!(row.subject.starts_with("Bulk message"), "{}", row.subject);
    assert!(
        app.mail.list.visible().len() < 16,
        "{:?}",
        app.mail.list.visible()
    );
    // Newest first, no row twice.
    let ids: Vec<i64> = app.mail.list.held().map(|m| m.id).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    let dates: Vec<i64> = app.mail.list.held().map(|m| m.date).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    Ok(())
}

#[test]
fn shift_and_ctrl_clicks_select_several_and_act_on_all() -> Result<()> {
    use iced::keyboard::Modifiers;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    let ids: Vec<i64> = app.mail.list.held().map(|m| m.id).collect();
    click(&mut app, "项目进度会通知")?;
    let _ = app.update(Message::Mail(mail::Message::Modifiers(Modifiers::SHIFT)));
    click(&mut app, "Our autumn newsletter")?;
    assert_eq!(
        app.mail.list.selected.len(),
        3,
        "{:?}",
        app.mail.list.selected
    );
    let _ = app.update(Message::Mail(mail::Message::Modifiers(Modifiers::CTRL)));
    click(&mut app, "Nested multiparts")?;
    assert_eq!(app.mail.list.selected.len(), 2);
    let _ = app.update(Message::Mail(mail::Message::Modifiers(Modifiers::empty())));
    snapshot(&app, "mail-multiselect-light")?;
    click(&mut app, "Archive")?;
    let archived = sent.all().iter().find_map(|c| match c {
        Command::Change(Change::Archive { messages }) => Some(messages.clone()),
        _ => None,
    });
    let nested = ids.iter().copied().find(|id| {
        sent.all()
            .iter()
            .all(|c| !matches!(c, Command::Change(Change::SetSeen { messages, .. }) if messages == &vec![*id]))
    });
    assert!(nested.is_some());
    assert_eq!(archived.as_ref().map(Vec::len), Some(2));
    assert_eq!(app.mail.list.total, 2);
    assert!(app.mail.list.selected.is_empty());
    Ok(())
}

#[test]
fn panes_resize_within_limits() -> Result<()> {
    use iced::widget::pane_grid::ResizeEvent;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let splits: Vec<_> = app.mail.panes.layout().splits().copied().collect();
    assert_eq!(splits.len(), 2);
    let _ = app.update(Message::Mail(mail::Message::PaneResized(ResizeEvent {
        split: splits[0],
        ratio: 0.01,
    })));
    let _ = app.update(Message::Mail(mail::Message::PaneResized(ResizeEvent {
        split: splits[1],
        ratio: 0.6,
    })));
    let regions = app
        .mail
        .panes
        .layout()
        .pane_regions(1.0, 0.0, iced::Size::new(1200.0, 700.0));
    let widths: Vec<f32> = app
        .mail
        .panes
        .iter()
        .filter_map(|(pane, _)| regions.get(pane).map(|r| r.width))
        .collect();
    assert!(widths.iter().all(|w| *w >= 100.0), "{widths:?}");
    // Remembered once the dragging stops: only the last drag's tick saves.
    assert_eq!(app.prefs.panes, [0.12, 0.6]);
    app.paths.prefs_file = Some(_dir.path().join("window.json"));
    let last = app.mail.pane_generation;
    assert_eq!(
        app.update(Message::Mail(mail::Message::PanesSettled(last - 1)))
            .units(),
        0
    );
    assert_eq!(
        app.update(Message::Mail(mail::Message::PanesSettled(last)))
            .units(),
        1
    );
    snapshot(&app, "mail-resized-light")?;
    Ok(())
}

#[test]
fn sent_and_drafts_list_the_recipients_not_yourself() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    let sent = store.writer().write_blocking(|tx| {
        let sent = folders::list(tx, 1)?
            .into_iter()
            .find(|f| f.role == Role::Sent)
            .map(|f| f.id)
            .unwrap_or_default();
        for (uid, to, subject) in [
            (1, "李四 <lisi@126.com>", "季度报告"),
            (
                2,
                "bob@example.org, Carol <carol@example.org>, dan@example.org",
                "Plans",
            ),
        ] {
            messages::insert(
                tx,
                &Envelope {
                    account_id: 1,
                    folder_id: sent,
                    uid,
                    from_name: "Alice".into(),
                    from_addr: "alice@example.org".into(),
                    to_addrs: to.into(),
                    subject: subject.into(),
                    date: NOW - 3600 * i64::from(uid),
                    flags: Flags {
                        seen: true,
                        ..Flags::default()
                    },
                    ..Envelope::default()
                },
            )?;
        }
        folders::recount(tx, sent)?;
        Ok(sent)
    })?;
    drop(store);
    for (locale, to_lisi, to_bob, name) in [
        (
            "en-US",
            "To: 李四",
            "To: bob@example.org and 2 more",
            "mail-sent-to-light",
        ),
        (
            "zh-CN",
            "收件人：李四",
            "收件人：bob@example.org 等 2 人",
            "mail-sent-to-zh",
        ),
    ] {
        let mut app = window(&db, locale)?;
        let _ = app.update(Message::Mail(mail::Message::OpenFolder(sent)));
        load_visible(&mut app, &db)?;
        let mut ui = Simulator::with_size(settings()?, (1200.0, 760.0), view::view(&app));
        for shown in [to_lisi, to_bob] {
            assert!(ui.find(shown).is_ok(), "{locale}: {shown} not shown");
        }
        assert!(
            ui.find("Alice").is_err(),
            "{locale}: the sender is shown in Sent"
        );
        snapshot(&app, name)?;
    }
    Ok(())
}

#[test]
fn folders_nest_under_their_parents() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        let account = accounts::list(tx)?[0].id;
        for (name, wire, selectable) in [
            ("Work", "INBOX.Work", true),
            ("Work.2026", "INBOX.Work.2026", true),
            ("Work-old", "INBOX.Work-old", true),
            ("客户", "INBOX.&W6JiNw-", false),
            ("客户.甲公司", "INBOX.&W6JiNw-.&dTJRbFP4-", true),
        ] {
            let mut f = Folder::new_imap(account, name, wire, Role::Other);
            f.delimiter = ".".into();
            f.selectable = selectable;
            folders::insert(tx, &f)?;
        }
        Ok(())
    })?;
    let app = window(&db, "zh-CN")?;
    let shown: Vec<(usize, String)> = app.tree.accounts[0]
        .1
        .iter()
        .filter(|f| f.role == Role::Other)
        .map(data::nesting)
        .collect();
    assert_eq!(
        shown,
        [
            (0, "Work".to_owned()),
            (1, "2026".to_owned()),
            (0, "Work-old".to_owned()),
            (0, "客户".to_owned()),
            (1, "甲公司".to_owned()),
            (0, "项目资料".to_owned()),
        ]
    );
    snapshot(&app, "mail-nested-folders-zh")?;
    Ok(())
}

#[test]
fn answered_and_forwarded_messages_are_marked_in_the_list() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        let (_, inbox) = account_and_inbox(tx)?;
        for m in messages::all_in_folder(tx, inbox)? {
            let mut flags = m.flags.clone();
            match m.uid {
                4 => flags.answered = true,
                3 => flags.keywords = "$Forwarded".into(),
                2 => {
                    flags.answered = true;
                    flags.keywords = "$Forwarded".into();
                }
                _ => continue,
            }
            messages::set_flags(tx, m.id, &flags, 0)?;
        }
        Ok(())
    })?;
    let mut app = window(&db, "en-US")?;
    load_visible(&mut app, &db)?;
    snapshot(&app, "mail-answered-forwarded-light")?;
    Ok(())
}

#[test]
fn a_large_search_backlog_shows_in_the_status_bar_until_it_is_indexed() -> Result<()> {
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "zh-CN")?;
    let _ = app.update(Message::Engine(Link::Event(Event::Indexing {
        left: 12000,
    })));
    assert!(
        app.status_line()
            .contains("正在建立搜索索引：还剩 12000 封"),
        "{}",
        app.status_line()
    );
    snapshot(&app, "mail-indexing-zh")?;
    let _ = app.update(Message::Engine(Link::Event(Event::Indexing { left: 0 })));
    assert!(!app.status_line().contains("索引"));
    let mut app = window(&db, "en-US")?;
    let _ = app.update(Message::Engine(Link::Event(Event::Indexing { left: 640 })));
    assert!(app.status_line().contains("Indexing for search: 640 left"));
    Ok(())
}

#[test]
fn a_deleted_row_stays_gone_until_the_engine_has_it() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    let folder = app.mail.folder.ok_or("no folder open")?;
    let first = app.mail.list.get(0).map(|m| m.id).ok_or("no first row")?;
    // Read before the engine commits: the store still has the row.
    let stale = data::page(&db, folder, 0, true)?;
    app.mail.message = Some(first);
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        first,
        Ok(data::open(&db, first, false)?),
    )));
    click(&mut app, "Delete")?;
    assert_eq!(app.mail.list.total, 3);
    let _ = app.update(Message::Mail(mail::Message::PageLoaded(
        folder,
        0,
        Ok(stale),
    )));
    assert!(
        app.mail.list.find(first).is_none() && app.mail.list.total == 3,
        "the deleted row came back before its delete landed"
    );
    // The engine committed (as its MessagesChanged says): what is read now is true.
    let store = Store::open(&db)?;
    store
        .writer()
        .write_blocking(move |tx| messages::hide(tx, first))?;
    store
        .writer()
        .write_blocking(move |tx| folders::recount(tx, folder))?;
    let _ = app.update(Message::Engine(tidings::ui::engine_link::Link::Event(
        Event::MessagesChanged {
            folder,
            ids: vec![first],
        },
    )));
    let _ = app.update(Message::Mail(mail::Message::PageLoaded(
        folder,
        0,
        Ok(data::page(&db, folder, 0, true)?),
    )));
    assert!(app.mail.list.find(first).is_none());
    assert_eq!(app.mail.list.total, 3);
    Ok(())
}

/// Whether the folder pane shows `label`.
fn shows(app: &App, label: &str) -> Result<bool> {
    let mut ui = Simulator::with_size(settings()?, size(app), view::view(app));
    Ok(ui.find(label).is_ok())
}

#[test]
fn the_pop3_folder_beside_the_servers_inbox_is_not_a_second_inbox() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    // IMAP and POP3 both on: every download was already in the server's Inbox.
    let local = store.writer().write_blocking(|tx| {
        let (account, _) = account_and_inbox(tx)?;
        folders::local_inbox(tx, account)
    })?;
    let app = window(&db, "zh-CN")?;
    let listed: Vec<i64> = app.tree.accounts[0].1.iter().map(|f| f.id).collect();
    assert!(!listed.contains(&local), "an empty POP3 Inbox is shown");
    assert!(!shows(&app, "已下载 (POP3)")?);
    // A download the server does not have: shown, named for what it is, after the Inbox.
    store.writer().write_blocking(move |tx| {
        let (account, _) = account_and_inbox(tx)?;
        let raw = fixture("35-addresses.eml");
        let f = envelope::body_fields(&raw);
        let id = messages::insert(
            tx,
            &Envelope {
                account_id: account,
                folder_id: local,
                rfc_message_id: "only-downloaded@example.org".into(),
                subject: f.list.subject.clone(),
                pop3_uidl: "u1".into(),
                ..Envelope::default()
            },
        )?;
        bodies::put(tx, id, &raw)?;
        folders::recount(tx, local)
    })?;
    let app = window(&db, "zh-CN")?;
    let list = &app.tree.accounts[0].1;
    assert_eq!(list[0].role, Role::Inbox);
    assert_eq!(
        list[0].source,
        folders::Origin::Imap,
        "the server's Inbox comes first"
    );
    assert!(list.iter().any(|f| f.id == local));
    assert!(
        shows(&app, "已下载 (POP3)")?,
        "the POP3 folder is named for what it is"
    );
    let app = window(&db, "en-US")?;
    assert!(shows(&app, "Downloaded (POP3)")?);
    Ok(())
}

/// The mail screen on its own: what it asks of the window, as `Action`s, for the things a
/// user does most (open an unread message, delete, answer, move a divider).
#[test]
fn the_mail_screen_answers_with_what_the_window_must_do() -> Result<()> {
    use tidings::ui::screen::mail::{Action, State};
    let (_dir, db) = seeded()?;
    let tree = data::tree(&db)?;
    let i18n = I18n::new("en-US");
    let ctx = screen_ctx(&i18n, &tree, &db);
    let inbox = tree.accounts[0].1[0].id;
    let mut state = State::default();
    state.list.height = 700.0;
    assert!(matches!(
        state.update(mail::Message::OpenFolder(inbox), ctx),
        Action::Run(_)
    ));
    let read = data::page(&db, inbox, 0, true)?;
    state.update(mail::Message::PageLoaded(inbox, 0, Ok(read)), ctx);
    let unread = state
        .list
        .held()
        .find(|m| !m.flags.seen)
        .map(|m| m.id)
        .ok_or("no unread message")?;

    // Opening an unread message reads it and tells the engine it is read.
    let Action::Many(opened) = state.update(mail::Message::OpenMessage(unread), ctx) else {
        return Err("opening asks for more than one thing".into());
    };
    assert!(opened.iter().any(|a| matches!(a, Action::Run(_))));
    assert!(opened.iter().any(|a| matches!(
        a,
        Action::Send(Command::Change(Change::SetSeen { messages, seen: true })) if messages == &vec![unread]
    )));
    assert_eq!(state.message, Some(unread));

    // Answering is the window's (it opens the composer).
    assert!(matches!(
        state.update(mail::Message::Reply { all: true }, ctx),
        Action::Reply { all: true }
    ));
    assert!(matches!(
        state.update(mail::Message::Forward, ctx),
        Action::Forward
    ));

    // A divider's drag: the ratio now, the save once it settles.
    let split = *state.panes.layout().splits().next().ok_or("no split")?;
    let Action::Many(moved) = state.update(
        mail::Message::PaneResized(iced::widget::pane_grid::ResizeEvent { split, ratio: 0.3 }),
        ctx,
    ) else {
        return Err("a drag asks for more than one thing".into());
    };
    assert!(
        moved
            .iter()
            .any(|a| matches!(a, Action::Panes(0, r) if (*r - 0.3).abs() < 1e-6))
    );
    let generation = state.pane_generation;
    assert!(matches!(
        state.update(mail::Message::PanesSettled(generation - 1), ctx),
        Action::None
    ));
    assert!(matches!(
        state.update(mail::Message::PanesSettled(generation), ctx),
        Action::SavePanes
    ));

    // Delete: the row goes at once and the engine is asked.
    let before = state.list.total;
    assert!(matches!(
        state.update(mail::Message::Act(Act::Delete), ctx),
        Action::Send(Command::Change(Change::Delete { messages })) if messages == vec![unread]
    ));
    assert_eq!(state.list.total, before - 1);
    assert_eq!(state.message, None);
    // With nothing open, answering asks for nothing.
    assert!(matches!(
        state.update(mail::Message::Reply { all: false }, ctx),
        Action::None
    ));
    Ok(())
}

/// Two more accounts beside the seeded one (163 and QQ), each with an Inbox of two and a Sent
/// copy; their accounts and Inboxes.
fn three_accounts(db: &Path) -> Result<Vec<(i64, i64)>> {
    let store = Store::open(db)?;
    Ok(store.writer().write_blocking(|tx| {
        let mut out = vec![account_and_inbox(tx)?];
        for (n, (address, name)) in [("zhangsan@163.com", "张三"), ("lisi@qq.com", "李四")]
            .into_iter()
            .enumerate()
        {
            let mut account = accounts::list(tx)?
                .into_iter()
                .next()
                .ok_or(tidings::store::StoreError::Corrupt("no account".into()))?;
            account.id = 0;
            account.address = address.into();
            account.display_name = name.into();
            let id = accounts::insert(tx, &account)?;
            let inbox = folders::insert(tx, &Folder::new_imap(id, "INBOX", "INBOX", Role::Inbox))?;
            let sent = folders::insert(tx, &Folder::new_imap(id, "Sent", "Sent", Role::Sent))?;
            for (uid, folder, subject) in [
                (1, inbox, format!("{name}的周报")),
                (2, inbox, format!("Re: plans from {address}")),
                (1, sent, format!("回复：{name}的周报")),
            ] {
                let message_id = format!("{uid}-{folder}@{address}");
                let raw = format!(
                    "From: {address}\r\nTo: alice@example.org\r\nSubject: {subject}\r\n\
                     Message-ID: <{message_id}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
                     各位好，本周的进度如下。\r\n"
                );
                let row = messages::insert(
                    tx,
                    &Envelope {
                        account_id: id,
                        folder_id: folder,
                        uid,
                        rfc_message_id: message_id.clone(),
                        // Interleaved with the seeded mail and each other, newest first.
                        date: NOW - 3_600 * (i64::from(uid) * 2 + n as i64),
                        from_name: name.into(),
                        from_addr: address.into(),
                        to_addrs: "alice@example.org".into(),
                        subject,
                        snippet: "各位好，本周的进度如下。".into(),
                        flags: Flags {
                            seen: uid == 2,
                            ..Flags::default()
                        },
                        ..Envelope::default()
                    },
                )?;
                bodies::put(tx, row, raw.as_bytes())?;
            }
            folders::recount(tx, inbox)?;
            out.push((id, inbox));
        }
        Ok(out)
    })?)
}

#[test]
fn all_inboxes_gather_every_accounts_mail_and_can_be_switched_off() -> Result<()> {
    let (_dir, db) = seeded()?;
    let accounts = three_accounts(&db)?;
    let mut app = window(&db, "zh-CN")?;
    assert!(shows(&app, "所有收件箱")? && shows(&app, "所有已发送")?);
    click(&mut app, "所有收件箱")?;
    load_visible(&mut app, &db)?;
    assert_eq!(
        app.mail.list.total, 8,
        "four seeded, two each from 163 and QQ"
    );
    let rows: Vec<_> = app.mail.list.held().cloned().collect();
    assert!(
        rows.windows(2).all(|w| w[0].date >= w[1].date),
        "newest first"
    );
    let from: std::collections::BTreeSet<i64> = rows.iter().map(|m| m.account_id).collect();
    assert_eq!(from.len(), 3, "every account's Inbox");
    snapshot(&app, "mail-unified-zh")?;

    // New mail in one account's Inbox reloads the unified list.
    let (_, qq_inbox) = accounts[2];
    let i18n = I18n::new("zh-CN");
    let ctx = screen_ctx(&i18n, &app.tree, &db);
    let mut state = tidings::ui::screen::mail::State::default();
    let _ = state.update(mail::Message::OpenFolder(-2), ctx);
    let refreshed = state.update(
        mail::Message::Changed {
            folder: qq_inbox,
            ids: vec![1],
        },
        ctx,
    );
    assert!(
        matches!(&refreshed, tidings::ui::screen::mail::Action::Many(a) if a.iter().any(|a| matches!(a, tidings::ui::screen::mail::Action::Run(_)))),
        "the unified list reads its pages again"
    );
    // A search started here covers every folder: the scope chip is only for a real folder.
    assert_eq!(state.real_folder(), None);

    // A reply from the unified list is written from the account the mail came to.
    let bob = rows
        .iter()
        .find(|m| m.from_addr == "zhangsan@163.com")
        .ok_or("no 163 row")?;
    let (draft, _) = tidings::ui::compose_data::reply(&db, bob.id, false, "zh-CN")?;
    assert_eq!(draft.account_id, accounts[1].0);

    // Switched off: the entries go, and the first account's Inbox opens instead.
    let _ = app.update(Message::Settings(
        tidings::ui::screen::settings::Message::Unified(false),
    ));
    assert!(!app.prefs.unified);
    assert!(!shows(&app, "所有收件箱")?);
    assert_eq!(app.mail.folder, Some(accounts[0].1));
    load_visible(&mut app, &db)?;
    assert_eq!(app.mail.list.total, 4);
    Ok(())
}
