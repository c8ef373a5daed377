//! Conversations in the window: one row per conversation, the reader stacking its messages
//! (read ones folded, quoted text folded), actions on the whole row, and the switch that
//! turns it all back into one row per message.

use crate::common::*;
use tidings::store::threads;
use tidings::ui::screen::mail::ConversationMsg;

/// One message of the test conversation: who, subject, its parent, body, read or not, and
/// whether it is the user's own (in Sent).
struct Said {
    name: &'static str,
    from: &'static str,
    subject: &'static str,
    body: &'static str,
    seen: bool,
    sent: bool,
}

const TALK: [Said; 6] = [
    Said {
        name: "Bob Chen",
        from: "bob@example.org",
        subject: "Quarterly report draft",
        body: "Hi Alice,\nThe draft of the quarterly report is ready. Could you check the numbers by Friday?\nBob",
        seen: true,
        sent: false,
    },
    Said {
        name: "张伟",
        from: "zhangwei@163.com",
        subject: "回复：Quarterly report draft",
        body: "第三季度的数据我已经核对过了，销售额一栏需要更新。\n\n> Hi Alice,\n> The draft of the quarterly report is ready.",
        seen: true,
        sent: false,
    },
    Said {
        name: "Alice",
        from: "alice@example.org",
        subject: "Re: 回复：Quarterly report draft",
        body: "Thanks both, I will update the sales column tonight.\n\n> 第三季度的数据我已经核对过了，销售额一栏需要更新。",
        seen: true,
        sent: true,
    },
    Said {
        name: "Bob Chen",
        from: "bob@example.org",
        subject: "Re: Quarterly report draft",
        body: "Great, thanks. Can we meet on Thursday to go through it?\n\n> Thanks both, I will update the sales column tonight.",
        seen: true,
        sent: false,
    },
    Said {
        name: "张伟",
        from: "zhangwei@163.com",
        subject: "答复: Quarterly report draft",
        body: "周四下午三点可以，我来订会议室。\n\n> Great, thanks. Can we meet on Thursday to go through it?",
        seen: false,
        sent: false,
    },
    Said {
        name: "Bob Chen",
        from: "bob@example.org",
        subject: "Re: 答复: Quarterly report draft",
        body: "Perfect, see you at 3 pm in the small room.\n\n> 周四下午三点可以，我来订会议室。",
        seen: false,
        sent: false,
    },
];

/// The seeded store plus the six-message conversation (five in the Inbox, the user's reply
/// in Sent), threaded the way the engine threads arriving mail. Returns the messages' ids.
fn with_conversation(db: &Path) -> Result<Vec<i64>> {
    let store = Store::open(db)?;
    let ids = store.writer().write_blocking(|tx| {
        let (account, inbox) = account_and_inbox(tx)?;
        let sent = folders::list(tx, account)?
            .into_iter()
            .find(|f| f.role == Role::Sent)
            .map(|f| f.id)
            .unwrap_or_default();
        let mut ids = Vec::new();
        let mut refs: Vec<String> = Vec::new();
        for (n, s) in TALK.iter().enumerate() {
            let message_id = format!("talk{n}@example.org");
            let date = NOW - 6 * 3600 + n as i64 * 3000;
            let raw = format!(
                "From: {} <{}>\r\nTo: alice@example.org\r\nSubject: {}\r\nMessage-ID: <{message_id}>\r\n\
                 {}Date: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
                 Content-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
                s.name,
                s.from,
                s.subject,
                refs.last()
                    .map(|p| format!("In-Reply-To: <{p}>\r\nReferences: <{}>\r\n", refs.join("> <")))
                    .unwrap_or_default(),
                chrono::DateTime::from_timestamp(date, 0)
                    .unwrap_or_default()
                    .to_rfc2822(),
                s.body.replace('\n', "\r\n"),
            );
            let m = Envelope {
                account_id: account,
                folder_id: if s.sent { sent } else { inbox },
                uid: 100 + n as u32,
                rfc_message_id: message_id.clone(),
                in_reply_to: refs.last().cloned().unwrap_or_default(),
                refs: refs.join(" "),
                date,
                from_name: s.name.into(),
                from_addr: s.from.into(),
                to_addrs: "alice@example.org".into(),
                subject: s.subject.into(),
                snippet: s.body.lines().next().unwrap_or_default().into(),
                flags: Flags {
                    seen: s.seen,
                    ..Flags::default()
                },
                size: raw.len() as u64,
                ..Envelope::default()
            };
            let id = messages::insert(tx, &m)?;
            bodies::put(tx, id, raw.as_bytes())?;
            threads::place(tx, id)?;
            ids.push(id);
            refs.push(message_id);
        }
        folders::recount(tx, inbox)?;
        Ok(ids)
    })?;
    Ok(ids)
}

