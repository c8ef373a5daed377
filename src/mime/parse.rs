//! The one way Tidings parses a whole message: boundary look-alikes defused first, then
//! mail-parser, whose result is torn down without recursion.
//!
//! mail-parser ends a part at `--BOUNDARY` anywhere, also in the middle of a line, so text
//! after "…log: --BOUNDARY appears mid-line" vanished. RFC 2046 counts a delimiter only at the
//! start of a line, followed by nothing but `--` and white space. `prepare` finds the declared
//! boundaries and replaces the first `-` of every look-alike by `NOT_A_DELIMITER` — one byte
//! for one, so every offset stays right — and `restore` turns it back in the text shown.
//!
//! A header block that runs straight into the body, without the blank line (seen in the wild),
//! lost the body's first line: mail-parser took it for a broken header. `prepare` puts the
//! blank line in before the first line that cannot be a header and has no field after it; a
//! stray line with fields after it is damage inside the header (an address folded without
//! indentation) and is made a continuation. `Prepared::original` gives the original bytes with
//! the same repairs, so offsets still match.
//!
//! mail-parser reads nested `message/rfc822` parts (and digest entries) with an explicit
//! stack, so any depth parses; but the tree it returns owns each nested message inside its
//! parent, and dropping it recursed once per level. A few hundred kilobytes of nested
//! messages overflowed a 2 MiB thread stack while syncing. `Parsed` takes the nested messages
//! apart one by one instead.

use std::borrow::Cow;
use std::ops::Deref;

use mail_parser::{Message, MessageParser, PartType};

/// What stands in for the first `-` of a boundary look-alike while mail-parser reads.
pub const NOT_A_DELIMITER: u8 = 0x1A;

/// A parsed message whose drop is iterative, however deeply messages nest.
pub struct Parsed<'x>(Message<'x>);

/// A message's bytes ready for mail-parser: the original, or a copy with look-alikes defused
/// and a missing blank line after the header added.
pub struct Prepared<'a> {
    /// The original bytes, with the blank line added when one was missing.
    original: Cow<'a, [u8]>,
    /// Those bytes with the look-alikes defused, when there were any (same offsets).
    defused: Option<Vec<u8>>,
}

impl Prepared<'_> {
    /// Parses the prepared bytes (headers and body).
    pub fn parse(&self) -> Option<Parsed<'_>> {
        MessageParser::default().parse(self.bytes()).map(Parsed)
    }

    /// What mail-parser reads.
    fn bytes(&self) -> &[u8] {
        self.defused.as_deref().unwrap_or(&self.original)
    }

    /// The message's own bytes at the offsets of the parse: no dash defused, a missing blank
    /// line after the header added. Attachment bytes are cut from here.
    pub fn original(&self) -> &[u8] {
        &self.original
    }
}

/// The most header bytes looked at for a missing blank line.
const MAX_HEADER_SCAN: usize = 256 * 1024;

/// The most stray lines inside one header mended; past it, the rest is left as it is.
const MAX_STRAY_LINES: usize = 64;

/// What a damaged header block needs so mail-parser reads it as a mail program would, as
/// insertions (offset, bytes) in ascending order:
/// - a stray line among the fields (an address folded without indentation by a broken mailer)
///   has fields after it, so the header goes on: it gets the space a folded line starts with,
///   and joins the field above it;
/// - the first line (after the first) that is neither a field nor a continuation, with no
///   field after it, is where the body starts: a missing blank line goes in before it.
///
/// Only a line without any ':' is a stray one, so a malformed field never cuts the header
/// short.
fn header_repairs(raw: &[u8]) -> Vec<(usize, &'static [u8])> {
    let scan = &raw[..raw.len().min(MAX_HEADER_SCAN)];
    let mut repairs = Vec::new();
    let mut lines = Lines { scan, at: 0 };
    let mut first = true;
    while let Some((at, content)) = lines.next() {
        if content.is_empty() {
            break;
        }
        let continuation = matches!(content[0], b' ' | b'\t');
        if !first && !continuation && !content.contains(&b':') {
            // What follows decides: more fields mean this line is damage inside the header.
            let mut ahead = Lines { scan, at: lines.at };
            let next = loop {
                match ahead.next() {
                    Some((_, l)) if l.first().is_some_and(|b| *b == b' ' || *b == b'\t') => {}
                    other => break other.map(|(_, l)| l),
                }
            };
            if next.is_some_and(is_field) {
                if repairs.len() < MAX_STRAY_LINES {
                    repairs.push((at, b" ".as_slice()));
                }
                continue;
            }
            let crlf = at >= 2 && &scan[at - 2..at] == b"\r\n";
            repairs.push((
                at,
                if crlf {
                    b"\r\n".as_slice()
                } else {
                    b"\n".as_slice()
                },
            ));
            break;
        }
        first = false;
    }
    repairs
}

