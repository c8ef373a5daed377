//! Network protocol clients; only the engine uses them.

pub mod error;
pub mod imap;
pub mod pop3;
pub mod smtp;
pub mod tls;

use crate::store::accounts::{Security, ServerSettings};

/// What to connect to and as whom, for POP3 and SMTP (IMAP adds whether to send ID).
#[derive(Clone)]
pub struct ServerLogin {
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Transport security.
    pub security: Security,
    /// User name.
    pub username: String,
    /// Password; in memory only.
    pub password: String,
}

impl ServerLogin {
    /// How a server of the account at `address` is logged in to: its settings, and the
    /// address as the user name when none is set (what providers expect). The one place a
    /// login is made from settings, so the engine and the doctor log in alike.
    pub fn new(settings: &ServerSettings, address: &str, password: String) -> ServerLogin {
        ServerLogin {
            host: settings.host.clone(),
            port: settings.port,
            security: settings.security,
            username: if settings.username.trim().is_empty() {
                address.trim().to_owned()
            } else {
                settings.username.clone()
            },
            password,
        }
    }
}

impl std::fmt::Debug for ServerLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The password never reaches a log or a panic message.
        f.debug_struct("ServerLogin")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The largest message downloaded by default (IMAP and POP3), in bytes. Bigger ones are listed
/// with their headers and a note instead of blocking every later message; a server cannot make
/// us hold more than this for one message.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 100 * 1024 * 1024;

#[cfg(test)]
mod fuzz_tests {
    use proptest::prelude::*;

    use super::imap::guard::{MAX_NESTING, Nesting};

    /// Parses `bytes` as an IMAP server response on a thread with a tokio worker's stack.
    fn imap_parse_survives(bytes: Vec<u8>) -> bool {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let _ = imap_proto::Response::parse(&bytes);
            })
            .is_ok_and(|t| t.join().is_ok())
    }

    fn deep_bodystructure(depth: usize) -> Vec<u8> {
        format!(
            "* 1 FETCH (BODYSTRUCTURE {}\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1{} \"MIXED\"))\r\n",
            "(".repeat(depth),
            ")".repeat(depth)
        )
        .into_bytes()
    }

    #[test]
    fn what_the_guard_lets_through_parses_on_a_worker_stack() {
        // The parser recurses per level: a few hundred overflow a 2 MiB stack, so the guard
        // must stop them first, and what it allows must parse.
        let allowed = deep_bodystructure(MAX_NESTING - 2);
        assert!(Nesting::default().feed(&allowed).is_ok());
        assert!(imap_parse_survives(allowed));
        let hostile = deep_bodystructure(20_000);
        assert!(Nesting::default().feed(&hostile).is_err());
    }

    proptest! {
        #[test]
        fn reply_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            // lettre reads every SMTP reply after our own STARTTLS.
            let _ = text.parse::<lettre::transport::smtp::response::Response>();
            let _ = super::smtp::parse_reply_line(&bytes);
            if Nesting::default().feed(&bytes).is_ok() {
                prop_assert!(imap_parse_survives(bytes));
            }
        }

        #[test]
        fn imap_shaped_input_never_panics(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("* ".to_owned()), Just("(".to_owned()), Just(")".to_owned()),
                    Just("FETCH ".to_owned()), Just("BODYSTRUCTURE ".to_owned()),
                    Just("NIL ".to_owned()), Just("\"x\" ".to_owned()), Just("{3}\r\nabc".to_owned()),
                    Just("1 ".to_owned()), Just("\r\n".to_owned()), Just("OK ".to_owned()),
                    Just("[UIDNEXT 5] ".to_owned()), Just("LIST ".to_owned()),
                ],
                0..200,
            )
        ) {
            let bytes = parts.concat().into_bytes();
            if Nesting::default().feed(&bytes).is_ok() {
                prop_assert!(imap_parse_survives(bytes));
            }
        }
    }
}
