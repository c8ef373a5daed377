//! The list fields of a message, from its header bytes or its whole raw bytes.

use mail_parser::{Address, HeaderValue, Message, MessageParser};

/// The header fields an IMAP envelope fetch asks for.
pub const LIST_HEADER_FIELDS: &str =
    "DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO REFERENCES CONTENT-TYPE";

/// How long a snippet may be, in characters.
const SNIPPET_CHARS: usize = 160;

/// What the message list needs from a message's headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFields {
    /// Message-ID without angle brackets.
    pub rfc_message_id: String,
    /// In-Reply-To, first id.
    pub in_reply_to: String,
    /// References, space separated.
    pub refs: String,
    /// The Date header in unix seconds, if present and parseable.
    pub date: Option<i64>,
    /// Sender's name.
    pub from_name: String,
    /// Sender's address.
    pub from_addr: String,
    /// To, for display.
    pub to: String,
    /// Cc, for display.
    pub cc: String,
    /// Decoded subject.
    pub subject: String,
    /// A first guess from Content-Type (multipart/mixed), refined once the body is fetched.
    pub likely_attachments: bool,
}

/// What only the whole message tells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyFields {
    /// Header fields, as above.
    pub list: ListFields,
    /// The first words of the text, whitespace folded.
    pub snippet: String,
    /// Whether any part is an attachment.
    pub has_attachments: bool,
}

/// Parses header bytes (a HEADER.FIELDS fetch, or a whole message).
pub fn list_fields(header_bytes: &[u8]) -> ListFields {
    // Mended as a whole message's header is (a stray line inside it), so the list row and the
    // reader agree.
    let prepared = super::parse::prepare(header_bytes);
    match MessageParser::default().parse_headers(prepared.original()) {
        Some(message) => fields_of(&message),
        None => ListFields::default(),
    }
}

/// The words of a body, a line per block; quotes and images left out (a snippet wants the
/// new text).
fn plain_text(blocks: &[super::model::Block], out: &mut String) {
    use super::model::Block;
    let spans = |list: &[super::model::Span], out: &mut String| {
        for s in list {
            out.push_str(&s.text);
        }
        out.push('\n');
    };
    for b in blocks {
        match b {
            Block::Paragraph(s) | Block::Heading(_, s) => spans(s, out),
            Block::List { items, .. } => items.iter().for_each(|i| plain_text(i, out)),
            Block::Preformatted(t) => {
                out.push_str(t);
                out.push('\n');
            }
            Block::Table(rows) => rows.iter().flatten().for_each(|c| spans(c, out)),
            Block::Embedded(m) => plain_text(&m.body, out),
            Block::Quote(_) | Block::Rule | Block::Image { .. } => {}
        }
    }
}

/// Parses a whole message for its list fields, snippet and attachment flag.
pub fn body_fields(raw: &[u8]) -> BodyFields {
    let prepared = super::parse::prepare(raw);
    match prepared.parse() {
        Some(message) => body_fields_of(&message),
        None => BodyFields::default(),
    }
}

/// The list fields, snippet and attachment flag of a parsed message.
pub fn body_fields_of(message: &Message<'_>) -> BodyFields {
    // HTML-only mail: mail-parser's own conversion runs a heading into the next paragraph,
    // so the snippet comes from our HTML model, whose blocks keep their breaks. (Asked only
    // then: for text mail, body_html would build HTML from the text for nothing.)
    let html_only = message
        .text_part(0)
        .is_some_and(|p| matches!(p.body, mail_parser::PartType::Html(_)));
    let html = if html_only {
        message.body_html(0)
    } else {
        None
    };
    let text = match html {
        Some(html) => {
            let (blocks, _) = super::html::to_blocks(&html, false);
            let mut out = String::new();
            plain_text(&blocks, &mut out);
            out
        }
        None => message
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
    };
    BodyFields {
        list: fields_of(message),
        snippet: snippet(&super::parse::restore(&text)),
        has_attachments: message.attachment_count() > 0,
    }
}

