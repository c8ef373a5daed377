//! Drawing the mail screen: the folder pane, the message list (only the rows in view) and the
//! reader with its toolbar.

use iced::widget::{
    Column, button, column, container, pane_grid, row, rule, scrollable, space, text,
};
use iced::{Alignment, Element, Length, Theme};

use super::{Act, Message, Pane, State};
use crate::mime::attachments::human_size;
use crate::mime::text::Zone;
use crate::store::folders::{Folder, Role};
use crate::store::messages::Envelope;
use crate::ui::data;
use crate::ui::fonts::{self, BOLD, icon};
use crate::ui::list::ROW_HEIGHT;
use crate::ui::reader;
use crate::ui::screen::Ctx;
use crate::ui::widget::{glyph, icon_label, sidebar};

pub use super::search_view::field as search_field;

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;
/// The unread mark's size.
const UNREAD_DOT: f32 = 8.0;

fn folder_name(ctx: Ctx<'_>, list: &[Folder], f: &Folder) -> String {
    if crate::store::folders::is_downloads_beside_server(list, f) {
        return ctx.i18n.t("ui-folder-downloads", &[]);
    }
    let role = match f.role {
        Role::Inbox => "ui-role-inbox",
        Role::Sent => "ui-role-sent",
        Role::Drafts => "ui-role-drafts",
        Role::Trash => "ui-role-trash",
        Role::Junk => "ui-role-junk",
        Role::Archive => "ui-role-archive",
        Role::Other => return crate::ui::data::nesting(f).1,
    };
    ctx.i18n.t(role, &[])
}

