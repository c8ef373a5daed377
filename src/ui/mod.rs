//! The window (iced only here). It reads the store read-only and reaches the engine only
//! through commands and events.

pub mod account_form;
pub mod app;
pub mod attachments;
pub mod avatar;
pub mod compose_data;
pub mod composer;
pub mod data;
pub mod desktop;
pub mod engine_link;
pub mod failure;
pub mod fonts;
pub mod form_check;
pub mod instance_link;
pub mod list;
pub mod message;
pub mod message_file;
pub mod notify;
pub mod prefs;
pub mod prompt;
pub mod reader;
pub mod screen;
pub mod search;
pub mod status;
pub mod subscription;
pub mod theme;
pub mod tray_link;
pub mod view;
pub mod widget;
pub mod window_settings;
pub mod window_state;

use std::path::PathBuf;

use iced::Task;

/// What repairing a damaged database did, in the user's language.
pub fn recovery_text(i18n: &crate::i18n::I18n, r: &crate::store::backup::Recovery) -> String {
    let damaged = r.damaged.display().to_string();
    match &r.restored_from {
        Some((_, at)) => {
            let date = chrono::DateTime::from_timestamp(*at as i64, 0)
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default();
            i18n.t("ui-db-restored", &[("damaged", &damaged), ("date", &date)])
        }
        None => i18n.t("ui-db-lost", &[("damaged", &damaged)]),
    }
}

/// Runs the window over the store at `db`; `repaired` tells what opening it repaired. With
/// `hidden` (a start at login) it starts in the tray, and opens the window only if no tray
/// shows up. The program runs until the user quits, or closes the window with no tray to keep
/// running in.
pub fn run(
    db: PathBuf,
    repaired: Option<crate::store::backup::Recovery>,
    launch: crate::launch::Launch,
    instance: crate::launch::instance::Primary,
    hidden: bool,
) -> iced::Result {
    let address = instance.address.clone();
    let prefs_file = prefs::file_for(db.parent().unwrap_or(std::path::Path::new(".")));
    let prefs = prefs::load(&prefs_file);
    let system = crate::i18n::I18n::from_env();
    let locale = if prefs.language.is_empty() {
        system.locale().to_owned()
    } else {
        prefs.language.clone()
    };
    let shown = std::sync::Mutex::new(String::new());
    let screen = std::sync::Mutex::new(None);
    // A daemon, not an application: closing the last window does not end the program, so
    // sync and notifications go on behind the tray.
    let result = iced::daemon(
        move || {
            let (mut app, task) = app::App::new(db.clone(), crate::i18n::I18n::new(&locale), true);
            app.mail.panes = app::panes_with(prefs.panes);
            app.prefs = prefs.clone();
            app.paths.prefs_file = Some(prefs_file.clone());
            app.settings.autostart_place = crate::launch::autostart::Place::user();
            // The database was damaged and rebuilt at start: the user hears it first.
            app.status.last_error = repaired.as_ref().map(|r| recovery_text(&app.i18n, r));
            app.desktop.instance = Some(address.clone());
            let system = iced::system::theme().map(app::Message::SystemTheme);
            let shown = if hidden {
                tracing::info!(target: "tidings::ui", "started in the tray");
                desktop::Desktop::wait_for_tray()
            } else {
                // Acted on once the accounts are read (a mailto: link needs one to send from).
                app.launch.pending = Some(launch.clone());
                app.desktop.show_window()
            };
            (app, Task::batch([task, system, shown]))
        },
        move |app: &mut _, message| app::App::step(app, message, &shown, &screen),
        window_view,
    )
    .title(|app: &app::App, _window| app.title())
    .subscription(subscription::of)
    .theme(|app: &app::App, _window| app.theme())
    .default_font(fonts::UI)
    .font(fonts::all()[0].clone())
    .font(fonts::all()[1].clone())
    .font(fonts::all()[2].clone())
    .run();
    // The data directory is this window's until it has closed.
    drop(instance);
    result
}

/// The one window's view (the daemon asks per window; there is only the main one).
fn window_view(app: &app::App, _window: iced::window::Id) -> iced::Element<'_, app::Message> {
    view::view(app)
}
