//! Attachments in the reader: saved into Downloads under a safe name, or opened with the
//! desktop's program (asking first for programs and scripts), for a mirrored message or a
//! message file alike.

use std::path::PathBuf;

use iced::Task;

use super::app::{App, Message};
use super::data;
use crate::mime::attachments;

impl App {
    /// Save, open (asking first when risky), and their answers.
    pub(super) fn on_attachment(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::SaveAttachment(part) => {
                let folder = self.downloads.clone();
                self.with_attachment(part, Message::AttachmentSaved, move |db, source, name| {
                    data::save_attachment(db, source, part, name, &folder)
                })
            }
            Message::OpenAttachment(part) => {
                let risky = self
                    .shown_model()
                    .and_then(|m| m.attachments.iter().find(|a| a.part == part))
                    .is_some_and(|a| attachments::is_risky(&a.name, attachments::Os::current()));
                if risky {
                    // Programs and scripts run when opened: the user decides, knowing that.
                    self.mail.confirm_open = Some(part);
                    return Task::none();
                }
                self.on_attachment(Message::OpenRiskyAttachment(part))
            }
            Message::CancelOpen => {
                self.mail.confirm_open = None;
                Task::none()
            }
            Message::OpenRiskyAttachment(part) => {
                self.mail.confirm_open = None;
                let Some(cache) = self.open_dir.clone() else {
                    self.status.last_error = Some(self.i18n.t("ui-no-cache-dir", &[]));
                    return Task::none();
                };
                self.with_attachment(part, Message::AttachmentOpened, move |db, source, name| {
                    data::open_attachment(db, source, part, name, &cache)
                })
            }
            Message::AttachmentOpened(Ok(_)) => Task::none(),
            Message::AttachmentOpened(Err(e)) => self.failed(e),
            Message::AttachmentSaved(Ok(path)) => {
                self.status.notice = Some(
                    self.i18n
                        .t("ui-saved", &[("path", &path.display().to_string())]),
                );
                Task::none()
            }
            Message::AttachmentSaved(Err(e)) => self.failed(e),
            _ => Task::none(),
        }
    }

    /// Runs `job` off the UI thread on attachment `part` of the open message (by its name).
    fn with_attachment(
        &self,
        part: u32,
        done: fn(Result<PathBuf, super::failure::Failure>) -> Message,
        job: impl FnOnce(
            &std::path::Path,
            &data::Shown,
            &str,
        ) -> Result<PathBuf, super::failure::Failure>
        + Send
        + 'static,
    ) -> Task<Message> {
        let source = match (self.shown_file(), self.mail.message) {
            (Some(raw), _) => data::Shown::File(raw),
            (None, Some(id)) => data::Shown::Stored(id),
            (None, None) => return Task::none(),
        };
        let name = self
            .shown_model()
            .and_then(|m| m.attachments.iter().find(|a| a.part == part))
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let db = self.db.clone();
        Task::perform(
            async move { tokio::task::spawn_blocking(move || job(&db, &source, &name)).await? },
            done,
        )
    }
}
