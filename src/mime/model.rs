//! The display model: what the reader pane draws and `tidings show` prints. Plain data, no
//! markup: nothing in it can run or fetch anything.

/// A run of text with one style.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Span {
    /// The text.
    pub text: String,
    /// Bold.
    pub bold: bool,
    /// Italic.
    pub italic: bool,
    /// Underlined.
    pub underline: bool,
    /// Struck through.
    pub strike: bool,
    /// Monospace.
    pub code: bool,
    /// Where a link really goes (http, https or mailto only), shown on hover.
    pub link: Option<String>,
}

impl Span {
    /// Unstyled text.
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            ..Span::default()
        }
    }
}

/// Where an image would come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// A part of this message (multipart/related, by Content-ID).
    Inline(String),
    /// A remote address: blocked until the user allows remote content.
    Remote(String),
    /// Embedded data or no usable source.
    Embedded,
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph; "\n" inside spans are line breaks.
    Paragraph(Vec<Span>),
    /// A heading of level 1–6.
    Heading(u8, Vec<Span>),
    /// Quoted text.
    Quote(Vec<Block>),
    /// A list; each item is blocks.
    List {
        /// Numbered or bulleted.
        ordered: bool,
        /// The items.
        items: Vec<Vec<Block>>,
    },
    /// Preformatted text, shown as is.
    Preformatted(String),
    /// A horizontal rule.
    Rule,
    /// An image placeholder.
    Image {
        /// Alternative text.
        alt: String,
        /// Its source.
        source: ImageSource,
    },
    /// A table, reduced to rows of cells of text.
    Table(Vec<Vec<Vec<Span>>>),
    /// A message inside this one (message/rfc822, a forward).
    Embedded(Box<DisplayMessage>),
}

/// A named address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Display name, decoded.
    pub name: String,
    /// Address.
    pub address: String,
}

impl std::fmt::Display for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.name.is_empty() {
            write!(f, "{}", self.address)
        } else {
            write!(f, "{} <{}>", self.name, self.address)
        }
    }
}

/// An attachment as listed under the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Index of the part in the parsed message, to get its bytes.
    pub part: u32,
    /// Decoded file name (RFC 2231 / RFC 2047) made safe to save (`attachments::safe_file_name`),
    /// or a made-up one.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// A message as a person reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisplayMessage {
    /// Subject.
    pub subject: String,
    /// From.
    pub from: Vec<Mailbox>,
    /// To.
    pub to: Vec<Mailbox>,
    /// Cc.
    pub cc: Vec<Mailbox>,
    /// Reply-To.
    pub reply_to: Vec<Mailbox>,
    /// Unix seconds of the Date header.
    pub date: Option<i64>,
    /// The body.
    pub body: Vec<Block>,
    /// Attachments.
    pub attachments: Vec<Attachment>,
    /// Remote images and style sheets that were not loaded (tracking pixels included).
    pub remote_blocked: usize,
    /// The body came from HTML.
    pub from_html: bool,
}
