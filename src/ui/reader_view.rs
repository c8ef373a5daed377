//! Drawing one message: headers, the remote-content bar, the body's blocks and the
//! attachments (with the warning before opening a program), for the mail reader and the
//! message-file reader.

use iced::widget::{Column, button, column, container, row, rule, text};
use iced::{Alignment, Element, Font, Length};

use super::app::{App, Message};
use super::fonts::{BOLD, icon};
use super::widget::glyph;
use crate::mime::attachments::{self, human_size};
use crate::mime::model::{Block, DisplayMessage, ImageSource, Span};
use crate::mime::text::{Zone, format_date};

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;

/// A message's headers, body and attachments. A message file (`standalone`) keeps remote
/// content blocked: it has no sender in any account to allow, and no mirror to fetch for.
pub(super) fn message_view<'a>(
    app: &'a App,
    m: &'a DisplayMessage,
    standalone: bool,
) -> Element<'a, Message> {
    let t = |id: &str| app.i18n.t(id, &[]);
    let who = |list: &[crate::mime::model::Mailbox]| {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut col = Column::new()
        .spacing(6)
        .push(text(m.subject.clone()).size(20).font(BOLD));
    col = col.push(text(format!("{}: {}", t("ui-from"), who(&m.from))).size(SMALL));
    col = col.push(text(format!("{}: {}", t("ui-to"), who(&m.to))).size(SMALL));
    if !m.cc.is_empty() {
        col = col.push(text(format!("{}: {}", t("ui-cc"), who(&m.cc))).size(SMALL));
    }
    if let Some(date) = m.date {
        col = col.push(
            text(format!(
                "{}: {}",
                t("ui-date"),
                format_date(date, app.i18n.locale(), Zone::Local)
            ))
            .size(SMALL),
        );
    }
    if m.remote_blocked > 0 {
        let sender = m
            .from
            .first()
            .map(|f| f.address.clone())
            .unwrap_or_default();
        let mut bar = row![
            glyph(icon::SHIELD, SMALL),
            text(
                app.i18n
                    .count("ui-remote-blocked", "count", m.remote_blocked as i64),
            )
            .size(SMALL)
            .width(Length::Fill),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        if !standalone {
            bar = bar
                .push(
                    button(text(t("ui-remote-once")).size(SMALL))
                        .padding([3, 10])
                        .style(button::secondary)
                        .on_press(Message::AllowRemoteOnce),
                )
                .push(
                    button(
                        text(app.i18n.t("ui-remote-sender", &[("sender", &sender)])).size(SMALL),
                    )
                    .padding([3, 10])
                    .style(button::secondary)
                    .on_press(Message::AllowRemoteSender),
                );
        }
        col = col.push(
            container(bar)
                .padding(8)
                .width(Length::Fill)
                .style(container::rounded_box),
        );
    }
    col = col.push(rule::horizontal(1));
    col = col.push(blocks(app, &m.body));
    if !m.attachments.is_empty() {
        col = col.push(rule::horizontal(1));
        col = col.push(text(t("ui-attachments")).size(SMALL));
        for a in &m.attachments {
            // The name it is saved and opened under (the display model cleans it already; again
            // here, as cleaning twice changes nothing, for any model that did not).
            let name = attachments::safe_file_name(&a.name);
            if app.mail.confirm_open == Some(a.part) {
                col = col.push(risky_open_bar(app, &name, a.part));
            }
            col = col.push(
                row![
                    text(format!(
                        "{} ({}, {})",
                        name,
                        a.mime_type,
                        human_size(a.size)
                    ))
                    .size(SMALL)
                    .width(Length::Fill),
                    button(text(t("ui-open")).size(SMALL))
                        .padding([2, 10])
                        .style(button::secondary)
                        .on_press(Message::OpenAttachment(a.part)),
                    button(text(t("ui-save")).size(SMALL))
                        .padding([2, 10])
                        .style(button::secondary)
                        .on_press(Message::SaveAttachment(a.part)),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
    }
    col.into()
}

/// Asks before opening an attachment that would run as a program or script.
fn risky_open_bar<'a>(app: &'a App, name: &str, part: u32) -> Element<'a, Message> {
    let t = |key: &str| app.i18n.t(key, &[]);
    let ext = attachments::extension(name);
    container(
        row![
            text(
                app.i18n
                    .t("ui-risky-open", &[("name", name), ("ext", &ext)])
            )
            .size(SMALL)
            .width(Length::Fill),
            button(text(t("ui-risky-open-anyway")).size(SMALL))
                .padding([3, 10])
                .style(button::danger)
                .on_press(Message::OpenRiskyAttachment(part)),
            button(text(t("form-cancel")).size(SMALL))
                .padding([3, 10])
                .style(button::secondary)
                .on_press(Message::CancelOpen),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
    )
    .padding(8)
    .width(Length::Fill)
    .style(container::rounded_box)
    .into()
}

fn spans(list: &[Span]) -> String {
    list.iter().map(|s| s.text.as_str()).collect()
}

fn blocks<'a>(app: &'a App, list: &'a [Block]) -> Element<'a, Message> {
    let mut col = Column::new().spacing(10);
    for b in list {
        col = col.push(block(app, b));
    }
    col.into()
}

fn block<'a>(app: &'a App, b: &'a Block) -> Element<'a, Message> {
    match b {
        Block::Paragraph(s) => super::search_view::paragraph(app, spans(s), BODY),
        Block::Heading(level, s) => text(spans(s))
            .size(24.0 - 2.0 * f32::from((*level).min(5)))
            .font(BOLD)
            .into(),
        Block::Quote(inner) => row![
            rule::vertical(3),
            container(blocks(app, inner)).padding([0, 10])
        ]
        .height(Length::Shrink)
        .into(),
        Block::List { ordered, items } => {
            let mut col = Column::new().spacing(4);
            for (i, item) in items.iter().enumerate() {
                let mark = if *ordered {
                    format!("{}.", i + 1)
                } else {
                    "•".to_owned()
                };
                col = col.push(row![text(mark).size(BODY).width(24), blocks(app, item)]);
            }
            col.into()
        }
        Block::Preformatted(t) => container(text(t.clone()).size(SMALL).font(Font::MONOSPACE))
            .padding(8)
            .style(container::rounded_box)
            .into(),
        Block::Rule => rule::horizontal(1).into(),
        Block::Image {
            alt,
            source: ImageSource::Remote(url),
        } if app.mail.images.contains_key(url) => match app.mail.images.get(url) {
            Some(handle) => iced::widget::image(handle.clone())
                .width(Length::Fill)
                .content_fit(iced::ContentFit::ScaleDown)
                .into(),
            None => text(alt.clone()).size(SMALL).into(),
        },
        Block::Image { alt, source } => {
            let kind = match source {
                ImageSource::Remote(_) => app.i18n.t("ui-image-blocked", &[]),
                _ => app.i18n.t("ui-image", &[]),
            };
            let label = format!("[{kind}] {alt}");
            text(label).size(SMALL).style(text::secondary).into()
        }
        Block::Table(rows) => {
            let mut col = Column::new().spacing(2);
            for r in rows {
                col = col.push(
                    text(r.iter().map(|c| spans(c)).collect::<Vec<_>>().join("  |  ")).size(BODY),
                );
            }
            col.into()
        }
        Block::Embedded(m) => container(
            column![
                text(m.subject.clone()).size(BODY).font(BOLD),
                blocks(app, &m.body)
            ]
            .spacing(6),
        )
        .padding(10)
        .style(container::bordered_box)
        .into(),
    }
}
