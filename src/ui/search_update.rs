//! The window's search: the field at the top of the mail screen (Ctrl+F or `/`), results
//! replacing the list as the user types (after a short pause, off the UI thread), across every
//! account or only the open folder, and Esc back to the folder. "Search on the server" asks the
//! engine to run the query on the IMAP servers too; what they find is merged in and marked.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use iced::Task;

use super::app::{App, Message, Screen};
use super::data;
use super::list::MessageList;
use super::message::SearchMsg;
use super::search::{FIELD, RESULTS, SearchBox, Server, merge};
use crate::engine::Command;
use crate::search::{self, Order, Scope};

/// How long typing pauses before the search runs.
const DEBOUNCE: Duration = Duration::from_millis(180);

impl App {
    /// Handles the search.
    pub fn search(&mut self, msg: SearchMsg) -> Task<Message> {
        match msg {
            SearchMsg::Focus => {
                if self.screen != Screen::Mail {
                    return Task::none();
                }
                iced::widget::operation::focus(FIELD)
            }
            SearchMsg::Input(text) => {
                if text.trim().is_empty() {
                    return self.search(SearchMsg::Clear);
                }
                let s = self.mail.searching.get_or_insert_with(SearchBox::default);
                s.needles = search::highlight::needles(&text);
                s.text = text;
                s.generation += 1;
                // A new query: what the servers found was for the old one.
                s.server = Server::Idle;
                s.on_server = Arc::default();
                let generation = s.generation;
                Task::perform(async { tokio::time::sleep(DEBOUNCE).await }, move |()| {
                    Message::Search(SearchMsg::Run(generation))
                })
            }
            SearchMsg::ToggleScope => {
                let Some(s) = &mut self.mail.searching else {
                    return Task::none();
                };
                s.scoped = !s.scoped;
                s.generation += 1;
                s.server = Server::Idle;
                s.on_server = Arc::default();
                let generation = s.generation;
                self.search(SearchMsg::Run(generation))
            }
            SearchMsg::Run(generation) => {
                let Some(s) = &self.mail.searching else {
                    return Task::none();
                };
                if s.generation != generation {
                    return Task::none();
                }
                let text = s.text.clone();
                let scope = Scope {
                    folder: if s.scoped { self.mail.folder } else { None },
                    account: None,
                };
                let now = chrono::Utc::now().timestamp();
                Task::perform(
                    data::off_thread(self.db.clone(), move |db| {
                        let conn = crate::store::open_reader(db)?;
                        search::run(&conn, &text, now, scope, Order::Newest, None)
                    }),
                    move |r| Message::Search(SearchMsg::Done(generation, r)),
                )
            }
            SearchMsg::Done(generation, result) => {
                let Some(s) = &mut self.mail.searching else {
                    return Task::none();
                };
                if s.generation != generation {
                    return Task::none();
                }
                match result {
                    Ok(hits) => {
                        s.hits = Some(Arc::new(hits));
                        self.mail.message = None;
                        self.mail.reading = None;
                        let height = self.mail.list.height;
                        self.mail.list = MessageList::open(RESULTS);
                        self.mail.list.height = height;
                        let pages = self.mail.list.wanted_pages();
                        self.load_pages(pages)
                    }
                    Err(e) => self.failed(e),
                }
            }
            SearchMsg::OnServer => {
                let folder = self.mail.folder;
                let Some(s) = &mut self.mail.searching else {
                    return Task::none();
                };
                self.mail.server_requests += 1;
                let request = self.mail.server_requests;
                s.server = Server::Running(request);
                let command = Command::SearchServer {
                    request,
                    query: s.text.clone(),
                    scope: Scope {
                        folder: if s.scoped { folder } else { None },
                        account: None,
                    },
                };
                self.send(command)
            }
            SearchMsg::ServerDone(request, found, failures) => {
                let Some(s) = &mut self.mail.searching else {
                    return Task::none();
                };
                if s.server != Server::Running(request) {
                    return Task::none();
                }
                let local = s.hits.clone().unwrap_or_default();
                let more = {
                    let known: HashSet<i64> = local.iter().copied().collect();
                    found.iter().filter(|id| !known.contains(id)).count()
                };
                s.server = Server::Done { more, failures };
                Task::perform(
                    data::off_thread(self.db.clone(), move |db| merge(db, &local, &found)),
                    move |r| Message::Search(SearchMsg::Merged(request, r)),
                )
            }
            SearchMsg::Merged(request, result) => {
                let Some(s) = &mut self.mail.searching else {
                    return Task::none();
                };
                if self.mail.server_requests != request || !matches!(s.server, Server::Done { .. })
                {
                    return Task::none();
                }
                match result {
                    Ok((merged, only)) => {
                        s.hits = Some(Arc::new(merged));
                        s.on_server = Arc::new(only);
                        let pages = self.mail.list.refresh();
                        self.load_pages(pages)
                    }
                    Err(e) => self.failed(e),
                }
            }
            SearchMsg::Clear => {
                if self.screen != Screen::Mail || self.mail.searching.take().is_none() {
                    return Task::none();
                }
                match self.mail.folder {
                    Some(folder) => self.open_folder(folder),
                    None => {
                        self.mail.list = MessageList::default();
                        Task::none()
                    }
                }
            }
        }
    }

    /// The search's hits, while the list shows them.
    pub fn hits(&self) -> Option<Arc<Vec<i64>>> {
        self.mail
            .searching
            .as_ref()
            .filter(|_| self.mail.list.folder == Some(RESULTS))
            .and_then(|s| s.hits.clone())
    }
}
