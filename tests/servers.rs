//! Integration tests against real Dovecot and Postfix on loopback: the harness itself, TLS, and
//! a login over every protocol and port; and what runs leave behind.

mod harness;

#[path = "servers/imap.rs"]
mod imap;
#[path = "servers/leftovers.rs"]
mod leftovers;
#[path = "servers/pop3.rs"]
mod pop3;
#[path = "servers/seed.rs"]
mod seed;
#[path = "servers/smtp.rs"]
mod smtp;
#[path = "servers/tls.rs"]
mod tls;
