//! The search field: typing runs a search whose hits replace the list, in English and in
//! Chinese (a GBK message's body), nothing found, scoped to the open folder, and Esc back.

use crate::common::*;

use tidings::search::{Order, Scope, index};
use tidings::ui::engine_link::Link;
use tidings::ui::search_update::{self, RESULTS, SearchMsg};

/// Indexes everything, as the engine's indexer does.
fn index_all(db: &Path) -> Result<()> {
    index::catch_up(&Store::open(db)?, 100, |_| {})?;
    Ok(())
}

/// Types `query` into the field, then does what the window's tasks would: the search after
/// the pause, and the first page of results.
fn search_for(app: &mut App, db: &Path, query: &str) -> Result<()> {
    // A new query starts from an empty field, as after Esc.
    let _ = app.update(Message::Search(SearchMsg::Clear));
    type_into(app, search_update::FIELD, query)?;
    finish(app, db)
}

fn finish(app: &mut App, db: &Path) -> Result<()> {
    let s = app
        .searching
        .as_ref()
        .ok_or("the field did not start a search")?;
    let scope = Scope {
        folder: if s.scoped { app.folder } else { None },
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
    let _ = app.update(Message::Search(SearchMsg::Done(
        generation,
        Ok(hits.clone()),
    )));
    let _ = app.update(Message::PageLoaded(
        RESULTS,
        0,
        Ok(search_update::results_page(db, &hits, 0)?),
    ));
    Ok(())
}

fn subjects(app: &App) -> Vec<String> {
    app.list.held().map(|m| m.subject.clone()).collect()
}

#[test]
fn typing_a_query_shows_the_hits_and_esc_goes_back() -> Result<()> {
    let (_dir, db) = seeded()?;
    index_all(&db)?;
    let mut app = window(&db, "en-US")?;
    let inbox = app.folder;
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
    assert!(app.hits().is_some_and(|h| h.is_empty()));
    snapshot(&app, "search-nothing")?;
    // Esc: the folder again.
    let _ = app.update(Message::Search(SearchMsg::Clear));
    assert!(app.searching.is_none());
    assert_eq!(app.folder, inbox);
    assert_eq!(app.list.folder, inbox);
    Ok(())
}

#[test]
fn a_search_in_chinese_can_be_scoped_to_the_open_folder() -> Result<()> {
    let (_dir, db) = seeded()?;
    index_all(&db)?;
    let mut app = window(&db, "zh-CN")?;
    search_for(&mut app, &db, "项目")?;
    assert_eq!(app.hits().map(|h| h.len()), Some(1));
    snapshot(&app, "search-chinese")?;
    // The hit opened: the words are marked in the reader.
    let hit = app
        .hits()
        .and_then(|h| h.first().copied())
        .ok_or("no hit")?;
    let _ = app.update(Message::OpenMessage(hit));
    let _ = app.update(Message::MessageLoaded(
        hit,
        Ok(data::open(&db, hit, false)?),
    ));
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
    let _ = app.update(Message::OpenFolder(other));
    assert!(
        app.searching.is_none(),
        "opening a folder leaves the search"
    );
    search_for(&mut app, &db, "项目")?;
    assert_eq!(app.hits().map(|h| h.len()), Some(1));
    click(&mut app, "所有账户")?;
    assert!(app.searching.as_ref().is_some_and(|s| s.scoped));
    finish(&mut app, &db)?;
    assert_eq!(app.hits().map(|h| h.len()), Some(0));
    snapshot(&app, "search-scoped-zh")?;
    // The engine's news while results show reads the results again, not the folder.
    let _ = app.update(Message::Engine(Link::Event(Event::MessagesChanged {
        folder: other,
        ids: vec![],
    })));
    assert_eq!(app.list.folder, Some(RESULTS));
    Ok(())
}
