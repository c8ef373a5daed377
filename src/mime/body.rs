//! Raw RFC 822 bytes to the display model: headers decoded, the best body chosen (HTML
//! sanitised, or plain text with quotes and links), forwarded messages embedded, attachments
//! listed. Never panics, whatever the bytes.

use mail_parser::{Address, Message, MessagePart, MimeHeaders, PartType};

use super::charset;
use super::model::{Attachment, Block, DisplayMessage, Mailbox, Span};
use super::{html, parse, plain};

/// How deep forwarded messages are followed before the rest is listed as attachments.
const MAX_NESTING: usize = 8;

/// How deep multiparts are followed as structure; the parts of anything deeper are taken in
/// order without recursion (hostile mail nests thousands of multiparts).
const MAX_PART_DEPTH: usize = 24;

/// Options for building the model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The user allowed remote content for this message or sender.
    pub allow_remote: bool,
}

/// Parses `raw` and builds its display model.
pub fn display(raw: &[u8], options: Options) -> DisplayMessage {
    let prepared = parse::prepare(raw);
    match prepared.parse() {
        Some(message) => from_message(&message, options, 0),
        None => DisplayMessage {
            body: plain::to_blocks(&charset::guess_decode(raw)),
            ..DisplayMessage::default()
        },
    }
}

