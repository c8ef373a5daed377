//! Drawing one message: headers, the remote-content bar, the body's blocks and the
//! attachments (with the warning before opening a program), for the mail reader and the
//! message-file reader. Its buttons answer with an `Event` the screen showing it handles.

use std::collections::HashMap;

use iced::widget::{Column, button, column, container, row, rule, text};
use iced::{Alignment, Element, Font, Length};

use super::fonts::{BOLD, icon};
use super::widget::glyph;
use crate::i18n::I18n;
use crate::mime::attachments::{self, human_size};
use crate::mime::model::{Block, DisplayMessage, ImageSource, Span};
use crate::mime::text::{Zone, format_date};

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;

/// What the reader's buttons ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Show the message's remote content this once.
    AllowRemoteOnce,
    /// Always show remote content from the message's sender.
    AllowRemoteSender,
    /// Save attachment `part` into the downloads folder.
    SaveAttachment(u32),
    /// Open attachment `part` with the desktop's default application.
    OpenAttachment(u32),
    /// Open attachment `part` although it is a program or script: the user confirmed.
    OpenRiskyAttachment(u32),
    /// Do not open the program or script after all.
    CancelOpen,
    /// Show the quoted text folded away.
    ShowQuotes,
}

/// What the reader draws with besides the message.
#[derive(Clone, Copy)]
pub struct Look<'a> {
    /// Words in the user's language.
    pub i18n: &'a I18n,
    /// The attachment waiting for the user to confirm opening it.
    pub confirm_open: Option<u32>,
    /// Remote images fetched so far, by address; None for a message file, which keeps
    /// remote content blocked: it has no sender in any account to allow, and no mirror.
    pub images: Option<&'a HashMap<String, iced::widget::image::Handle>>,
    /// The search's words, marked in the text.
    pub needles: &'a [String],
    /// Quoted text folded behind a "show quoted text" button (in a conversation, where the
    /// messages above already say it).
    pub fold_quotes: bool,
    /// The subject and the From/To/Date lines drawn (a conversation draws its own header).
    pub headers: bool,
}

