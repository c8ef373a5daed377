//! Drawing Settings: the app's own choices, and one page per account with a section per
//! protocol (its switch, its servers), POP3 options, the doctor's report and removal.

use iced::widget::{
    Column, button, column, container, pick_list, row, rule, scrollable, space, text, text_input,
    toggler,
};
use iced::{Alignment, Element, Length, Theme};

use super::{Message, State};
use crate::engine::Protocol;
use crate::store::accounts::Security;
use crate::ui::account_form::{AccountForm, Edit, Field};
use crate::ui::fonts::BOLD;
use crate::ui::screen::Ctx;
use crate::ui::theme::ThemeChoice;
use crate::ui::widget::{doctor_report, sidebar};

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;
const LABEL: f32 = 150.0;

/// The settings screen: a list of pages on the left, the chosen page on the right.
pub fn view<'a>(s: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let entry = |label: String, on: bool, message: Message| {
        let b = button(text(label).size(BODY).wrapping(text::Wrapping::None))
            .width(Length::Fill)
            .padding([6, 10])
            .on_press(message);
        if on {
            b.style(button::primary)
        } else {
            b.style(button::text)
        }
    };
    let mut side = Column::new()
        .spacing(4)
        .padding(10)
        .width(230)
        .push(entry(
            t("ui-app-settings"),
            s.form.is_none(),
            Message::CloseForm,
        ))
        .push(space().height(8))
        .push(text(t("ui-accounts")).size(SMALL).font(BOLD));
    for (account, _) in &ctx.tree.accounts {
        let on = s.form.as_ref().is_some_and(|f| f.id == account.id);
        side = side.push(entry(
            account.address.clone(),
            on,
            Message::EditAccount(account.id),
        ));
    }
    side = side.push(
        button(text(t("ui-add-account")).size(BODY))
            .padding([6, 10])
            .style(button::secondary)
            .on_press(Message::NewAccount),
    );
    let page: Element<'_, Message> = match &s.form {
        None => app_page(s, ctx),
        Some(form) => account_page(s, ctx, form),
    };
    row![
        container(side).height(Length::Fill).style(sidebar),
        rule::vertical(1),
        scrollable(container(page).padding(20).max_width(860)).height(Length::Fill),
    ]
    .height(Length::Fill)
    .into()
}

fn pick<'a>(label: String, on: bool, message: Message) -> button::Button<'a, Message> {
    let b = button(text(label).size(BODY))
        .padding([4, 12])
        .on_press(message);
    if on {
        b.style(button::primary)
    } else {
        b.style(button::secondary)
    }
}

