//! `mailto:` URLs (RFC 6068) as the fields of a new message. Browsers, office programs and web
//! pages produce them, not always well: addresses and header values are percent-decoded as
//! UTF-8 (and as GB18030 when the bytes are not UTF-8, as older Chinese Windows programs send
//! them), `+` stays a plus (RFC 6068 §5: it is not a space), line breaks in the body become
//! the composer's, unknown or unsafe headers (From, Sender, anything not listed) are ignored,
//! and a URL that is not a mailto: URL is an error the window shows over an empty composer.

use std::borrow::Cow;

/// The longest URL read: the longest browsers hand over is about 2 MB; anything past this is
/// hostile or broken and is cut at a character boundary.
const MAX_URL: usize = 2 * 1024 * 1024;

/// The fields a mailto: URL fills in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailto {
    /// To, as the composer's address field takes it (comma-separated).
    pub to: String,
    /// Cc.
    pub cc: String,
    /// Bcc.
    pub bcc: String,
    /// Subject.
    pub subject: String,
    /// Body text, with `\n` line breaks.
    pub body: String,
    /// The Message-ID this answers (`<id@host>`), empty if none.
    pub in_reply_to: String,
}

/// Why a URL could not be read as a mailto: URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailtoError {
    /// It does not start with `mailto:`.
    NotMailto,
}

impl std::fmt::Display for MailtoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailtoError::NotMailto => f.write_str("not a mailto: link"),
        }
    }
}

impl std::error::Error for MailtoError {}

/// True when `arg` is meant as a mailto: URL (the scheme is case-insensitive).
pub fn is_mailto(arg: &str) -> bool {
    arg.get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("mailto:"))
}

/// Reads a mailto: URL.
pub fn parse(url: &str) -> Result<Mailto, MailtoError> {
    let url = url.trim();
    if !is_mailto(url) {
        return Err(MailtoError::NotMailto);
    }
    let url = cut(url, MAX_URL);
    let rest = &url[7..];
    // A fragment is not part of a mailto: URL; browsers may still pass one.
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut out = Mailto::default();
    // Some programs write mailto://address.
    let path = path.strip_prefix("//").unwrap_or(path);
    add_addresses(&mut out.to, &decode(path));
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value);
        match decode(name).to_ascii_lowercase().as_str() {
            "to" => add_addresses(&mut out.to, &value),
            "cc" => add_addresses(&mut out.cc, &value),
            "bcc" => add_addresses(&mut out.bcc, &value),
            "subject" if out.subject.is_empty() => out.subject = one_line(&value),
            "body" if out.body.is_empty() => out.body = line_breaks(&value),
            "in-reply-to" if out.in_reply_to.is_empty() => {
                out.in_reply_to = message_id(&value).unwrap_or_default();
            }
            // From, Sender, Reply-To and the rest are not the link's to choose.
            _ => {}
        }
    }
    Ok(out)
}

/// `text` cut to at most `max` bytes at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Percent-decoding to text: UTF-8 when the bytes are, else GB18030 (which every byte
/// sequence decodes as). A `%` not followed by two hex digits stays as it is.
fn decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(text) => Cow::Owned(text),
        Err(e) => Cow::Owned(encoding_rs::GB18030.decode(e.as_bytes()).0.into_owned()),
    }
}

/// Appends comma-separated addresses to a field, skipping empty ones.
fn add_addresses(field: &mut String, value: &str) {
    for address in split_addresses(value) {
        if !field.is_empty() {
            field.push_str(", ");
        }
        field.push_str(&address);
    }
}

/// Addresses separated by commas, except commas inside quotes or angle brackets
/// (`"Zhang, San" <z@example.com>`). Line breaks are dropped: they cannot be in an address.
fn split_addresses(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut angle) = (false, false);
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' | ';' if !quoted && !angle => {
                push_address(&mut out, &current);
                current.clear();
                continue;
            }
            '\r' | '\n' => continue,
            _ => {}
        }
        current.push(c);
    }
    push_address(&mut out, &current);
    out
}

fn push_address(out: &mut Vec<String>, address: &str) {
    let address = address.trim();
    if !address.is_empty() {
        out.push(address.to_owned());
    }
}

