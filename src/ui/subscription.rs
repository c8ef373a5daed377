//! What the window listens to besides its widgets: the engine's events (the real window only),
//! second launches, the keyboard's shortcuts, dropped files, closing the window, the tray and
//! the desktop's light or dark mode.

use iced::Subscription;

use super::app::App;
use super::engine_link;
use super::message::{DesktopMsg, Message, shortcut};
use super::screen::mail::search;
use super::screen::{compose, mail};

/// The engine's events, while it is wanted, and the keyboard shortcuts.
pub fn of(app: &App) -> Subscription<Message> {
    let keys = Subscription::batch([
        iced::keyboard::listen().filter_map(shortcut),
        // Files dropped on the window are attached to the message being written.
        iced::event::listen_with(|event, _, _| match event {
            iced::Event::Window(iced::window::Event::FileDropped(path)) => {
                Some(Message::Composer(compose::Message::Dropped(path)))
            }
            // Seen even when the search field took it: Esc leaves the search at once.
            iced::Event::Keyboard(iced::keyboard::Event::KeyPressed {
                key: iced::keyboard::Key::Named(iced::keyboard::key::Named::Escape),
                ..
            }) => Some(Message::Mail(mail::Message::Search(search::Message::Clear))),
            _ => None,
        }),
    ]);
    let second_launches = match &app.desktop.instance {
        Some(address) => super::instance_link::listen(address.clone()).map(Message::Launch),
        None => Subscription::none(),
    };
    if app.desktop.with_engine {
        Subscription::batch([
            engine_link::connect(app.paths.db.clone()).map(Message::Engine),
            second_launches,
            keys,
            // Closing the window goes to the tray, or quits the way Ctrl+Q does (saving
            // drafts first).
            iced::window::close_requests()
                .map(|id| Message::Desktop(DesktopMsg::CloseRequested(id))),
            iced::window::close_events().map(|id| Message::Desktop(DesktopMsg::Closed(id))),
            super::tray_link::run().map(Message::Desktop),
            iced::system::theme_changes().map(Message::SystemTheme),
        ])
    } else {
        keys
    }
}
