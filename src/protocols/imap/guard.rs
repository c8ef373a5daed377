//! A bound on how deeply an IMAP server's answers nest.
//!
//! async-imap hands every response to imap-proto, whose parser recurses once per parenthesis
//! level (BODYSTRUCTURE, ENVELOPE, LIST attributes). A few hundred levels overflow a 2 MiB
//! worker stack and abort the whole process — before STARTTLS too, so anyone on the path
//! could crash Tidings. This stream wrapper reads the server's bytes as they pass, with just
//! enough IMAP syntax to skip quoted strings and literals, and fails the connection once the
//! parentheses of one response nest deeper than any real server sends.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Deepest parenthesis nesting accepted in one response. A BODYSTRUCTURE gains a level or two
/// per MIME level; real mail stays far below this, and imap-proto handles it on any stack.
pub const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Outside strings and literals.
    Normal,
    /// Inside a quoted string; `escape` after a backslash.
    Quoted { escape: bool },
    /// After `{`: the literal's length so far.
    Count(u64),
    /// After `}`: waiting for the CRLF that starts the literal.
    Open { length: u64, cr: bool },
    /// Inside a literal: bytes left.
    Literal(u64),
}

/// How a tagged command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// `tag OK …`
    Ok,
    /// `tag NO …`, with the server's text.
    No(String),
    /// `tag BAD …`, with the server's text.
    Bad(String),
}

/// The longest line start kept to read a tagged status from.
const STATUS_PREFIX: usize = 512;

/// Follows the server's bytes: says when they nest too deeply, and remembers how the last
/// tagged command ended (async-imap's FETCH stream ends at the tagged answer without telling
/// whether it was OK, so a BAD looked like an empty result).
#[derive(Debug, Clone)]
pub struct Nesting {
    state: State,
    depth: usize,
    /// The start of the current response line, outside strings and literals.
    line: Vec<u8>,
    /// The line held a literal or a string: not a status line.
    spoiled: bool,
    last_done: Option<Done>,
}

impl Default for Nesting {
    fn default() -> Nesting {
        Nesting {
            state: State::Normal,
            depth: 0,
            line: Vec::new(),
            spoiled: false,
            last_done: None,
        }
    }
}

/// Reads `tag OK|NO|BAD text` from a line; None for untagged and continuation lines.
fn tagged_status(line: &[u8]) -> Option<Done> {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end();
    let (tag, rest) = text.split_once(' ')?;
    if tag == "*" || tag == "+" || tag.is_empty() {
        return None;
    }
    let (status, words) = rest.split_once(' ').unwrap_or((rest, ""));
    match status.to_ascii_uppercase().as_str() {
        "OK" => Some(Done::Ok),
        "NO" => Some(Done::No(words.to_owned())),
        "BAD" => Some(Done::Bad(words.to_owned())),
        _ => None,
    }
}

impl Nesting {
    /// How the last tagged command the server answered ended.
    pub fn last_done(&self) -> Option<&Done> {
        self.last_done.as_ref()
    }
}

impl Nesting {
    /// Takes the next bytes; an error once nesting passes `MAX_NESTING`.
    pub fn feed(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if self.state == State::Normal && self.line.len() < STATUS_PREFIX && b != b'\n' {
                self.line.push(b);
            }
            self.state = match self.state {
                State::Literal(left) => {
                    // Skip the literal's bytes in one step.
                    let take = (bytes.len() - i).min(usize::try_from(left).unwrap_or(usize::MAX));
                    i += take;
                    let left = left - take as u64;
                    self.state = if left == 0 {
                        State::Normal
                    } else {
                        State::Literal(left)
                    };
                    continue;
                }
                State::Quoted { escape: true } => State::Quoted { escape: false },
                State::Quoted { escape: false } => match b {
                    b'\\' => State::Quoted { escape: true },
                    b'"' => State::Normal,
                    _ => State::Quoted { escape: false },
                },
                State::Count(n) => match b {
                    b'0'..=b'9' => {
                        State::Count(n.saturating_mul(10).saturating_add(u64::from(b - b'0')))
                    }
                    b'}' => State::Open {
                        length: n,
                        cr: false,
                    },
                    // LITERAL+ / LITERAL- syntax, from clients; harmless to accept.
                    b'+' | b'-' => State::Count(n),
                    _ => State::Normal,
                },
                State::Open { length, cr } => match (b, cr) {
                    (b'\r', false) => State::Open { length, cr: true },
                    (b'\n', _) if length == 0 => State::Normal,
                    (b'\n', _) => State::Literal(length),
                    _ => State::Normal,
                },
                State::Normal => match b {
                    b'"' => {
                        self.spoiled = true;
                        State::Quoted { escape: false }
                    }
                    b'{' => {
                        self.spoiled = true;
                        State::Count(0)
                    }
                    b'(' => {
                        self.depth += 1;
                        if self.depth > MAX_NESTING {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!(
                                    "the server sent a response nested more than {MAX_NESTING} levels deep"
                                ),
                            ));
                        }
                        State::Normal
                    }
                    b')' => {
                        self.depth = self.depth.saturating_sub(1);
                        State::Normal
                    }
                    b'\n' => {
                        // A response ends at a line end outside strings and literals.
                        self.depth = 0;
                        if !self.spoiled
                            && let Some(done) = tagged_status(&self.line)
                        {
                            self.last_done = Some(done);
                        }
                        self.line.clear();
                        self.spoiled = false;
                        State::Normal
                    }
                    _ => State::Normal,
                },
            };
            i += 1;
        }
        Ok(())
    }
}

