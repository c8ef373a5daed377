//! What happens in the window: the screens, the messages and the keyboard shortcuts.

use iced::window;

use super::data::Tree;
use super::engine_link::Link;
use super::failure::Failure;
use crate::store::messages::Envelope;
use crate::tray::{self, Event};

use super::screen::mail::{self, Act, search};

pub use super::prompt::PasswordPrompt;
pub use super::screen::compose::ComposeMsg;
pub use super::screen::mail::{DEFAULT_PANES, Pane, panes, panes_with};
pub use super::theme::ThemeChoice;

/// Which screen is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Folders, list, reader.
    Mail,
    /// App and account settings.
    Settings,
    /// Writing a message.
    Compose,
    /// Setting up an account (first run, or Add account).
    Setup,
    /// A message file in a reader of its own.
    File,
}

/// What happens in the window.
#[derive(Debug, Clone)]
pub enum Message {
    /// From the engine subscription.
    Engine(Link),
    /// The account and folder tree was read.
    TreeLoaded(Result<Tree, Failure>),
    /// Starting a message, and the outbox and unsent drafts around the composer.
    Compose(ComposeMsg),
    /// In the composer.
    Composer(super::screen::compose::Message),
    /// Esc: close the composer or the message file's reader.
    Escape,
    /// A launch's request (a mailto: link, or just the window), from this process's command
    /// line or handed over by a second launch.
    Launch(crate::launch::Launch),
    /// A message file was read for its reader (or why not).
    FileLoaded(Result<Box<super::message_file::OpenFile>, Failure>),
    /// In a message file's reader.
    File(super::screen::file::Message),
    /// Setting up an account.
    Setup(super::screen::setup::Message),
    /// In Settings.
    Settings(super::screen::settings::Message),
    /// On the mail screen: folders, the list, the reader, the search.
    Mail(super::screen::mail::Message),
    /// A notice shown for a moment ("Sent") is due to go; the number says which one.
    NoticeExpired(u64),
    /// Switch screens.
    Show(Screen),
    /// Sync every account now.
    SyncNow,
    /// The desktop's light/dark mode, at start and when it changes.
    SystemTheme(iced::theme::Mode),
    /// New mail arrived: the rows, read for the notification.
    NewMailLoaded(Result<Vec<Envelope>, Failure>),
    /// A notification was shown (or the desktop refused it).
    Notified(Result<super::notify::Clicked, Failure>),
    /// The status bar's error was clicked: show that account's settings.
    ShowErrorAccount,
    /// In the password prompt.
    Prompt(super::prompt::Message),
    /// Quit the application.
    Quit,
    /// The window closing or opening, the tray, and their settings.
    Desktop(super::message::DesktopMsg),
    /// The language and theme choice was saved (or not).
    PrefsSaved(Result<(), Failure>),
}

/// The window, the tray and the settings about them.
#[derive(Debug, Clone)]
pub enum DesktopMsg {
    /// The user asked to close the window (its close button, the window manager).
    CloseRequested(window::Id),
    /// A window is gone.
    Closed(window::Id),
    /// Make the tray on this thread (Windows and macOS), its events going here.
    TrayStart(tray::Events),
    /// The tray runs (or why not).
    TrayStarted(Result<tray::Handle, Failure>),
    /// From the tray.
    Tray(Event),
    /// A start in the tray has waited long enough for a tray host.
    TrayWaited,
}

/// The shortcuts: j/k and arrows move, Enter opens, Delete deletes, u toggles read, s flags,
/// c composes, r/a reply (to all), f forwards, Ctrl+Enter sends, Esc closes the composer,
/// Ctrl+Q quits; modifier changes are tracked for Shift/Ctrl clicks. Keys typed into a field
/// never get here.
pub fn shortcut(event: iced::keyboard::Event) -> Option<Message> {
    use iced::keyboard::key::Named;
    use iced::keyboard::{Event as K, Key};
    let (key, modifiers) = match event {
        K::KeyPressed { key, modifiers, .. } => (key, modifiers),
        K::ModifiersChanged(modifiers) => {
            return Some(Message::Mail(mail::Message::Modifiers(modifiers)));
        }
        _ => return None,
    };
    let to_mail = |m: mail::Message| Some(Message::Mail(m));
    match key.as_ref() {
        Key::Character("q") if modifiers.command() => Some(Message::Quit),
        Key::Named(Named::Enter) if modifiers.command() => {
            Some(Message::Composer(super::screen::compose::Message::Send))
        }
        Key::Named(Named::Escape) => Some(Message::Escape),
        Key::Character("f") if modifiers.command() => {
            to_mail(mail::Message::Search(search::Message::Focus))
        }
        _ if modifiers.command() || modifiers.alt() => None,
        Key::Character("j") | Key::Named(Named::ArrowDown) => to_mail(mail::Message::Step(1)),
        Key::Character("k") | Key::Named(Named::ArrowUp) => to_mail(mail::Message::Step(-1)),
        Key::Named(Named::Enter) => to_mail(mail::Message::OpenSelected),
        Key::Named(Named::Delete) => to_mail(mail::Message::Act(Act::Delete)),
        Key::Character("u") => to_mail(mail::Message::Act(Act::ToggleRead)),
        Key::Character("s") => to_mail(mail::Message::Act(Act::ToggleFlag)),
        Key::Character("/") => to_mail(mail::Message::Search(search::Message::Focus)),
        Key::Character("c") => Some(Message::Compose(ComposeMsg::New)),
        Key::Character("r") => to_mail(mail::Message::Reply { all: false }),
        Key::Character("a") => to_mail(mail::Message::Reply { all: true }),
        Key::Character("f") => to_mail(mail::Message::Forward),
        _ => None,
    }
}