/// The three panes (or, with no account yet, the way to add one).
pub fn view<'a>(state: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    if ctx.tree.accounts.is_empty() {
        return container(text(ctx.i18n.t("ui-no-accounts", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    let grid = pane_grid(&state.panes, |_, pane, _| {
        let (content, style): (Element<'_, Message>, fn(&Theme) -> container::Style) = match pane {
            Pane::Folders => (folders(state, ctx), sidebar),
            Pane::List => (list(state, ctx), plain),
            Pane::Reader => (reader(state, ctx), plain),
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

/// "All inboxes", "All sent", "All drafts": every account's folder of that role together.
fn unified_folders<'a>(state: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    let mut col = Column::new().spacing(2);
    for (id, role) in data::UNIFIED {
        let of_role = || {
            ctx.tree
                .accounts
                .iter()
                .flat_map(|(_, folders)| folders)
                .filter(move |f| f.role == role)
        };
        if of_role().next().is_none() {
            continue;
        }
        let unread: u32 = of_role().map(|f| f.unread_count).sum();
        let name = match role {
            Role::Inbox => "ui-folder-all-inboxes",
            Role::Sent => "ui-folder-all-sent",
            _ => "ui-folder-all-drafts",
        };
        let mut label = row![
            glyph(role_icon(role), BODY).width(22),
            text(ctx.i18n.t(name, &[])).size(BODY),
            space().width(Length::Fill)
        ]
        .spacing(4);
        if unread > 0 && role == Role::Inbox {
            label = label.push(text(unread.to_string()).size(SMALL).font(BOLD));
        }
        let b = button(label.align_y(Alignment::Center))
            .width(Length::Fill)
            .padding([4, 8])
            .on_press(Message::OpenFolder(id));
        col = col.push(if state.folder == Some(id) {
            b.style(button::primary)
        } else {
            b.style(button::text)
        });
    }
    col.into()
}

/// A colour of its own for each account, for the mark beside its rows in unified folders.
fn account_colour(account: i64) -> iced::Color {
    const HUES: [(u8, u8, u8); 6] = [
        (0x3b, 0x82, 0xf6),
        (0xf5, 0x9e, 0x0b),
        (0x10, 0xb9, 0x81),
        (0xef, 0x44, 0x44),
        (0x8b, 0x5c, 0xf6),
        (0x06, 0xb6, 0xd4),
    ];
    let (r, g, b) = HUES[account.unsigned_abs() as usize % HUES.len()];
    iced::Color::from_rgb8(r, g, b)
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
fn folders<'a>(state: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    let mut col = Column::new().spacing(2).padding(8);
    if ctx.unified && ctx.tree.accounts.len() > 1 {
        col = col
            .push(unified_folders(state, ctx))
            .push(space().height(8));
    }
    for (account, list) in &ctx.tree.accounts {
        let open = !state.collapsed.contains(&account.id);
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
            let depth = crate::ui::data::nesting(f).0.min(8);
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
                text(folder_name(ctx, list, f)).size(BODY),
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
            col = col.push(if state.folder == Some(f.id) {
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
pub fn list<'a>(state: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    if let Some(header) = super::search_view::header(state, ctx) {
        return column![header, rule::horizontal(1), rows(state, ctx)].into();
    }
    match list_header(state, ctx) {
        Some(header) => column![header, rule::horizontal(1), rows(state, ctx)].into(),
        None => rows(state, ctx),
    }
}

/// The open folder's name and the switch between a row per conversation and per message.
fn list_header<'a>(state: &'a State, ctx: Ctx<'a>) -> Option<Element<'a, Message>> {
    let folder = state.folder?;
    let title = match data::unified_role(folder) {
        Some(Role::Inbox) => ctx.i18n.t("ui-folder-all-inboxes", &[]),
        Some(Role::Sent) => ctx.i18n.t("ui-folder-all-sent", &[]),
        Some(_) => ctx.i18n.t("ui-folder-all-drafts", &[]),
        None => ctx
            .tree
            .accounts
            .iter()
            .find_map(|(_, list)| {
                list.iter()
                    .find(|f| f.id == folder)
                    .map(|f| folder_name(ctx, list, f))
            })
            .unwrap_or_default(),
    };
    let on = ctx.conversations;
    let switch = button(icon_label(
        icon::CONVERSATIONS,
        ctx.i18n.t("ui-conversations-short", &[]),
    ))
    .padding([3, 8])
    .style(if on {
        button::primary
    } else {
        button::secondary
    })
    .on_press(Message::SwitchConversations(!on));
    Some(
        row![
            text(title)
                .size(BODY)
                .font(BOLD)
                .wrapping(text::Wrapping::None)
                .width(Length::Fill),
            switch
        ]
        .spacing(8)
        .padding([6, 10])
        .align_y(Alignment::Center)
        .into(),
    )
}

fn rows<'a>(state: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    if state.hits().is_some_and(|h| h.is_empty()) {
        return container(text(ctx.i18n.t("search-none", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    if state.folder.is_none() && state.hits().is_none() {
        return container(text(ctx.i18n.t("ui-pick-folder", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    if state.list.is_empty() {
        return container(text(ctx.i18n.t("ui-no-messages", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    }
    let range = state.list.visible();
    let above = range.start as f32 * ROW_HEIGHT;
    let below = state.list.total.saturating_sub(range.end) as f32 * ROW_HEIGHT;
    let mut col = Column::new().push(space().height(above));
    for position in range {
        col = col.push(match state.list.get(position) {
            Some(m) => list_row(state, ctx, m),
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
fn is_outgoing(ctx: Ctx<'_>, folder: i64) -> bool {
    ctx.tree
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

fn list_row<'a>(state: &'a State, ctx: Ctx<'a>, m: &'a Envelope) -> Element<'a, Message> {
    // In Sent and Drafts the sender is always the user: the recipients say what a row is.
    let sender = if is_outgoing(ctx, m.folder_id) {
        let others = m.to_addrs.split(", ").filter(|s| !s.is_empty()).count();
        let to = first_recipient(&m.to_addrs);
        if others > 1 {
            ctx.i18n.t(
                "ui-list-to-several",
                &[("name", &to), ("more", &(others - 1).to_string())],
            )
        } else {
            ctx.i18n.t("ui-list-to", &[("name", &to)])
        }
    } else if m.from_name.is_empty() {
        m.from_addr.clone()
    } else {
        m.from_name.clone()
    };
    // A conversation's row says what the whole conversation adds up to.
    let summary = state.list.summary(m.id);
    let (seen, flagged, attached) = match summary {
        Some(s) => (s.unread == 0, s.flagged, s.attachments),
        None => (m.flags.seen, m.flags.flagged, m.has_attachments),
    };
    let (sender, count) = match summary.filter(|s| s.messages > 1) {
        Some(s) if !is_outgoing(ctx, m.folder_id) => {
            (s.participants.join(", "), s.messages.to_string())
        }
        Some(s) => (sender, s.messages.to_string()),
        None => (sender, String::new()),
    };
    let font = if seen { fonts::UI } else { BOLD };
    let clip = if attached {
        glyph(icon::ATTACHMENT, SMALL)
    } else {
        text("")
    };
    let star = if flagged {
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
    if state
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
    let selected = state.list.selected.contains(&m.id);
    let date = list_date(state, ctx, m.date);
    // Unread is a dot as well as bold: CJK fonts often have no bold face, so bold alone left
    // unread Chinese mail looking read.
    let dot: Element<'a, Message> = if seen {
        space().width(UNREAD_DOT).into()
    } else {
        container(space())
            .width(UNREAD_DOT)
            .height(UNREAD_DOT)
            .style(move |theme: &Theme| container::Style {
                background: Some(
                    if selected {
                        theme.palette().background
                    } else {
                        theme.palette().primary
                    }
                    .into(),
                ),
                border: iced::border::rounded(UNREAD_DOT / 2.0),
                ..container::Style::default()
            })
            .into()
    };
    let content = column![
        row![
            dot,
            text(sender)
                .size(BODY)
                .font(font)
                .wrapping(text::Wrapping::None),
            text(count).size(SMALL).style(if selected {
                text::default
            } else {
                text::secondary
            }),
            space().width(Length::Fill),
            marks,
            clip,
            star,
            text(date).size(SMALL),
        ]
        .spacing(6)
        .align_y(Alignment::Center),
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
        .on_press(Message::ClickRow(m.id))
        .style(if selected {
            button::primary
        } else {
            button::text
        });
    // In a unified folder each row carries its account's colour at the edge.
    if state.list.folder.and_then(data::unified_role).is_none() {
        return b.into();
    }
    let colour = account_colour(m.account_id);
    let mark = container(space())
        .width(3)
        .height(ROW_HEIGHT)
        .style(move |_: &Theme| container::Style {
            background: Some(colour.into()),
            ..container::Style::default()
        });
    row![mark, b].into()
}

/// Today's mail shows its time, older mail its date.
fn list_date(state: &State, ctx: Ctx<'_>, date: i64) -> String {
    crate::mime::text::list_date(date, state.now, ctx.i18n.locale(), Zone::Local)
}

fn reader<'a>(state: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    let targets = state.target_rows();
    let body: Element<'_, Message> = if targets.len() > 1 {
        container(
            text(
                ctx.i18n
                    .count("ui-selected-count", "count", targets.len() as i64),
            )
            .size(BODY),
        )
        .center(Length::Fill)
        .into()
    } else if let Some(c) = state.conversation.as_ref().filter(|c| c.messages.len() > 1) {
        super::conversation_view::view(state, c, ctx)
    } else if state
        .conversation
        .as_ref()
        .is_some_and(|c| c.messages.is_empty())
    {
        // Read in a moment.
        space().height(Length::Fill).into()
    } else if state.message.is_none() {
        return container(text(ctx.i18n.t("ui-pick-message", &[])).size(BODY))
            .center(Length::Fill)
            .into();
    } else if let Some(model) = &state.reading {
        let look = reader::Look {
            i18n: ctx.i18n,
            confirm_open: state.confirm_open,
            images: Some(&state.images),
            needles: state.searching.as_ref().map_or(&[][..], |s| &s.needles[..]),
            fold_quotes: false,
            headers: true,
        };
        scrollable(container(reader::view(look, model).map(Message::Reader)).padding(16))
            .height(Length::Fill)
            .into()
    } else {
        let note = state
            .message
            .and_then(|id| state.envelope(id))
            .map(|m| not_shown_note(ctx, m))
            .unwrap_or_else(|| ctx.i18n.t("ui-downloading", &[]));
        container(text(note).size(BODY).width(Length::Fixed(420.0)))
            .center(Length::Fill)
            .into()
    };
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let (seen, flagged) = state.row_marks();
    let act = |glyph_char: char, label: String, action: Act| {
        button(icon_label(glyph_char, label))
            .padding([4, 10])
            .style(button::secondary)
            .on_press(Message::Act(action))
    };
    let compose = |glyph_char: char, label: String, msg: Message| {
        button(icon_label(glyph_char, label))
            .padding([4, 10])
            .style(button::secondary)
            .on_press_maybe((targets.len() == 1).then_some(msg))
    };
    let tools = row![
        compose(
            icon::REPLIED,
            t("compose-reply"),
            Message::Reply { all: false }
        ),
        compose(
            icon::REPLY_ALL,
            t("compose-reply-all"),
            Message::Reply { all: true }
        ),
        compose(icon::FORWARDED, t("compose-forward"), Message::Forward),
        space().width(8),
        act(icon::ARCHIVE, t("ui-archive"), Act::Archive),
        act(icon::TRASH, t("ui-delete"), Act::Delete),
        act(
            if seen {
                icon::ENVELOPE
            } else {
                icon::ENVELOPE_OPEN
            },
            t(if seen {
                "ui-mark-unread"
            } else {
                "ui-mark-read"
            }),
            Act::ToggleRead
        ),
        act(
            icon::STAR,
            t(if flagged { "ui-unflag" } else { "ui-flag" }),
            Act::ToggleFlag
        ),
    ]
    .spacing(6)
    // A narrow reader puts the buttons on two lines rather than cutting the last off.
    .wrap()
    .vertical_spacing(6);
    column![container(tools).padding([8, 16]), body].into()
}

/// Why a message's body is not shown: over the size limit it is never downloaded (say so
/// instead of "downloading"), otherwise it is on its way.
pub(super) fn not_shown_note(ctx: Ctx<'_>, m: &Envelope) -> String {
    let limit = crate::protocols::DEFAULT_MAX_MESSAGE_BYTES;
    if m.size > limit {
        return ctx.i18n.t(
            "ui-too-large",
            &[
                ("size", &human_size(m.size as usize)),
                ("limit", &human_size(limit as usize)),
            ],
        );
    }
    ctx.i18n.t("ui-downloading", &[])
}
