//! The one way Tidings parses a whole message: mail-parser's result, torn down without
//! recursion.
//!
//! mail-parser reads nested `message/rfc822` parts (and digest entries) with an explicit
//! stack, so any depth parses; but the tree it returns owns each nested message inside its
//! parent, and dropping it recursed once per level. A few hundred kilobytes of nested
//! messages overflowed a 2 MiB thread stack while syncing. `Parsed` takes the nested messages
//! apart one by one instead.

use std::ops::Deref;

use mail_parser::{Message, MessageParser, PartType};

/// A parsed message whose drop is iterative, however deeply messages nest.
pub struct Parsed<'x>(Message<'x>);

/// Parses `raw` (headers and body).
pub fn parse(raw: &[u8]) -> Option<Parsed<'_>> {
    MessageParser::default().parse(raw).map(Parsed)
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
            .spawn(move || parse(&raw).map(|m| m.subject().unwrap_or_default().to_owned()));
        let subject = worker.map(|w| w.join());
        assert!(
            matches!(&subject, Ok(Ok(Some(s))) if s == "fwd"),
            "{subject:?}"
        );
    }
}
