//! The search field in the toolbar, and the line above the results: how many, and whether
//! they are from every account or the open folder only.

use iced::widget::{button, column, row, text, text_input};
use iced::{Alignment, Element, Length};

use super::app::{App, Message, Screen};
use super::message::SearchMsg;
use super::search::{FIELD, Server};

const SIZE: f32 = 14.0;

/// The field (on the mail screen only).
pub fn field(app: &App) -> Option<Element<'_, Message>> {
    if app.screen != Screen::Mail || app.tree.accounts.is_empty() {
        return None;
    }
    let typed = app.mail.searching.as_ref().map_or("", |s| s.text.as_str());
    Some(
        text_input(&app.i18n.t("search-placeholder", &[]), typed)
            .id(FIELD)
            .size(SIZE)
            .padding([6, 10])
            .width(Length::Fixed(320.0))
            .on_input(|t| Message::Search(SearchMsg::Input(t)))
            .into(),
    )
}

/// The lines above the results, while they are shown: the count and the scope chip, then the
/// search on the server (its button, or how it went).
pub fn header(app: &App) -> Option<Element<'_, Message>> {
    let s = app.mail.searching.as_ref()?;
    let hits = app.hits()?;
    let count = app.i18n.count("search-count", "count", hits.len() as i64);
    let scope = app.i18n.t(
        if s.scoped {
            "search-scope-folder"
        } else {
            "search-scope-all"
        },
        &[],
    );
    let mut first = row![
        text(count)
            .size(SIZE)
            .width(Length::Fill)
            .wrapping(text::Wrapping::None)
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    if app.mail.folder.is_some() {
        first = first.push(
            button(text(scope).size(12))
                .padding([2, 10])
                .style(if s.scoped {
                    button::primary
                } else {
                    button::secondary
                })
                .on_press(Message::Search(SearchMsg::ToggleScope)),
        );
    }
    let mut lines = column![first].spacing(4).padding([6, 10]);
    let status = |key: &str, count: Option<usize>| {
        let words = match count {
            Some(n) => app.i18n.count(key, "count", n as i64),
            None => app.i18n.t(key, &[]),
        };
        text(words).size(12).style(text::secondary)
    };
    let imap = app.tree.accounts.iter().any(|(a, _)| a.imap.enabled);
    match &s.server {
        Server::Idle if imap => {
            lines = lines.push(
                button(text(app.i18n.t("search-server", &[])).size(12))
                    .padding([2, 10])
                    .style(button::secondary)
                    .on_press(Message::Search(SearchMsg::OnServer)),
            );
        }
        Server::Idle => {}
        Server::Running(_) => lines = lines.push(status("search-server-running", None)),
        Server::Done { more, failures } => {
            lines = lines.push(status("search-server-more", Some(*more)));
            for failure in failures {
                lines = lines.push(
                    text(failure.clone())
                        .size(12)
                        .style(text::danger)
                        .width(Length::Fill),
                );
            }
        }
    }
    Some(lines.into())
}

/// Body text with the search's words marked, while a search is on (plain text otherwise).
pub fn paragraph<'a>(app: &'a App, words: String, size: f32) -> Element<'a, Message> {
    let needles = app
        .mail
        .searching
        .as_ref()
        .map_or(&[][..], |s| &s.needles[..]);
    let found = crate::search::highlight::ranges(&words, needles);
    if found.is_empty() {
        return text(words).size(size).into();
    }
    let mark = iced::Color::from_rgba(1.0, 0.8, 0.1, 0.45);
    let mut pieces: Vec<iced::widget::text::Span<'a, std::convert::Infallible, iced::Font>> =
        Vec::new();
    let mut at = 0;
    for r in found {
        if r.start > at {
            pieces.push(iced::widget::span(words[at..r.start].to_owned()));
        }
        pieces.push(iced::widget::span(words[r.clone()].to_owned()).background(mark));
        at = r.end;
    }
    if at < words.len() {
        pieces.push(iced::widget::span(words[at..].to_owned()));
    }
    iced::widget::rich_text(pieces)
        .on_link_click(iced::never)
        .size(size)
        .into()
}