/// A header value on one line (a subject cannot hold a line break).
fn one_line(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// CRLF and lone CR as `\n`.
fn line_breaks(value: &str) -> String {
    value.replace("\r\n", "\n").replace('\r', "\n")
}

/// The first `<id@host>` in a value, or a bare `id@host` given brackets; None for anything
/// that cannot be a Message-ID.
fn message_id(value: &str) -> Option<String> {
    let value = value.trim();
    let inner = match (value.find('<'), value.find('>')) {
        (Some(open), Some(close)) if open < close => &value[open + 1..close],
        (None, None) => value,
        _ => return None,
    };
    let ok = inner.contains('@')
        && !inner.is_empty()
        && inner.len() <= 998
        && inner
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\'));
    ok.then(|| format!("<{inner}>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(url: &str) -> Mailto {
        parse(url).unwrap_or_else(|e| panic!("{url}: {e}"))
    }

    #[test]
    fn real_world_links() {
        // (url, to, cc, bcc, subject, body, in-reply-to)
        let table: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
            (
                "mailto:bob@example.com",
                "bob@example.com",
                "",
                "",
                "",
                "",
                "",
            ),
            (
                "MAILTO:Bob@Example.com",
                "Bob@Example.com",
                "",
                "",
                "",
                "",
                "",
            ),
            ("mailto:", "", "", "", "", "", ""),
            (
                "mailto:?to=bob@example.com",
                "bob@example.com",
                "",
                "",
                "",
                "",
                "",
            ),
            (
                "mailto:a@example.com,b@example.com?to=c@example.com&cc=d@example.com&bcc=e@example.com",
                "a@example.com, b@example.com, c@example.com",
                "d@example.com",
                "e@example.com",
                "",
                "",
                "",
            ),
            // RFC 6068's own examples.
            (
                "mailto:infobot@example.com?subject=current-issue",
                "infobot@example.com",
                "",
                "",
                "current-issue",
                "",
                "",
            ),
            (
                "mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index",
                "infobot@example.com",
                "",
                "",
                "",
                "send current-issue\nsend index",
                "",
            ),
            (
                "mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E",
                "list@example.org",
                "",
                "",
                "",
                "",
                "<3469A91.D10AF4C@example.com>",
            ),
            (
                "mailto:%22not%40me%22@example.org",
                "\"not@me\"@example.org",
                "",
                "",
                "",
                "",
                "",
            ),
            // A plus is a plus, in addresses and in text.
            (
                "mailto:bob+tag@example.com?subject=1+1=2",
                "bob+tag@example.com",
                "",
                "",
                "1+1=2",
                "",
                "",
            ),
            // What browsers send for Chinese text: UTF-8, percent-encoded.
            (
                "mailto:%E5%BC%A0%E4%B8%89%20%3Czhang@example.cn%3E?subject=%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A&body=%E4%BD%A0%E5%A5%BD%EF%BC%8C%0A%E8%B0%A2%E8%B0%A2",
                "张三 <zhang@example.cn>",
                "",
                "",
                "季度报告",
                "你好，\n谢谢",
                "",
            ),
            // Raw UTF-8, as some programs pass it unencoded.
            (
                "mailto:li@example.cn?subject=会议纪要",
                "li@example.cn",
                "",
                "",
                "会议纪要",
                "",
                "",
            ),
            // GBK bytes from an older Chinese program: 报告 is %B1%A8%B8%E6.
            (
                "mailto:wang@example.cn?subject=%B1%A8%B8%E6",
                "wang@example.cn",
                "",
                "",
                "报告",
                "",
                "",
            ),
            // A quoted name with a comma stays one address.
            (
                "mailto:%22Zhang,%20San%22%20%3Cz@example.com%3E,y@example.com",
                "\"Zhang, San\" <z@example.com>, y@example.com",
                "",
                "",
                "",
                "",
                "",
            ),
            // Unknown and unsafe headers are ignored; a fragment is dropped.
            (
                "mailto:bob@example.com?from=evil@example.net&x-mailer=x&reply-to=evil@example.net&subject=Hi#top",
                "bob@example.com",
                "",
                "",
                "Hi",
                "",
                "",
            ),
            // A bad escape stays as typed; a line break cannot split a subject.
            (
                "mailto:bob@example.com?subject=100%25%20sure%zz%0D%0ABcc:%20evil@example.net",
                "bob@example.com",
                "",
                "",
                "100% sure%zz Bcc: evil@example.net",
                "",
                "",
            ),
            // A Message-ID that is not one is dropped.
            (
                "mailto:bob@example.com?in-reply-to=%3Cbroken",
                "bob@example.com",
                "",
                "",
                "",
                "",
                "",
            ),
            (
                "mailto://bob@example.com",
                "bob@example.com",
                "",
                "",
                "",
                "",
                "",
            ),
        ];
        for (url, to, cc, bcc, subject, body, irt) in table {
            let m = parsed(url);
            assert_eq!(
                (
                    m.to.as_str(),
                    m.cc.as_str(),
                    m.bcc.as_str(),
                    m.subject.as_str(),
                    m.body.as_str(),
                    m.in_reply_to.as_str()
                ),
                (*to, *cc, *bcc, *subject, *body, *irt),
                "{url}"
            );
        }
    }

    #[test]
    fn what_is_not_a_mailto_link_is_refused() {
        for url in [
            "",
            "http://example.com",
            "mailto",
            "bob@example.com",
            "file:///a.eml",
        ] {
            assert_eq!(parse(url), Err(MailtoError::NotMailto), "{url:?}");
        }
    }

    #[test]
    fn a_huge_link_is_cut_not_refused() {
        let url = format!("mailto:bob@example.com?body={}", "报".repeat(MAX_URL));
        let m = parsed(&url);
        assert!(m.body.len() <= MAX_URL && m.body.starts_with('报'));
    }
}
