//! Drawing the window: the toolbar, the screen showing, the banners above it and the status
//! bar.

use iced::widget::{button, column, container, row, rule, space, text};
use iced::{Alignment, Element, Length, Theme};

use super::app::{App, Message, Screen, ctx};
use super::fonts::{BOLD, icon};
use super::message::ComposeMsg;
use super::widget::glyph;
use crate::engine::AccountState;

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;

/// The whole window.
pub fn view(app: &App) -> Element<'_, Message> {
    let t = |id: &str| app.i18n.t(id, &[]);
    let tab = |label: String, screen: Screen| {
        let b = button(text(label).size(BODY))
            .padding([6, 14])
            .on_press(Message::Show(screen));
        if app.screen == screen {
            b.style(button::primary)
        } else {
            b.style(button::text)
        }
    };
    let toolbar = row![
        text("Tidings").size(18).font(BOLD),
        space().width(16),
        tab(t("ui-mail"), Screen::Mail),
        tab(t("ui-settings"), Screen::Settings),
        space().width(16),
    ]
    .push(
        (app.screen == Screen::Mail)
            .then(|| super::screen::mail::search_field(&app.mail, ctx!(app)))
            .flatten()
            .map(|field| field.map(Message::Mail)),
    )
    .push(space().width(Length::Fill))
    .push(
        row![
            button(row![glyph(icon::DRAFTS, BODY), text(t("compose-new")).size(BODY)].spacing(6))
                .padding([6, 14])
                .style(button::primary)
                .on_press_maybe(
                    (!app.tree.accounts.is_empty()).then_some(Message::Compose(ComposeMsg::New))
                ),
            button(text(t("ui-sync")).size(BODY))
                .padding([6, 14])
                .style(button::secondary)
                .on_press_maybe((!app.tree.accounts.is_empty()).then_some(Message::SyncNow)),
        ]
        .spacing(6),
    )
    .spacing(6)
    .padding(8)
    .align_y(Alignment::Center);
    let mail = || super::screen::mail::view(&app.mail, ctx!(app)).map(Message::Mail);
    let body: Element<'_, Message> = match app.screen {
        Screen::Mail => mail(),
        Screen::Settings => {
            super::screen::settings::view(&app.settings, ctx!(app)).map(Message::Settings)
        }
        Screen::Setup => match &app.setup {
            Some(s) => super::screen::setup::view(
                s,
                ctx!(app),
                super::screen::setup::waiting_note(&app.i18n, app.launch.pending.as_ref()),
            )
            .map(Message::Setup),
            None => mail(),
        },
        Screen::Compose => match &app.writing.composer {
            Some(c) => super::screen::compose::view(c, ctx!(app), &app.writing.address_book)
                .map(Message::Composer),
            None => mail(),
        },
        Screen::File => match &app.file {
            Some(f) => super::screen::file::view(f, ctx!(app)).map(Message::File),
            None => mail(),
        },
    };
    let mut page = column![toolbar, rule::horizontal(1)];
    if let Some(prompt) = &app.prompts.shown {
        page = page.push(super::prompt::view(&app.i18n, prompt).map(Message::Prompt));
    }
    if !app.writing.unsent.is_empty() && app.screen == Screen::Mail {
        page = page.push(unsent_offer(app));
    }
    page.push(body)
        .push(rule::horizontal(1))
        .push(status(app))
        .height(Length::Fill)
        .into()
}

/// The offer of drafts left unsent when Tidings last stopped.
fn unsent_offer(app: &App) -> Element<'_, Message> {
    let t = |id: &str| app.i18n.t(id, &[]);
    let mut line = row![
        glyph(icon::DRAFTS, BODY),
        text(
            app.i18n
                .count("compose-unsent", "count", app.writing.unsent.len() as i64)
        )
        .size(BODY),
    ]
    .spacing(10)
    .align_y(Alignment::Center);
    for d in app.writing.unsent.iter().take(3) {
        let label = if d.subject.trim().is_empty() {
            t("compose-no-subject")
        } else {
            d.subject.clone()
        };
        line = line.push(
            button(text(label).size(BODY))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Compose(ComposeMsg::OpenDraft(d.id))),
        );
    }
    line = line.push(space().width(Length::Fill)).push(
        button(text(t("ui-later")).size(BODY))
            .padding([4, 10])
            .style(button::text)
            .on_press(Message::Compose(ComposeMsg::DismissUnsent)),
    );
    container(line)
        .padding([8, 12])
        .width(Length::Fill)
        .style(|theme: &Theme| container::Style {
            background: Some(theme.extended_palette().primary.weak.color.into()),
            text_color: Some(theme.extended_palette().primary.weak.text),
            ..container::Style::default()
        })
        .into()
}

fn status(app: &App) -> Element<'_, Message> {
    let mut bar = row![text(app.status_line()).size(SMALL)]
        .spacing(12)
        .align_y(Alignment::Center);
    if let Some(p) = app.writing.outbox.problems.first() {
        let why = if p.uncertain {
            app.i18n.t("compose-maybe-sent", &[])
        } else {
            app.i18n.t("compose-refused", &[("reason", &p.reason)])
        };
        let small = |label: String, msg: ComposeMsg| {
            button(text(label).size(SMALL))
                .padding([1, 8])
                .style(button::secondary)
                .on_press(Message::Compose(msg))
        };
        bar = bar
            .push(text(why).size(SMALL).style(|theme: &Theme| text::Style {
                color: Some(theme.palette().danger),
            }))
            .push(small(
                app.i18n.t("compose-edit", &[]),
                ComposeMsg::EditRefused(p.item),
            ))
            .push(small(
                app.i18n.t("compose-retry", &[]),
                ComposeMsg::RetryRefused(p.item),
            ));
    }
    if let Some(e) = &app.status.last_error
        && !app
            .sync
            .states
            .values()
            .any(|s| matches!(s, AccountState::Offline(reason) if reason == e))
    {
        let words = text(app.i18n.t("ui-error", &[("message", e)]))
            .size(SMALL)
            .style(|theme: &Theme| text::Style {
                color: Some(theme.palette().danger),
            });
        // Clicking an account's error opens its settings, where it can be fixed.
        bar = bar.push(if app.status.error_account.is_some() {
            Element::from(
                button(words)
                    .style(button::text)
                    .padding(0)
                    .on_press(Message::ShowErrorAccount),
            )
        } else {
            words.into()
        });
    }
    container(bar).padding([4, 10]).width(Length::Fill).into()
}
