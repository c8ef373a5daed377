//! The reader of a message file: the file's name, Reply, Reply all, Forward and Close, then
//! the message as the mail reader draws it.

use iced::widget::{button, column, container, row, rule, scrollable, space, text};
use iced::{Alignment, Element, Length};

use super::app::{App, Message};
use super::message::ComposeMsg;
use super::message_file::OpenFile;

const SMALL: f32 = 12.0;

/// The screen of an open message file.
pub fn file<'a>(app: &'a App, f: &'a OpenFile) -> Element<'a, Message> {
    let t = |id: &str| app.i18n.t(id, &[]);
    let action = |label: String, msg: Message| {
        button(text(label).size(SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(msg)
    };
    // Replies need an account to write from.
    let answer = |label: String, msg: ComposeMsg| {
        button(text(label).size(SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press_maybe((!app.tree.accounts.is_empty()).then_some(Message::Compose(msg)))
    };
    let name = f
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| f.path.display().to_string());
    let tools = row![
        answer(t("compose-reply"), ComposeMsg::Reply { all: false }),
        answer(t("compose-reply-all"), ComposeMsg::Reply { all: true }),
        answer(t("compose-forward"), ComposeMsg::Forward),
        space().width(8),
        text(app.i18n.t("ui-file-shown", &[("file", &name)]))
            .size(SMALL)
            .width(Length::Fill),
        action(t("compose-close"), Message::CloseFile),
    ]
    .spacing(6)
    .padding([8, 16])
    .align_y(Alignment::Center);
    let body =
        scrollable(container(super::reader_view::message_view(app, &f.model, true)).padding(16))
            .height(Length::Fill);
    column![tools, rule::horizontal(1), body].into()
}