/// The display model of a message parsed already (by `parse::prepare(..).parse()`).
pub fn display_parsed(message: &Message<'_>, options: Options) -> DisplayMessage {
    from_message(message, options, 0)
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|a| {
            a.iter()
                .map(|m| Mailbox {
                    name: m.name().unwrap_or_default().trim().to_owned(),
                    address: m.address().unwrap_or_default().trim().to_owned(),
                })
                .filter(|m| !m.name.is_empty() || !m.address.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn fix_names(message: &Message<'_>, header: &str, list: &mut [Mailbox]) {
    for m in list.iter_mut() {
        m.name = charset::display_name(message, header, &m.name);
    }
}

fn from_message(message: &Message<'_>, options: Options, depth: usize) -> DisplayMessage {
    let mut out = DisplayMessage {
        subject: charset::header_text(message, "Subject", message.subject().unwrap_or_default()),
        from: mailboxes(message.from()),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        reply_to: mailboxes(message.reply_to()),
        date: message.date().map(|d| d.to_timestamp()),
        ..DisplayMessage::default()
    };
    fix_names(message, "From", &mut out.from);
    fix_names(message, "To", &mut out.to);
    fix_names(message, "Cc", &mut out.cc);
    let mut builder = Builder {
        message,
        options,
        depth,
        out: &mut out,
    };
    builder.part(0, 0);
    out
}

struct Builder<'a, 'm> {
    message: &'a Message<'m>,
    options: Options,
    depth: usize,
    out: &'a mut DisplayMessage,
}

impl Builder<'_, '_> {
    fn get(&self, id: u32) -> Option<&MessagePart<'_>> {
        self.message.parts.get(id as usize)
    }

    fn subtype(&self, id: u32) -> String {
        self.get(id)
            .and_then(|p| p.content_type())
            .and_then(|ct| ct.subtype())
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    fn is_attachment(part: &MessagePart<'_>) -> bool {
        part.content_disposition()
            .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"))
            || part.attachment_name().is_some() && !matches!(part.body, PartType::Message(_))
    }

    fn part(&mut self, id: u32, level: usize) {
        // The message outlives this builder, so parts borrowed from it leave `self` free.
        let message = self.message;
        let Some(part) = message.parts.get(id as usize) else {
            return;
        };
        match &part.body {
            PartType::Multipart(_) if level >= MAX_PART_DEPTH => self.flatten(id),
            PartType::Multipart(children) => {
                let children = children.clone();
                match self.subtype(id).as_str() {
                    "alternative" => self.alternative(&children, level + 1),
                    "related" => {
                        // The first part is the document; the rest are its inline resources,
                        // listed only when nothing refers to them.
                        let start = self.out.body.len();
                        if let Some(first) = children.first() {
                            self.part(*first, level + 1);
                        }
                        let referenced = inline_references(&self.out.body[start..]);
                        for child in children.iter().skip(1) {
                            let cid = self
                                .get(*child)
                                .and_then(|p| p.content_id())
                                .map(|c| c.trim_matches(['<', '>']).to_owned());
                            if !cid.is_some_and(|c| referenced.contains(&c)) {
                                self.part(*child, level + 1);
                            }
                        }
                    }
                    _ => {
                        for child in children {
                            self.part(child, level + 1);
                        }
                    }
                }
            }
            _ => self.leaf(id, part),
        }
    }

    /// Every part under `id` in order, without following its structure: text shown, the rest
    /// listed. An explicit stack keeps any depth safe.
    fn flatten(&mut self, id: u32) {
        let message = self.message;
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            let Some(part) = message.parts.get(id as usize) else {
                continue;
            };
            match &part.body {
                // Part ids only grow, so a hostile cycle cannot loop here.
                PartType::Multipart(children) => {
                    stack.extend(children.iter().rev().filter(|c| **c > id));
                }
                PartType::Message(_) => self.attachment(id, part),
                _ => self.leaf(id, part),
            }
        }
    }

    /// A plain-text part marked inline that carries a file name (inline patches, logs): shown
    /// in the body under its name, as well as listed to save.
    fn named_inline_text(part: &MessagePart<'_>) -> Option<String> {
        let inline = part
            .content_disposition()
            .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
        match &part.body {
            PartType::Text(_) if inline => part.attachment_name().map(str::to_owned),
            _ => None,
        }
    }

    /// A part that holds no other parts of this message.
    fn leaf(&mut self, id: u32, part: &MessagePart<'_>) {
        if let (Some(name), PartType::Text(text)) = (Self::named_inline_text(part), &part.body) {
            let text = charset::part_text(self.message, part, text);
            if !self.out.body.is_empty() {
                self.out.body.push(Block::Rule);
            }
            self.out.body.push(Block::Paragraph(vec![Span {
                text: name,
                bold: true,
                ..Span::default()
            }]));
            // Shown as written: a patch or a log keeps its columns.
            self.out
                .body
                .push(Block::Preformatted(text.trim_end().to_owned()));
            self.attachment(id, part);
            return;
        }
        match &part.body {
            PartType::Text(text) if !Self::is_attachment(part) => {
                let text = charset::part_text(self.message, part, text);
                let flowed = part
                    .content_type()
                    .and_then(|ct| ct.attribute("format"))
                    .is_some_and(|f| f.eq_ignore_ascii_case("flowed"));
                let text = if flowed {
                    let delsp = part
                        .content_type()
                        .and_then(|ct| ct.attribute("delsp"))
                        .is_some_and(|d| d.eq_ignore_ascii_case("yes"));
                    plain::unflow(&text, delsp)
                } else {
                    text
                };
                let blocks = plain::to_blocks(&text);
                self.out.body.extend(blocks);
            }
            PartType::Html(source) if !Self::is_attachment(part) => {
                let source = charset::part_text(self.message, part, source);
                let (blocks, remote) = html::to_blocks(&source, self.options.allow_remote);
                self.out.body.extend(blocks);
                self.out.remote_blocked += remote;
                self.out.from_html = true;
            }
            PartType::Message(nested) if self.depth < MAX_NESTING => {
                let embedded = from_message(nested, self.options, self.depth + 1);
                self.out.remote_blocked += embedded.remote_blocked;
                self.out.body.push(Block::Embedded(Box::new(embedded)));
            }
            _ => self.attachment(id, part),
        }
    }

    /// Picks the richest alternative we can show: the last HTML part, else the last text part.
    fn alternative(&mut self, children: &[u32], level: usize) {
        let pick = |want_html: bool| {
            children.iter().rev().copied().find(|c| {
                self.get(*c).is_some_and(|p| match &p.body {
                    PartType::Html(_) => want_html,
                    PartType::Text(_) => !want_html,
                    PartType::Multipart(_) => want_html,
                    _ => false,
                })
            })
        };
        if let Some(best) = pick(true)
            .or_else(|| pick(false))
            .or(children.first().copied())
        {
            self.part(best, level);
        }
    }

    fn attachment(&mut self, id: u32, part: &MessagePart<'_>) {
        let mime_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned())
            .to_ascii_lowercase();
        let mut name = part
            .attachment_name()
            .map(str::to_owned)
            .unwrap_or_else(|| match &part.body {
                PartType::Message(m) => format!(
                    "{}.eml",
                    m.subject().filter(|s| !s.is_empty()).unwrap_or("message")
                ),
                _ => format!("part-{id}"),
            });
        if name.contains('\u{FFFD}') {
            let fixed = [
                ("Content-Disposition", "filename"),
                ("Content-Type", "name"),
            ]
            .iter()
            .find_map(|(header, param)| {
                charset::raw_part_header(self.message, part, header)
                    .and_then(|v| charset::rfc2231_param(&v, param))
            });
            if let Some(fixed) = fixed {
                name = fixed;
            }
        }
        // The name it will be saved under, everywhere it is shown: a reader that says
        // `../../etc/passwd` while the file lands as `etc_passwd` misleads.
        self.out.attachments.push(Attachment {
            part: id,
            name: super::attachments::safe_file_name(&name),
            mime_type,
            size: part.contents().len(),
        });
    }
}

/// The Content-IDs the blocks show as inline images (`cid:` sources).
fn inline_references(blocks: &[Block]) -> std::collections::HashSet<String> {
    use super::model::ImageSource;
    let mut found = std::collections::HashSet::new();
    let mut stack: Vec<&[Block]> = vec![blocks];
    while let Some(level) = stack.pop() {
        for block in level {
            match block {
                Block::Image {
                    source: ImageSource::Inline(cid),
                    ..
                } => {
                    found.insert(cid.clone());
                }
                Block::Quote(inner) => stack.push(inner),
                Block::List { items, .. } => stack.extend(items.iter().map(Vec::as_slice)),
                Block::Embedded(m) => stack.push(&m.body),
                _ => {}
            }
        }
    }
    found
}

/// The decoded bytes of attachment part `part` of `raw`, for saving or opening.
pub fn attachment_bytes(raw: &[u8], part: u32) -> Option<Vec<u8>> {
    let prepared = parse::prepare(raw);
    let message = prepared.parse()?;
    part_bytes(&message, prepared.original(), part)
}

/// What answering a message needs of it, from one parse: its display model, its list fields
/// (Message-ID, References), and, when asked, the bytes of each attachment the model lists.
/// A forward of a 25 MB message with ten attachments parsed it twelve times before.
pub struct Answered {
    /// The display model.
    pub display: DisplayMessage,
    /// The list fields.
    pub fields: super::envelope::ListFields,
    /// Each listed attachment's bytes, in the model's order (None where a part cannot be cut).
    pub attachments: Vec<Option<Vec<u8>>>,
}

/// Parses `raw` once for an answer (see `Answered`).
pub fn answered(raw: &[u8], with_attachments: bool) -> Answered {
    let prepared = parse::prepare(raw);
    let Some(message) = prepared.parse() else {
        return Answered {
            display: display(raw, Options::default()),
            fields: super::envelope::ListFields::default(),
            attachments: Vec::new(),
        };
    };
    let shown = from_message(&message, Options::default(), 0);
    let attachments = if with_attachments {
        shown
            .attachments
            .iter()
            .map(|a| part_bytes(&message, prepared.original(), a.part))
            .collect()
    } else {
        Vec::new()
    };
    Answered {
        fields: super::envelope::fields_of(&message),
        display: shown,
        attachments,
    }
}

/// The bytes of part `part` of the parsed `message`, cut from `raw`: the original bytes at the
/// parsed offsets (the prepared copy may hold defused dashes).
fn part_bytes(message: &Message<'_>, raw: &[u8], part: u32) -> Option<Vec<u8>> {
    let p = message.parts.get(part as usize)?;
    Some(match &p.body {
        PartType::Message(_) => {
            let start = (p.offset_body as usize).min(raw.len());
            let end = (p.offset_end as usize).clamp(start, raw.len());
            raw[start..end].to_vec()
        }
        _ => charset::part_bytes_in(raw, p).into_owned(),
    })
}
