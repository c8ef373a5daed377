//! Text whose charset label is missing or wrong: decoded by guessing rather than shown as
//! mojibake. GB2312 labels already decode as GB18030 in mail-parser (senders mislabel GBK).

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Encoding, Message, MessagePart, MimeHeaders};

/// Decodes bytes of unknown charset: UTF-8 when valid, else the detector's best guess.
pub fn guess_decode(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// The transfer-decoded bytes of a part (base64 and quoted-printable undone).
pub fn part_bytes<'a>(
    message: &'a Message<'_>,
    part: &MessagePart<'_>,
) -> std::borrow::Cow<'a, [u8]> {
    part_bytes_in(message.raw_message(), part)
}

/// `part_bytes` read from `raw`, the message bytes the part's offsets point into.
pub fn part_bytes_in<'a>(raw: &'a [u8], part: &MessagePart<'_>) -> std::borrow::Cow<'a, [u8]> {
    let start = (part.offset_body as usize).min(raw.len());
    let end = (part.offset_end as usize).clamp(start, raw.len());
    let body = &raw[start..end];
    // mail-parser resets `encoding` when it could not decode; the header still says what it was.
    let encoding = match part.content_transfer_encoding() {
        Some(cte) if cte.eq_ignore_ascii_case("base64") => Encoding::Base64,
        Some(cte) if cte.eq_ignore_ascii_case("quoted-printable") => Encoding::QuotedPrintable,
        _ => part.encoding,
    };
    let decoded = match encoding {
        // Stray characters in base64 are skipped, as other mail programs do.
        Encoding::Base64 => base64_decode(body).or_else(|| {
            let clean: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                .collect();
            base64_decode(&clean)
        }),
        Encoding::QuotedPrintable => quoted_printable_decode(body),
        Encoding::None => None,
    };
    match decoded {
        Some(bytes) => std::borrow::Cow::Owned(bytes),
        None => std::borrow::Cow::Borrowed(body),
    }
}

/// Labels that decode any byte without complaint, so a wrong one goes unnoticed.
fn is_permissive(label: &str) -> bool {
    matches!(
        label.to_ascii_lowercase().as_str(),
        "us-ascii" | "ascii" | "iso-8859-1" | "latin1" | "windows-1252" | "cp1252"
    )
}

/// The text of a text part, re-decoded by guessing when its label is missing or evidently
/// wrong, with dashes `parse::prepare` defused given back.
pub fn part_text(message: &Message<'_>, part: &MessagePart<'_>, decoded: &str) -> String {
    let text = decoded_part_text(message, part, decoded);
    match super::parse::restore(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(restored) => restored,
    }
}

fn decoded_part_text(message: &Message<'_>, part: &MessagePart<'_>, decoded: &str) -> String {
    let label = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .map(str::to_owned);
    let base64 = part
        .content_transfer_encoding()
        .is_some_and(|c| c.eq_ignore_ascii_case("base64"));
    if part.is_encoding_problem && base64 {
        // mail-parser gave up on broken base64 and kept the raw text; decode it leniently.
        let bytes = part_bytes(message, part);
        return match &label {
            Some(l) => match encoding_rs::Encoding::for_label(l.as_bytes()) {
                Some(e) => e.decode_without_bom_handling(&bytes).0.into_owned(),
                None => guess_decode(&bytes),
            },
            None => guess_decode(&bytes),
        };
    }
    let suspicious = match &label {
        None => true,
        Some(l) => decoded.contains('\u{FFFD}') || is_permissive(l),
    };
    if !suspicious {
        return decoded.to_owned();
    }
    let bytes = part_bytes(message, part);
    if bytes.is_ascii() {
        return decoded.to_owned();
    }
    if let Some(l) = &label
        && is_permissive(l)
        && !decoded.contains('\u{FFFD}')
    {
        // Latin-1 text really is common; switch only if the detector is sure it is not.
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
        detector.feed(&bytes, true);
        let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
        if guess == encoding_rs::WINDOWS_1252 || std::str::from_utf8(&bytes).is_ok() {
            return if std::str::from_utf8(&bytes).is_ok() {
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                decoded.to_owned()
            };
        }
        return guess.decode_without_bom_handling(&bytes).0.into_owned();
    }
    guess_decode(&bytes)
}