/// Feeds the window what its tasks would read: the conversation, then each open message.
fn read_conversation(app: &mut App, db: &Path) -> Result<()> {
    let folder = app.mail.folder.ok_or("no folder open")?;
    let head = app.mail.current_row().ok_or("no row open")?;
    let _ = app.update(Message::Mail(mail::Message::Conversation(
        ConversationMsg::Loaded(head, Ok(data::conversation(db, folder, head)?)),
    )));
    read_open(app, db)
}

fn read_open(app: &mut App, db: &Path) -> Result<()> {
    let open: Vec<i64> = app
        .mail
        .conversation
        .as_ref()
        .map(|c| {
            c.open
                .iter()
                .filter(|id| !c.models.contains_key(id))
                .copied()
                .collect()
        })
        .unwrap_or_default();
    for id in open {
        let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
            id,
            Ok(data::open(db, id, false)?),
        )));
    }
    Ok(())
}

#[test]
fn a_conversation_is_one_row_and_reads_as_a_stack() -> Result<()> {
    let (_dir, db) = seeded()?;
    let ids = with_conversation(&db)?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    assert!(app.prefs.conversations, "conversations are on by default");
    // Four single messages and one conversation.
    assert_eq!(app.mail.list.total, 5);
    let head = ids[5];
    let summary = app.mail.list.summary(head).ok_or("no conversation row")?;
    assert_eq!(
        (summary.messages, summary.unread),
        (6, 2),
        "the user's reply in Sent counts"
    );
    assert_eq!(summary.participants, ["Bob Chen", "张伟", "Alice"]);
    assert_eq!(summary.members.len(), 5, "five of the six are in the Inbox");
    snapshot(&app, "mail-conversation-row")?;

    click(&mut app, "Re: 答复: Quarterly report draft")?;
    read_conversation(&mut app, &db)?;
    let c = app.mail.conversation.as_ref().ok_or("no conversation")?;
    assert_eq!(
        c.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        ids,
        "oldest first, with the reply from Sent"
    );
    let mut open: Vec<i64> = c.open.iter().copied().collect();
    open.sort_unstable();
    assert_eq!(
        open,
        [ids[4], ids[5]],
        "the unread ones open, the read folded"
    );
    assert_eq!(app.mail.message, Some(ids[5]), "the newest is in focus");
    assert!(sent.all().iter().any(|c| matches!(c,
        Command::Change(Change::SetSeen { messages, seen: true }) if messages == &vec![ids[4], ids[5]])));
    assert_eq!(app.mail.list.summary(head).map(|s| s.unread), Some(0));
    snapshot(&app, "mail-conversation-collapsed")?;

    // A folded message opens on a click and comes into focus; its quotes open on request.
    click(
        &mut app,
        "第三季度的数据我已经核对过了，销售额一栏需要更新。",
    )?;
    assert_eq!(app.mail.message, Some(ids[1]));
    read_open(&mut app, &db)?;
    let _ = app.update(Message::Mail(mail::Message::Conversation(
        ConversationMsg::Reader(ids[1], reader::Event::ShowQuotes),
    )));
    snapshot(&app, "mail-conversation-expanded")?;
    // A reply answers the message whose button it was.
    let _ = app.update(Message::Mail(mail::Message::Conversation(
        ConversationMsg::Reply(ids[4], false),
    )));
    assert_eq!(app.mail.message, Some(ids[4]));

    // Archiving the row archives its messages in this folder, not the user's reply in Sent.
    click(&mut app, "Archive")?;
    let archived = sent.all().into_iter().find_map(|c| match c {
        Command::Change(Change::Archive { messages }) => Some(messages),
        _ => None,
    });
    let mut archived = archived.ok_or("nothing archived")?;
    archived.sort_unstable();
    assert_eq!(archived, [ids[0], ids[1], ids[3], ids[4], ids[5]]);
    assert_eq!(app.mail.list.total, 4);
    Ok(())
}

