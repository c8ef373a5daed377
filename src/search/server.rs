//! A query as IMAP SEARCH keys, for searching on the server what the mirror holds no body of.
//! IMAP matches substrings, so text goes over as typed (full-width forms narrowed, surrounding
//! punctuation dropped); dates become SENTSINCE/SENTBEFORE (the Date header, as the local
//! list sorts by). What SEARCH cannot say — attachments, folders, accounts — is left to the
//! mirror: such groups are returned apart and applied to the hits locally. A group mixing
//! those with text is left out of both, which can only widen the hits, never lose one.

use chrono::TimeZone;

use super::query::{Atom, Field, Query, Term};
use super::segment::narrow;

/// One piece of a SEARCH program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A keyword or a date, sent as it is.
    Word(String),
    /// A string argument: quoted when plain ASCII, a literal otherwise.
    Text(String),
}

/// What the server is asked, and what the mirror checks afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerQuery {
    /// The SEARCH program (after `CHARSET`); `ALL` when only local conditions remain.
    pub keys: Vec<Key>,
    /// The groups the server cannot check, for the mirror to apply to the hits.
    pub local: Query,
    /// Nothing the server could look for: no text, flag or date at all.
    pub nothing: bool,
}

impl ServerQuery {
    /// Whether every string in the program is ASCII (a server refusing `CHARSET UTF-8` can
    /// then be asked without it).
    pub fn is_ascii(&self) -> bool {
        self.keys.iter().all(|k| match k {
            Key::Word(w) | Key::Text(w) => w.is_ascii(),
        })
    }
}

/// The string typed, as a substring the server can look for (None: punctuation only).
fn server_text(text: &str) -> Option<String> {
    let narrowed: String = text.chars().map(narrow).collect();
    let trimmed = narrowed.trim_matches(|c: char| !c.is_alphanumeric());
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// `1-Feb-2024` for the local day holding `t`, or with `round_up` the first day starting at or
/// after it (SEARCH dates are whole days: a bound inside a day widens to the whole day).
fn imap_date(t: i64, round_up: bool) -> Option<String> {
    let at = chrono::Local.timestamp_opt(t, 0).earliest()?;
    let mut day = at.date_naive();
    let midnight = day.and_hms_opt(0, 0, 0)?;
    if round_up && at.naive_local() != midnight {
        day = day.succ_opt()?;
    }
    Some(day.format("%-d-%b-%Y").to_string())
}

/// One atom as keys, or None when SEARCH cannot say it.
fn atom_keys(atom: &Atom) -> Option<Vec<Key>> {
    let mut keys = match &atom.term {
        Term::Text(field, text) => {
            let word = match field {
                Field::Any | Field::Filename => "TEXT",
                Field::From => "FROM",
                Field::To => "TO",
                Field::Cc => "CC",
                Field::Subject => "SUBJECT",
                Field::Body => "BODY",
            };
            vec![Key::Word(word.into()), Key::Text(server_text(text)?)]
        }
        Term::Seen(true) => vec![Key::Word("SEEN".into())],
        Term::Seen(false) => vec![Key::Word("UNSEEN".into())],
        Term::Flagged => vec![Key::Word("FLAGGED".into())],
        Term::After(t) => vec![
            Key::Word("SENTSINCE".into()),
            Key::Word(imap_date(*t, false)?),
        ],
        Term::Before(t) => vec![
            Key::Word("SENTBEFORE".into()),
            Key::Word(imap_date(*t, true)?),
        ],
        Term::HasAttachment | Term::In(_) | Term::Account(_) => return None,
    };
    if atom.negated {
        keys.insert(0, Key::Word("NOT".into()));
    }
    Some(keys)
}

/// `OR a (OR b c)` for the alternatives of a group.
fn either(mut alternatives: Vec<Vec<Key>>) -> Vec<Key> {
    let last = alternatives.pop().unwrap_or_default();
    alternatives.into_iter().rev().fold(last, |rest, first| {
        let mut keys = vec![Key::Word("OR".into())];
        keys.extend(paren(first));
        keys.extend(paren(rest));
        keys
    })
}

fn paren(keys: Vec<Key>) -> Vec<Key> {
    if keys.len() <= 2 {
        return keys;
    }
    let mut out = vec![Key::Word("(".into())];
    out.extend(keys);
    out.push(Key::Word(")".into()));
    out
}

/// Translates a parsed query.
pub fn translate(query: &Query) -> ServerQuery {
    let mut out = ServerQuery::default();
    let mut positive = false;
    for group in &query.groups {
        let local = group
            .iter()
            .all(|a| matches!(a.term, Term::HasAttachment | Term::In(_) | Term::Account(_)));
        if local {
            out.local.groups.push(group.clone());
            continue;
        }
        let alternatives: Option<Vec<Vec<Key>>> = group.iter().map(atom_keys).collect();
        // Punctuation only, or mixed with what SEARCH cannot say: left out (wider, never
        // narrower).
        let Some(alternatives) = alternatives else {
            continue;
        };
        positive |= group.iter().any(|a| !a.negated);
        out.keys.extend(either(alternatives));
    }
    out.nothing = !positive;
    if out.keys.is_empty() {
        out.keys.push(Key::Word("ALL".into()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    const NOW: i64 = 1_780_000_000;

    fn words(q: &ServerQuery) -> String {
        q.keys
            .iter()
            .map(|k| match k {
                Key::Word(w) => w.clone(),
                Key::Text(t) => format!("<{t}>"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn text_fields_flags_and_exclusions() {
        let q = translate(&parse(
            r#"report from:bob@example.org "quarterly plan" -draft is:unread 季度报告，"#,
            NOW,
        ));
        assert_eq!(
            words(&q),
            "TEXT <report> FROM <bob@example.org> TEXT <quarterly plan> NOT TEXT <draft> \
             UNSEEN TEXT <季度报告>"
        );
        assert!(!q.is_ascii());
        assert!(!q.nothing);
        assert!(q.local.is_empty());
    }

    #[test]
    fn alternatives_nest() {
        let q = translate(&parse("a OR b OR -subject:c", NOW));
        assert_eq!(words(&q), "OR TEXT <a> ( OR TEXT <b> ( NOT SUBJECT <c> ) )");
        assert!(q.is_ascii());
    }

    #[test]
    fn what_search_cannot_say_stays_local() {
        let q = translate(&parse("has:attachment in:sent budget", NOW));
        assert_eq!(words(&q), "TEXT <budget>");
        assert_eq!(q.local.groups.len(), 2);
        let q = translate(&parse("has:attachment", NOW));
        assert_eq!(words(&q), "ALL");
        assert!(q.nothing);
        // Mixed with text in one group: left out of both, so the hits only widen.
        let q = translate(&parse("budget OR in:sent report", NOW));
        assert_eq!(words(&q), "TEXT <report>");
        assert!(q.local.is_empty());
        assert!(translate(&parse("，。 -draft", NOW)).nothing);
    }

    #[test]
    fn dates_by_the_date_header() {
        let q = translate(&parse("date:2024-03", NOW));
        assert_eq!(words(&q), "SENTSINCE 1-Mar-2024 SENTBEFORE 1-Apr-2024");
        let q = translate(&parse("after:2024-01-31 before:2024-02-02", NOW));
        assert_eq!(words(&q), "SENTSINCE 31-Jan-2024 SENTBEFORE 2-Feb-2024");
    }
}
