//! Drawing the account setup: the address step with the provider's hint, the settings found
//! with a switch per protocol, the doctor's steps as they finish, and save.

use iced::widget::{Column, button, column, container, row, space, text, text_input, toggler};
use iced::{Alignment, Element, Length, Theme};

use super::{Message, Stage, State};
use crate::accounts::providers::PasswordKind;
use crate::engine::Protocol;
use crate::i18n::I18n;
use crate::launch::Launch;
use crate::store::accounts::Security;
use crate::ui::fonts::{self, BOLD, icon};
use crate::ui::form_check::FormCheck;
use crate::ui::screen::Ctx;
use crate::ui::widget::{doctor_report, glyph};

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;
const LABEL: f32 = 170.0;

/// What a mail link handed over before any account existed waits for, in words: it opens in
/// the composer once this account is saved.
pub fn waiting_note(i18n: &I18n, launch: Option<&Launch>) -> Option<String> {
    let Some(Launch::Mailto(url)) = launch else {
        return None;
    };
    let to = crate::launch::mailto::parse(url)
        .ok()
        .map(|link| {
            crate::mime::compose::parse_addresses("To", &link.to)
                .map(|list| {
                    list.iter()
                        .take(3)
                        .map(|m| {
                            m.name
                                .clone()
                                .filter(|n| !n.trim().is_empty())
                                .unwrap_or_else(|| m.email.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or(link.to)
        })
        .unwrap_or_default();
    Some(if to.trim().is_empty() {
        i18n.t("setup-waiting-message", &[])
    } else {
        i18n.t("setup-waiting-mailto", &[("to", &to)])
    })
}

/// The setup screen.
pub fn view<'a>(s: &'a State, ctx: Ctx<'a>, waiting: Option<String>) -> Element<'a, Message> {
    let t = |id: &str| ctx.i18n.t(id, &[]);
    let mut col = Column::new()
        .spacing(16)
        .max_width(760)
        .push(text(t("setup-title")).size(24).font(BOLD))
        .push(text(t("setup-intro")).size(BODY).style(text::secondary));
    if let Some(note) = waiting {
        col = col.push(
            row![
                glyph(icon::ENVELOPE, BODY),
                text(note).size(BODY).font(BOLD)
            ]
            .spacing(8)
            .align_y(Alignment::Center),
        );
    }
    let input = |label: String, id: &'static str, value: &'a str, on: fn(String) -> Message| {
        row![
            text(label).size(BODY).width(LABEL),
            text_input("", value)
                .id(id)
                .size(BODY)
                .padding([7, 10])
                .secure(id == "password-input")
                .on_input(on)
                .on_submit(Message::Continue),
        ]
        .spacing(10)
        .align_y(Alignment::Center)
    };
    let editing = s.stage == Stage::Address;
    if editing {
        col = col
            .push(input(t("form-name"), "name-input", &s.name, Message::Name))
            .push(input(
                t("form-address"),
                "address-input",
                &s.address,
                Message::Address,
            ))
            .push(input(
                t("setup-password"),
                "password-input",
                &s.password,
                Message::Password,
            ));
    } else {
        col = col.push(
            text(format!("{}  <{}>", s.name, s.address))
                .size(BODY)
                .font(BOLD),
        );
    }
    if let Some(p) = s.provider() {
        col = col.push(provider_hint(ctx, &p));
    }
    let mut actions = row![].spacing(8).align_y(Alignment::Center);
    match s.stage {
        Stage::Address => {
            actions = actions.push(
                button(text(t("setup-continue")).size(BODY))
                    .padding([7, 18])
                    .style(button::primary)
                    .on_press_maybe(
                        (s.address_ok() && !s.password.is_empty()).then_some(Message::Continue),
                    ),
            );
        }
        Stage::Looking => {
            col = col.push(text(t("setup-looking")).size(BODY));
        }
        Stage::Review => {
            if s.error.is_some() {
                col = col.push(
                    text(
                        ctx.i18n
                            .t("setup-not-found", &[("address", s.address.trim())]),
                    )
                    .size(BODY)
                    .style(|theme: &Theme| text::Style {
                        color: Some(theme.palette().warning),
                    }),
                );
            } else {
                col = col.push(found(ctx, s));
            }
            if !s.unverified_hosts.is_empty() {
                col = col.push(unverified(ctx, s));
            }
            col = col.push(progress(ctx, &s.check));
            if let Some(r) = &s.check.report {
                col = col.push(
                    container(doctor_report(ctx.i18n, &s.check, r, Message::Trust))
                        .padding(14)
                        .width(Length::Fill)
                        .style(container::bordered_box),
                );
            }
            let passed = s.check.passed();
            if s.error.is_none() {
                actions = actions
                    .push(
                        button(text(t("form-save")).size(BODY))
                            .padding([7, 18])
                            .style(button::primary)
                            .on_press_maybe((passed && !s.check.saving).then_some(Message::Save)),
                    )
                    .push(
                        button(
                            text(if s.check.testing {
                                t("form-testing")
                            } else {
                                t("setup-test-again")
                            })
                            .size(BODY),
                        )
                        .padding([7, 14])
                        .style(button::secondary)
                        .on_press_maybe(
                            (!s.check.testing && s.unverified_hosts.is_empty())
                                .then_some(Message::Test),
                        ),
                    );
            }
            actions = actions.push(
                button(text(t("setup-back")).size(BODY))
                    .padding([7, 14])
                    .style(button::text)
                    .on_press(Message::Back),
            );
        }
    }
    actions = actions.push(space().width(Length::Fill)).push(
        button(text(t("setup-manual")).size(BODY))
            .padding([7, 14])
            .style(button::secondary)
            .on_press(Message::Manual),
    );
    if !ctx.tree.accounts.is_empty() {
        actions = actions.push(
            button(text(t("form-cancel")).size(BODY))
                .padding([7, 14])
                .style(button::text)
                .on_press(Message::Cancel),
        );
    }
    col = col.push(actions);
    iced::widget::scrollable(
        container(col)
            .padding(28)
            .width(Length::Fill)
            .center_x(Length::Fill),
    )
    .height(Length::Fill)
    .into()
}

/// Servers DNS named outside the address's domain: shown, and used only once accepted.
fn unverified<'a>(ctx: Ctx<'a>, s: &'a State) -> Element<'a, Message> {
    let domain = s
        .address
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or_default();
    let hosts = s.unverified_hosts.join(", ");
    container(
        column![
            text(ctx.i18n.t(
                "setup-unverified-hosts",
                &[("domain", domain), ("hosts", &hosts)]
            ))
            .size(BODY)
            .style(|theme: &Theme| text::Style {
                color: Some(theme.palette().warning),
            }),
            row![
                button(text(ctx.i18n.t("setup-accept-hosts", &[])).size(BODY))
                    .padding([7, 14])
                    .style(button::secondary)
                    .on_press(Message::AcceptHosts),
            ]
        ]
        .spacing(10),
    )
    .padding(14)
    .width(Length::Fill)
    .style(container::bordered_box)
    .into()
}

/// What the provider data says to do before a mail client can log in, with a link.
fn provider_hint<'a>(
    ctx: Ctx<'a>,
    p: &crate::accounts::providers::Provider,
) -> Element<'a, Message> {
    let hint = p.hint(ctx.i18n.locale()).to_owned();
    let kind = match p.password {
        PasswordKind::AuthorizationCode => ctx.i18n.t("setup-needs-code", &[("provider", &p.name)]),
        PasswordKind::AppPassword => ctx
            .i18n
            .t("setup-needs-app-password", &[("provider", &p.name)]),
        PasswordKind::Account => String::new(),
    };
    let mut col = Column::new().spacing(6);
    if !kind.is_empty() {
        col = col.push(text(kind).size(BODY).font(BOLD));
    }
    if !hint.is_empty() {
        col = col.push(text(hint).size(BODY));
    }
    if !p.help_url.is_empty() {
        col = col.push(
            button(text(ctx.i18n.t("setup-help", &[("provider", &p.name)])).size(SMALL))
                .padding([4, 10])
                .style(button::secondary)
                .on_press(Message::Help(p.help_url.clone())),
        );
    }
    container(
        row![
            text(icon::JUNK.to_string()).font(fonts::ICONS).size(BODY),
            col
        ]
        .spacing(10),
    )
    .padding(12)
    .width(Length::Fill)
    .style(|theme: &Theme| container::Style {
        background: Some(theme.extended_palette().warning.weak.color.into()),
        text_color: Some(theme.extended_palette().warning.weak.text),
        border: iced::Border {
            radius: 6.0.into(),
            ..iced::Border::default()
        },
        ..container::Style::default()
    })
    .into()
}

/// The settings found: where from, and each protocol with its switch.
fn found<'a>(ctx: Ctx<'a>, s: &'a State) -> Element<'a, Message> {
    let Some(form) = &s.form else {
        return space().into();
    };
    let t = |id: &str| ctx.i18n.t(id, &[]);
    use crate::accounts::autoconfig::Source;
    let source = match &s.source {
        Some(Source::BuiltIn(id)) | Some(Source::Mx(id)) => {
            let name = s.provider().map(|p| p.name).unwrap_or_else(|| id.clone());
            ctx.i18n.t("setup-source-provider", &[("provider", &name)])
        }
        Some(Source::DomainConfig(url)) => ctx.i18n.t("setup-source-domain", &[("url", url)]),
        Some(Source::Srv) => t("setup-source-srv"),
        Some(Source::Probe) | None => t("setup-source-probe"),
    };
    let mut col = Column::new().spacing(10).push(text(source).size(BODY));
    for (p, key) in [
        (Protocol::Imap, "ui-protocol-imap"),
        (Protocol::Pop3, "ui-protocol-pop3"),
        (Protocol::Smtp, "ui-protocol-smtp"),
    ] {
        let server = form.server(p);
        let security = match server.security {
            Security::Tls => "SSL/TLS",
            Security::StartTls => "STARTTLS",
            Security::Plain => "—",
        };
        let detail = if server.host.is_empty() {
            t("setup-not-offered")
        } else {
            format!("{}:{}  {security}", server.host, server.port)
        };
        col = col.push(
            row![
                toggler(server.enabled).size(20).on_toggle_maybe(
                    (!server.host.is_empty()).then_some(move |on| Message::Switch(p, on))
                ),
                text(t(key)).size(BODY).width(Length::Fill),
                text(detail).size(SMALL).style(text::secondary),
            ]
            .spacing(12)
            .align_y(Alignment::Center),
        );
    }
    container(col)
        .padding(14)
        .width(Length::Fill)
        .style(container::bordered_box)
        .into()
}

/// The doctor's steps as they finish, while it runs.
fn progress<'a>(ctx: Ctx<'a>, check: &'a FormCheck) -> Element<'a, Message> {
    if !check.testing {
        return space().into();
    }
    let mut col = Column::new()
        .spacing(4)
        .push(text(ctx.i18n.t("form-testing", &[])).size(BODY).font(BOLD));
    for (p, step) in &check.steps {
        let name = match p {
            Protocol::Imap => "IMAP",
            Protocol::Pop3 => "POP3",
            Protocol::Smtp => "SMTP",
        };
        let mark = if step.ok { '\u{f00c}' } else { '\u{f00d}' };
        col = col.push(
            row![
                text(mark.to_string())
                    .font(fonts::ICONS)
                    .size(SMALL)
                    .width(16),
                text(name).size(SMALL).width(50),
                text(step.step.name(ctx.i18n)).size(SMALL),
            ]
            .spacing(6),
        );
    }
    column![col].into()
}