/// The list fields of a parsed message.
pub(crate) fn fields_of(message: &Message<'_>) -> ListFields {
    let (from_name, from_addr) = message
        .from()
        .and_then(Address::first)
        .map(|a| {
            (
                a.name().unwrap_or_default().to_owned(),
                a.address().unwrap_or_default().to_owned(),
            )
        })
        .unwrap_or_default();
    let likely_attachments = message
        .header("Content-Type")
        .and_then(HeaderValue::as_content_type)
        .is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("mixed"))
        });
    ListFields {
        rfc_message_id: message.message_id().unwrap_or_default().to_owned(),
        in_reply_to: ids(message.in_reply_to())
            .into_iter()
            .next()
            .unwrap_or_default(),
        refs: ids(message.references()).join(" "),
        date: message.date().map(|d| d.to_timestamp()),
        from_name: super::charset::display_name(message, "From", &from_name),
        from_addr,
        to: display_list(message.to()),
        cc: display_list(message.cc()),
        subject: super::charset::header_text(
            message,
            "Subject",
            message.subject().unwrap_or_default(),
        ),
        likely_attachments,
    }
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// "Name <addr>, addr2" with names quoted when they hold a comma or a quote.
fn display_list(address: Option<&Address<'_>>) -> String {
    let Some(address) = address else {
        return String::new();
    };
    address
        .iter()
        .map(|a| {
            let addr = a.address().unwrap_or_default();
            match a.name() {
                Some(name) if !name.is_empty() => {
                    if name.contains([',', '"', '<', '>']) {
                        format!("\"{}\" <{addr}>", name.replace('"', "\\\""))
                    } else {
                        format!("{name} <{addr}>")
                    }
                }
                _ => addr.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Folds whitespace and drops quoted lines, then cuts at a character boundary.
pub fn snippet(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('>') || line.is_empty() {
            continue;
        }
        for word in line.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        if out.chars().count() >= SNIPPET_CHARS {
            break;
        }
    }
    out.chars().take(SNIPPET_CHARS).collect()
}

/// A stable hash of the headers that identify a message, for messages without a Message-ID.
pub fn header_hash(fields: &ListFields) -> String {
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        fields.from_addr,
        fields.date.unwrap_or(0),
        fields.subject,
        fields.to
    );
    let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
    digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8_encoded_words_decode() {
        let raw = b"From: =?GBK?B?1cXI/Q==?= <zhangsan@163.com>\r\n\
            To: a@x.org, \"Doe, Jane\" <jane@y.org>\r\n\
            Subject: =?UTF-8?B?5Lya6K6u57qq6KaB?=\r\n\
            Message-ID: <abc@163.com>\r\n\
            References: <r1@x> <r2@y>\r\n\
            In-Reply-To: <r2@y>\r\n\
            Date: Tue, 1 Jul 2025 10:00:00 +0800\r\n\r\n";
        let f = list_fields(raw);
        assert_eq!(f.from_name, "张三");
        assert_eq!(f.from_addr, "zhangsan@163.com");
        assert_eq!(f.subject, "会议纪要");
        assert_eq!(f.rfc_message_id, "abc@163.com");
        assert_eq!(f.refs, "r1@x r2@y");
        assert_eq!(f.in_reply_to, "r2@y");
        assert_eq!(f.to, "a@x.org, \"Doe, Jane\" <jane@y.org>");
        assert_eq!(f.date, Some(1_751_335_200));
    }

    #[test]
    fn garbage_gives_empty_fields_not_a_panic() {
        assert_eq!(
            list_fields(b"\xff\xfe\x00garbage"),
            list_fields(b"\xff\xfe\x00garbage")
        );
        let _ = body_fields(&[0u8, 13, 10, 13, 10, 255, 254]);
    }

    #[test]
    fn snippet_skips_quotes_and_folds_space() {
        let s = snippet("> quoted\n\nHello   there,\n  second line\n");
        assert_eq!(s, "Hello there, second line");
    }

    #[test]
    fn html_only_snippets_keep_block_breaks() {
        let raw = b"From: a@example.org\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n\
            <h1>Autumn sale</h1><p>Everything <b>30%</b> off</p>";
        assert_eq!(body_fields(raw).snippet, "Autumn sale Everything 30% off");
    }
}
