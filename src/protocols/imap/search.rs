//! UID SEARCH with strings of any language: `CHARSET UTF-8` and literals for non-ASCII text
//! (LITERAL+ when the server offers it, otherwise waiting for each continuation), and for an
//! ASCII query a second try without `CHARSET` when the server refuses it (Outlook answers
//! `NO [BADCHARSET]`, QQ Mail `BAD`). async-imap's own `uid_search` sends one line and so can
//! only carry quoted ASCII.

use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};

use super::ImapSession;
use crate::search::server::Key;

/// Why a search on the server failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The server cannot search for this text in UTF-8 (and it is not ASCII).
    #[error("the server cannot search for text in this language ({0})")]
    Charset(String),
    /// The server refused the search.
    #[error("the server refused the search: {0}")]
    Refused(String),
    /// The connection failed.
    #[error("{0}")]
    Connection(#[from] async_imap::error::Error),
    /// The connection closed in the middle.
    #[error("the server closed the connection during the search")]
    Closed,
}

/// How the server takes literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literals {
    /// `{n+}`: no wait (RFC 7888 LITERAL+).
    NonSync,
    /// `{n+}` up to 4096 bytes, larger ones synchronised (LITERAL-).
    NonSyncSmall,
    /// `{n}`, then wait for the server's `+`.
    Sync,
}

impl Literals {
    /// From the capabilities.
    pub fn of(caps: &async_imap::types::Capabilities) -> Literals {
        if caps.has_str("LITERAL+") {
            Literals::NonSync
        } else if caps.has_str("LITERAL-") {
            Literals::NonSyncSmall
        } else {
            Literals::Sync
        }
    }

    fn waits(self, len: usize) -> bool {
        match self {
            Literals::NonSync => false,
            Literals::NonSyncSmall => len > 4096,
            Literals::Sync => true,
        }
    }
}

/// A quoted string, when the text can be one.
fn quoted(text: &str) -> Option<String> {
    let plain = text.is_ascii() && !text.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0);
    plain.then(|| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")))
}

/// The command cut where the client must wait for the server's `+`: each piece but the last
/// ends with a synchronising literal's `{n}`, and each piece after the first starts with that
/// literal's bytes.
fn pieces(charset: Option<&str>, keys: &[Key], literals: Literals) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::from("UID SEARCH");
    if let Some(charset) = charset {
        current.push_str(" CHARSET ");
        current.push_str(charset);
    }
    let mut after_paren = false;
    for key in keys {
        let word = match key {
            Key::Word(w) => w.as_str(),
            Key::Text(_) => "",
        };
        if !(after_paren || word == ")") {
            current.push(' ');
        }
        after_paren = word == "(";
        match key {
            Key::Word(w) => current.push_str(w),
            Key::Text(t) => match quoted(t) {
                Some(q) => current.push_str(&q),
                None if literals.waits(t.len()) => {
                    current.push_str(&format!("{{{}}}", t.len()));
                    out.push(std::mem::replace(&mut current, t.clone()));
                }
                None => current.push_str(&format!("{{{}+}}\r\n{t}", t.len())),
            },
        }
    }
    out.push(current);
    out
}

/// Runs UID SEARCH for `keys` in the selected folder, with `charset` (the engine says
/// `UTF-8`); an ASCII query the server refuses with that charset is asked again without it.
pub async fn uid_search(
    session: &mut ImapSession,
    literals: Literals,
    charset: &str,
    keys: &[Key],
) -> Result<Vec<u32>, SearchError> {
    match run(session, &pieces(Some(charset), keys, literals)).await {
        Err(Refusal::Charset(why) | Refusal::Bad(why)) if keys_ascii(keys) => {
            tracing::info!(
                why,
                "the server refused CHARSET {charset}; asking without it"
            );
            run(session, &pieces(None, keys, literals))
                .await
                .map_err(Refusal::into_error)
        }
        Err(Refusal::Bad(why)) => Err(SearchError::Charset(why)),
        other => other.map_err(Refusal::into_error),
    }
}