/// A header value as the reader should see it: when it was raw 8-bit without an RFC 2047
/// label and mail-parser could not read it as UTF-8, guess its charset from the raw bytes.
pub fn header_text(message: &Message<'_>, name: &str, decoded: &str) -> String {
    if !decoded.contains('\u{FFFD}') {
        return decoded.to_owned();
    }
    let raw = message.raw_message();
    let Some(header) = message
        .root_part()
        .headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
    else {
        return decoded.to_owned();
    };
    let start = (header.offset_start() as usize).min(raw.len());
    let end = (header.offset_end() as usize).clamp(start, raw.len());
    let value = decode_header_bytes(&raw[start..end]);
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A display name from address header `header` as the reader should see it: one mail-parser
/// could not decode (raw 8-bit, or encoded-words split inside a character) is read again from
/// the raw header.
pub fn display_name(message: &Message<'_>, header: &str, name: &str) -> String {
    if !name.contains('\u{FFFD}') {
        return name.to_owned();
    }
    header_text(message, header, name)
        .split('<')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches('"')
        .to_owned()
}

/// A raw header value (RFC 2047 encoded-words, raw 8-bit text, or both) as text.
///
/// Adjacent encoded-words of one charset are joined as bytes before decoding: senders split
/// long subjects anywhere, also inside a multi-byte character (`=?UTF-8?B?5Lg=?=
/// =?UTF-8?B?rQ==?=` is one 中), and decoding each word alone turns such a character into
/// replacement marks. White space between encoded-words is dropped, as RFC 2047 §6.2 says.
pub fn decode_header_bytes(raw: &[u8]) -> String {
    enum Piece {
        Text(Vec<u8>),
        Encoded(String, Vec<u8>),
    }
    let mut pieces: Vec<Piece> = Vec::new();
    let mut i = 0;
    let mut text = Vec::new();
    while i < raw.len() {
        if raw[i..].starts_with(b"=?")
            && let Some((charset, bytes, used)) = encoded_word(&raw[i..])
        {
            // Only white space between two encoded-words: it goes.
            let between_words = matches!(pieces.last(), Some(Piece::Encoded(..)))
                && text.iter().all(u8::is_ascii_whitespace);
            if !text.is_empty() && !between_words {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            text.clear();
            match pieces.last_mut() {
                Some(Piece::Encoded(cs, acc)) if cs.eq_ignore_ascii_case(&charset) => {
                    acc.extend_from_slice(&bytes)
                }
                _ => pieces.push(Piece::Encoded(charset, bytes)),
            }
            i += used;
        } else {
            text.push(raw[i]);
            i += 1;
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(bytes) => out.push_str(&guess_decode(&bytes)),
            Piece::Encoded(charset, bytes) => {
                match encoding_rs::Encoding::for_label(charset.as_bytes()) {
                    Some(e) => out.push_str(&e.decode_without_bom_handling(&bytes).0),
                    None => out.push_str(&guess_decode(&bytes)),
                }
            }
        }
    }
    out
}

/// One encoded-word at the start of `raw`: its charset, decoded bytes and length in `raw`.
fn encoded_word(raw: &[u8]) -> Option<(String, Vec<u8>, usize)> {
    let body = raw.strip_prefix(b"=?")?;
    // An encoded-word is at most 75 characters (RFC 2047 §2); allow more from sloppy senders.
    let end = body
        .windows(2)
        .take(1000)
        .enumerate()
        .filter(|(_, w)| *w == b"?=")
        .map(|(n, _)| n)
        .find(|n| body[..*n].iter().filter(|b| **b == b'?').count() == 2)?;
    let inner = std::str::from_utf8(&body[..end]).ok()?;
    let mut parts = inner.splitn(3, '?');
    let charset = parts.next()?;
    let encoding = parts.next()?;
    let payload = parts.next()?;
    if charset.is_empty() || payload.contains(char::is_whitespace) {
        return None;
    }
    // RFC 2231 allows a language after the charset: "UTF-8*zh".
    let charset = charset.split('*').next().unwrap_or(charset).to_owned();
    let bytes = if encoding.eq_ignore_ascii_case("B") {
        let clean: Vec<u8> = payload.bytes().filter(|b| *b != b'=').collect();
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(&clean)
            .ok()?
    } else if encoding.eq_ignore_ascii_case("Q") {
        let mut out = Vec::with_capacity(payload.len());
        let mut it = payload.bytes();
        while let Some(b) = it.next() {
            match b {
                b'_' => out.push(b' '),
                b'=' => {
                    let hex = [it.next()?, it.next()?];
                    out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
                }
                other => out.push(other),
            }
        }
        out
    } else {
        return None;
    };
    Some((charset, bytes, 2 + end + 2))
}

/// Reassembles an RFC 2231 parameter (`filename*0*=gbk''%BA%CF…; filename*1*=…`) from a raw
/// header value: the segments' bytes are joined first and decoded once, so a multi-byte
/// character split across segments survives (some parsers decode each segment alone).
pub fn rfc2231_param(raw_value: &str, param: &str) -> Option<String> {
    let mut segments: Vec<(u32, bool, String)> = Vec::new();
    for piece in raw_value.split(';') {
        let Some((key, value)) = piece.trim().split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let Some(rest) = key.strip_prefix(&format!("{param}*")) else {
            continue;
        };
        let (index, encoded) = match rest.strip_suffix('*') {
            Some(n) => (n, true),
            None => (rest, false),
        };
        let index = if index.is_empty() {
            0
        } else {
            index.parse().ok()?
        };
        // A bare `name*=` is segment 0, encoded.
        let encoded = encoded || rest.is_empty();
        segments.push((index, encoded, value.trim().trim_matches('"').to_owned()));
    }
    segments.sort_by_key(|s| s.0);
    let first = segments.first()?;
    let (charset, _) = if first.1 {
        let mut parts = first.2.splitn(3, '\'');
        let cs = parts.next().unwrap_or_default().to_owned();
        (cs, parts.next().unwrap_or_default().to_owned())
    } else {
        (String::new(), String::new())
    };
    let mut bytes = Vec::new();
    for (i, (_, encoded, value)) in segments.iter().enumerate() {
        let value = if i == 0 && *encoded {
            value.splitn(3, '\'').nth(2).unwrap_or_default()
        } else {
            value.as_str()
        };
        if *encoded {
            let mut it = value.bytes();
            while let Some(b) = it.next() {
                if b == b'%' {
                    let hi = it.next()?;
                    let lo = it.next()?;
                    let hex = [hi, lo];
                    let s = std::str::from_utf8(&hex).ok()?;
                    bytes.push(u8::from_str_radix(s, 16).ok()?);
                } else {
                    bytes.push(b);
                }
            }
        } else {
            bytes.extend_from_slice(value.as_bytes());
        }
    }
    let encoding = encoding_rs::Encoding::for_label(charset.as_bytes());
    Some(match encoding {
        Some(e) => e.decode_without_bom_handling(&bytes).0.into_owned(),
        None => guess_decode(&bytes),
    })
}

/// The raw value of a part's header, unfolded, as written in the message.
pub fn raw_part_header(
    message: &Message<'_>,
    part: &MessagePart<'_>,
    name: &str,
) -> Option<String> {
    let raw = message.raw_message();
    let header = part
        .headers
        .iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))?;
    let start = (header.offset_start() as usize).min(raw.len());
    let end = (header.offset_end() as usize).clamp(start, raw.len());
    Some(
        String::from_utf8_lossy(&raw[start..end])
            .replace("\r\n", "")
            .replace('\n', ""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2231_segments_join_before_decoding() {
        let v = "attachment; filename*0*=gbk''%BA%CF%CD%AC%C9; filename*1*=%A8%C3%E8%BC%FE.jpg";
        assert_eq!(
            rfc2231_param(v, "filename").as_deref(),
            Some("合同扫描件.jpg")
        );
        assert_eq!(
            rfc2231_param("x; name*=UTF-8''%E6%8A%A5.pdf", "name").as_deref(),
            Some("报.pdf")
        );
        assert_eq!(rfc2231_param("x; other=1", "name"), None);
    }

    #[test]
    fn unlabelled_gbk_is_guessed() {
        let (gbk, _, _) =
            encoding_rs::GBK.encode("这是一封没有标注字符集的中文邮件，内容足够长以便判断编码。");
        assert_eq!(
            guess_decode(&gbk),
            "这是一封没有标注字符集的中文邮件，内容足够长以便判断编码。"
        );
        assert_eq!(guess_decode("plain ascii".as_bytes()), "plain ascii");
    }

    #[test]
    fn encoded_words_split_inside_a_character_are_joined() {
        let (gbk, _, _) = encoding_rs::GBK.encode("中文");
        let gbk_q: String = gbk.iter().map(|b| format!("={b:02X}")).collect();
        let (gb18030, _, _) = encoding_rs::GB18030.encode("𠀀字");
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let cases = [
            // UTF-8, B, split inside 中 (E4 B8 | AD).
            ("=?UTF-8?B?5Lg=?= =?UTF-8?B?rQ==?=".to_owned(), "中"),
            // UTF-8, Q, with folding white space between the words.
            (
                "=?utf-8?Q?=E4=B8?=\r\n =?UTF-8?Q?=AD=E6=96=87?=".to_owned(),
                "中文",
            ),
            // GBK, Q, split after the first byte of 中.
            (
                format!("=?GBK?Q?{}?= =?gbk?Q?{}?=", &gbk_q[..3], &gbk_q[3..]),
                "中文",
            ),
            // GB18030, B, a four-byte character split in the middle, no white space at all.
            (
                format!(
                    "=?GB18030?B?{}?==?GB18030?B?{}?=",
                    b64(&gb18030[..2]),
                    b64(&gb18030[2..])
                ),
                "𠀀字",
            ),
            // Text around the words stays, white space between words goes.
            (
                "Re: =?UTF-8?B?5Lg=?=  =?UTF-8?B?rQ==?= (2)".to_owned(),
                "Re: 中 (2)",
            ),
            // Different charsets are not joined.
            (
                "=?UTF-8?B?5Lit?= =?ISO-8859-1?Q?caf=E9?=".to_owned(),
                "中café",
            ),
            // Not encoded-words at all.
            ("price =? 5 ?= cheap".to_owned(), "price =? 5 ?= cheap"),
        ];
        for (raw, want) in cases {
            let got = decode_header_bytes(raw.as_bytes());
            assert_eq!(
                got.split_whitespace().collect::<Vec<_>>().join(" "),
                want,
                "{raw}"
            );
        }
    }

    #[test]
    fn split_words_in_subject_and_sender_display_decoded() {
        let raw = "From: =?UTF-8?B?5byg?= =?UTF-8?B?5LiJ?= <zs@x.org>\r\n\
                   Subject: =?UTF-8?Q?=E4=B8?= =?UTF-8?Q?=AD=E6=96=87?=\r\n\r\nbody\r\n";
        let model = crate::mime::body::display(raw.as_bytes(), Default::default());
        assert_eq!(model.subject, "中文");
        let fields = crate::mime::envelope::body_fields(raw.as_bytes());
        assert_eq!(fields.list.subject, "中文");
        let headers = crate::mime::envelope::list_fields(raw.as_bytes());
        assert_eq!(headers.subject, "中文");
        assert_eq!(headers.from_name, "张三");
    }
}