#[test]
fn conversations_switch_off_from_the_list_header_and_settings() -> Result<()> {
    let (_dir, db) = seeded()?;
    with_conversation(&db)?;
    let mut app = window(&db, "zh-CN")?;
    assert_eq!(app.mail.list.total, 5);
    // The list's own switch: one row per message.
    click(&mut app, "会话")?;
    assert!(!app.prefs.conversations);
    load_visible(&mut app, &db)?;
    assert_eq!(
        app.mail.list.total, 9,
        "four and the Inbox's five of the conversation"
    );
    assert!(
        app.mail
            .list
            .held()
            .all(|m| app.mail.list.summary(m.id).is_none())
    );
    // And both modes off, as a user who wants neither sees the window.
    app.prefs.unified = false;
    snapshot(&app, "mail-both-modes-off-zh")?;
    // Settings → App turns it back on.
    let _ = app.update(Message::Settings(settings::Message::Conversations(true)));
    assert!(app.prefs.conversations);
    load_visible(&mut app, &db)?;
    assert_eq!(app.mail.list.total, 5);
    Ok(())
}

#[test]
fn a_page_read_before_the_switch_is_not_shown_after_it() -> Result<()> {
    let (_dir, db) = seeded()?;
    with_conversation(&db)?;
    let mut app = window(&db, "en-US")?;
    let folder = app.mail.folder.ok_or("no folder")?;
    let grouped = data::page(&db, folder, 0, true)?;
    click(&mut app, "Conversations")?;
    // The page read in the old mode lands after the switch: dropped, not shown.
    let _ = app.update(Message::Mail(mail::Message::PageLoaded(
        folder,
        0,
        Ok(grouped),
    )));
    assert_eq!(app.mail.list.held().count(), 0);
    load_visible(&mut app, &db)?;
    assert_eq!(app.mail.list.total, 9);
    Ok(())
}

#[test]
fn grouping_by_subject_is_switched_in_settings_and_regroups_the_list() -> Result<()> {
    use tidings::ui::engine_link::Link;
    let (_dir, db) = seeded()?;
    let ids = with_conversation(&db)?;
    // A reply from a phone that sent no References: only its subject ties it in.
    let store = Store::open(&db)?;
    let stray = store.writer().write_blocking(|tx| {
        let (account, inbox) = account_and_inbox(tx)?;
        let id = messages::insert(
            tx,
            &Envelope {
                account_id: account,
                folder_id: inbox,
                uid: 200,
                rfc_message_id: "phone@example.org".into(),
                date: NOW - 3600,
                from_name: "张伟".into(),
                from_addr: "zhangwei@163.com".into(),
                subject: "回复：Quarterly report draft".into(),
                ..Envelope::default()
            },
        )?;
        threads::place(tx, id)?;
        Ok(id)
    })?;
    let mut app = window(&db, "en-US")?;
    let sent = Sent::tap(&mut app);
    assert_eq!(
        app.mail.list.total, 6,
        "strict threading leaves the phone's reply alone"
    );
    click(&mut app, "Settings")?;
    click(
        &mut app,
        "Also join mail with the same subject (Re:, 回复：, AW: and the like set aside) sent within two weeks",
    )?;
    assert!(matches!(sent.last(), Some(Command::GroupBySubject(true))));
    // What the engine does with it, then says.
    store
        .writer()
        .write_blocking(|tx| threads::set_by_subject(tx, true))?;
    let _ = app.update(Message::Engine(Link::Event(Event::ThreadsChanged {
        by_subject: true,
    })));
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
    assert!(app.tree.by_subject);
    snapshot(&app, "settings-by-subject-light")?;
    click(&mut app, "Mail")?;
    load_visible(&mut app, &db)?;
    assert_eq!(
        app.mail.list.total, 5,
        "the phone's reply joined the conversation"
    );
    // The phone's reply is the newest: its row stands for all seven.
    let summary = app.mail.list.summary(stray).ok_or("no summary")?;
    assert_eq!(summary.messages, 7);
    assert!(summary.members.contains(&ids[5]));
    Ok(())
}

