//! Widgets more than one screen draws.

use iced::widget::{Column, button, container, row, text};
use iced::{Element, Length, Theme};

use super::fonts::{self, BOLD, icon};
use super::form_check::FormCheck;
use crate::accounts::doctor::{ProtocolReport, Report};
use crate::engine::Protocol;
use crate::i18n::I18n;

const SMALL: f32 = 12.0;
const BODY: f32 = 14.0;

/// The style of a side column (the folder pane, Settings' page list): a shade off the page.
pub fn sidebar(theme: &Theme) -> container::Style {
    container::Style {
        background: Some(theme.extended_palette().background.weak.color.into()),
        ..container::Style::default()
    }
}

/// One of the icon font's glyphs as text.
pub fn glyph<'a>(c: char, size: f32) -> iced::widget::Text<'a> {
    text(c.to_string()).font(fonts::ICONS).size(size)
}

/// A toolbar button's face: an icon, found at a glance, and a word that says it in any
/// language.
pub fn icon_label<'a, M: 'a>(c: char, label: String) -> iced::widget::Row<'a, M> {
    row![
        glyph(c, SMALL),
        text(label).size(SMALL).wrapping(text::Wrapping::None)
    ]
    .spacing(6)
    .align_y(iced::Alignment::Center)
}

/// The doctor's report: each protocol, each step with a tick or a cross, and the fix.
pub fn doctor_report<'a, M: Clone + 'a>(
    i18n: &'a I18n,
    check: &'a FormCheck,
    report: &'a Report,
    trust: fn(String, u16, Vec<u8>) -> M,
) -> Element<'a, M> {
    let t = |id: &str| i18n.t(id, &[]);
    let mut col = Column::new().spacing(6).push(
        text(if report.ok() {
            t("doctor-all-ok")
        } else {
            t("doctor-some-failed")
        })
        .size(BODY)
        .font(BOLD),
    );
    for p in &report.protocols {
        col = col.push(protocol_report(i18n, check, p, trust));
    }
    col.into()
}

fn protocol_report<'a, M: Clone + 'a>(
    i18n: &'a I18n,
    check: &'a FormCheck,
    p: &'a ProtocolReport,
    trust: fn(String, u16, Vec<u8>) -> M,
) -> Element<'a, M> {
    let name = match p.protocol {
        Protocol::Imap => "IMAP",
        Protocol::Pop3 => "POP3",
        Protocol::Smtp => "SMTP",
    };
    let mut col = Column::new().spacing(4).push(
        text(format!("{name}  {}:{}", p.host, p.port))
            .size(BODY)
            .font(BOLD),
    );
    for s in &p.steps {
        let (mark, good) = if s.ok {
            ('\u{f00c}', true)
        } else {
            ('\u{f00d}', false)
        };
        col = col.push(
            row![
                text(mark.to_string())
                    .font(fonts::ICONS)
                    .size(SMALL)
                    .width(16)
                    .style(move |theme: &Theme| text::Style {
                        color: Some(if good {
                            theme.palette().success
                        } else {
                            theme.palette().danger
                        }),
                    }),
                text(s.step.name(i18n)).size(SMALL).width(120),
                text(format!("{} ms", s.elapsed.as_millis()))
                    .size(SMALL)
                    .width(70)
                    .style(text::secondary),
                text(s.detail.clone()).size(SMALL).style(text::secondary),
            ]
            .spacing(6),
        );
        if let Some(hint) = &s.hint {
            col = col.push(
                container(
                    row![
                        text(icon::JUNK.to_string()).font(fonts::ICONS).size(SMALL),
                        text(hint.text(i18n, &p.host, p.port, &s.detail)).size(SMALL),
                    ]
                    .spacing(8),
                )
                .padding(8)
                .width(Length::Fill)
                .style(container::rounded_box),
            );
            if let crate::accounts::doctor::Hint::CertificateNotTrusted(c) = hint {
                let trusted = check.trusts(&p.host, p.port, &c.der);
                col = col.push(
                    button(text(i18n.t("setup-trust", &[])).size(SMALL))
                        .padding([4, 10])
                        .style(button::secondary)
                        .on_press_maybe(
                            (!trusted).then(|| trust(p.host.clone(), p.port, c.der.clone())),
                        ),
                );
            }
        }
    }
    col.into()
}
