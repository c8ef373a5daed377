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

/// Follows the server's bytes and says when they nest too deeply.
#[derive(Debug, Clone)]
pub struct Nesting {
    state: State,
    depth: usize,
}

impl Default for Nesting {
    fn default() -> Nesting {
        Nesting {
            state: State::Normal,
            depth: 0,
        }
    }
}

impl Nesting {
    /// Takes the next bytes; an error once nesting passes `MAX_NESTING`.
    pub fn feed(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
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
                    b'"' => State::Quoted { escape: false },
                    b'{' => State::Count(0),
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
