//! Undoing a server's stand-in for a message it would not hand over as it is.
//!
//! A POP3 server that holds a message with raw UTF-8 headers (RFC 6532) may, for a client that
//! did not send UTF8 (RFC 6856), hand out a stand-in instead: Courier's "Cannot display Unicode
//! content", a multipart/mixed without a Message-ID whose `message/global` part is the original,
//! byte for byte. Stored as it is, the real message would be lost (and every such stand-in
//! looks like every other one). This finds the original inside.

/// The most bytes of the stand-in's header and of each part's header that are looked at.
const MAX_HEADER: usize = 16 * 1024;

/// The original message inside a server's downgrade stand-in, or None when `raw` is not one.
pub fn original_of(raw: &[u8]) -> Option<&[u8]> {
    let (head, body) = split_header(raw)?;
    if header_value(head, "message-id").is_some() {
        return None;
    }
    let content_type = header_value(head, "content-type")?;
    if !content_type
        .to_ascii_lowercase()
        .trim_start()
        .starts_with("multipart/mixed")
    {
        return None;
    }
    let boundary = boundary_of(&content_type)?;
    let delimiter = format!("\r\n--{boundary}");
    // The body may start right with the first delimiter, without a CRLF before it.
    let mut rest: Vec<u8> = Vec::with_capacity(body.len() + 2);
    rest.extend_from_slice(b"\r\n");
    rest.extend_from_slice(body);
    let starts = find_all(&rest, delimiter.as_bytes());
    for pair in starts.windows(2) {
        let part_start = pair[0] + delimiter.len();
        // Past the delimiter line's own CRLF.
        let line_end = find(&rest[part_start..], b"\r\n")? + part_start + 2;
        let part = &rest[line_end..pair[1]];
        let (part_head, part_body) = split_header(part)?;
        let part_type = header_value(part_head, "content-type").unwrap_or_default();
        if part_type
            .to_ascii_lowercase()
            .trim_start()
            .starts_with("message/global")
        {
            // Offsets in `rest` are 2 past those in `body`.
            let offset = part_body.as_ptr() as usize - rest.as_ptr() as usize - 2;
            return body.get(offset..offset + part_body.len());
        }
    }
    None
}

/// Header and body of a message or part, split at the first empty line.
fn split_header(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    if raw.starts_with(b"\r\n") {
        return Some((&[], &raw[2..]));
    }
    let end = find(&raw[..raw.len().min(MAX_HEADER)], b"\r\n\r\n")?;
    Some((&raw[..end + 2], &raw[end + 4..]))
}

/// The unfolded value of the first header field called `name` (ASCII, case-insensitive).
fn header_value(head: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let mut value: Option<String> = None;
    for line in text.split("\r\n") {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((field, v)) = line.split_once(':')
            && field.trim().eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_owned());
        }
    }
    value
}

/// The boundary parameter of a Content-Type value.
fn boundary_of(content_type: &str) -> Option<String> {
    let lower = content_type.to_ascii_lowercase();
    let at = lower.find("boundary=")? + "boundary=".len();
    let value = &content_type[at..];
    let boundary = if let Some(quoted) = value.strip_prefix('"') {
        quoted.split('"').next()?
    } else {
        value.split([';', ' ', '\t']).next()?
    };
    (!boundary.is_empty() && boundary.len() <= 200).then(|| boundary.to_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every start of `needle` in `hay`.
fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&hay[from..], needle) {
        out.push(from + at);
        from += at + needle.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "From: 张三 <zhang@example.cn>\r\nSubject: 会议纪要\r\n\
        Message-ID: <raw-1@example.cn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
        大家好。\r\n";

    fn stand_in(original: &str) -> String {
        format!(
            "From: Mail Delivery Subsystem <postmaster>\r\n\
             Subject: Cannot display Unicode content\r\nMime-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"=_20526-1796166677\"\r\n\r\n\r\n\r\n\
             --=_20526-1796166677\r\nContent-Type: text/plain\r\n\r\n\
             This E-mail message was determined to be Unicode-formatted\r\n\r\n\
             --=_20526-1796166677\r\nContent-Type: message/global\r\n\r\n\
             {original}\r\n--=_20526-1796166677--\r\n"
        )
    }

    #[test]
    fn the_original_comes_out_byte_for_byte() {
        let raw = stand_in(ORIGINAL);
        assert_eq!(original_of(raw.as_bytes()), Some(ORIGINAL.as_bytes()));
    }

    #[test]
    fn ordinary_messages_are_left_alone() {
        assert_eq!(original_of(ORIGINAL.as_bytes()), None);
        // A forwarded message/global with a Message-ID of its own is mail, not a stand-in.
        let forwarded = stand_in(ORIGINAL).replacen(
            "Mime-Version",
            "Message-ID: <fwd@example.org>\r\nMime-Version",
            1,
        );
        assert_eq!(original_of(forwarded.as_bytes()), None);
        assert_eq!(original_of(b""), None);
        assert_eq!(original_of(b"Subject: x\r\n"), None);
        let no_part = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n";
        assert_eq!(original_of(no_part.as_bytes()), None);
    }
}
