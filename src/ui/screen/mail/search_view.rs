//! The search field in the toolbar, and the line above the results: how many, and whether
//! they are from every account or the open folder only.

use iced::widget::{button, column, row, text, text_input};
use iced::{Alignment, Element, Length};

use super::search::Message as SearchMsg;
use super::{Message, State};
use crate::ui::screen::Ctx;
use crate::ui::search::{FIELD, Server};

const SIZE: f32 = 14.0;

/// The field (once there is an account to search).
pub fn field<'a>(state: &'a State, ctx: Ctx<'a>) -> Option<Element<'a, Message>> {
    if ctx.tree.accounts.is_empty() {
        return None;
    }
    let typed = state.searching.as_ref().map_or("", |s| s.text.as_str());
    Some(
        text_input(&ctx.i18n.t("search-placeholder", &[]), typed)
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
pub fn header<'a>(state: &'a State, ctx: Ctx<'a>) -> Option<Element<'a, Message>> {
    let s = state.searching.as_ref()?;
    let hits = state.hits()?;
    let count = ctx.i18n.count("search-count", "count", hits.len() as i64);
    let scope = ctx.i18n.t(
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
    if state.real_folder().is_some() {
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
            Some(n) => ctx.i18n.count(key, "count", n as i64),
            None => ctx.i18n.t(key, &[]),
        };
        text(words).size(12).style(text::secondary)
    };
    let imap = ctx.tree.accounts.iter().any(|(a, _)| a.imap.enabled);
    match &s.server {
        Server::Idle if imap => {
            lines = lines.push(
                button(text(ctx.i18n.t("search-server", &[])).size(12))
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
