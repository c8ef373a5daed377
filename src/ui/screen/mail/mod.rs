//! The mail screen: folders, the message list, the reader and the search over them. Its
//! `update` answers with an `Action` for what only the window can do (the engine, the
//! composer, the status bar, the saved choices); its `view` draws the three panes.

mod conversation;
mod conversation_view;
pub mod search;
mod search_view;
mod update;
mod view;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use iced::Task;
use iced::widget::pane_grid;

use crate::engine::Command;
use crate::mime::model::DisplayMessage;
use crate::ui::data::Page;
use crate::ui::failure::Failure;
use crate::ui::list::MessageList;
use crate::ui::reader;
use crate::ui::search::SearchBox;

pub use conversation::{Conversation, Msg as ConversationMsg};
pub use view::{LIST, list, search_field, view};

/// What happens on the mail screen.
#[derive(Debug, Clone)]
pub enum Message {
    /// A folder was chosen.
    OpenFolder(i64),
    /// A page of a folder was read: folder, page, (folder count, rows).
    PageLoaded(i64, u32, Result<Page, Failure>),
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
    /// Something done to the selection or the open message.
    Act(Act),
    /// Move the selection down (+1) or up (-1) the list.
    Step(i32),
    /// A button of the open message: remote content, attachments.
    Reader(reader::Event),
    /// Something done in the open conversation.
    Conversation(conversation::Msg),
    /// Conversations were switched on or off: the open folder is read again.
    Regroup,
    /// The list header's switch: one row per conversation, or per message.
    SwitchConversations(bool),
    /// An attachment was saved here (or not).
    AttachmentSaved(Result<PathBuf, Failure>),
    /// An attachment was handed to its application (or not).
    AttachmentOpened(Result<PathBuf, Failure>),
    /// Searching.
    Search(search::Message),
    /// Reply to the open message (r), or to everyone (a).
    Reply {
        /// To everyone.
        all: bool,
    },
    /// Forward the open message (f).
    Forward,
    /// The engine changed these messages of `folder`.
    Changed {
        /// The folder.
        folder: i64,
        /// The messages.
        ids: Vec<i64>,
    },
    /// An account was removed: its folders go from the screen.
    AccountRemoved(i64),
    /// A remote image of `message` arrived.
    RemoteImage {
        /// The message showing it.
        message: i64,
        /// Its address.
        url: String,
        /// Its bytes, or why not.
        image: Result<Vec<u8>, String>,
    },
}

impl Message {
    /// Whether the message acts on the list or the open message, so only where they show
    /// (keyboard shortcuts seen on another screen do nothing).
    pub fn needs_the_list(&self) -> bool {
        matches!(
            self,
            Message::Act(_)
                | Message::Step(_)
                | Message::OpenSelected
                | Message::Reply { .. }
                | Message::Forward
                | Message::Search(search::Message::Focus | search::Message::Clear)
        )
    }
}

/// What can be done to the selection or the open message from the toolbar or the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Move to Archive.
    Archive,
    /// Move to Trash (from Trash: delete for good).
    Delete,
    /// Mark read or unread.
    ToggleRead,
    /// Flag or unflag.
    ToggleFlag,
}

/// What the mail screen needs of the window.
pub enum Action {
    /// Nothing.
    None,
    /// Work of the screen's own, answered by one of its messages.
    Run(Task<Message>),
    /// Hand this to the engine.
    Send(Command),
    /// Several of these.
    Many(Vec<Action>),
    /// A divider moved: the outer one (0) or the inner one (1), to this ratio.
    Panes(usize, f32),
    /// The dividers settled: save the window's choices.
    SavePanes,
    /// Start a reply (to all) to the open message.
    Reply {
        /// To everyone.
        all: bool,
    },
    /// Start a forward of the open message.
    Forward,
    /// Say this in the status bar for a moment.
    Notice(String),
    /// Something failed; the status bar says it.
    Error(Failure),
    /// Show one row per conversation (or per message) from now on.
    Conversations(bool),
}

/// What the mail screen shows and is doing.
pub struct State {
    /// The open folder.
    pub folder: Option<i64>,
    /// Its list: the rows near the viewport and the selection.
    pub list: MessageList,
    /// The three mail panes and their sizes.
    pub panes: pane_grid::State<Pane>,
    /// Bumped by every divider drag (the save waits for the last).
    pub pane_generation: u64,
    /// Modifiers held now (for Shift/Ctrl clicks).
    pub modifiers: iced::keyboard::Modifiers,
    /// Accounts whose folders are hidden in the folder pane.
    pub collapsed: HashSet<i64>,
    /// The open message.
    pub message: Option<i64>,
    /// Its display model (None while downloading).
    pub reading: Option<DisplayMessage>,
    /// Messages whose body was asked for on opening (asked once each).
    pub fetching: HashSet<i64>,
    /// Messages whose remote content the user allowed this once.
    pub remote_once: HashSet<i64>,
    /// Remote images of the open message, by address, as they arrive.
    pub images: HashMap<String, iced::widget::image::Handle>,
    /// An attachment that could run code, waiting for the user to confirm opening it.
    pub confirm_open: Option<u32>,
    /// The search, while the field holds something.
    pub searching: Option<SearchBox>,
    /// Searches on the servers asked so far (each answer names its request).
    pub server_requests: u64,
    /// The open conversation, when the row opened stands for several messages.
    pub conversation: Option<Conversation>,
    /// "Now" for list dates (today's mail shows a time), renewed as pages load.
    pub now: i64,
}

impl Default for State {
    fn default() -> State {
        State {
            folder: None,
            list: MessageList::default(),
            panes: panes(),
            pane_generation: 0,
            modifiers: iced::keyboard::Modifiers::default(),
            collapsed: HashSet::new(),
            message: None,
            reading: None,
            fetching: HashSet::new(),
            remote_once: HashSet::new(),
            images: HashMap::new(),
            confirm_open: None,
            searching: None,
            server_requests: 0,
            conversation: None,
            now: chrono::Utc::now().timestamp(),
        }
    }
}

/// One of the mail screen's panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Accounts and folders.
    Folders,
    /// The message list.
    List,
    /// The open message.
    Reader,
}

/// Folders | list | reader, split 20% | 32% | rest.
pub fn panes() -> pane_grid::State<Pane> {
    panes_with(DEFAULT_PANES)
}

/// The default split ratios: folders of the window, then list of the rest.
pub const DEFAULT_PANES: [f32; 2] = [0.2, 0.4];

/// Folders | list | reader with the given split ratios.
pub fn panes_with(ratios: [f32; 2]) -> pane_grid::State<Pane> {
    use pane_grid::{Axis, Configuration};
    pane_grid::State::with_configuration(Configuration::Split {
        axis: Axis::Vertical,
        ratio: ratios[0],
        a: Box::new(Configuration::Pane(Pane::Folders)),
        b: Box::new(Configuration::Split {
            axis: Axis::Vertical,
            ratio: ratios[1],
            a: Box::new(Configuration::Pane(Pane::List)),
            b: Box::new(Configuration::Pane(Pane::Reader)),
        }),
    })
}
