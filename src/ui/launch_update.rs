//! Acting on a launch's request: the window raised, a message file read into its own reader,
//! or a composer filled from a mailto: link (a link that cannot be read opens an empty composer
//! that says so; addresses that cannot be read stay typed in their field, with a note). A link
//! that arrives before any account exists waits until setup has made one. Also whether Tidings
//! is the desktop's default mail program, and making it so.

use iced::Task;

use super::app::{App, Message, Screen, ctx};
use super::composer::Composer;
use super::screen::compose::writing::default_sender;
use crate::launch::{Launch, mailto};
use crate::mime::compose;
use crate::store::drafts::Draft;

impl App {
    /// Acts on `launch` now, or keeps it until there is an account to write from.
    pub fn launch(&mut self, launch: Launch) -> Task<Message> {
        // Opened again if it was closed to the tray.
        let raise = self.desktop.show_window();
        match launch {
            Launch::Window => raise,
            // A file needs no account: it is read and shown at once.
            Launch::Eml(path) => Task::batch([raise, self.open_file(path)]),
            Launch::Mailto(url) => {
                let Some((account, sender)) = default_sender(&self.tree, self.mail.folder) else {
                    self.launch.pending = Some(Launch::Mailto(url));
                    return raise;
                };
                let composer = match mailto::parse(&url) {
                    Ok(link) => {
                        let mut c = Composer::open(draft_from(&link, account), Vec::new(), &sender);
                        // Addresses that are not addresses stay typed in their field, with
                        // a note, instead of vanishing.
                        let fields = [&link.to, &link.cc, &link.bcc];
                        for (typed, text) in c.typing.iter_mut().zip(fields) {
                            if !text.is_empty() && compose::parse_addresses("To", text).is_err() {
                                *typed = text.clone();
                                c.error = Some(self.i18n.t("launch-mailto-bad-address", &[]));
                            }
                        }
                        c
                    }
                    Err(_) => {
                        let mut c = Composer::blank(account, &sender);
                        c.error = Some(self.i18n.t("launch-mailto-bad", &[]));
                        c
                    }
                };
                let start = self.writing.start(composer, ctx!(self));
                Task::batch([raise, self.writing_action(start)])
            }
        }
    }

    /// A click on a new-mail notice: the window raised, its folder and the message opened.
    pub(super) fn open_notified(&mut self, folder: i64, message: i64) -> Task<Message> {
        self.screen = Screen::Mail;
        let open = if self.mail.folder == Some(folder) {
            Task::none()
        } else {
            self.open_folder(folder)
        };
        let raise = self.launch(Launch::Window);
        let shown = self.on_mail(crate::ui::screen::mail::Message::OpenMessage(message));
        Task::batch([raise, open, shown])
    }

    /// The launch kept for later, once accounts exist (after setup, or at start).
    pub(super) fn launch_pending(&mut self) -> Task<Message> {
        let waits = !matches!(self.launch.pending, Some(Launch::Eml(_)));
        if waits && (self.tree.accounts.is_empty() || self.screen == Screen::Setup) {
            return Task::none();
        }
        match self.launch.pending.take() {
            Some(launch) => self.launch(launch),
            None => Task::none(),
        }
    }
}

/// A new message from `account` with the link's fields.
fn draft_from(link: &mailto::Mailto, account: i64) -> Draft {
    let mut draft = Draft::new(account);
    draft.to_addrs = link.to.clone();
    draft.cc_addrs = link.cc.clone();
    draft.bcc_addrs = link.bcc.clone();
    draft.subject = link.subject.clone();
    draft.body_text = link.body.clone();
    // Drafts keep Message-IDs bare, as replies made here do.
    let answered = link.in_reply_to.trim_matches(['<', '>']).to_owned();
    draft.in_reply_to = answered.clone();
    draft.refs = answered;
    draft
}