/// A stream whose incoming bytes are checked by `Nesting` before anyone parses them.
#[derive(Debug)]
pub struct Guarded<S> {
    inner: S,
    nesting: Nesting,
}

impl<S> Guarded<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Guarded<S> {
        Guarded {
            inner,
            nesting: Nesting::default(),
        }
    }

    /// The stream inside (to start TLS on it).
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// How the last tagged command the server answered ended.
    pub fn last_done(&self) -> Option<&Done> {
        self.nesting.last_done()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => Poll::Ready(this.nesting.feed(&buf.filled()[before..])),
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nested(depth: usize) -> Vec<u8> {
        format!(
            "* LIST ({}) \"/\" INBOX\r\n",
            "(".repeat(depth - 1) + &")".repeat(depth - 1)
        )
        .into_bytes()
    }

    #[test]
    fn real_answers_pass_and_deep_ones_stop() {
        let mut n = Nesting::default();
        assert!(n.feed(&nested(MAX_NESTING)).is_ok());
        assert!(n.feed(&nested(MAX_NESTING + 1)).is_err());
        // Parentheses inside quoted strings and literals are data, not structure.
        let mut n = Nesting::default();
        let data = format!(
            "* 1 FETCH (BODY[] {{600}}\r\n{}\"\\\"((\" UID 5)\r\n",
            "(".repeat(600)
        );
        assert!(n.feed(data.as_bytes()).is_ok(), "{data}");
        // Depth counts within one response and starts again at the next.
        let mut n = Nesting::default();
        for _ in 0..10 {
            assert!(n.feed(&nested(MAX_NESTING)).is_ok());
        }
    }

    #[test]
    fn the_last_tagged_status_is_remembered() {
        let mut n = Nesting::default();
        let _ = n.feed(b"* 1 FETCH (UID 5 BODY[] {12}\r\na4 OK inside\r\n)\r\n");
        assert_eq!(n.last_done(), None, "a literal is data, not a status");
        let _ = n.feed(b"a4 BAD [CLIENTBUG] Invalid message set\r\n");
        assert_eq!(
            n.last_done(),
            Some(&Done::Bad("[CLIENTBUG] Invalid message set".into()))
        );
        let _ = n.feed(b"* OK still here\r\na5 OK done\r\n");
        assert_eq!(n.last_done(), Some(&Done::Ok));
        let _ = n.feed(b"a6 NO [SERVERBUG] bad day\r\n");
        assert!(matches!(n.last_done(), Some(Done::No(_))));
    }

    #[test]
    fn split_reads_count_the_same() {
        let mut whole = Nesting::default();
        let data = format!("* 1 FETCH (X {{3}}\r\n((( {})\r\n", "(".repeat(70));
        let one = whole.feed(data.as_bytes()).is_ok();
        let mut split = Nesting::default();
        let parts = data.as_bytes().chunks(1).all(|c| split.feed(c).is_ok());
        assert_eq!(one, parts);
        assert!(!one);
    }

    proptest! {
        #[test]
        fn any_bytes_are_followed_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = Nesting::default().feed(&bytes);
        }
    }
}