fn app_page<'a>(s: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let lang = ctx.language;
    let mut page = column![
        text(t("ui-app-settings")).size(20).font(BOLD),
        row![
            text(t("ui-language")).size(BODY).width(LABEL),
            pick(
                t("ui-follow-system"),
                lang.is_empty(),
                Message::Language(String::new())
            ),
            pick(
                "English".into(),
                lang == "en-US",
                Message::Language("en-US".into())
            ),
            pick(
                "简体中文".into(),
                lang == "zh-CN",
                Message::Language("zh-CN".into())
            ),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        row![
            text(t("ui-theme")).size(BODY).width(LABEL),
            pick(
                t("ui-follow-system"),
                ctx.theme == ThemeChoice::System,
                Message::Theme(ThemeChoice::System)
            ),
            pick(
                t("ui-theme-light"),
                ctx.theme == ThemeChoice::Light,
                Message::Theme(ThemeChoice::Light)
            ),
            pick(
                t("ui-theme-dark"),
                ctx.theme == ThemeChoice::Dark,
                Message::Theme(ThemeChoice::Dark)
            ),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        row![
            text(t("ui-notifications")).size(BODY).width(LABEL),
            toggler(ctx.notifications)
                .size(20)
                .on_toggle(Message::Notifications),
            button(text(t("ui-notifications-detail")).size(BODY))
                .style(button::text)
                .padding([2, 4])
                .on_press(Message::Notifications(!ctx.notifications)),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        row![
            text(t("ui-unified")).size(BODY).width(LABEL),
            toggler(ctx.unified).size(20).on_toggle(Message::Unified),
            button(text(t("ui-unified-detail")).size(BODY))
                .style(button::text)
                .padding([2, 4])
                .on_press(Message::Unified(!ctx.unified)),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        row![
            text(t("ui-conversations")).size(BODY).width(LABEL),
            toggler(ctx.conversations)
                .size(20)
                .on_toggle(Message::Conversations),
            button(text(t("ui-conversations-detail")).size(BODY))
                .style(button::text)
                .padding([2, 4])
                .on_press(Message::Conversations(!ctx.conversations)),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
        row![
            text(t("ui-by-subject")).size(BODY).width(LABEL),
            toggler(ctx.tree.by_subject)
                .size(20)
                .on_toggle(Message::GroupBySubject),
            button(text(t("ui-by-subject-detail")).size(BODY))
                .style(button::text)
                .padding([2, 4])
                .on_press(Message::GroupBySubject(!ctx.tree.by_subject)),
        ]
        .spacing(8)
        .align_y(Alignment::Center),
    ]
    .spacing(16);
    page = page.push(background_rows(s, ctx));
    // Shown once the desktop has answered (the window asks when Settings opens).
    if let Some(row) = default_app_row(s, ctx) {
        page = page.push(row);
    }
    page.push(text(t("ui-about")).size(20).font(BOLD))
        .push(
            row![
                text(
                    ctx.i18n
                        .t("ui-version", &[("version", env!("CARGO_PKG_VERSION"))])
                )
                .size(BODY)
                .width(LABEL),
                button(text(t("ui-open-log-folder")).size(BODY))
                    .style(button::secondary)
                    .padding([4, 12])
                    .on_press(Message::OpenLogFolder),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        )
        .push(text(t("ui-log-folder")).size(SMALL))
        .into()
}

/// Settings → App: running on in the tray when the window closes, and starting at login.
fn background_rows<'a>(s: &'a State, ctx: Ctx<'a>) -> Element<'a, Message> {
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let on_off = |label: String, on: bool, detail: String, message: fn(bool) -> Message| {
        row![
            text(label).size(BODY).width(LABEL),
            toggler(on).size(20).on_toggle(message),
            button(text(detail).size(BODY))
                .style(button::text)
                .padding([2, 4])
                .on_press(message(!on)),
        ]
        .spacing(8)
        .align_y(Alignment::Center)
    };
    let mut rows = column![on_off(
        t("ui-background"),
        ctx.background,
        t("ui-background-detail"),
        Message::Background
    )]
    .spacing(4);
    // Without a tray host there is nothing to come back by: closing quits, and it says so.
    if ctx.background && !ctx.tray_shown {
        rows = rows.push(text(t("ui-background-no-tray")).size(SMALL));
    }
    if let (Some(_), Some(on)) = (&s.autostart_place, s.autostart) {
        rows = rows.push(space().height(12)).push(on_off(
            t("ui-autostart"),
            on,
            t("ui-autostart-detail"),
            Message::SetAutostart,
        ));
    }
    rows.into()
}

/// Settings → App: whether Tidings opens mail links and files, and "Make default".
fn default_app_row<'a>(s: &'a State, ctx: Ctx<'a>) -> Option<Element<'a, Message>> {
    use crate::launch::default_app::Standing;
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let (said, can_make) = match s.default_app.as_ref()? {
        Standing::Default => (t("ui-default-yes"), false),
        Standing::Other(other) if other.is_empty() => (t("ui-default-no"), true),
        Standing::Other(other) => (ctx.i18n.t("ui-default-no-named", &[("other", other)]), true),
        Standing::Unknown(reason) => (
            ctx.i18n.t("ui-default-unknown", &[("reason", reason)]),
            true,
        ),
    };
    let mut line = row![
        text(t("ui-default-app")).size(BODY).width(LABEL),
        text(said).size(BODY),
    ]
    .spacing(8)
    .align_y(Alignment::Center);
    if can_make {
        line = line.push(
            button(text(t("ui-make-default")).size(BODY))
                .style(button::primary)
                .padding([4, 12])
                .on_press(Message::MakeDefault),
        );
    }
    Some(match &s.default_note {
        Some(note) => column![line, text(note.clone()).size(SMALL)]
            .spacing(4)
            .into(),
        None => line.into(),
    })
}

/// A labelled text field with its inline error under it.
fn field<'a>(
    ctx: Ctx<'a>,
    form: &'a AccountForm,
    label: String,
    which: Field,
    value: &'a str,
    placeholder: String,
) -> Element<'a, Message> {
    fields(ctx, form, vec![(label, which, value, placeholder)])
}

/// Several labelled fields on one row, each one's error under the row.
fn fields<'a>(
    ctx: Ctx<'a>,
    form: &'a AccountForm,
    list: Vec<(String, Field, &'a str, String)>,
) -> Element<'a, Message> {
    let mut line = row![].spacing(8).align_y(Alignment::Center);
    let mut errors = Vec::new();
    for (i, (label, which, value, placeholder)) in list.into_iter().enumerate() {
        let input = text_input(&placeholder, value)
            .id(field_id(which))
            .size(BODY)
            .padding([6, 8])
            .secure(matches!(which, Field::Password(_)))
            .on_input(move |v| Message::Form(Edit::Text(which, v)));
        let label = text(label).size(BODY);
        line = if i == 0 {
            line.push(label.width(LABEL))
        } else {
            line.push(label)
        };
        line = match which {
            Field::Port(_) | Field::KeepDays | Field::PollMinutes | Field::SyncWindow => {
                line.push(input.width(90))
            }
            _ => line.push(input),
        };
        if let Some(key) = form.problem(which) {
            errors.push(key);
        }
    }
    let mut col = Column::new().spacing(4).push(line);
    for key in errors {
        col = col.push(row![
            space().width(LABEL + 8.0),
            text(ctx.i18n.t(key, &[]))
                .size(SMALL)
                .style(|theme: &Theme| text::Style {
                    color: Some(theme.palette().danger),
                }),
        ]);
    }
    col.into()
}

/// The widget id of a form field (tests type into fields by it).
fn field_id(which: Field) -> String {
    let p = |p: Protocol| match p {
        Protocol::Imap => "imap",
        Protocol::Pop3 => "pop3",
        Protocol::Smtp => "smtp",
    };
    match which {
        Field::Name => "name".into(),
        Field::Address => "address".into(),
        Field::Host(x) => format!("{}-host", p(x)),
        Field::Port(x) => format!("{}-port", p(x)),
        Field::Username(x) => format!("{}-username", p(x)),
        Field::Password(x) => format!("{}-password", p(x)),
        Field::KeepDays => "pop3-keep-days".into(),
        Field::PollMinutes => "pop3-poll".into(),
        Field::SyncWindow => "imap-window".into(),
    }
}

fn protocol_section<'a>(ctx: Ctx<'a>, form: &'a AccountForm, p: Protocol) -> Element<'a, Message> {
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let s = form.server(p);
    let title = t(match p {
        Protocol::Imap => "ui-protocol-imap",
        Protocol::Pop3 => "ui-protocol-pop3",
        Protocol::Smtp => "ui-protocol-smtp",
    });
    let mut col = Column::new().spacing(10).push(
        row![
            toggler(s.enabled)
                .size(20)
                .on_toggle(move |on| Message::Form(Edit::Enabled(p, on))),
            // The label flips the switch too, as people expect of a settings page.
            button(text(title).size(BODY).font(BOLD))
                .style(button::text)
                .padding([2, 4])
                .on_press(Message::Form(Edit::Enabled(p, !s.enabled))),
        ]
        .spacing(12)
        .align_y(Alignment::Center),
    );
    if !s.enabled {
        return col.into();
    }
    let security = |label: &str, sec: Security| {
        pick(
            t(label),
            s.security == sec,
            Message::Form(Edit::Security(p, sec)),
        )
    };
    col = col
        .push(fields(
            ctx,
            form,
            vec![
                (t("form-host"), Field::Host(p), &s.host, String::new()),
                (t("form-port"), Field::Port(p), &s.port, String::new()),
            ],
        ))
        .push(
            row![
                text(t("form-security")).size(BODY).width(LABEL),
                security("form-security-tls", Security::Tls),
                security("form-security-starttls", Security::StartTls),
                security("form-security-plain", Security::Plain),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
    if s.security == Security::Plain {
        col = col.push(row![
            space().width(LABEL + 8.0),
            text(t("form-plain-warning"))
                .size(SMALL)
                .style(|theme: &Theme| text::Style {
                    color: Some(theme.palette().warning),
                }),
        ]);
    }
    let password_hint = if form.id == 0 {
        t("form-password-new")
    } else {
        t("form-password-keep")
    };
    col = col.push(fields(
        ctx,
        form,
        vec![
            (
                t("form-username"),
                Field::Username(p),
                &s.username,
                String::new(),
            ),
            (
                t("form-password"),
                Field::Password(p),
                &s.password,
                password_hint,
            ),
        ],
    ));
    match p {
        Protocol::Imap => {
            col = col.push(field(
                ctx,
                form,
                t("form-sync-window"),
                Field::SyncWindow,
                &form.sync_window,
                String::new(),
            ));
        }
        Protocol::Pop3 => {
            let check = |label: String, on: bool, edit: fn(bool) -> Edit| {
                row![
                    space().width(LABEL + 8.0),
                    toggler(on)
                        .size(18)
                        .on_toggle(move |v| Message::Form(edit(v))),
                    button(text(label).size(BODY))
                        .style(button::text)
                        .padding([2, 4])
                        .on_press(Message::Form(edit(!on))),
                ]
                .spacing(8)
                .align_y(Alignment::Center)
            };
            col = col
                .push(check(
                    t("form-leave-on-server"),
                    form.leave_on_server,
                    Edit::LeaveOnServer,
                ))
                .push(field(
                    ctx,
                    form,
                    t("form-keep-days"),
                    Field::KeepDays,
                    &form.keep_days,
                    String::new(),
                ))
                .push(check(
                    t("form-delete-when-deleted"),
                    form.delete_when_deleted_locally,
                    Edit::DeleteWhenDeletedLocally,
                ))
                .push(field(
                    ctx,
                    form,
                    t("form-poll-minutes"),
                    Field::PollMinutes,
                    &form.poll_minutes,
                    String::new(),
                ));
        }
        Protocol::Smtp => {}
    }
    col.into()
}

fn account_page<'a>(s: &'a State, ctx: Ctx<'a>, form: &'a AccountForm) -> Element<'a, Message> {
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let title = if form.id == 0 {
        t("ui-add-account")
    } else {
        form.address.clone()
    };
    let boxed = |content: Element<'a, Message>| {
        container(content)
            .padding(14)
            .width(Length::Fill)
            .style(container::bordered_box)
    };
    let mut col = Column::new()
        .spacing(14)
        .push(text(title).size(20).font(BOLD))
        .push(boxed(
            column![
                field(
                    ctx,
                    form,
                    t("form-name"),
                    Field::Name,
                    &form.name,
                    String::new()
                ),
                field(
                    ctx,
                    form,
                    t("form-address"),
                    Field::Address,
                    &form.address,
                    "name@example.com".into()
                ),
            ]
            .spacing(10)
            .into(),
        ));
    if let Some(key) = form.problem(Field::Name) {
        col = col.push(text(t(key)).size(SMALL).style(|theme: &Theme| text::Style {
            color: Some(theme.palette().danger),
        }));
    }
    for p in [Protocol::Imap, Protocol::Pop3, Protocol::Smtp] {
        col = col.push(boxed(protocol_section(ctx, form, p)));
    }
    if let Some(roles) = roles_section(ctx, form.id) {
        col = col.push(boxed(roles));
    }
    let valid = form.problems().is_empty();
    let mut actions = row![
        button(text(t("form-save")).size(BODY))
            .padding([6, 16])
            .style(button::primary)
            .on_press_maybe((valid && !s.check.saving).then_some(Message::SaveForm)),
        button(
            text(if s.check.testing {
                t("form-testing")
            } else {
                t("form-test")
            })
            .size(BODY)
        )
        .padding([6, 16])
        .style(button::secondary)
        .on_press_maybe((valid && !s.check.testing).then_some(Message::TestForm)),
        space().width(Length::Fill),
    ]
    .spacing(8);
    if form.id != 0 {
        actions = actions.push(
            button(text(t("form-remove")).size(BODY))
                .padding([6, 16])
                .style(button::danger)
                .on_press(Message::AskRemove),
        );
    }
    col = col.push(actions);
    if !valid {
        col = col.push(text(t("form-fix-first")).size(SMALL).style(text::secondary));
    }
    if s.confirm_remove {
        col = col.push(boxed(
            column![
                text(ctx.i18n.t("form-remove-ask", &[("address", &form.address)])).size(BODY),
                row![
                    button(text(t("form-remove-keep")).size(BODY))
                        .padding([6, 12])
                        .style(button::secondary)
                        .on_press(Message::RemoveAccount { keep_mirror: true }),
                    button(text(t("form-remove-all")).size(BODY))
                        .padding([6, 12])
                        .style(button::danger)
                        .on_press(Message::RemoveAccount { keep_mirror: false }),
                    button(text(t("form-cancel")).size(BODY))
                        .padding([6, 12])
                        .style(button::text)
                        .on_press(Message::CancelRemove),
                ]
                .spacing(8),
            ]
            .spacing(10)
            .into(),
        ));
    }
    if let Some(report) = &s.check.report {
        col = col.push(boxed(doctor_report(
            ctx.i18n,
            &s.check,
            report,
            Message::Trust,
        )));
    }
    col.into()
}

/// A choice in a role's folder list: one of the account's server folders, or "automatic".
#[derive(Debug, Clone, PartialEq, Eq)]
struct RoleChoice {
    folder: Option<i64>,
    label: String,
}

impl std::fmt::Display for RoleChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label)
    }
}

