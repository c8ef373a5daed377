//! What the window does with the engine's events: states, progress, changed mail, reports,
//! saved drafts and accounts, new-mail notifications.

use iced::Task;

use super::app::{App, Message, ctx};
use super::data;
use super::engine_link::Link;
use super::screen::compose::Writing;
use super::screen::mail::{self, search};
use crate::engine::{ErrorKind, Event};

impl App {
    /// The form check the doctor's answers belong to: the setup's while it runs, else
    /// Settings'.
    fn form_check(&mut self) -> &mut super::form_check::FormCheck {
        match &mut self.setup {
            Some(setup) => &mut setup.check,
            None => &mut self.settings.check,
        }
    }

    /// Handles one thing the engine said.
    pub(super) fn on_engine(&mut self, link: Link) -> Task<Message> {
        match link {
            Link::Ready(handle) => {
                self.sync.engine = Some(handle);
                Task::none()
            }
            Link::Failed(e) => {
                self.status.last_error = Some(e);
                Task::none()
            }
            Link::Event(event) => self.on_event(event),
        }
    }

    fn on_event(&mut self, event: Event) -> Task<Message> {
        self.sync.note(&event);
        match event {
            Event::AccountState { .. } | Event::SyncProgress { .. } | Event::Indexing { .. } => {
                Task::none()
            }
            Event::SyncDone { .. } => self.load_tree(),
            Event::FoldersChanged { .. } | Event::AccountChanged { .. } => self.load_tree(),
            Event::MessagesChanged { folder, ids } => {
                self.on_mail(mail::Message::Changed { folder, ids })
            }
            Event::ServerSearchDone {
                request,
                hits,
                failures,
            } => self.on_mail(mail::Message::Search(search::Message::ServerDone(
                request, hits, failures,
            ))),
            Event::Error {
                account,
                kind,
                message,
            } => {
                self.status.last_error = Some(if kind == ErrorKind::DiskFull {
                    self.i18n.t("ui-disk-full", &[])
                } else {
                    message
                });
                self.status.error_account = Some(account).filter(|a| *a != 0);
                let asks = matches!(kind, ErrorKind::NoPassword | ErrorKind::AuthFailed);
                if asks {
                    return self.ask_password(account, kind == ErrorKind::AuthFailed);
                }
                Task::none()
            }
            Event::NewMail { messages, .. } if self.prefs.notifications => Task::perform(
                data::off_thread(self.paths.db.clone(), move |p| {
                    data::envelopes(p, &messages)
                }),
                Message::NewMailLoaded,
            ),
            Event::RemoteImage {
                message,
                url,
                result,
            } => match result {
                Ok(bytes) => self.on_mail(mail::Message::RemoteImage {
                    message,
                    url,
                    image: iced::widget::image::Handle::from_bytes(bytes),
                }),
                // A missing image is shown by its alt text; no error for it.
                Err(e) => {
                    tracing::info!(target: "tidings::ui", "remote image: {e}");
                    Task::none()
                }
            },
            Event::DoctorStep { protocol, step } => {
                self.form_check().step(protocol, step);
                Task::none()
            }
            Event::AutoconfigFound { address, result } => self.autoconfig_found(&address, result),
            Event::ConnectionReport(report) => {
                self.form_check().finished(report);
                Task::none()
            }
            Event::DraftSaved { draft, message_id } => {
                let quitting = self.desktop.quitting;
                let action = self
                    .writing
                    .draft_saved(draft, &message_id, quitting, ctx!(self));
                self.writing_action(action)
            }
            Event::OutboxChanged { .. } => self.writing_action(Writing::read_outbox(ctx!(self))),
            Event::SendResult { outcome, .. } => {
                // "Sending…" follows the outbox: "Sent" for a moment, or the failure with
                // Edit and Retry (from the outbox read).
                let shown = match outcome {
                    crate::engine::outbox::SendOutcome::Sent => {
                        self.flash(self.i18n.t("compose-sent", &[]))
                    }
                    _ => {
                        self.status.notice = None;
                        Task::none()
                    }
                };
                Task::batch([self.writing_action(Writing::read_outbox(ctx!(self))), shown])
            }
            Event::AccountSaved { account } => {
                self.setup_saved();
                self.settings.saved(account);
                self.status.notice = Some(self.i18n.t("form-saved", &[]));
                self.load_tree()
            }
            Event::AccountRemoved { account } => {
                self.settings.removed(account);
                let forget = self.on_mail(mail::Message::AccountRemoved(account));
                Task::batch([forget, self.load_tree()])
            }
            _ => Task::none(),
        }
    }
}
