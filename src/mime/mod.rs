//! Turning RFC 5322 bytes into what Tidings stores and shows.

pub mod attachments;
pub mod body;
pub mod charset;
pub mod compose;
pub mod downgrade;
pub mod envelope;
pub mod html;
pub mod model;
pub mod parse;
pub mod plain;
pub mod redraft;
pub mod text;

#[cfg(test)]
mod hostile;
#[cfg(test)]
mod tests;
