//! Drawing the composer: From, address chips with completion, subject, the body editor and the
//! attachments with their sizes.

use iced::widget::{
    Column, button, column, container, pick_list, row, scrollable, space, text, text_editor,
    text_input,
};
use iced::{Alignment, Element, Length, Theme};

use super::Message;
use crate::mime::attachments::human_size;
use crate::ui::compose_data;
use crate::ui::composer::{AddrField, Composer, Edit, LARGE_ATTACHMENTS};
use crate::ui::fonts::{self, icon};
use crate::ui::screen::Ctx;

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;
const LABEL: f32 = 70.0;

/// An account to send from, as the From list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Account id.
    pub id: i64,
    /// "Name <address>", with a note when it cannot send.
    pub label: String,
}

impl std::fmt::Display for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

fn edit(e: Edit) -> Message {
    Message::Edit(e)
}

/// The widget id of an address field's input (tests type into it).
pub fn addr_id(f: AddrField) -> &'static str {
    match f {
        AddrField::To => "to-field",
        AddrField::Cc => "cc-field",
        AddrField::Bcc => "bcc-field",
    }
}

/// The field the cursor starts in: the body (above the quote) for replies and forwards,
/// otherwise the first empty field, so the words typed next land where they belong.
pub fn first_field(c: &Composer) -> &'static str {
    use crate::store::drafts::DraftKind;
    match c.draft.kind {
        DraftKind::Reply
        | DraftKind::ReplyAll
        | DraftKind::ForwardInline
        | DraftKind::ForwardAttachment => "body-field",
        DraftKind::New if c.to.is_empty() && c.typed(AddrField::To).is_empty() => {
            addr_id(AddrField::To)
        }
        DraftKind::New if c.subject.trim().is_empty() => "subject-field",
        DraftKind::New => "body-field",
    }
}

