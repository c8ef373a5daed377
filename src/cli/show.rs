//! `tidings show`: a message as the reader shows it, in text.

use super::error::{CliError, Kind};
use std::path::PathBuf;

use super::terminal;

use clap::Args;

use crate::mime::{attachments, body, text};
use crate::store::{Store, bodies};

/// Options of `tidings show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// An .eml file to show.
    file: Option<PathBuf>,
    /// A mirrored message, by its id (from `tidings list --json`).
    #[arg(long, conflicts_with = "file")]
    message: Option<i64>,
    /// Load nothing remote; this only changes the count shown, as text never loads anything.
    #[arg(long)]
    allow_remote: bool,
    /// Save every attachment into this folder (never overwriting).
    #[arg(long)]
    save_attachments: Option<PathBuf>,
}

impl ShowArgs {
    /// Showing one file with default options.
    pub fn for_file(file: PathBuf) -> ShowArgs {
        ShowArgs {
            file: Some(file),
            message: None,
            allow_remote: false,
            save_attachments: None,
        }
    }
}

/// Prints the message.
pub fn run(store: &Store, args: ShowArgs) -> Result<(), CliError> {
    let raw = match (&args.file, args.message) {
        (Some(file), _) => std::fs::read(file)
            .map_err(|e| CliError::new(Kind::Io, format!("cannot read {}: {e}", file.display())))?,
        (None, Some(id)) => bodies::get(&store.reader()?, id)?.ok_or_else(|| {
            CliError::new(
                Kind::NotFound,
                format!("message {id} has no downloaded body yet"),
            )
        })?,
        (None, None) => {
            return Err(CliError::new(
                Kind::Usage,
                "give an .eml file or --message ID",
            ));
        }
    };
    let model = body::display(
        &raw,
        body::Options {
            allow_remote: args.allow_remote,
        },
    );
    let i18n = crate::i18n::I18n::from_env();
    print!(
        "{}",
        terminal::clean(&text::render(&model, i18n.locale(), text::Zone::Local))
    );
    if let Some(folder) = &args.save_attachments {
        std::fs::create_dir_all(folder).map_err(|e| {
            CliError::new(Kind::Io, format!("cannot create {}: {e}", folder.display()))
        })?;
        for a in &model.attachments {
            let data = body::attachment_bytes(&raw, a.part).ok_or_else(|| {
                CliError::new(Kind::NotFound, format!("cannot read attachment {}", a.name))
            })?;
            let path = attachments::save(folder, &a.name, &data)
                .map_err(|e| CliError::new(Kind::Io, format!("cannot save {}: {e}", a.name)))?;
            terminal::say!("Saved: {}", path.display());
        }
    }
    Ok(())
}
