//! What happens in the window: the screens, the messages and the keyboard shortcuts.

use std::collections::HashSet;
use std::path::PathBuf;

use iced::widget::pane_grid;

use iced::window;

use super::compose_data::{Outbox, Prefilled};
use super::data::Tree;
use super::engine_link::Link;
use super::failure::Failure;
use crate::mime::model::DisplayMessage;
use crate::store::drafts::Draft;
use crate::store::messages::Envelope;
use crate::tray::{self, Event};

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
    /// Leave the message file's reader.
    CloseFile,
    /// Setting up an account.
    Setup(super::screen::setup::Message),
    /// In Settings.
    Settings(super::screen::settings::Message),
    /// Searching.
    Search(SearchMsg),
    /// A folder was chosen.
    OpenFolder(i64),
    /// A page of a folder was read: folder, page, (folder count, rows).
    PageLoaded(i64, u32, Result<(u32, Vec<Envelope>), Failure>),
    /// The list was scrolled: offset of its top and its height, in pixels.
    ListScrolled(f32, f32),
    /// A row was clicked (Shift and Ctrl extend the selection).
    ClickRow(i64),
    /// A message was opened (alone in the selection).
    OpenMessage(i64),
    /// Enter: open the selected message.
    OpenSelected,
    /// The keyboard modifiers changed.
    Modifiers(iced::keyboard::Modifiers),
    /// A pane divider was dragged.
    PaneResized(pane_grid::ResizeEvent),
    /// The dividers have been still for a moment since this drag: remember where they are.
    PanesSettled(u64),
    /// An account's folders were shown or hidden in the folder pane.
    ToggleAccount(i64),
    /// A message's display model was built.
    MessageLoaded(i64, Result<Option<DisplayMessage>, Failure>),
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
    /// Typing in the password prompt.
    PromptInput(String),
    /// Use the typed password.
    PromptSubmit,
    /// Not now.
    PromptDismiss,
    /// Show the open message's remote content this once.
    AllowRemoteOnce,
    /// Always show remote content from the open message's sender.
    AllowRemoteSender,
    /// Something done to the open message.
    Act(Action),
    /// Move the selection down (+1) or up (-1) the list.
    Step(i32),
    /// Quit the application.
    Quit,
    /// The window closing or opening, the tray, and their settings.
    Desktop(super::message::DesktopMsg),
    /// The language and theme choice was saved (or not).
    PrefsSaved(Result<(), Failure>),
    /// Save attachment `part` of the open message into the downloads folder.
    SaveAttachment(u32),
    /// An attachment was saved here (or not).
    AttachmentSaved(Result<PathBuf, Failure>),
    /// Open attachment `part` of the open message with the desktop's default application.
    OpenAttachment(u32),
    /// An attachment was handed to its application (or not).
    AttachmentOpened(Result<PathBuf, Failure>),
    /// Open attachment `part` although it is a program or script: the user confirmed.
    OpenRiskyAttachment(u32),
    /// Do not open the program or script after all.
    CancelOpen,
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

/// What happens around the composer.
#[derive(Debug, Clone)]
pub enum ComposeMsg {
    /// A new message (c).
    New,
    /// Reply to the open message (r), or to everyone (a).
    Reply {
        /// To everyone.
        all: bool,
    },
    /// Forward the open message (f).
    Forward,
    /// A prefilled draft was read.
    Opened(Result<Box<Prefilled>, Failure>),
    /// The address book was read.
    Addresses(Result<Vec<(String, String)>, Failure>),
    /// Drafts left unsent (read at start).
    Unsent(Result<Vec<Draft>, Failure>),
    /// Open an unsent draft.
    OpenDraft(i64),
    /// Forget the offer of unsent drafts.
    DismissUnsent,
    /// The outbox was read.
    OutboxRead(Result<Outbox, Failure>),
    /// Put a refused message back in the composer.
    EditRefused(i64),
    /// A refused message was read back: open it, saved as a draft at once, then drop the
    /// outbox copy.
    OpenedRefused(i64, Result<Box<Prefilled>, Failure>),
    /// Try a refused message again.
    RetryRefused(i64),
}

/// What happens around the search field.
#[derive(Debug, Clone)]
pub enum SearchMsg {
    /// Ctrl+F or `/`: put the cursor in the field.
    Focus,
    /// Typing in the field.
    Input(String),
    /// The scope chip: every account, or only the open folder.
    ToggleScope,
    /// The pause after typing passed for this generation.
    Run(u64),
    /// A search finished.
    Done(u64, Result<Vec<i64>, Failure>),
    /// Esc: back to the folder.
    Clear,
    /// "Search on the server".
    OnServer,
    /// The engine's answer: the request, its hits and the failures (translated).
    ServerDone(u64, Vec<i64>, Vec<String>),
    /// Local and server hits merged, newest first, for a request.
    Merged(u64, Result<(Vec<i64>, HashSet<i64>), Failure>),
}

/// Asking for an account's password: it has none stored ("ask each start"), or the server
/// refused the stored one.
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

/// What can be done to the open message from the toolbar or the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Move to Archive.
    Archive,
    /// Move to Trash (from Trash: delete for good).
    Delete,
    /// Mark read or unread.
    ToggleRead,
    /// Flag or unflag.
    ToggleFlag,
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
        K::ModifiersChanged(modifiers) => return Some(Message::Modifiers(modifiers)),
        _ => return None,
    };
    match key.as_ref() {
        Key::Character("q") if modifiers.command() => Some(Message::Quit),
        Key::Named(Named::Enter) if modifiers.command() => {
            Some(Message::Composer(super::screen::compose::Message::Send))
        }
        Key::Named(Named::Escape) => Some(Message::Escape),
        Key::Character("f") if modifiers.command() => Some(Message::Search(SearchMsg::Focus)),
        _ if modifiers.command() || modifiers.alt() => None,
        Key::Character("j") | Key::Named(Named::ArrowDown) => Some(Message::Step(1)),
        Key::Character("k") | Key::Named(Named::ArrowUp) => Some(Message::Step(-1)),
        Key::Named(Named::Enter) => Some(Message::OpenSelected),
        Key::Named(Named::Delete) => Some(Message::Act(Action::Delete)),
        Key::Character("u") => Some(Message::Act(Action::ToggleRead)),
        Key::Character("s") => Some(Message::Act(Action::ToggleFlag)),
        Key::Character("/") => Some(Message::Search(SearchMsg::Focus)),
        Key::Character("c") => Some(Message::Compose(ComposeMsg::New)),
        Key::Character("r") => Some(Message::Compose(ComposeMsg::Reply { all: false })),
        Key::Character("a") => Some(Message::Compose(ComposeMsg::Reply { all: true })),
        Key::Character("f") => Some(Message::Compose(ComposeMsg::Forward)),
        _ => None,
    }
}
