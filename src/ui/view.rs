//! Drawing the window: toolbar, the three mail panes or settings, and the status bar.

use iced::widget::{
    Column, button, column, container, pane_grid, row, rule, scrollable, space, text, text_input,
};
use iced::{Alignment, Element, Length, Theme};

use super::app::{Action, App, Message, Pane, PasswordPrompt, Screen};
use super::fonts::{self, BOLD, icon};
use super::list::ROW_HEIGHT;
use super::message::ComposeMsg;
use super::widget::{glyph, sidebar};
use crate::engine::AccountState;
use crate::mime::attachments::human_size;
use crate::mime::text::Zone;
use crate::store::folders::{Folder, Role};
use crate::store::messages::Envelope;

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
    .push(super::search_view::field(app))
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
    let body: Element<'_, Message> = match app.screen {
        Screen::Mail => mail(app),
        Screen::Settings => super::screen::settings::view(&app.settings, super::app::ctx!(app))
            .map(Message::Settings),
        Screen::Setup => match &app.setup {
            Some(s) => super::screen::setup::view(
                s,
                super::app::ctx!(app),
                super::screen::setup::waiting_note(&app.i18n, app.pending_launch.as_ref()),
            )
            .map(Message::Setup),
            None => mail(app),
        },
        Screen::Compose => match &app.composer {
            Some(c) => super::screen::compose::view(c, super::app::ctx!(app), &app.address_book)
                .map(Message::Composer),
            None => mail(app),
        },
        Screen::File => match &app.file {
            Some(f) => super::file_view::file(app, f),
            None => mail(app),
        },
    };
    let mut page = column![toolbar, rule::horizontal(1)];
    if let Some(prompt) = &app.prompts.shown {
        page = page.push(password_prompt(app, prompt));
    }
    if !app.unsent.is_empty() && app.screen == Screen::Mail {
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
                .count("compose-unsent", "count", app.unsent.len() as i64)
        )
        .size(BODY),
    ]
    .spacing(10)
    .align_y(Alignment::Center);
    for d in app.unsent.iter().take(3) {
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

/// The banner asking for a password the engine needs.
fn password_prompt<'a>(app: &'a App, p: &'a PasswordPrompt) -> Element<'a, Message> {
    let t = |id: &str| app.i18n.t(id, &[]);
    let question = app.i18n.t(
        if p.refused {
            "ui-password-refused"
        } else {
            "ui-password-needed"
        },
        &[("address", &p.address)],
    );
    container(
        row![
            glyph(icon::SHIELD, BODY),
            text(question).size(BODY),
            text_input(&t("form-password-new"), &p.typed)
                .id("prompt-password")
                .secure(true)
                .size(BODY)
                .padding([5, 8])
                .width(260)
                .on_input(Message::PromptInput)
                .on_submit(Message::PromptSubmit),
            button(text(t("ui-password-use")).size(BODY))
                .padding([5, 12])
                .style(button::primary)
                .on_press(Message::PromptSubmit),
            button(text(t("ui-later")).size(BODY))
                .padding([5, 12])
                .style(button::text)
                .on_press(Message::PromptDismiss),
        ]
        .spacing(10)
        .align_y(Alignment::Center),
    )
    .padding([8, 12])
    .width(Length::Fill)
    .style(|theme: &Theme| container::Style {
        background: Some(theme.extended_palette().warning.weak.color.into()),
        text_color: Some(theme.extended_palette().warning.weak.text),
        ..container::Style::default()
    })
    .into()
}

fn folder_name(app: &App, list: &[Folder], f: &Folder) -> String {
    if crate::store::folders::is_downloads_beside_server(list, f) {
        return app.i18n.t("ui-folder-downloads", &[]);
    }
    let role = match f.role {
        Role::Inbox => "ui-role-inbox",
        Role::Sent => "ui-role-sent",
        Role::Drafts => "ui-role-drafts",
        Role::Trash => "ui-role-trash",
        Role::Junk => "ui-role-junk",
        Role::Archive => "ui-role-archive",
        Role::Other => return super::data::nesting(f).1,
    };
    app.i18n.t(role, &[])
}

fn mail(app: &App) -> Element<'_, Message> {
    if app.tree.accounts.is_empty() {
        return container(text(app.i18n.t("ui-no-accounts", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    let grid = pane_grid(&app.mail.panes, |_, pane, _| {
        let (content, style): (Element<'_, Message>, fn(&Theme) -> container::Style) = match pane {
            Pane::Folders => (folders(app), sidebar),
            Pane::List => (message_list(app), plain),
            Pane::Reader => (reader(app), plain),
        };
        pane_grid::Content::new(container(content).width(Length::Fill).height(Length::Fill))
            .style(style)
    })
    .spacing(1)
    .on_resize(6, Message::PaneResized);
    // The 1-pixel gaps between panes show this background: the dividers.
    container(grid)
        .style(|theme: &Theme| container::Style {
            background: Some(theme.extended_palette().background.strong.color.into()),
            ..container::Style::default()
        })
        .height(Length::Fill)
        .into()
}

fn plain(theme: &Theme) -> container::Style {
    container::Style {
        background: Some(theme.palette().background.into()),
        ..container::Style::default()
    }
}

fn role_icon(role: Role) -> char {
    match role {
        Role::Inbox => icon::INBOX,
        Role::Sent => icon::SENT,
        Role::Drafts => icon::DRAFTS,
        Role::Trash => icon::TRASH,
        Role::Junk => icon::JUNK,
        Role::Archive => icon::ARCHIVE,
        Role::Other => icon::FOLDER,
    }
}

/// An icon from the shipped icon font.
fn folders(app: &App) -> Element<'_, Message> {
    let mut col = Column::new().spacing(2).padding(8);
    for (account, list) in &app.tree.accounts {
        let open = !app.mail.collapsed.contains(&account.id);
        col = col.push(
            button(
                row![
                    glyph(
                        if open {
                            icon::EXPANDED
                        } else {
                            icon::COLLAPSED
                        },
                        SMALL
                    )
                    .width(10),
                    text(account.address.clone()).size(SMALL).font(BOLD),
                ]
                .spacing(6),
            )
            .style(button::text)
            .padding([4, 4])
            .width(Length::Fill)
            .on_press(Message::ToggleAccount(account.id)),
        );
        if !open {
            continue;
        }
        for f in list {
            let depth = super::data::nesting(f).0.min(8);
            let mut label = row![
                space().width((depth * 14) as f32),
                glyph(
                    if crate::store::folders::is_downloads_beside_server(list, f) {
                        icon::DOWNLOADS
                    } else {
                        role_icon(f.role)
                    },
                    BODY
                )
                .width(22),
                text(folder_name(app, list, f)).size(BODY),
                space().width(Length::Fill)
            ]
            .spacing(4);
            if f.unread_count > 0 {
                label = label.push(text(f.unread_count.to_string()).size(SMALL).font(BOLD));
            }
            // A folder that only holds others (\Noselect) shows where its children belong.
            let b = button(label.align_y(Alignment::Center))
                .width(Length::Fill)
                .padding([4, 8])
                .on_press_maybe(f.selectable.then_some(Message::OpenFolder(f.id)));
            col = col.push(if app.mail.folder == Some(f.id) {
                b.style(button::primary)
            } else {
                b.style(button::text)
            });
        }
        col = col.push(space().height(8));
    }
    scrollable(col).height(Length::Fill).into()
}

/// The list draws only the rows in view; spacers above and below stand in for the rest, so a
/// 100k-message folder costs what a screenful does.
pub fn message_list(app: &App) -> Element<'_, Message> {
    if let Some(header) = super::search_view::header(app) {
        return column![header, rule::horizontal(1), rows(app)].into();
    }
    rows(app)
}

fn rows(app: &App) -> Element<'_, Message> {
    if app.hits().is_some_and(|h| h.is_empty()) {
        return container(text(app.i18n.t("search-none", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    if app.mail.folder.is_none() && app.hits().is_none() {
        return container(text(app.i18n.t("ui-pick-folder", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    if app.mail.list.is_empty() {
        return container(text(app.i18n.t("ui-no-messages", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    let range = app.mail.list.visible();
    let above = range.start as f32 * ROW_HEIGHT;
    let below = app.mail.list.total.saturating_sub(range.end) as f32 * ROW_HEIGHT;
    let mut col = Column::new().push(space().height(above));
    for position in range {
        col = col.push(match app.mail.list.get(position) {
            Some(m) => list_row(app, m),
            // Not read yet: an empty row of the right height keeps the scrollbar honest.
            None => space().height(ROW_HEIGHT).into(),
        });
    }
    col = col.push(space().height(below));
    scrollable(col.width(Length::Fill))
        .id(LIST)
        .height(Length::Fill)
        .on_scroll(|v| Message::ListScrolled(v.absolute_offset().y, v.bounds().height))
        .into()
}

/// The message list's scrollable.
pub const LIST: &str = "message-list";

/// Whether the row's folder holds what the user wrote (Sent, Drafts): its list shows
/// recipients. Search results mix folders, so each row asks for its own.
fn is_outgoing(app: &App, folder: i64) -> bool {
    app.tree
        .accounts
        .iter()
        .flat_map(|(_, folders)| folders)
        .any(|f| f.id == folder && matches!(f.role, Role::Sent | Role::Drafts))
}

/// The first recipient of a display list ("Name <addr>, …"), by name when it has one.
fn first_recipient(list: &str) -> String {
    let first = list.split(", ").next().unwrap_or_default().trim();
    match first.split_once(" <") {
        Some((name, _)) if !name.trim().is_empty() => name.trim().trim_matches('"').to_owned(),
        Some((_, addr)) => addr.trim_end_matches('>').to_owned(),
        None => first.to_owned(),
    }
}

fn list_row<'a>(app: &'a App, m: &'a Envelope) -> Element<'a, Message> {
    // In Sent and Drafts the sender is always the user: the recipients say what a row is.
    let sender = if is_outgoing(app, m.folder_id) {
        let others = m.to_addrs.split(", ").filter(|s| !s.is_empty()).count();
        let to = first_recipient(&m.to_addrs);
        if others > 1 {
            app.i18n.t(
                "ui-list-to-several",
                &[("name", &to), ("more", &(others - 1).to_string())],
            )
        } else {
            app.i18n.t("ui-list-to", &[("name", &to)])
        }
    } else if m.from_name.is_empty() {
        m.from_addr.clone()
    } else {
        m.from_name.clone()
    };
    let font = if m.flags.seen { fonts::UI } else { BOLD };
    let clip = if m.has_attachments {
        glyph(icon::ATTACHMENT, SMALL)
    } else {
        text("")
    };
    let star = if m.flags.flagged {
        glyph(icon::STAR, SMALL).style(|theme: &Theme| text::Style {
            color: Some(theme.palette().warning),
        })
    } else {
        text("")
    };
    // Answered and forwarded, as the server keeps them (\Answered, $Forwarded).
    let forwarded = m
        .flags
        .keywords
        .split_whitespace()
        .any(|k| k.eq_ignore_ascii_case("$Forwarded"));
    let mut marks = match (m.flags.answered, forwarded) {
        (true, true) => format!("{}{}", icon::REPLIED, icon::FORWARDED),
        (true, false) => icon::REPLIED.to_string(),
        (false, true) => icon::FORWARDED.to_string(),
        (false, false) => String::new(),
    };
    // Found by the search on the server, not by the local one.
    if app
        .mail
        .searching
        .as_ref()
        .is_some_and(|s| s.on_server.contains(&m.id))
    {
        marks.insert(0, icon::SERVER);
    }
    let marks = text(marks)
        .font(fonts::ICONS)
        .size(SMALL)
        .style(text::secondary);
    let selected = app.mail.list.selected.contains(&m.id);
    let date = list_date(app, m.date);
    let content = column![
        row![
            text(sender)
                .size(BODY)
                .font(font)
                .wrapping(text::Wrapping::None),
            space().width(Length::Fill),
            marks,
            clip,
            star,
            text(date).size(SMALL),
        ]
        .spacing(6),
        text(m.subject.clone())
            .size(BODY)
            .font(font)
            .wrapping(text::Wrapping::None),
        if selected {
            // On the selection colour the muted style would be unreadable.
            text(m.snippet.clone()).size(SMALL)
        } else {
            text(m.snippet.clone()).size(SMALL).style(text::secondary)
        }
        .wrapping(text::Wrapping::None),
    ]
    .spacing(2)
    .clip(true);
    let b = button(content)
        .width(Length::Fill)
        .height(ROW_HEIGHT)
        .padding([6, 10])
        .on_press(Message::ClickRow(m.id));
    if selected {
        b.style(button::primary).into()
    } else {
        b.style(button::text).into()
    }
}

/// Today's mail shows its time, older mail its date.
fn list_date(app: &App, date: i64) -> String {
    crate::mime::text::list_date(date, app.mail.now, app.i18n.locale(), Zone::Local)
}

fn reader(app: &App) -> Element<'_, Message> {
    let targets = app.targets();
    let body: Element<'_, Message> = if targets.len() > 1 {
        container(
            text(
                app.i18n
                    .count("ui-selected-count", "count", targets.len() as i64),
            )
            .size(BODY),
        )
        .center(Length::Fill)
        .into()
    } else if app.mail.message.is_none() {
        return container(text(app.i18n.t("ui-pick-message", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    } else if let Some(model) = &app.mail.reading {
        scrollable(container(super::reader_view::message_view(app, model, false)).padding(16))
            .height(Length::Fill)
            .into()
    } else {
        // Over the size limit the body is never downloaded: say so instead of "downloading".
        let limit = crate::protocols::DEFAULT_MAX_MESSAGE_BYTES;
        let too_large = app
            .mail
            .message
            .and_then(|id| app.mail.list.find(id))
            .map(|(_, m)| m.size)
            .filter(|size| *size > limit);
        let note = match too_large {
            Some(size) => app.i18n.t(
                "ui-too-large",
                &[
                    ("size", &human_size(size as usize)),
                    ("limit", &human_size(limit as usize)),
                ],
            ),
            None => app.i18n.t("ui-downloading", &[]),
        };
        container(text(note).size(BODY).width(Length::Fixed(420.0)))
            .center(Length::Fill)
            .into()
    };
    let t = |id: &str| app.i18n.t(id, &[]);
    let (seen, flagged) = targets
        .first()
        .and_then(|id| app.mail.list.find(*id))
        .map(|(_, m)| (m.flags.seen, m.flags.flagged))
        .unwrap_or((true, false));
    let act = |label: String, action: Action| {
        button(text(label).size(SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(Message::Act(action))
    };
    let compose = |label: String, msg: ComposeMsg| {
        button(text(label).size(SMALL))
            .padding([4, 10])
            .style(button::secondary)
            .on_press_maybe((targets.len() == 1).then_some(Message::Compose(msg)))
    };
    let tools = row![
        compose(t("compose-reply"), ComposeMsg::Reply { all: false }),
        compose(t("compose-reply-all"), ComposeMsg::Reply { all: true }),
        compose(t("compose-forward"), ComposeMsg::Forward),
        space().width(8),
        act(t("ui-archive"), Action::Archive),
        act(t("ui-delete"), Action::Delete),
        act(
            t(if seen {
                "ui-mark-unread"
            } else {
                "ui-mark-read"
            }),
            Action::ToggleRead
        ),
        act(
            t(if flagged { "ui-unflag" } else { "ui-flag" }),
            Action::ToggleFlag
        ),
    ]
    .spacing(6)
    .padding([8, 16]);
    column![tools, body].into()
}

fn status(app: &App) -> Element<'_, Message> {
    let mut bar = row![text(super::status::line(app)).size(SMALL)]
        .spacing(12)
        .align_y(Alignment::Center);
    if let Some(p) = app.outbox.problems.first() {
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
