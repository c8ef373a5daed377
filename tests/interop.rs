//! Tidings against Cyrus IMAP and Courier IMAP/POP3, as well as the Dovecot of the other
//! binaries: the mirror, folder roles, namespaces, expunges and flags, IDLE, POP3 with UTF8,
//! and the refusals (LOGINDISABLED) with the doctor's words. Each server starts once for the
//! whole binary; every test has a user of its own. `bash tests/run.sh interop` runs them.

mod harness;

#[path = "interop/fixture.rs"]
mod fixture;

#[path = "interop/checks.rs"]
mod checks;
#[path = "interop/courier.rs"]
mod courier;
#[path = "interop/cyrus.rs"]
mod cyrus;