fn keys_ascii(keys: &[Key]) -> bool {
    keys.iter().all(|k| match k {
        Key::Word(w) | Key::Text(w) => w.is_ascii(),
    })
}

/// How one try ended, when not with hits.
enum Refusal {
    Charset(String),
    Bad(String),
    No(String),
    Failed(SearchError),
}

impl Refusal {
    fn into_error(self) -> SearchError {
        match self {
            Refusal::Charset(why) => SearchError::Charset(why),
            Refusal::Bad(why) | Refusal::No(why) => SearchError::Refused(why),
            Refusal::Failed(e) => e,
        }
    }
}

impl From<async_imap::error::Error> for Refusal {
    fn from(e: async_imap::error::Error) -> Refusal {
        Refusal::Failed(e.into())
    }
}

impl From<std::io::Error> for Refusal {
    fn from(e: std::io::Error) -> Refusal {
        Refusal::Failed(async_imap::error::Error::Io(e).into())
    }
}

/// Sends the pieces (waiting for `+` between them) and reads the answer.
async fn run(session: &mut ImapSession, pieces: &[String]) -> Result<Vec<u32>, Refusal> {
    let (first, rest) = pieces
        .split_first()
        .ok_or(Refusal::Failed(SearchError::Closed))?;
    let tag = session.run_command(first).await?;
    let mut uids = Vec::new();
    let mut rest = rest.iter();
    loop {
        let Some(response) = session.read_response().await? else {
            return Err(Refusal::Failed(SearchError::Closed));
        };
        match response.parsed() {
            Response::Continue(_) => match rest.next() {
                Some(piece) => session.run_command_untagged(piece).await?,
                None => return Err(Refusal::Bad("unexpected continuation".into())),
            },
            Response::MailboxData(MailboxDatum::Search(found)) => uids.extend(found.iter()),
            Response::Done {
                tag: done,
                status,
                outcome,
            } if *done == tag => {
                let why = outcome
                    .information
                    .as_deref()
                    .unwrap_or_default()
                    .to_owned();
                let code = &outcome.code;
                return match status {
                    Status::Ok => {
                        uids.sort_unstable();
                        uids.dedup();
                        Ok(uids)
                    }
                    _ if matches!(code, Some(ResponseCode::BadCharset(_))) => {
                        Err(Refusal::Charset(why))
                    }
                    Status::Bad => Err(Refusal::Bad(why)),
                    _ => Err(Refusal::No(why)),
                };
            }
            // EXISTS, FETCH and the like meanwhile: the next sync reads them again.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_or_literal() {
        let keys = vec![
            Key::Word("TEXT".into()),
            Key::Text("say \"hi\"".into()),
            Key::Word("OR".into()),
            Key::Word("(".into()),
            Key::Word("FROM".into()),
            Key::Text("报告".into()),
            Key::Word(")".into()),
            Key::Word("UNSEEN".into()),
        ];
        assert_eq!(
            pieces(Some("UTF-8"), &keys, Literals::NonSync),
            vec!["UID SEARCH CHARSET UTF-8 TEXT \"say \\\"hi\\\"\" OR (FROM {6+}\r\n报告) UNSEEN"]
        );
        assert_eq!(
            pieces(None, &keys, Literals::Sync),
            vec![
                "UID SEARCH TEXT \"say \\\"hi\\\"\" OR (FROM {6}".to_owned(),
                "报告) UNSEEN".to_owned()
            ]
        );
        let long = "长".repeat(2000);
        let big = [Key::Word("BODY".into()), Key::Text(long.clone())];
        assert_eq!(pieces(None, &big, Literals::NonSyncSmall).len(), 2);
        assert_eq!(pieces(None, &big[..], Literals::NonSync).len(), 1);
    }
}