/// The lines of a header scan, each with its offset and without its line ending.
struct Lines<'a> {
    scan: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.scan.len() {
            return None;
        }
        let start = self.at;
        let end = self.scan[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(self.scan.len(), |n| start + n + 1);
        self.at = end;
        let line = &self.scan[start..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        Some((start, content.strip_suffix(b"\r").unwrap_or(content)))
    }
}

/// Whether `line` is shaped like a header field: a name of printable characters without
/// spaces (RFC 5322 ftext), then the colon. "and the body goes on: here" is body text.
fn is_field(line: &[u8]) -> bool {
    let name_len = line.iter().take_while(|b| **b != b':').count();
    name_len > 0
        && name_len < line.len()
        && name_len <= 76
        && line[..name_len].iter().all(|b| (33..=126).contains(b))
}

/// `text` taken from a prepared message, with the defused dashes given back.
pub fn restore(text: &str) -> Cow<'_, str> {
    if text.contains(char::from(NOT_A_DELIMITER)) {
        Cow::Owned(text.replace(char::from(NOT_A_DELIMITER), "-"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The boundaries the message's headers declare (`boundary=…`), at most a few hundred.
fn declared_boundaries(raw: &[u8]) -> Vec<Vec<u8>> {
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    while let Some(at) = find_ignore_case(&raw[i..], b"boundary") {
        let mut j = i + at + 8;
        i = j;
        while raw.get(j).is_some_and(|b| *b == b' ' || *b == b'\t') {
            j += 1;
        }
        if raw.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while raw.get(j).is_some_and(|b| *b == b' ' || *b == b'\t') {
            j += 1;
        }
        let value: Vec<u8> = if raw.get(j) == Some(&b'"') {
            raw[j + 1..]
                .iter()
                .take_while(|b| **b != b'"' && **b != b'\n')
                .copied()
                .collect()
        } else {
            raw[j..]
                .iter()
                .take_while(|b| !b.is_ascii_whitespace() && **b != b';')
                .copied()
                .collect()
        };
        if !value.is_empty() && value.len() <= 200 && !found.contains(&value) {
            found.push(value);
            if found.len() >= 256 {
                break;
            }
        }
    }
    found
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (first, rest) = needle.split_first()?;
    let end = hay.len().checked_sub(needle.len())?;
    // memchr jumps to each candidate first byte; the byte-by-byte scan was the largest cost
    // of a first sync (every body is scanned, base64 attachments included).
    memchr::memchr2_iter(first.to_ascii_lowercase(), first.to_ascii_uppercase(), hay)
        .take_while(|&i| i <= end)
        .find(|&i| hay[i + 1..i + needle.len()].eq_ignore_ascii_case(rest))
}

/// Whether `--boundary` at `at` is a real delimiter line: at a line start, then nothing but an
/// optional `--`, white space and the line end.
fn is_delimiter(raw: &[u8], at: usize, boundary: &[u8]) -> bool {
    if at > 0 && raw[at - 1] != b'\n' {
        return false;
    }
    let mut rest = &raw[at + 2 + boundary.len()..];
    if let Some(after) = rest.strip_prefix(b"--") {
        rest = after;
    }
    let rest = match rest.iter().position(|b| *b != b' ' && *b != b'\t') {
        Some(n) => &rest[n..],
        None => &[],
    };
    rest.is_empty() || rest.starts_with(b"\r\n") || rest.starts_with(b"\n") || rest == b"\r"
}

/// `raw` with every boundary look-alike defused (a copy only when there is one). One pass over
/// the bytes: each `--` is checked against the boundaries starting with the byte after it.
pub fn prepare(raw: &[u8]) -> Prepared<'_> {
    let repairs = header_repairs(raw);
    let original = if repairs.is_empty() {
        Cow::Borrowed(raw)
    } else {
        let added: usize = repairs.iter().map(|(_, bytes)| bytes.len()).sum();
        let mut fixed = Vec::with_capacity(raw.len() + added);
        let mut from = 0;
        for (at, bytes) in repairs {
            fixed.extend_from_slice(&raw[from..at]);
            fixed.extend_from_slice(bytes);
            from = at;
        }
        fixed.extend_from_slice(&raw[from..]);
        Cow::Owned(fixed)
    };
    let defused = defuse(&original);
    Prepared { original, defused }
}

/// `raw` with every boundary look-alike defused; None when it has none.
fn defuse(raw: &[u8]) -> Option<Vec<u8>> {
    let boundaries = declared_boundaries(raw);
    let mut by_first: std::collections::HashMap<u8, Vec<&[u8]>> = std::collections::HashMap::new();
    for b in &boundaries {
        by_first.entry(b[0]).or_default().push(b);
    }
    let mut look_alikes = Vec::new();
    if by_first.is_empty() {
        return None;
    }
    // Every "--" (overlapping runs of dashes included), found by memchr rather than a look
    // at every byte.
    let dashes = memchr::memchr_iter(b'-', raw).filter(|&at| raw.get(at + 1) == Some(&b'-'));
    for at in dashes.take_while(|&at| at + 2 < raw.len()) {
        if let Some(candidates) = by_first.get(&raw[at + 2]) {
            let after = &raw[at + 2..];
            let mut seen = false;
            let mut real = false;
            for b in candidates.iter().filter(|b| after.starts_with(b)) {
                seen = true;
                // A look-alike of one boundary can be the real delimiter of a longer one.
                real |= is_delimiter(raw, at, b);
            }
            if seen && !real {
                look_alikes.push(at);
            }
        }
    }
    if look_alikes.is_empty() {
        return None;
    }
    let mut copy = raw.to_vec();
    for at in look_alikes {
        copy[at] = NOT_A_DELIMITER;
    }
    Some(copy)
}

impl<'x> Deref for Parsed<'x> {
    type Target = Message<'x>;

    fn deref(&self) -> &Message<'x> {
        &self.0
    }
}

impl Drop for Parsed<'_> {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        detach_nested(&mut self.0, &mut pending);
        while let Some(mut nested) = pending.pop() {
            detach_nested(&mut nested, &mut pending);
            // `nested` now holds no messages of its own: dropping it is shallow.
        }
    }
}

