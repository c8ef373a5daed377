//! The fonts shipped in resources/fonts: Inter for the interface and Font Awesome 4 for icons
//! (both SIL OFL). Chinese and other scripts fall back to the system's fonts.

use std::borrow::Cow;

use iced::Font;

/// The interface font.
pub const UI: Font = Font::with_name("Inter");
/// The interface font, bold.
pub const BOLD: Font = Font {
    weight: iced::font::Weight::Bold,
    ..UI
};
/// The icon font.
pub const ICONS: Font = Font::with_name("FontAwesome");

/// Every shipped font file, to load at start.
pub fn all() -> Vec<Cow<'static, [u8]>> {
    vec![
        Cow::Borrowed(include_bytes!("../../resources/fonts/Inter-Regular.otf").as_slice()),
        Cow::Borrowed(include_bytes!("../../resources/fonts/Inter-Bold.otf").as_slice()),
        Cow::Borrowed(include_bytes!("../../resources/fonts/FontAwesome.ttf").as_slice()),
    ]
}

/// Font Awesome 4.7 code points for the icons the window uses.
pub mod icon {
    /// Inbox tray.
    pub const INBOX: char = '\u{f01c}';
    /// Downloaded (the POP3 folder beside a server's Inbox).
    pub const DOWNLOADS: char = '\u{f019}';
    /// Paper plane (sent).
    pub const SENT: char = '\u{f1d8}';
    /// Pencil on paper (drafts).
    pub const DRAFTS: char = '\u{f044}';
    /// Bin.
    pub const TRASH: char = '\u{f1f8}';
    /// Warning triangle (junk).
    pub const JUNK: char = '\u{f071}';
    /// Archive box.
    pub const ARCHIVE: char = '\u{f187}';
    /// Closed folder.
    pub const FOLDER: char = '\u{f07b}';
    /// Paper clip (attachment).
    pub const ATTACHMENT: char = '\u{f0c6}';
    /// Filled star (flagged).
    pub const STAR: char = '\u{f005}';
    /// Caret pointing down (expanded).
    pub const EXPANDED: char = '\u{f0d7}';
    /// Caret pointing right (collapsed).
    pub const COLLAPSED: char = '\u{f0da}';
    /// Circular arrows (sync).
    pub const SYNC: char = '\u{f021}';
    /// Envelope (read/unread).
    pub const ENVELOPE: char = '\u{f0e0}';
    /// Flag.
    pub const FLAG: char = '\u{f024}';
    /// Image.
    pub const IMAGE: char = '\u{f03e}';
    /// Shield (blocked content).
    pub const SHIELD: char = '\u{f132}';
    /// Curved arrow back (answered).
    pub const REPLIED: char = '\u{f112}';
    /// Arrow out of a box (forwarded).
    pub const FORWARDED: char = '\u{f064}';
    /// Close (a cross).
    pub const CLOSE: char = '\u{f00d}';
    /// Reply to everyone.
    pub const REPLY_ALL: char = '\u{f122}';
    /// An opened envelope (mark read).
    pub const ENVELOPE_OPEN: char = '\u{f2b6}';
    /// Speech bubbles: conversations.
    pub const CONVERSATIONS: char = '\u{f086}';
    /// A result from the server (fa-cloud).
    pub const SERVER: char = '\u{f0c2}';
}
