//! The reader's attachments and notes: safe names, programs that ask first, messages over the
//! size limit.

use crate::common::*;

#[test]
fn attachments_are_saved_under_a_safe_name() -> Result<()> {
    let (dir, db) = seeded()?;
    let mut app = window(&db, "en-US")?;
    app.paths.downloads = dir.path().join("Downloads");
    click(&mut app, "Nested multiparts")?;
    let id = app.mail.message.ok_or("no message")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    let clicked = click(&mut app, "Save")?;
    let Some(Message::Mail(mail::Message::Reader(reader::Event::SaveAttachment(part)))) =
        clicked.first().cloned()
    else {
        return Err(format!("{clicked:?}").into());
    };
    // What the task does off the UI thread:
    let source = data::Shown::Stored(id);
    let saved = data::save_attachment(&db, &source, part, "report.pdf", &app.paths.downloads)?;
    let again = data::save_attachment(&db, &source, part, "report.pdf", &app.paths.downloads)?;
    assert_eq!(saved, app.paths.downloads.join("report.pdf"));
    assert_eq!(again, app.paths.downloads.join("report (2).pdf"));
    assert_eq!(std::fs::read(&saved)?, b"%PDF-1.4 fake pdf content");
    let _ = app.update(Message::Mail(mail::Message::AttachmentSaved(Ok(saved))));
    // Open hands a copy in a folder of its own to the desktop's default application.
    let opened = click(&mut app, "Open")?;
    assert!(
        matches!(opened.first(), Some(Message::Mail(mail::Message::Reader(reader::Event::OpenAttachment(p)))) if *p == part),
        "{opened:?}"
    );
    assert!(
        app.status
            .notice
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
    let id = app.mail.message.ok_or("no message")?;
    let mut model = data::open(&db, id, false)?.ok_or("no model")?;
    // A right-to-left override (U+202E) makes "invoice<RLO>fdp.exe" read as "invoiceexe.pdf".
    for a in &mut model.attachments {
        a.name = "invoice\u{202E}fdp.exe".into();
    }
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(Some(model)),
    )));
    let opened = click(&mut app, "Open")?;
    assert!(matches!(
        opened.first(),
        Some(Message::Mail(mail::Message::Reader(
            reader::Event::OpenAttachment(_)
        )))
    ));
    // The program is not opened: the user is asked, and sees what it really is.
    assert!(app.mail.confirm_open.is_some());
    snapshot(&app, "reader-risky-attachment")?;
    let confirmed = click(&mut app, "Open anyway")?;
    let Some(Message::Mail(mail::Message::Reader(reader::Event::OpenRiskyAttachment(part)))) =
        confirmed.first().cloned()
    else {
        return Err(format!("{confirmed:?}").into());
    };
    // Cancel forgets the question.
    let _ = app.update(Message::Mail(mail::Message::Reader(
        reader::Event::OpenAttachment(part),
    )));
    assert_eq!(app.mail.confirm_open, Some(part));
    let _ = app.update(Message::Mail(mail::Message::Reader(
        reader::Event::CancelOpen,
    )));
    assert!(app.mail.confirm_open.is_none());
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
    let id = app.mail.message.ok_or("no message")?;
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        id,
        Ok(data::open(&db, id, false)?),
    )));
    assert!(app.mail.reading.is_none(), "no body was downloaded");
    snapshot(&app, "reader-too-large")?;
    Ok(())
}

#[test]
fn inline_text_parts_are_read_in_the_body_under_their_names() -> Result<()> {
    let (_dir, db) = seeded()?;
    let store = Store::open(&db)?;
    store.writer().write_blocking(|tx| {
        let (account, inbox) = account_and_inbox(tx)?;
        let raw = fixture("46-inline-text-parts.eml");
        let f = envelope::body_fields(&raw);
        let m = Envelope {
            account_id: account,
            folder_id: inbox,
            uid: 10,
            rfc_message_id: f.list.rfc_message_id.clone(),
            date: NOW,
            from_name: f.list.from_name.clone(),
            from_addr: f.list.from_addr.clone(),
            to_addrs: f.list.to.clone(),
            subject: f.list.subject.clone(),
            snippet: f.snippet.clone(),
            size: raw.len() as u64,
            has_attachments: f.has_attachments,
            ..Envelope::default()
        };
        let id = messages::insert(tx, &m)?;
        bodies::put(tx, id, &raw)?;
        folders::recount(tx, inbox)
    })?;
    for (locale, name) in [
        ("en-US", "reader-inline-text-parts"),
        ("zh-CN", "reader-inline-text-parts-zh"),
    ] {
        let mut app = window(&db, locale)?;
        click(&mut app, "[PATCH] fix the widget")?;
        let id = app.mail.message.ok_or("no message")?;
        let model = data::open(&db, id, false)?.ok_or("no model")?;
        let names: Vec<&str> = model.attachments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["README.txt", "fix-widget.patch", "core.bin"]);
        let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
            id,
            Ok(Some(model)),
        )));
        snapshot(&app, name)?;
    }
    Ok(())
}
