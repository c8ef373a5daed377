//! The search field: typing runs a search whose hits replace the list, in English and in
//! Chinese (a GBK message's body), nothing found, scoped to the open folder, and Esc back; the
//! search on the server asked for, its hits merged in and marked, its failures said.

use crate::common::*;

use tidings::engine::ErrorKind;
use tidings::engine::server_search::ServerFailure;
use tidings::search::{Order, Scope, index};
use tidings::ui::engine_link::Link;

use tidings::ui::search::{FIELD, RESULTS, Server};

/// Indexes everything, as the engine's indexer does.
fn index_all(db: &Path) -> Result<()> {
    index::catch_up(&Store::open(db)?, 100, &|| false, |_| {})?;
    Ok(())
}

/// The seeded store, indexed, in a window in `locale`.
fn indexed_window(locale: &str) -> Result<(tempfile::TempDir, PathBuf, App)> {
    let (dir, db) = seeded()?;
    index_all(&db)?;
    let app = window(&db, locale)?;
    Ok((dir, db, app))
}

/// Types `query` into the field, then does what the window's tasks would: the search after
/// the pause, and the first page of results.
fn search_for(app: &mut App, db: &Path, query: &str) -> Result<()> {
    // A new query starts from an empty field, as after Esc.
    let _ = app.update(Message::Mail(mail::Message::Search(search::Message::Clear)));
    type_into(app, FIELD, query)?;
    finish(app, db)
}

fn finish(app: &mut App, db: &Path) -> Result<()> {
    let s = app
        .mail
        .searching
        .as_ref()
        .ok_or("the field did not start a search")?;
    let scope = Scope {
        folder: if s.scoped { app.mail.folder } else { None },
        account: None,
    };
    let hits = tidings::search::run(
        &tidings::store::open_reader(db)?,
        &s.text,
        0,
        scope,
        Order::Newest,
        None,
    )?;
    let generation = s.generation;
    let _ = app.update(Message::Mail(mail::Message::Search(search::Message::Done(
        generation,
        Ok(hits.clone()),
    ))));
    let _ = app.update(Message::Mail(mail::Message::PageLoaded(
        RESULTS,
        0,
        Ok(tidings::ui::search::results_page(db, &hits, 0)?),
    )));
    Ok(())
}

fn subjects(app: &App) -> Vec<String> {
    app.mail.list.held().map(|m| m.subject.clone()).collect()
}

#[test]
fn typing_a_query_shows_the_hits_and_esc_goes_back() -> Result<()> {
    let (_dir, db, mut app) = indexed_window("en-US")?;
    let inbox = app.mail.folder;
    search_for(&mut app, &db, "sunday")?;
    assert_eq!(subjects(&app), vec!["Our autumn newsletter"]);
    snapshot(&app, "search-english")?;
    // A word of a GBK message's body, typed without spaces.
    search_for(&mut app, &db, "会议室")?;
    assert_eq!(subjects(&app).len(), 1);
    assert!(
        subjects(&app)[0].contains("项目进度"),
        "{:?}",
        subjects(&app)
    );
    // Nothing found.
    search_for(&mut app, &db, "zebracorn")?;
    assert!(app.mail.hits().is_some_and(|h| h.is_empty()));
    snapshot(&app, "search-nothing")?;
    // Esc: the folder again.
    let _ = app.update(Message::Mail(mail::Message::Search(search::Message::Clear)));
    assert!(app.mail.searching.is_none());
    assert_eq!(app.mail.folder, inbox);
    assert_eq!(app.mail.list.folder, inbox);
    Ok(())
}