/// Which server folder is Sent, Drafts, Trash, Junk and Archive, each changeable: servers
/// without SPECIAL-USE (or with a wrong one) leave it to names, and names can guess wrong.
fn roles_section(ctx: Ctx<'_>, account: i64) -> Option<Element<'_, Message>> {
    use crate::store::folders::{Origin, Role};
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let (_, folders) = ctx.tree.accounts.iter().find(|(a, _)| a.id == account)?;
    let server: Vec<_> = folders
        .iter()
        .filter(|f| f.source == Origin::Imap && f.selectable && f.role != Role::Inbox)
        .collect();
    if server.is_empty() {
        return None;
    }
    let automatic = RoleChoice {
        folder: None,
        label: t("form-role-automatic"),
    };
    let mut choices = vec![automatic];
    choices.extend(server.iter().map(|f| RoleChoice {
        folder: Some(f.id),
        label: f.name.clone(),
    }));
    let mut col = Column::new()
        .spacing(8)
        .push(text(t("form-roles")).size(BODY).font(BOLD))
        .push(
            text(t("form-roles-help"))
                .size(SMALL)
                .style(text::secondary),
        );
    for (role, key) in [
        (Role::Sent, "ui-role-sent"),
        (Role::Drafts, "ui-role-drafts"),
        (Role::Trash, "ui-role-trash"),
        (Role::Junk, "ui-role-junk"),
        (Role::Archive, "ui-role-archive"),
    ] {
        let holder = server.iter().find(|f| f.role == role).map(|f| RoleChoice {
            folder: Some(f.id),
            label: f.name.clone(),
        });
        col = col.push(
            row![
                text(t(key)).size(BODY).width(LABEL),
                pick_list(choices.clone(), holder, move |c: RoleChoice| {
                    Message::ChooseFolderRole(account, role, c.folder)
                })
                .placeholder(t("form-role-none"))
                .text_size(BODY)
                .width(Length::Fill),
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
    }
    Some(col.into())
}
