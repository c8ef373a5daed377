//! The reader of a message file: the file's name, Reply, Reply all, Forward and Close, then
//! the message as the mail reader draws it.

use iced::widget::{button, column, container, row, rule, scrollable, space, text};
use iced::{Alignment, Element, Length};

use super::{Message, State};
use crate::ui::fonts::icon;
use crate::ui::reader;
use crate::ui::screen::Ctx;
use crate::ui::widget::icon_label;

const SMALL: f32 = 12.0;

/// The screen of an open message file.
pub fn view<'a>(state: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    let f = &state.file;
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let action = |c: char, label: String, msg: Message| {
        button(icon_label(c, label))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(msg)
    };
    // Replies need an account to write from.
    let answer = |c: char, label: String, msg: Message| {
        button(icon_label(c, label))
            .padding([4, 10])
            .style(button::secondary)
            .on_press_maybe((!ctx.tree.accounts.is_empty()).then_some(msg))
    };
    let name = f
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| f.path.display().to_string());
    let tools = row![
        answer(
            icon::REPLIED,
            t("compose-reply"),
            Message::Reply { all: false }
        ),
        answer(
            icon::REPLY_ALL,
            t("compose-reply-all"),
            Message::Reply { all: true }
        ),
        answer(icon::FORWARDED, t("compose-forward"), Message::Forward),
        space().width(8),
        text(ctx.i18n.t("ui-file-shown", &[("file", &name)]))
            .size(SMALL)
            .width(Length::Fill),
        action(icon::CLOSE, t("compose-close"), Message::Close),
    ]
    .spacing(6)
    .padding([8, 16])
    .align_y(Alignment::Center);
    let look = reader::Look {
        i18n: ctx.i18n,
        confirm_open: state.confirm_open,
        images: None,
        needles: &[],
        fold_quotes: false,
        headers: true,
    };
    let body = scrollable(container(reader::view(look, &f.model).map(Message::Reader)).padding(16))
        .height(Length::Fill);
    column![tools, rule::horizontal(1), body].into()
}
