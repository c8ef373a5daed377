//! The window's search: the field at the top of the mail screen (Ctrl+F or `/`), results
//! replacing the list as the user types (after a short pause, off the UI thread), across every
//! account or only the open folder, and Esc back to the folder. "Search on the server" asks the
//! engine to run the query on the IMAP servers too; what they find is merged in and marked.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use iced::Task;

use super::{Action, State};
use crate::engine::Command;
use crate::engine::ErrorKind;
use crate::engine::server_search::ServerFailure;
use crate::search::{self, Order, Scope};
use crate::ui::data;
use crate::ui::failure::Failure;
use crate::ui::list::MessageList;
use crate::ui::screen::Ctx;
use crate::ui::search::{FIELD, RESULTS, SearchBox, Server, merge};

/// How long typing pauses before the search runs.
const DEBOUNCE: Duration = Duration::from_millis(180);

/// What happens around the search field.
#[derive(Debug, Clone)]
pub enum Message {
    /// Ctrl+F or `/`: put the cursor in the field.
    Focus,
    /// Typing in the field.
    Input(String),
    /// The scope chip: every account, or only the open folder.
    ToggleScope,
    /// The pause after typing passed for this generation.
    Run(u64),
    /// A search finished.
    Done(u64, Result<Vec<i64>, Failure>),
    /// Esc: back to the folder.
    Clear,
    /// "Search on the server".
    OnServer,
    /// The engine's answer: the request, its hits and what failed on which account.
    ServerDone(u64, Vec<i64>, Vec<ServerFailure>),
    /// Local and server hits merged, newest first, for a request.
    Merged(u64, Result<(Vec<i64>, HashSet<i64>), Failure>),
}

/// Wraps a search message as the mail screen's.
fn wrap(msg: Message) -> super::Message {
    super::Message::Search(msg)
}

impl State {
    /// Handles the search.
    pub(super) fn search(&mut self, msg: Message, ctx: Ctx<'_>) -> Action {
        match msg {
            Message::Focus => Action::Run(iced::widget::operation::focus(FIELD)),
            Message::Input(text) => {
                if text.trim().is_empty() {
                    return self.search(Message::Clear, ctx);
                }
                let s = self.searching.get_or_insert_with(SearchBox::default);
                s.needles = search::highlight::needles(&text);
                s.text = text;
                s.generation += 1;
                // A new query: what the servers found was for the old one.
                s.server = Server::Idle;
                s.on_server = Arc::default();
                let generation = s.generation;
                Action::Run(Task::perform(
                    async { tokio::time::sleep(DEBOUNCE).await },
                    move |()| wrap(Message::Run(generation)),
                ))
            }
            Message::ToggleScope => {
                let Some(s) = &mut self.searching else {
                    return Action::None;
                };
                s.scoped = !s.scoped;
                s.generation += 1;
                s.server = Server::Idle;
                s.on_server = Arc::default();
                let generation = s.generation;
                self.search(Message::Run(generation), ctx)
            }
            Message::Run(generation) => {
                let Some(s) = &self.searching else {
                    return Action::None;
                };
                if s.generation != generation {
                    return Action::None;
                }
                let text = s.text.clone();
                let scope = Scope {
                    folder: if s.scoped { self.real_folder() } else { None },
                    account: None,
                };
                let now = chrono::Utc::now().timestamp();
                Action::Run(Task::perform(
                    data::off_thread(ctx.db.to_path_buf(), move |db| {
                        let conn = crate::store::open_reader(db)?;
                        search::run(&conn, &text, now, scope, Order::Newest, None)
                    }),
                    move |r| wrap(Message::Done(generation, r)),
                ))
            }
            Message::Done(generation, result) => {
                let Some(s) = &mut self.searching else {
                    return Action::None;
                };
                if s.generation != generation {
                    return Action::None;
                }
                match result {
                    Ok(hits) => {
                        s.hits = Some(Arc::new(hits));
                        self.message = None;
                        self.reading = None;
                        let height = self.list.height;
                        self.list = MessageList::open(RESULTS);
                        self.list.height = height;
                        let pages = self.list.wanted_pages();
                        self.load_pages(pages, ctx)
                    }
                    Err(e) => Action::Error(e),
                }
            }
            Message::OnServer => {
                let folder = self.real_folder();
                let Some(s) = &mut self.searching else {
                    return Action::None;
                };
                self.server_requests += 1;
                let request = self.server_requests;
                s.server = Server::Running(request);
                Action::Send(Command::SearchServer {
                    request,
                    query: s.text.clone(),
                    scope: Scope {
                        folder: if s.scoped { folder } else { None },
                        account: None,
                    },
                })
            }
            Message::ServerDone(request, found, failures) => {
                let Some(s) = &mut self.searching else {
                    return Action::None;
                };
                if s.server != Server::Running(request) {
                    return Action::None;
                }
                let local = s.hits.clone().unwrap_or_default();
                let more = {
                    let known: HashSet<i64> = local.iter().copied().collect();
                    found.iter().filter(|id| !known.contains(id)).count()
                };
                let failures = failures.iter().map(|f| said(f, ctx)).collect();
                s.server = Server::Done { more, failures };
                Action::Run(Task::perform(
                    data::off_thread(ctx.db.to_path_buf(), move |db| merge(db, &local, &found)),
                    move |r| wrap(Message::Merged(request, r)),
                ))
            }
            Message::Merged(request, result) => {
                let Some(s) = &mut self.searching else {
                    return Action::None;
                };
                if self.server_requests != request || !matches!(s.server, Server::Done { .. }) {
                    return Action::None;
                }
                match result {
                    Ok((merged, only)) => {
                        s.hits = Some(Arc::new(merged));
                        s.on_server = Arc::new(only);
                        let pages = self.list.refresh();
                        self.load_pages(pages, ctx)
                    }
                    Err(e) => Action::Error(e),
                }
            }
            Message::Clear => {
                if self.searching.take().is_none() {
                    return Action::None;
                }
                match self.folder {
                    Some(folder) => self.open_folder(folder, ctx),
                    None => {
                        self.list = MessageList::default();
                        Action::None
                    }
                }
            }
        }
    }
}

/// One account's failed part of a search on the servers, in the user's language.
fn said(f: &ServerFailure, ctx: Ctx<'_>) -> String {
    let address = ctx
        .tree
        .accounts
        .iter()
        .find(|(a, _)| a.id == f.account)
        .map_or_else(String::new, |(a, _)| a.address.clone());
    if f.kind == ErrorKind::SearchCharset {
        ctx.i18n
            .t("search-server-charset", &[("account", &address)])
    } else {
        ctx.i18n.t(
            "search-server-failed",
            &[("account", &address), ("details", &f.message)],
        )
    }
}