#[test]
fn a_search_in_chinese_can_be_scoped_to_the_open_folder() -> Result<()> {
    let (_dir, db, mut app) = indexed_window("zh-CN")?;
    search_for(&mut app, &db, "项目")?;
    assert_eq!(app.mail.hits().map(|h| h.len()), Some(1));
    snapshot(&app, "search-chinese")?;
    // The hit opened: the words are marked in the reader.
    let hit = app
        .mail
        .hits()
        .and_then(|h| h.first().copied())
        .ok_or("no hit")?;
    let _ = app.update(Message::Mail(mail::Message::OpenMessage(hit)));
    let _ = app.update(Message::Mail(mail::Message::MessageLoaded(
        hit,
        Ok(data::open(&db, hit, false)?),
    )));
    snapshot(&app, "search-reader-marked-zh")?;
    // The empty folder 项目资料, then only it: the hit is not in it.
    let other = app
        .tree
        .accounts
        .iter()
        .flat_map(|(_, f)| f)
        .find(|f| f.name == "项目资料")
        .map(|f| f.id)
        .ok_or("no folder 项目资料")?;
    let _ = app.update(Message::Mail(mail::Message::OpenFolder(other)));
    assert!(
        app.mail.searching.is_none(),
        "opening a folder leaves the search"
    );
    search_for(&mut app, &db, "项目")?;
    assert_eq!(app.mail.hits().map(|h| h.len()), Some(1));
    click(&mut app, "所有账户")?;
    assert!(app.mail.searching.as_ref().is_some_and(|s| s.scoped));
    finish(&mut app, &db)?;
    assert_eq!(app.mail.hits().map(|h| h.len()), Some(0));
    snapshot(&app, "search-scoped-zh")?;
    // The engine's news while results show reads the results again, not the folder.
    let _ = app.update(Message::Engine(Link::Event(Event::MessagesChanged {
        folder: other,
        ids: vec![],
    })));
    assert_eq!(app.mail.list.folder, Some(RESULTS));
    Ok(())
}

/// Clicks "Search on the server" (in the window's language) and answers as the engine would:
/// the servers found `found`, and `failures`.
fn on_server(
    app: &mut App,
    db: &Path,
    label: &str,
    found: Vec<i64>,
    failures: Vec<ServerFailure>,
) -> Result<()> {
    let sent = Sent::tap(app);
    click(app, label)?;
    let request = app.mail.server_requests;
    let Some(Command::SearchServer { query, .. }) = sent.last() else {
        return Err(format!("no server search was asked for: {:?}", sent.last()).into());
    };
    assert_eq!(Some(&query), app.mail.searching.as_ref().map(|s| &s.text));
    assert_eq!(
        app.mail.searching.as_ref().map(|s| s.server.clone()),
        Some(Server::Running(request))
    );
    let local = app.mail.hits().map(|h| h.to_vec()).unwrap_or_default();
    let _ = app.update(Message::Engine(Link::Event(Event::ServerSearchDone {
        request,
        hits: found.clone(),
        failures,
    })));
    let merged = tidings::ui::search::merge(db, &local, &found)?;
    let _ = app.update(Message::Mail(mail::Message::Search(
        search::Message::Merged(request, Ok(merged)),
    )));
    let hits = app.mail.hits().ok_or("no hits")?;
    let _ = app.update(Message::Mail(mail::Message::PageLoaded(
        RESULTS,
        0,
        Ok(tidings::ui::search::results_page(db, &hits, 0)?),
    )));
    Ok(())
}

/// A message of the seeded store that `query` does not find locally.
fn another(app: &App, db: &Path) -> Result<i64> {
    let hits = app.mail.hits().ok_or("no hits")?;
    let conn = tidings::store::open_reader(db)?;
    let id: i64 = conn.query_row(
        "SELECT id FROM messages WHERE hidden = 0 ORDER BY date LIMIT 1",
        [],
        |r| r.get(0),
    )?;
    assert!(!hits.contains(&id));
    Ok(id)
}

