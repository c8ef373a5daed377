//! Asking for the passwords accounts need: a banner above the screen when an account has none
//! stored ("ask each start") or the server refused the stored one. One password goes to every
//! protocol the account uses, as providers issue them; "Later" stops asking this run.

use std::collections::HashSet;

use iced::widget::{button, container, row, text, text_input};
use iced::{Alignment, Element, Length, Theme};

use super::data::Tree;
use super::fonts::icon;
use super::widget::glyph;
use crate::engine::{Command, Protocol};
use crate::i18n::I18n;

const BODY: f32 = 14.0;

/// The password field's widget id.
pub const FIELD: &str = "prompt-password";

/// Asking for an account's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPrompt {
    /// The account.
    pub account: i64,
    /// Its address, for the question.
    pub address: String,
    /// The server refused the stored password (otherwise none was known).
    pub refused: bool,
    /// What the user typed so far.
    pub typed: String,
}

/// The prompts: the one shown, and the ones the user put off.
#[derive(Debug, Default)]
pub struct Prompts {
    /// The password prompt, when an account needs one.
    pub shown: Option<PasswordPrompt>,
    /// Accounts whose prompt the user dismissed this run.
    pub dismissed: HashSet<i64>,
    /// A password asked for before the account list was read: (account, refused).
    pub waiting: Option<(i64, bool)>,
}

/// What happens in the prompt.
#[derive(Debug, Clone)]
pub enum Message {
    /// Typing.
    Input(String),
    /// Use the typed password.
    Submit,
    /// Not now.
    Dismiss,
}

impl Prompts {
    /// Asks for `account`'s password, unless one is asked already or the user said "later";
    /// asked before the account list was read, it waits for it. True when it shows now.
    pub fn ask(&mut self, account: i64, refused: bool, tree: &Tree) -> bool {
        if self.shown.is_some() || self.dismissed.contains(&account) {
            return false;
        }
        let address = tree
            .accounts
            .iter()
            .find(|(a, _)| a.id == account)
            .map(|(a, _)| a.address.clone());
        let Some(address) = address else {
            self.waiting = Some((account, refused));
            return false;
        };
        tracing::info!(target: "tidings::ui", "asking for the password of {address}");
        self.shown = Some(PasswordPrompt {
            account,
            address,
            refused,
            typed: String::new(),
        });
        true
    }

    /// Handles the prompt's message; a submitted password comes back as the engine's command
    /// (the typed copy is wiped).
    pub fn update(&mut self, msg: Message, tree: &Tree) -> Option<Command> {
        match msg {
            Message::Input(typed) => {
                if let Some(p) = &mut self.shown {
                    p.typed = typed;
                }
                None
            }
            Message::Submit => {
                let mut prompt = self.shown.take()?;
                if prompt.typed.is_empty() {
                    self.shown = Some(prompt);
                    return None;
                }
                // One password for every protocol the account uses, as providers issue them.
                let passwords = tree
                    .accounts
                    .iter()
                    .find(|(a, _)| a.id == prompt.account)
                    .map(|(a, _)| {
                        [
                            (Protocol::Imap, a.imap.enabled),
                            (Protocol::Pop3, a.pop3.enabled),
                            (Protocol::Smtp, a.smtp.enabled),
                        ]
                        .into_iter()
                        .filter(|(_, on)| *on)
                        .map(|(p, _)| (p, prompt.typed.clone()))
                        .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                super::account_form::wipe(&mut prompt.typed);
                Some(Command::ProvidePassword {
                    account: prompt.account,
                    passwords: passwords.into(),
                })
            }
            Message::Dismiss => {
                if let Some(p) = self.shown.take() {
                    self.dismissed.insert(p.account);
                }
                None
            }
        }
    }
}

/// The banner asking for a password the engine needs.
pub fn view<'a>(i18n: &I18n, p: &'a PasswordPrompt) -> Element<'a, Message> {
    let t = |id: &str| i18n.t(id, &[]);
    let question = i18n.t(
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
                .id(FIELD)
                .secure(true)
                .size(BODY)
                .padding([5, 8])
                .width(260)
                .on_input(Message::Input)
                .on_submit(Message::Submit),
            button(text(t("ui-password-use")).size(BODY))
                .padding([5, 12])
                .style(button::primary)
                .on_press(Message::Submit),
            button(text(t("ui-later")).size(BODY))
                .padding([5, 12])
                .style(button::text)
                .on_press(Message::Dismiss),
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