/// Moves the messages nested directly in `message` out into `into`.
fn detach_nested<'x>(message: &mut Message<'x>, into: &mut Vec<Message<'x>>) {
    for part in &mut message.parts {
        if matches!(part.body, PartType::Message(_))
            && let PartType::Message(nested) = std::mem::take(&mut part.body)
        {
            into.push(nested);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `levels` messages each holding the next, as a forwarding loop or an attacker makes.
    fn nested_messages(levels: usize) -> Vec<u8> {
        let mut raw = Vec::new();
        for _ in 0..levels {
            raw.extend_from_slice(b"Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n");
        }
        raw.extend_from_slice(b"Subject: the core\r\n\r\ninnermost text\r\n");
        raw
    }

    #[test]
    fn deeply_nested_messages_parse_and_drop_on_a_small_stack() {
        let raw = nested_messages(20_000);
        // A thread with a 256 KiB stack: the recursive drop needed far more.
        let worker = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                prepare(&raw)
                    .parse()
                    .map(|m| m.subject().unwrap_or_default().to_owned())
            });
        let subject = worker.map(|w| w.join());
        assert!(
            matches!(&subject, Ok(Ok(Some(s))) if s == "fwd"),
            "{subject:?}"
        );
    }

    #[test]
    fn only_delimiter_lines_end_a_part() {
        let raw = b"Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n--BOUNDARY\r\n\
            Content-Type: text/plain\r\n\r\nlog: --BOUNDARY appears mid-line, and so on\r\n\
            --BOUNDARY trailing words make this no delimiter either\r\nlast line\r\n\
            --BOUNDARY--\r\n";
        let prepared = prepare(raw);
        assert_eq!(prepared.bytes().len(), raw.len(), "offsets must not move");
        let Some(message) = prepared.parse() else {
            panic!("no parse")
        };
        let text = message.body_text(0).map(|t| restore(&t).into_owned());
        let text = text.unwrap_or_default();
        assert!(
            text.contains("--BOUNDARY appears mid-line, and so on") && text.contains("last line"),
            "{text:?}"
        );
    }

    #[test]
    fn a_longer_boundary_that_starts_like_a_shorter_one_still_delimits() {
        let raw = b"Content-Type: multipart/mixed; boundary=ab\r\n\r\n--ab\r\n\
            Content-Type: multipart/alternative; boundary=abcd\r\n\r\n--abcd\r\n\
            Content-Type: text/plain\r\n\r\ninner\r\n--abcd--\r\n--ab--\r\n";
        let prepared = prepare(raw);
        // Nothing copied: no look-alike to defuse, no line to add.
        assert!(prepared.defused.is_none() && matches!(prepared.original, Cow::Borrowed(_)));
    }

    #[test]
    fn a_stray_line_with_fields_after_it_joins_the_field_above() {
        let raw = b"To: a@example.com,\r\nb@example.com\r\nSubject: kept\r\n\r\nbody\r\n";
        let prepared = prepare(raw);
        let Some(message) = prepared.parse() else {
            panic!("no parse")
        };
        assert_eq!(message.subject(), Some("kept"));
        let to: Vec<_> = message
            .to()
            .map(|a| a.iter().filter_map(|a| a.address()).collect())
            .unwrap_or_default();
        assert_eq!(to, ["a@example.com", "b@example.com"]);
        assert_eq!(message.body_text(0).as_deref(), Some("body\r\n"));
    }

    #[test]
    fn a_stray_line_with_no_field_after_it_starts_the_body() {
        let raw = b"Subject: s\nno blank line before this\nand on: here\n";
        let prepared = prepare(raw);
        assert_eq!(
            prepared.original(),
            b"Subject: s\n\nno blank line before this\nand on: here\n"
        );
    }
}