#[test]
fn the_server_search_merges_and_marks_what_only_the_server_found() -> Result<()> {
    let (_dir, db, mut app) = indexed_window("en-US")?;
    search_for(&mut app, &db, "sunday")?;
    let local = app.mail.hits().ok_or("no hits")?.to_vec();
    let extra = another(&app, &db)?;
    on_server(
        &mut app,
        &db,
        "Search on the server",
        vec![local[0], extra],
        vec![],
    )?;
    assert_eq!(app.mail.hits().map(|h| h.len()), Some(2));
    let s = app.mail.searching.as_ref().ok_or("search gone")?;
    assert!(s.on_server.contains(&extra) && !s.on_server.contains(&local[0]));
    assert_eq!(
        s.server,
        Server::Done {
            more: 1,
            failures: vec![]
        }
    );
    snapshot(&app, "search-server-en")?;
    // A new query forgets the servers' answer and offers the button again.
    search_for(&mut app, &db, "newsletter")?;
    let s = app.mail.searching.as_ref().ok_or("search gone")?;
    assert_eq!(s.server, Server::Idle);
    assert!(s.on_server.is_empty());
    Ok(())
}

#[test]
fn a_server_that_cannot_search_chinese_says_so_in_chinese() -> Result<()> {
    let (_dir, db, mut app) = indexed_window("zh-CN")?;
    search_for(&mut app, &db, "项目")?;
    let account = app.tree.accounts[0].0.id;
    on_server(
        &mut app,
        &db,
        "在服务器上搜索",
        vec![],
        vec![ServerFailure {
            account,
            kind: ErrorKind::SearchCharset,
            message: "NO [BADCHARSET (US-ASCII)]".into(),
        }],
    )?;
    let Some(Server::Done { more, failures }) =
        app.mail.searching.as_ref().map(|s| s.server.clone())
    else {
        return Err("no answer shown".into());
    };
    assert_eq!(more, 0);
    assert_eq!(failures.len(), 1);
    assert!(failures[0].contains("无法搜索"), "{failures:?}");
    assert_eq!(
        app.mail.hits().map(|h| h.len()),
        Some(1),
        "the local hit stays"
    );
    snapshot(&app, "search-server-failed-zh")?;
    Ok(())
}

#[test]
fn chinese_typed_through_an_input_method_searches_only_what_is_committed() -> Result<()> {
    use iced_test::core::input_method::Event as Ime;
    let (_dir, db, mut app) = indexed_window("zh-CN")?;
    let messages: Vec<Message> = {
        let mut ui = Simulator::with_size(settings()?, size(&app), view::view(&app));
        ui.click(iced_test::selector::id(FIELD.to_owned()))
            .map_err(|e| format!("no search field: {e:?}"))?;
        // Pinyin being composed is the input method's, not the field's: no search runs on it.
        ui.simulate([
            iced::Event::InputMethod(Ime::Opened),
            iced::Event::InputMethod(Ime::Preedit("xiang'mu".into(), None)),
        ]);
        let composing: Vec<Message> = ui.into_messages().collect();
        assert!(
            !composing.iter().any(|m| matches!(
                m,
                Message::Mail(mail::Message::Search(search::Message::Input(_)))
            )),
            "a search ran on the pinyin: {composing:?}"
        );
        let mut ui = Simulator::with_size(settings()?, size(&app), view::view(&app));
        ui.click(iced_test::selector::id(FIELD.to_owned()))
            .map_err(|e| format!("no search field: {e:?}"))?;
        ui.simulate([
            iced::Event::InputMethod(Ime::Opened),
            iced::Event::InputMethod(Ime::Preedit("xiang'mu".into(), None)),
            iced::Event::InputMethod(Ime::Commit("项目".into())),
            iced::Event::InputMethod(Ime::Closed),
        ]);
        ui.into_messages().collect()
    };
    let inputs: Vec<&Message> = messages
        .iter()
        .filter(|m| {
            matches!(
                m,
                Message::Mail(mail::Message::Search(search::Message::Input(_)))
            )
        })
        .collect();
    assert_eq!(inputs.len(), 1, "{messages:?}");
    for m in messages {
        let _ = app.update(m);
    }
    assert_eq!(
        app.mail.searching.as_ref().map(|s| s.text.as_str()),
        Some("项目")
    );
    finish(&mut app, &db)?;
    assert_eq!(app.mail.hits().map(|h| h.len()), Some(1));
    Ok(())
}
