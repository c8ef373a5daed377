//! The mail screen: folders, the message list and the reader. Its state lives here; its update
//! and view still live beside the window (`app.rs`, `view.rs`, `reader_view.rs`,
//! `search_update.rs`) and move here next.

use std::collections::{HashMap, HashSet};

use iced::widget::pane_grid;

use crate::mime::model::DisplayMessage;
use crate::ui::list::MessageList;
use crate::ui::search::SearchBox;

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
