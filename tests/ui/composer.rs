//! The composer: chips, completion, attachments, autosave, send, replies, refused sends,
//! recovered drafts and shortcuts.

use crate::common::*;

use tidings::engine::outbox::SendOutcome;
use tidings::store::drafts::{self, Draft, DraftKind};
use tidings::ui::compose_data;
use tidings::ui::composer::{self, AddrField};
use tidings::ui::engine_link::Link;
use tidings::ui::message::ComposeMsg;

fn event(e: Event) -> Message {
    Message::Engine(Link::Event(e))
}

fn open_compose(db: &Path, locale: &str) -> Result<App> {
    let mut app = window(db, locale)?;
    app.writing.address_book = compose_data::address_book(db)?;
    Ok(app)
}

#[test]
fn chips_completion_attachments_autosave_and_send() -> Result<()> {
    let (dir, db) = seeded()?;
    let mut app = open_compose(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    click(&mut app, "New message")?;
    assert_eq!(app.screen, Screen::Compose);
    type_into(&mut app, "to-field", "zhang")?;
    // The sender seen in the mirror is offered; picking it makes a chip.
    click(&mut app, "张伟 <zhangwei@163.com>")?;
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.to.len(), 1, "{:?}", c.to);
    assert!(c.typed(AddrField::To).is_empty());
    type_into(&mut app, "to-field", "bob@example.org,")?;
    type_into(&mut app, "subject-field", "季度报告 Q3")?;
    type_into(&mut app, "body-field", "各位好，报告见附件。")?;
    let file = dir.path().join("报告.pdf");
    std::fs::write(&file, vec![b'x'; 26 * 1024 * 1024])?;
    let _ = app.update(Message::Composer(compose::Message::Picked(
        composer::read_files(&[file]),
    )));
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.to.len(), 2);
    assert_eq!(c.attachments[0].file_name, "报告.pdf");
    assert_eq!(c.attachments[0].mime_type, "application/pdf");
    snapshot(&app, "compose-light")?;

    // The quiet moment after the last edit saves; an older tick does not.
    let generation = c.generation;
    let _ = app.update(Message::Composer(compose::Message::Autosave(
        generation - 1,
    )));
    assert!(
        !sent
            .all()
            .iter()
            .any(|c| matches!(c, Command::SaveDraft { .. }))
    );
    let _ = app.update(Message::Composer(compose::Message::Autosave(generation)));
    let saves = |_: &App| {
        sent.all()
            .iter()
            .filter(|c| matches!(c, Command::SaveDraft { .. }))
            .count()
    };
    assert_eq!(saves(&app), 1);
    let Some(Command::SaveDraft {
        draft,
        attachments,
        file,
    }) = sent.last()
    else {
        return Err("no SaveDraft".into());
    };
    assert!(!file, "a pause in typing saves here; the server copy waits");
    assert_eq!(draft.id, 0);
    assert_eq!(draft.subject, "季度报告 Q3");
    assert!(
        draft.to_addrs.contains("zhangwei@163.com"),
        "{}",
        draft.to_addrs
    );
    assert_eq!(draft.body_text, "各位好，报告见附件。\n");
    assert_eq!(
        attachments.map(|a| a.len()),
        Some(1),
        "a new draft stores them"
    );
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
    let Some(Command::SaveDraft {
        draft: newer,
        attachments: again,
        file: filed,
    }) = sent.last()
    else {
        return Err("no second SaveDraft".into());
    };
    assert_eq!(newer.id, 41, "the second save updates the same draft");
    assert!(
        again.is_none(),
        "the 26 MB attachment is stored already and did not change"
    );
    assert!(filed, "sending files the newest copy");
    assert!(newer.body_text.ends_with("!\n"));
    let _ = app.update(event(Event::DraftSaved {
        draft: 41,
        message_id,
    }));
    assert!(matches!(sent.last(), Some(Command::Send { draft: 41 })));
    assert!(app.writing.composer.is_none());
    assert_eq!(app.screen, Screen::Mail);
    Ok(())
}

