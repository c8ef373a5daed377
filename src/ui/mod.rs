//! The window (iced only here). It reads the store read-only and reaches the engine only
//! through commands and events.

pub mod app;
pub mod data;
pub mod engine_link;
pub mod view;

use std::path::PathBuf;

/// Opens the main window over the store at `db`.
pub fn run(db: PathBuf) -> iced::Result {
    let i18n = crate::i18n::I18n::from_env();
    iced::application(
        move || app::App::new(db.clone(), crate::i18n::I18n::new(i18n.locale()), true),
        app::App::update,
        view::view,
    )
    .title(app::App::title)
    .subscription(app::App::subscription)
    .theme(app::App::theme)
    .window_size((1200.0, 760.0))
    .run()
}
