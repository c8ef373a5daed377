//! Turning RFC 5322 bytes into what Tidings stores and shows.

pub mod envelope;