#[test]
fn sending_needs_a_recipient_and_an_account_that_can_send() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = open_compose(&db, "zh-CN")?;
    let sent = Sent::tap(&mut app);
    let _ = app.update(Message::Compose(ComposeMsg::New));
    type_into(&mut app, "subject-field", "无收件人")?;
    let _ = app.update(Message::Composer(compose::Message::Send));
    assert!(
        app.writing
            .composer
            .as_ref()
            .is_some_and(|c| c.error.is_some())
    );
    app.prefs.theme = ThemeChoice::Dark;
    snapshot(&app, "compose-no-recipient-dark-zh")?;
    // SMTP off: listed, but sending says why.
    app.tree.accounts[0].0.smtp.enabled = false;
    type_into(&mut app, "to-field", "bob@example.org,")?;
    let _ = app.update(Message::Composer(compose::Message::Send));
    assert!(!sent.all().iter().any(|c| matches!(c, Command::Send { .. })));
    assert!(
        app.writing
            .composer
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
    let id = app.mail.message.ok_or("no message")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    let clicked = click(&mut app, "Reply")?;
    assert!(matches!(
        clicked.first(),
        Some(Message::Mail(mail::Message::Reply { all: false }))
    ));
    // What the task reads:
    let _ = app.update(Message::Compose(ComposeMsg::Opened(Ok(Box::new(
        compose_data::reply(&db, id, false, "en-US")?,
    )))));
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.subject, "Re: 项目进度会通知");
    assert_eq!(c.to.len(), 1);
    assert!(c.body.text().contains("> "), "the original is quoted");
    assert!(!c.draft.in_reply_to.is_empty());
    // The cursor starts in the body, above the quote (the real-window test types there).
    assert_eq!(compose::first_field(c), "body-field");
    let at = c.body.cursor().position;
    assert_eq!((at.line, at.column), (0, 0));
    snapshot(&app, "compose-reply-light")?;

    let _ = app.update(Message::Composer(compose::Message::Close));
    click(&mut app, "Nested multiparts")?;
    let id = app.mail.message.ok_or("no message")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    let clicked = click(&mut app, "Forward")?;
    assert!(matches!(
        clicked.first(),
        Some(Message::Mail(mail::Message::Forward))
    ));
    let _ = app.update(Message::Compose(ComposeMsg::Opened(Ok(Box::new(
        compose_data::forward(&db, id, "zh-CN")?,
    )))));
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.subject, "Fwd: Nested multiparts");
    assert!(c.to.is_empty());
    assert_eq!(compose::first_field(c), "body-field");
    assert!(c.attachments.iter().any(|a| a.file_name == "report.pdf"));
    Ok(())
}

#[test]
fn a_refused_send_offers_edit_and_retry() -> Result<()> {
    let (_dir, db) = seeded()?;
    let mut app = open_compose(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
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
    assert!(matches!(sent.last(), Some(Command::RetrySend { item: 9 })));
    assert!(app.writing.outbox.problems.is_empty());

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
        let out = tidings::mime::compose::build(&acct, &draft, &[], std::time::SystemTime::now())
            .map_err(|e| tidings::store::StoreError::Corrupt(e.to_string()))?;
        tidings::store::outbox::enqueue(
            tx,
            &tidings::store::outbox::OutboxItem {
                answers_message: 0,
                answers_mark: String::new(),
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
    let before = sent.all().len();
    let _ = app.update(Message::Compose(ComposeMsg::OpenedRefused(
        item,
        Ok(Box::new(compose_data::refused(&db, item)?)),
    )));
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.subject, "退回的邮件");
    assert_eq!(c.to.len(), 1);
    let all = sent.all();
    let after: Vec<&Command> = all[before..].iter().collect();
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
            Some(&[]),
        )?;
        Ok(account)
    })?;
    drop(store);
    let mut app = open_compose(&db, "zh-CN")?;
    let _ = app.update(Message::Compose(ComposeMsg::Unsent(Ok(
        compose_data::unsent(&db)?,
    ))));
    assert_eq!(app.writing.unsent.len(), 1);
    snapshot(&app, "mail-unsent-offer-zh")?;
    let clicked = click(&mut app, "没写完的信")?;
    let Some(Message::Compose(ComposeMsg::OpenDraft(id))) = clicked.first().cloned() else {
        return Err(format!("{clicked:?}").into());
    };
    let _ = app.update(Message::Compose(ComposeMsg::Opened(Ok(Box::new(
        compose_data::draft(&db, id)?,
    )))));
    let c = app.writing.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.draft.id, id);
    assert_eq!(c.draft.account_id, account);
    assert_eq!(c.body.text().trim_end(), "第一段……");
    assert!(app.writing.unsent.is_empty());
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
        Some(Message::Mail(mail::Message::Reply { all: false }))
    ));
    assert!(matches!(
        m(Key::Character("a".into()), Modifiers::empty()),
        Some(Message::Mail(mail::Message::Reply { all: true }))
    ));
    assert!(matches!(
        m(Key::Character("f".into()), Modifiers::empty()),
        Some(Message::Mail(mail::Message::Forward))
    ));
    assert!(matches!(
        m(Key::Named(Named::Enter), Modifiers::CTRL),
        Some(Message::Composer(compose::Message::Send))
    ));
    assert!(matches!(
        m(Key::Named(Named::Escape), Modifiers::empty()),
        Some(Message::Escape)
    ));
    // Esc closes after saving what changed; an untouched message leaves no draft.
    let (_dir, db) = seeded()?;
    let mut app = open_compose(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    let _ = app.update(Message::Compose(ComposeMsg::New));
    let _ = app.update(Message::Composer(compose::Message::Close));
    assert!(sent.all().is_empty());
    let _ = app.update(Message::Compose(ComposeMsg::New));
    type_into(&mut app, "subject-field", "x")?;
    let _ = app.update(Message::Composer(compose::Message::Close));
    assert!(matches!(sent.last(), Some(Command::SaveDraft { .. })));
    assert!(app.writing.composer.is_none());
    // Quitting (Ctrl+Q or closing the window) with fresh edits saves them first.
    let _ = app.update(Message::Compose(ComposeMsg::New));
    type_into(&mut app, "subject-field", "last words")?;
    let before = sent.all().len();
    let _ = app.update(Message::Quit);
    assert!(app.desktop.quitting);
    assert!(
        matches!(sent.all().get(before), Some(Command::SaveDraft { draft, .. }) if draft.subject == "last words")
    );
    app.desktop.quitting = false;
    let _ = app.update(Message::Composer(compose::Message::Close));
    // Delete typed in the composer's screen never deletes the open message.
    let _ = app.update(Message::Compose(ComposeMsg::New));
    let before = sent.all().len();
    let _ = app.update(Message::Mail(mail::Message::Act(Act::Delete)));
    assert_eq!(sent.all().len(), before);
    Ok(())
}

