//! Attachments in a reader: saved into Downloads under a safe name, or opened with the
//! desktop's program (asking first for programs and scripts), for a mirrored message or a
//! message file alike. The screen showing the message runs what this answers.

use std::path::{Path, PathBuf};

use iced::Task;

use super::data::{self, Shown};
use super::failure::{Failure, Kind};
use super::reader::Event;
use crate::mime::attachments;
use crate::mime::model::DisplayMessage;

/// What an attachment button asks of the screen.
pub enum Outcome {
    /// Nothing to run.
    None,
    /// Saving runs; it answers with where the file went.
    Saving(Task<Result<PathBuf, Failure>>),
    /// Opening runs; it answers with the copy handed to the desktop.
    Opening(Task<Result<PathBuf, Failure>>),
    /// It cannot be done.
    Failed(Failure),
}

/// Where attachments come from and go.
#[derive(Clone, Copy)]
pub struct Places<'a> {
    /// The store (a mirrored message's bytes).
    pub db: &'a Path,
    /// Where attachments are saved.
    pub downloads: &'a Path,
    /// Where attachments opened with another application are put (None: no home).
    pub open_dir: Option<&'a Path>,
}

/// Handles the reader's attachment `event` for `model`, read from `source`; `confirm` is the
/// attachment waiting for the user's word before it opens.
pub fn on_event(
    event: &Event,
    model: &DisplayMessage,
    source: Shown,
    confirm: &mut Option<u32>,
    places: Places<'_>,
) -> Outcome {
    let name = |part: u32| {
        model
            .attachments
            .iter()
            .find(|a| a.part == part)
            .map(|a| a.name.clone())
            .unwrap_or_default()
    };
    match *event {
        Event::SaveAttachment(part) => {
            let folder = places.downloads.to_path_buf();
            let name = name(part);
            Outcome::Saving(run(places.db, move |db| {
                data::save_attachment(db, &source, part, &name, &folder)
            }))
        }
        Event::OpenAttachment(part)
            if attachments::is_risky(&name(part), attachments::Os::current()) =>
        {
            // Programs and scripts run when opened: the user decides, knowing that.
            *confirm = Some(part);
            Outcome::None
        }
        Event::OpenAttachment(part) | Event::OpenRiskyAttachment(part) => {
            *confirm = None;
            let name = name(part);
            let Some(cache) = places.open_dir.map(PathBuf::from) else {
                return Outcome::Failed(Failure::new(Kind::NoCacheDir, name));
            };
            Outcome::Opening(run(places.db, move |db| {
                data::open_attachment(db, &source, part, &name, &cache)
            }))
        }
        Event::CancelOpen => {
            *confirm = None;
            Outcome::None
        }
        Event::AllowRemoteOnce | Event::AllowRemoteSender | Event::ShowQuotes => Outcome::None,
    }
}

/// Runs `job` off the UI thread with the store's path.
fn run(
    db: &Path,
    job: impl FnOnce(&Path) -> Result<PathBuf, Failure> + Send + 'static,
) -> Task<Result<PathBuf, Failure>> {
    let db = db.to_path_buf();
    Task::perform(
        async move { tokio::task::spawn_blocking(move || job(&db)).await? },
        |r| r,
    )
}

/// The status bar's words for a saved attachment.
pub fn saved(i18n: &crate::i18n::I18n, path: &Path) -> String {
    i18n.t("ui-saved", &[("path", &path.display().to_string())])
}