/// The composer screen.
pub fn view<'a>(
    c: &'a Composer,
    ctx: Ctx<'a>,
    address_book: &'a [(String, String)],
) -> Element<'a, Message> {
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let senders: Vec<Sender> = ctx
        .tree
        .accounts
        .iter()
        .map(|(a, _)| Sender {
            id: a.id,
            label: if a.smtp.enabled {
                format!("{} <{}>", a.display_name, a.address)
            } else {
                format!(
                    "{} <{}> — {}",
                    a.display_name,
                    a.address,
                    t("compose-cannot-send")
                )
            },
        })
        .collect();
    let chosen = senders.iter().find(|s| s.id == c.draft.account_id).cloned();
    let tools = row![
        button(
            row![
                text(icon::SENT.to_string()).font(fonts::ICONS).size(BODY),
                text(t("compose-send")).size(BODY)
            ]
            .spacing(6)
        )
        .padding([6, 16])
        .style(button::primary)
        .on_press(Message::Send),
        button(
            row![
                text(icon::ATTACHMENT.to_string())
                    .font(fonts::ICONS)
                    .size(BODY),
                text(t("compose-attach")).size(BODY)
            ]
            .spacing(6)
        )
        .padding([6, 14])
        .style(button::secondary)
        .on_press(Message::PickFiles),
        space().width(Length::Fill),
        text(if c.unsaved() || c.saving {
            String::new()
        } else if c.draft.id != 0 {
            t("compose-saved")
        } else {
            String::new()
        })
        .size(SMALL)
        .style(text::secondary),
        button(text(t("compose-close")).size(BODY))
            .padding([6, 14])
            .style(button::text)
            .on_press(Message::Close),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    let mut col = Column::new().spacing(8).padding([12, 20]).push(tools).push(
        row![
            text(t("compose-from")).size(BODY).width(LABEL),
            pick_list(senders, chosen, |s: Sender| edit(Edit::From(s.id)))
                .text_size(BODY)
                .width(Length::Fill),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
    );
    col = col.push(address_row(
        ctx,
        address_book,
        c,
        AddrField::To,
        t("compose-to"),
    ));
    if c.show_cc_bcc {
        col = col
            .push(address_row(
                ctx,
                address_book,
                c,
                AddrField::Cc,
                t("compose-cc"),
            ))
            .push(address_row(
                ctx,
                address_book,
                c,
                AddrField::Bcc,
                t("compose-bcc"),
            ));
    }
    col = col.push(
        row![
            text(t("compose-subject")).size(BODY).width(LABEL),
            text_input("", &c.subject)
                .id("subject-field")
                .size(BODY)
                .padding([6, 8])
                .on_input(|s| edit(Edit::Subject(s))),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
    );
    col = col.push(
        text_editor(&c.body)
            .id("body-field")
            .placeholder(t("compose-body-placeholder"))
            .size(BODY)
            .padding(10)
            .height(Length::Fill)
            .wrapping(text::Wrapping::WordOrGlyph)
            .on_action(|a| edit(Edit::Body(a)))
            .key_binding(|press| {
                use iced::keyboard::key::Named;
                use iced::widget::text_editor::Binding;
                // Ctrl+Enter sends from inside the editor too; Esc leaves it, then closes.
                if press.modifiers.command()
                    && matches!(press.key.as_ref(), iced::keyboard::Key::Named(Named::Enter))
                {
                    return Some(Binding::Custom(Message::Send));
                }
                Binding::from_key_press(press)
            }),
    );
    if !c.attachments.is_empty() {
        let mut files = row![].spacing(6);
        for (i, a) in c.attachments.iter().enumerate() {
            files = files.push(
                container(
                    row![
                        text(icon::ATTACHMENT.to_string())
                            .font(fonts::ICONS)
                            .size(SMALL),
                        text(format!("{} ({})", a.file_name, human_size(a.data.len()))).size(SMALL),
                        button(text("×").size(SMALL))
                            .padding([0, 4])
                            .style(button::text)
                            .on_press(edit(Edit::RemoveAttachment(i))),
                    ]
                    .spacing(6)
                    .align_y(Alignment::Center),
                )
                .padding([3, 8])
                .style(container::rounded_box),
            );
        }
        col = col.push(scrollable(files.wrap()).height(Length::Shrink));
        if c.attachment_bytes() > LARGE_ATTACHMENTS {
            col = col.push(warning(ctx.i18n.t(
                "compose-large",
                &[("size", &human_size(c.attachment_bytes()))],
            )));
        }
    }
    if let Some(e) = &c.error {
        col = col.push(
            text(e.clone())
                .size(BODY)
                .style(|theme: &Theme| text::Style {
                    color: Some(theme.palette().danger),
                }),
        );
    }
    col.height(Length::Fill).into()
}

fn warning<'a>(words: String) -> Element<'a, Message> {
    text(words)
        .size(SMALL)
        .style(|theme: &Theme| text::Style {
            color: Some(theme.palette().warning),
        })
        .into()
}

fn address_row<'a>(
    ctx: Ctx<'a>,
    address_book: &'a [(String, String)],
    c: &'a Composer,
    f: AddrField,
    label: String,
) -> Element<'a, Message> {
    let mut chips = row![].spacing(4).align_y(Alignment::Center);
    for (i, m) in c.field(f).iter().enumerate() {
        let shown = match &m.name {
            Some(name) if !name.is_empty() => format!("{name} <{}>", m.email),
            _ => m.email.to_string(),
        };
        chips = chips.push(
            container(
                row![
                    text(shown).size(SMALL),
                    button(text("×").size(SMALL))
                        .padding([0, 4])
                        .style(button::text)
                        .on_press(edit(Edit::AddrRemove(f, i))),
                ]
                .spacing(2)
                .align_y(Alignment::Center),
            )
            .padding([2, 8])
            .style(chip),
        );
    }
    chips = chips.push(
        text_input("", c.typed(f))
            .id(addr_id(f))
            .size(BODY)
            .padding([6, 8])
            // A fixed width keeps the field beside the chips while they fit on the line.
            .width(320)
            .on_input(move |s| edit(Edit::AddrInput(f, s)))
            .on_submit(edit(Edit::AddrCommit(f))),
    );
    let mut line = row![text(label).size(BODY).width(LABEL), chips.wrap()]
        .spacing(8)
        .align_y(Alignment::Center);
    if f == AddrField::To && !c.show_cc_bcc {
        line = line.push(
            button(text(ctx.i18n.t("compose-cc-bcc", &[])).size(SMALL))
                .padding([4, 8])
                .style(button::text)
                .on_press(edit(Edit::ShowCcBcc)),
        );
    }
    let hits = compose_data::complete(address_book, c.typed(f), 5);
    if hits.is_empty() {
        return line.into();
    }
    let mut list = Column::new().spacing(0);
    for (name, addr) in hits {
        let label = if name.is_empty() {
            addr.clone()
        } else {
            format!("{name} <{addr}>")
        };
        let pick = if name.is_empty() {
            addr.clone()
        } else {
            format!("\"{name}\" <{addr}>")
        };
        list = list.push(
            button(text(label).size(SMALL))
                .width(Length::Fill)
                .padding([4, 8])
                .style(button::text)
                .on_press(edit(Edit::AddrPick(f, pick))),
        );
    }
    column![
        line,
        row![
            space().width(LABEL + 8.0),
            container(list).width(420).style(container::bordered_box)
        ]
    ]
    .spacing(2)
    .into()
}

fn chip(theme: &Theme) -> container::Style {
    let p = theme.extended_palette();
    container::Style {
        background: Some(p.primary.weak.color.into()),
        text_color: Some(p.primary.weak.text),
        border: iced::Border {
            radius: 10.0.into(),
            ..iced::Border::default()
        },
        ..container::Style::default()
    }
}