#[test]
fn the_status_bar_follows_the_send_to_sent_and_then_clears() -> Result<()> {
    let (_dir, db) = seeded()?;
    for (locale, sent, name) in [
        ("en-US", "Sent.", "mail-sent-notice-light"),
        ("zh-CN", "已发送。", "mail-sent-notice-zh"),
    ] {
        let mut app = window(&db, locale)?;
        let account = app.tree.accounts[0].0.id;
        app.status.notice = Some(app.i18n.t("compose-sending", &[]));
        let _ = app.update(event(Event::SendResult {
            account,
            item: 3,
            outcome: SendOutcome::Sent,
        }));
        assert_eq!(app.status.notice.as_deref(), Some(sent));
        snapshot(&app, name)?;
        // An older timer leaves a newer notice alone; its own clears it.
        let _ = app.update(Message::NoticeExpired(app.status.notice_id - 1));
        assert_eq!(app.status.notice.as_deref(), Some(sent));
        let _ = app.update(Message::NoticeExpired(app.status.notice_id));
        assert_eq!(app.status.notice, None);
        // A refused send replaces "Sending…" with the refusal (from the outbox read).
        app.status.notice = Some(app.i18n.t("compose-sending", &[]));
        let _ = app.update(event(Event::SendResult {
            account,
            item: 4,
            outcome: SendOutcome::Failed("550 no such user".into()),
        }));
        assert_eq!(app.status.notice, None);
    }
    Ok(())
}

#[test]
fn a_new_message_or_a_draft_starts_in_its_first_empty_field() {
    let blank = composer::Composer::blank(1, "alice@example.org");
    assert_eq!(compose::first_field(&blank), "to-field");
    let addressed = Draft {
        to_addrs: "bob@example.org".into(),
        ..Draft::new(1)
    };
    let c = composer::Composer::open(addressed.clone(), vec![], "alice@example.org");
    assert_eq!(compose::first_field(&c), "subject-field");
    let titled = Draft {
        subject: "Hello".into(),
        ..addressed
    };
    let c = composer::Composer::open(titled, vec![], "alice@example.org");
    assert_eq!(compose::first_field(&c), "body-field");
}

/// The composer as a screen of its own: its update answers with what it needs of the window.
#[test]
fn the_composer_screen_answers_with_actions() -> Result<()> {
    use compose::{Action, Message as M};
    use tidings::ui::composer::{Composer, Edit};
    let (_dir, db) = seeded()?;
    let tree = data::tree(&db)?;
    let i18n = I18n::new("en-US");
    let ctx = screen_ctx(&i18n, &tree, &db);
    let account = tree.accounts[0].0.id;
    let mut c = Composer::blank(account, "alice@example.org");
    // Untouched, closing leaves nothing behind.
    assert!(matches!(c.update(M::Close, ctx), Action::Close(None)));

    // Typing asks for a timer; only the newest pause saves, locally (not filed yet).
    assert!(matches!(
        c.update(M::Edit(Edit::Subject("周报".into())), ctx),
        Action::Run(_)
    ));
    let generation = c.generation;
    assert!(matches!(
        c.update(M::Autosave(generation - 1), ctx),
        Action::None
    ));
    let saved = c.update(M::Autosave(generation), ctx);
    assert!(matches!(
        saved,
        Action::Send(Command::SaveDraft { file: false, .. })
    ));
    // One save in flight at a time.
    let _ = c.update(M::Edit(Edit::Subject("周报 v2".into())), ctx);
    assert!(matches!(
        c.update(M::Autosave(c.generation), ctx),
        Action::None
    ));

    // No recipient: Send says why and sends nothing.
    assert!(matches!(c.update(M::Send, ctx), Action::None));
    assert!(c.error.is_some());
    let _ = c.update(
        M::Edit(Edit::AddrInput(AddrField::To, "bob@example.org".into())),
        ctx,
    );
    assert!(
        matches!(c.update(M::Send, ctx), Action::None),
        "a save is in flight: its answer saves again, then sends"
    );
    let message_id = c.draft.rfc_message_id.clone();
    assert!(matches!(
        c.draft_saved(7, "<another@x>", false),
        Action::None
    ));
    assert!(matches!(
        c.draft_saved(7, &message_id, false),
        Action::Send(Command::SaveDraft { file: true, .. })
    ));
    assert!(matches!(
        c.draft_saved(7, &message_id, false),
        Action::SentOff(7)
    ));
    Ok(())
}