#[test]
fn mail_arriving_in_the_open_conversation_joins_the_stack() -> Result<()> {
    let (_dir, db) = seeded()?;
    let ids = with_conversation(&db)?;
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Re: 答复: Quarterly report draft")?;
    read_conversation(&mut app, &db)?;
    let folder = app.mail.folder.ok_or("no folder")?;
    // Another reply lands in the Inbox while the conversation is open.
    let store = Store::open(&db)?;
    let late = store.writer().write_blocking(move |tx| {
        let (account, inbox) = account_and_inbox(tx)?;
        let raw = "From: 张伟 <zhangwei@163.com>\r\nTo: alice@example.org\r\n\
                   Subject: 回复：Quarterly report draft\r\nMessage-ID: <late@example.org>\r\n\
                   In-Reply-To: <talk5@example.org>\r\nReferences: <talk5@example.org>\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\r\n好的，会议室已订好。\r\n";
        let id = messages::insert(
            tx,
            &Envelope {
                account_id: account,
                folder_id: inbox,
                uid: 300,
                rfc_message_id: "late@example.org".into(),
                in_reply_to: "talk5@example.org".into(),
                refs: "talk5@example.org".into(),
                date: NOW - 60,
                from_name: "张伟".into(),
                from_addr: "zhangwei@163.com".into(),
                subject: "回复：Quarterly report draft".into(),
                snippet: "好的，会议室已订好。".into(),
                ..Envelope::default()
            },
        )?;
        bodies::put(tx, id, raw.as_bytes())?;
        threads::place(tx, id)?;
        Ok(id)
    })?;
    let head = app.mail.current_row().ok_or("no row")?;
    let _ = app.update(Message::Engine(tidings::ui::engine_link::Link::Event(
        Event::MessagesChanged {
            folder,
            ids: vec![late],
        },
    )));
    // What the window's reads bring back: the list's pages, then the conversation.
    load_visible(&mut app, &db)?;
    assert_eq!(
        app.mail.current_row(),
        Some(late),
        "the row now stands on the new mail, and the reader follows it"
    );
    assert!(app.mail.list.selected.contains(&late));
    let _ = app.update(Message::Mail(mail::Message::Conversation(
        ConversationMsg::Refreshed(head, Ok(data::conversation(&db, folder, head)?)),
    )));
    read_open(&mut app, &db)?;
    let c = app
        .mail
        .conversation
        .as_ref()
        .ok_or("conversation closed")?;
    assert_eq!(c.messages.len(), 7);
    assert!(c.open.contains(&late) && c.models.contains_key(&late));
    assert!(c.open.contains(&ids[5]), "what was open stays open");
    Ok(())
}

#[test]
fn when_the_focused_message_goes_the_newest_left_is_read_in() -> Result<()> {
    let (_dir, db) = seeded()?;
    let ids = with_conversation(&db)?;
    let mut app = window(&db, "en-US")?;
    click(&mut app, "Re: 答复: Quarterly report draft")?;
    read_conversation(&mut app, &db)?;
    let folder = app.mail.folder.ok_or("no folder")?;
    let head = app.mail.current_row().ok_or("no row")?;
    // Elsewhere (webmail, a phone) the two newest are deleted; the read ones stay.
    let store = Store::open(&db)?;
    let (a, b) = (ids[4], ids[5]);
    store.writer().write_blocking(move |tx| {
        messages::hide(tx, a)?;
        messages::hide(tx, b)
    })?;
    let _ = app.update(Message::Mail(mail::Message::Conversation(
        ConversationMsg::Refreshed(head, Ok(data::conversation(&db, folder, head)?)),
    )));
    assert_eq!(
        app.mail.message,
        Some(ids[3]),
        "the newest left is in focus"
    );
    read_open(&mut app, &db)?;
    let c = app
        .mail
        .conversation
        .as_ref()
        .ok_or("conversation closed")?;
    assert_eq!(c.messages.len(), 4);
    assert!(
        c.models.contains_key(&ids[3]),
        "and read in, not left 'downloading'"
    );
    assert!(app.mail.reading.is_some());
    Ok(())
}