/// A message's headers, body and attachments.
pub fn view<'a>(look: Look<'a>, m: &'a DisplayMessage) -> Element<'a, Event> {
    let standalone = look.images.is_none();
    let t = |id: &str| look.i18n.t(id, &[]);
    let who = |list: &[crate::mime::model::Mailbox]| {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut col = Column::new().spacing(6);
    if look.headers {
        col = col.push(text(m.subject.clone()).size(20).font(BOLD));
        col = col.push(sender(m, &t));
    }
    col = col.push(text(format!("{}: {}", t("ui-to"), who(&m.to))).size(SMALL));
    if !m.cc.is_empty() {
        col = col.push(text(format!("{}: {}", t("ui-cc"), who(&m.cc))).size(SMALL));
    }
    if let Some(date) = m.date.filter(|_| look.headers) {
        col = col.push(
            text(format!(
                "{}: {}",
                t("ui-date"),
                format_date(date, look.i18n.locale(), Zone::Local)
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
                look.i18n
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
                        .on_press(Event::AllowRemoteOnce),
                )
                .push(
                    button(
                        text(look.i18n.t("ui-remote-sender", &[("sender", &sender)])).size(SMALL),
                    )
                    .padding([3, 10])
                    .style(button::secondary)
                    .on_press(Event::AllowRemoteSender),
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
    col = col.push(blocks(look, &m.body));
    if !m.attachments.is_empty() {
        col = col.push(rule::horizontal(1));
        col = col.push(text(t("ui-attachments")).size(SMALL));
        for a in &m.attachments {
            // The name it is saved and opened under (the display model cleans it already; again
            // here, as cleaning twice changes nothing, for any model that did not).
            let name = attachments::safe_file_name(&a.name);
            if look.confirm_open == Some(a.part) {
                col = col.push(risky_open_bar(look, &name, a.part));
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
                        .on_press(Event::OpenAttachment(a.part)),
                    button(text(t("ui-save")).size(SMALL))
                        .padding([2, 10])
                        .style(button::secondary)
                        .on_press(Event::SaveAttachment(a.part)),
                ]
                .spacing(8)
                .align_y(Alignment::Center),
            );
        }
    }
    col.into()
}

/// Who sent it: the avatar, the name in bold and the address under it (a sender without a
/// name shows the address once; several senders are listed as the header says).
fn sender<'a>(m: &DisplayMessage, t: &dyn Fn(&str) -> String) -> Element<'a, Event> {
    let (name, address) = match m.from.as_slice() {
        [one] => (one.name.clone(), one.address.clone()),
        _ => {
            let all = m
                .from
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            return text(format!("{}: {}", t("ui-from"), all))
                .size(SMALL)
                .into();
        }
    };
    let mut lines = column![
        text(if name.is_empty() {
            address.clone()
        } else {
            name.clone()
        })
        .size(BODY)
        .font(BOLD)
    ]
    .spacing(2);
    if !name.is_empty() {
        lines = lines.push(text(address.clone()).size(SMALL).style(text::secondary));
    }
    row![super::avatar::view(&name, &address, 36.0), lines]
        .spacing(10)
        .align_y(Alignment::Center)
        .into()
}

/// Asks before opening an attachment that would run as a program or script.
fn risky_open_bar<'a>(look: Look<'a>, name: &str, part: u32) -> Element<'a, Event> {
    let t = |key: &str| look.i18n.t(key, &[]);
    let ext = attachments::extension(name);
    container(
        row![
            text(
                look.i18n
                    .t("ui-risky-open", &[("name", name), ("ext", &ext)])
            )
            .size(SMALL)
            .width(Length::Fill),
            button(text(t("ui-risky-open-anyway")).size(SMALL))
                .padding([3, 10])
                .style(button::danger)
                .on_press(Event::OpenRiskyAttachment(part)),
            button(text(t("form-cancel")).size(SMALL))
                .padding([3, 10])
                .style(button::secondary)
                .on_press(Event::CancelOpen),
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

fn blocks<'a>(look: Look<'a>, list: &'a [Block]) -> Element<'a, Event> {
    let mut col = Column::new().spacing(10);
    let mut folded = false;
    for b in list {
        if look.fold_quotes && matches!(b, Block::Quote(_)) {
            // One button for all the message's quoted text, where the first quote was.
            if !folded {
                col = col.push(
                    button(text(look.i18n.t("ui-show-quoted", &[])).size(SMALL))
                        .padding([2, 8])
                        .style(button::secondary)
                        .on_press(Event::ShowQuotes),
                );
            }
            folded = true;
            continue;
        }
        col = col.push(block(look, b));
    }
    col.into()
}

fn block<'a>(look: Look<'a>, b: &'a Block) -> Element<'a, Event> {
    match b {
        Block::Paragraph(s) => paragraph(look.needles, spans(s), BODY),
        Block::Heading(level, s) => text(spans(s))
            .size(24.0 - 2.0 * f32::from((*level).min(5)))
            .font(BOLD)
            .into(),
        Block::Quote(inner) => row![
            rule::vertical(3),
            container(blocks(look, inner)).padding([0, 10])
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
                col = col.push(row![text(mark).size(BODY).width(24), blocks(look, item)]);
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
        } if look.images.is_some_and(|i| i.contains_key(url)) => {
            match look.images.and_then(|i| i.get(url)) {
                Some(handle) => iced::widget::image(handle.clone())
                    .width(Length::Fill)
                    .content_fit(iced::ContentFit::ScaleDown)
                    .into(),
                None => text(alt.clone()).size(SMALL).into(),
            }
        }
        Block::Image { alt, source } => {
            let kind = match source {
                ImageSource::Remote(_) => look.i18n.t("ui-image-blocked", &[]),
                _ => look.i18n.t("ui-image", &[]),
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
                blocks(look, &m.body)
            ]
            .spacing(6),
        )
        .padding(10)
        .style(container::bordered_box)
        .into(),
    }
}

/// Body text with the search's words marked, while a search is on (plain text otherwise).
fn paragraph<'a>(needles: &[String], words: String, size: f32) -> Element<'a, Event> {
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
