//! NAMESPACE (RFC 2342): where the user's own folders live on the server (`INBOX.` on Courier
//! and Cyrus, nothing on Dovecot), so names can be shown without that prefix.
//!
//! imap-proto cannot parse the NAMESPACE answer (async-imap would end the connection), so the
//! command goes under it and its answer is read from the stream directly, between commands.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::ImapSession;

/// The user's personal namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// What every personal folder's name starts with ("INBOX." or "").
    pub prefix: String,
    /// The hierarchy separator there.
    pub delimiter: String,
}

/// The most bytes the answer may have; a NAMESPACE answer is a few dozen.
const MAX_ANSWER: usize = 64 * 1024;

/// Runs NAMESPACE; the first personal namespace, or None when the server lists none.
pub async fn personal(session: &mut ImapSession) -> std::io::Result<Option<Namespace>> {
    let stream = session.get_mut();
    // The tag cannot collide with async-imap's own (A0001…).
    stream.write_all(b"TN1 NAMESPACE\r\n").await?;
    stream.flush().await?;
    let mut answer: Vec<u8> = Vec::with_capacity(256);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(done) = tagged_end(&answer) {
            let text = String::from_utf8_lossy(&answer[..done]).into_owned();
            let status = text.lines().last().unwrap_or_default();
            if !status.starts_with("TN1 OK") {
                return Err(std::io::Error::other(format!(
                    "NAMESPACE refused: {status}"
                )));
            }
            return Ok(text
                .lines()
                .find_map(|l| l.strip_prefix("* NAMESPACE "))
                .and_then(parse));
        }
        if answer.len() > MAX_ANSWER {
            return Err(std::io::Error::other("the NAMESPACE answer is too long"));
        }
        let n = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut chunk))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "NAMESPACE"))??;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        answer.extend_from_slice(&chunk[..n]);
    }
}

/// Where the tagged line ends (past its CRLF), once it is in.
fn tagged_end(answer: &[u8]) -> Option<usize> {
    let mut start = 0;
    while let Some(at) = answer[start..].windows(2).position(|w| w == b"\r\n") {
        let end = start + at + 2;
        if answer[start..].starts_with(b"TN1 ") {
            return Some(end);
        }
        start = end;
    }
    None
}

/// The first personal namespace of a NAMESPACE answer: `(("INBOX." ".")) NIL NIL`.
pub fn parse(text: &str) -> Option<Namespace> {
    let rest = text.trim_start().strip_prefix("((")?;
    let (prefix, rest) = quoted(rest.trim_start())?;
    let rest = rest.trim_start();
    let delimiter = if let Some(after) = rest.strip_prefix("NIL") {
        let _ = after;
        String::new()
    } else {
        quoted(rest)?.0
    };
    Some(Namespace { prefix, delimiter })
}

/// A quoted string at the start of `s` and what follows it.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.strip_prefix('"')?.char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &s[i + 2..])),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_personal_namespace_is_read() {
        assert_eq!(
            parse(r##"(("INBOX." ".")) NIL (("#shared." ".")("shared." "."))"##),
            Some(Namespace {
                prefix: "INBOX.".into(),
                delimiter: ".".into()
            })
        );
        assert_eq!(
            parse(r#"(("" "/")) (("user." "/")) NIL"#),
            Some(Namespace {
                prefix: "".into(),
                delimiter: "/".into()
            })
        );
        assert_eq!(
            parse(r#"(("a\"b" NIL)) NIL NIL"#),
            Some(Namespace {
                prefix: "a\"b".into(),
                delimiter: "".into()
            })
        );
        assert_eq!(parse("NIL NIL NIL"), None);
        assert_eq!(parse(r#"(("unterminated"#), None);
    }

    #[test]
    fn the_tagged_line_ends_the_answer() {
        assert_eq!(tagged_end(b"* NAMESPACE NIL NIL NIL\r\nTN1 OK"), None);
        assert_eq!(
            tagged_end(b"* NAMESPACE NIL NIL NIL\r\nTN1 OK done\r\n"),
            Some(38)
        );
    }
}
