//! Drawing the open conversation: a card per message, oldest at the top; folded ones are one
//! line (avatar, sender, first words, date), open ones carry their own reply buttons and body.

use iced::widget::{Column, button, column, container, row, scrollable, text, tooltip};
use iced::{Alignment, Element, Length, Theme};

use super::conversation::{Conversation, Msg};
use super::{Message, State};
use crate::mime::text::Zone;
use crate::store::messages::Envelope;
use crate::ui::avatar;
use crate::ui::fonts::{self, BOLD, icon};
use crate::ui::reader;
use crate::ui::screen::Ctx;
use crate::ui::widget::glyph;

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;

/// The stacked conversation.
pub fn view<'a>(state: &'a State, c: &'a Conversation, ctx: Ctx<'a>) -> Element<'a, Message> {
    let subject = c
        .messages
        .last()
        .map(|m| m.subject.clone())
        .unwrap_or_default();
    let mut col = Column::new().spacing(8).push(
        row![
            text(subject).size(20).font(BOLD).width(Length::Fill),
            text(
                ctx.i18n
                    .count("ui-conversation-count", "count", c.messages.len() as i64)
            )
            .size(SMALL)
            .style(text::secondary),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
    );
    for m in &c.messages {
        col = col.push(if c.open.contains(&m.id) {
            open_card(state, c, ctx, m)
        } else {
            folded_card(state, ctx, m)
        });
    }
    scrollable(col.padding(16)).height(Length::Fill).into()
}

fn sender(m: &Envelope) -> String {
    if m.from_name.is_empty() {
        m.from_addr.clone()
    } else {
        m.from_name.clone()
    }
}

fn date(state: &State, ctx: Ctx<'_>, m: &Envelope) -> String {
    crate::mime::text::list_date(m.date, state.now, ctx.i18n.locale(), Zone::Local)
}

fn folded_card<'a>(state: &'a State, ctx: Ctx<'a>, m: &'a Envelope) -> Element<'a, Message> {
    let font = if m.flags.seen { fonts::UI } else { BOLD };
    button(
        row![
            avatar::view(&m.from_name, &m.from_addr, 28.0),
            text(sender(m))
                .size(BODY)
                .font(font)
                .wrapping(text::Wrapping::None),
            text(m.snippet.clone())
                .size(SMALL)
                .style(text::secondary)
                .wrapping(text::Wrapping::None)
                .width(Length::Fill),
            text(date(state, ctx, m)).size(SMALL).style(text::secondary),
        ]
        .spacing(10)
        .align_y(Alignment::Center)
        .clip(true),
    )
    .width(Length::Fill)
    .padding([8, 12])
    .style(card_button)
    .on_press(Message::Conversation(Msg::Toggle(m.id)))
    .into()
}

/// A folded message: a card that lights up under the pointer.
fn card_button(theme: &Theme, status: button::Status) -> button::Style {
    let palette = theme.extended_palette();
    let background = match status {
        button::Status::Hovered | button::Status::Pressed => palette.background.weak.color,
        _ => palette.background.base.color,
    };
    button::Style {
        background: Some(background.into()),
        text_color: palette.background.base.text,
        border: iced::Border {
            color: palette.background.strong.color,
            width: 1.0,
            radius: 6.0.into(),
        },
        ..button::Style::default()
    }
}

fn open_card<'a>(
    state: &'a State,
    c: &'a Conversation,
    ctx: Ctx<'a>,
    m: &'a Envelope,
) -> Element<'a, Message> {
    let id = m.id;
    let t = |key: &str| ctx.i18n.t(key, &[]);
    let tool = |glyph_char: char, tip: String, msg: Msg| {
        tooltip(
            button(glyph(glyph_char, BODY))
                .padding([4, 8])
                .style(button::text)
                .on_press(Message::Conversation(msg)),
            container(text(tip).size(SMALL))
                .padding([2, 6])
                .style(container::rounded_box),
            tooltip::Position::Bottom,
        )
    };
    // The header folds the card; its buttons answer this message.
    let head = row![
        button(
            row![
                avatar::view(&m.from_name, &m.from_addr, 36.0),
                column![
                    text(sender(m))
                        .size(BODY)
                        .font(BOLD)
                        .wrapping(text::Wrapping::None),
                    text(m.from_addr.clone())
                        .size(SMALL)
                        .style(text::secondary)
                        .wrapping(text::Wrapping::None),
                ]
                .spacing(2)
                .width(Length::Fill),
                text(date(state, ctx, m)).size(SMALL).style(text::secondary),
            ]
            .spacing(10)
            .align_y(Alignment::Center)
            .clip(true),
        )
        .width(Length::Fill)
        .padding(0)
        .style(button::text)
        .on_press(Message::Conversation(Msg::Toggle(id))),
        tool(icon::REPLIED, t("compose-reply"), Msg::Reply(id, false)),
        tool(
            icon::REPLY_ALL,
            t("compose-reply-all"),
            Msg::Reply(id, true)
        ),
        tool(icon::FORWARDED, t("compose-forward"), Msg::Forward(id)),
    ]
    .spacing(4)
    .align_y(Alignment::Center);
    let body: Element<'a, Message> = match c.models.get(&id) {
        Some(model) => {
            let look = reader::Look {
                i18n: ctx.i18n,
                confirm_open: state.confirm_open.filter(|_| state.message == Some(id)),
                images: Some(&state.images),
                needles: state.searching.as_ref().map_or(&[][..], |s| &s.needles[..]),
                fold_quotes: !c.quotes.contains(&id),
                headers: false,
            };
            reader::view(look, model).map(move |e| Message::Conversation(Msg::Reader(id, e)))
        }
        None => text(super::view::not_shown_note(ctx, m))
            .size(SMALL)
            .style(text::secondary)
            .into(),
    };
    let focused = state.message == Some(id);
    container(column![head, body].spacing(10))
        .padding(12)
        .width(Length::Fill)
        .style(move |theme: &Theme| {
            let palette = theme.extended_palette();
            container::Style {
                background: Some(palette.background.base.color.into()),
                border: iced::Border {
                    // The message replies answer is marked.
                    color: if focused {
                        palette.primary.base.color
                    } else {
                        palette.background.strong.color
                    },
                    width: 1.0,
                    radius: 6.0.into(),
                },
                ..container::Style::default()
            }
        })
        .into()
}
