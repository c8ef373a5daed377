//! The search language: words and "phrases" (all must match), `OR` between two terms, `-` to
//! exclude; `from:` `to:` `cc:` `subject:` `body:` `filename:`; `has:attachment`, `is:unread`,
//! `is:read`, `is:flagged`, `in:FOLDER` (a role name in English or Chinese, or a folder's
//! name), `account:ADDRESS`; `after:` `before:` `date:` (YYYY, YYYY-MM or YYYY-MM-DD) and
//! `newer_than:` / `older_than:` (7d, 2w, 3m, 1y). What is not understood is searched as
//! text, never an error. Parsing is pure; `compile` turns a query into SQL over `messages`.

use chrono::{NaiveDate, TimeZone};

use super::segment;

/// Where a text term is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Anywhere.
    Any,
    /// The sender's name and address.
    From,
    /// The To recipients.
    To,
    /// The Cc recipients.
    Cc,
    /// The subject.
    Subject,
    /// The body text as the reader shows it.
    Body,
    /// Attachment file names.
    Filename,
}

impl Field {
    /// The index column, when the term is for one.
    fn column(self) -> Option<&'static str> {
        match self {
            Field::Any => None,
            Field::From => Some("sender"),
            Field::To => Some("recipients"),
            Field::Cc => Some("copied"),
            Field::Subject => Some("subject"),
            Field::Body => Some("{body quoted}"),
            Field::Filename => Some("filenames"),
        }
    }
}

/// One condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// Text in a field (a word, or a quoted phrase).
    Text(Field, String),
    /// Has attachments.
    HasAttachment,
    /// Read (`true`) or unread.
    Seen(bool),
    /// Flagged.
    Flagged,
    /// In a folder with this role or name.
    In(String),
    /// In the account with this address.
    Account(String),
    /// Dated on or after (Unix seconds).
    After(i64),
    /// Dated before (Unix seconds).
    Before(i64),
}

/// A term, maybe excluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    /// `-term`.
    pub negated: bool,
    /// What it asks.
    pub term: Term,
}

/// A parsed query: every group must hold; a group holds when any of its atoms does (`OR`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The groups.
    pub groups: Vec<Vec<Atom>>,
}

impl Query {
    /// Nothing asked.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Splits the query into raw words: quotes keep spaces (a field's value may be quoted), and
/// full-width quotes and spaces count too.
fn words(input: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut had_quote = false;
    for c in input.chars() {
        match c {
            '"' | '“' | '”' => {
                quoted = !quoted;
                had_quote = true;
            }
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    out.push((std::mem::take(&mut word), had_quote));
                }
                had_quote = false;
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push((word, had_quote));
    }
    out
}

/// Unix seconds at local midnight starting `date`.
fn midnight(date: NaiveDate) -> Option<i64> {
    let naive = date.and_hms_opt(0, 0, 0)?;
    chrono::Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|d| d.timestamp())
}

/// The span a `date:` value names: a year, a month or a day.
fn span(value: &str) -> Option<(i64, i64)> {
    let parts: Vec<&str> = value.split(['-', '/', '.']).collect();
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u32>().ok());
    let year = i32::try_from(num(0)?)
        .ok()
        .filter(|y| (1970..=9999).contains(y))?;
    let (start, end) = match parts.len() {
        1 => (
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
        ),
        2 => {
            let month = num(1)?;
            let start = NaiveDate::from_ymd_opt(year, month, 1)?;
            let end = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)?
            };
            (start, end)
        }
        3 => {
            let start = NaiveDate::from_ymd_opt(year, num(1)?, num(2)?)?;
            (start, start.succ_opt()?)
        }
        _ => return None,
    };
    Some((midnight(start)?, midnight(end)?))
}

/// Seconds in `7d`, `2w`, `3m`, `1y`.
fn age(value: &str) -> Option<i64> {
    let (n, unit) = value.split_at(value.len().checked_sub(1)?);
    let n: i64 = n.parse().ok().filter(|n| *n >= 0)?;
    let day = 86_400;
    Some(
        n * match unit {
            "d" => day,
            "w" => 7 * day,
            "m" => 30 * day,
            "y" => 365 * day,
            _ => return None,
        },
    )
}

/// One raw word as a term, at `now` (Unix seconds) for relative dates.
fn term(word: &str, quoted: bool, now: i64) -> Term {
    let text = || Term::Text(Field::Any, word.to_owned());
    if quoted && !word.contains(':') {
        return text();
    }
    let Some((field, value)) = word.split_once([':', '：']) else {
        return text();
    };
    let value = value.trim();
    if value.is_empty() {
        return text();
    }
    let lower = field.to_lowercase();
    let in_field = |f: Field| Term::Text(f, value.to_owned());
    match lower.as_str() {
        "from" => in_field(Field::From),
        "to" => in_field(Field::To),
        "cc" => in_field(Field::Cc),
        "subject" => in_field(Field::Subject),
        "body" => in_field(Field::Body),
        "filename" | "file" => in_field(Field::Filename),
        "has" if matches!(value.to_lowercase().as_str(), "attachment" | "attachments") => {
            Term::HasAttachment
        }
        "is" => match value.to_lowercase().as_str() {
            "unread" => Term::Seen(false),
            "read" => Term::Seen(true),
            "flagged" | "starred" => Term::Flagged,
            _ => text(),
        },
        "in" | "folder" => Term::In(value.to_owned()),
        "account" => Term::Account(value.to_owned()),
        "after" => span(value).map_or_else(text, |(start, _)| Term::After(start)),
        "before" => span(value).map_or_else(text, |(start, _)| Term::Before(start)),
        "newer_than" => age(value).map_or_else(text, |a| Term::After(now - a)),
        "older_than" => age(value).map_or_else(text, |a| Term::Before(now - a)),
        // `date:` is a range: two atoms that must both hold, returned as After here and
        // completed by `parse`.
        "date" => span(value).map_or_else(text, |(start, _)| Term::After(start)),
        _ => text(),
    }
}

/// Parses a query typed by the user; `now` is the current Unix time.
pub fn parse(input: &str, now: i64) -> Query {
    let mut groups: Vec<Vec<Atom>> = Vec::new();
    let mut join_next = false;
    for (word, quoted) in words(input) {
        if word == "OR" && !quoted {
            join_next = !groups.is_empty();
            continue;
        }
        let (negated, body) = match word.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, word.as_str()),
        };
        let mut atoms = vec![Atom {
            negated,
            term: term(body, quoted, now),
        }];
        // date:2024-03 is after its start and before its end.
        if let Some((field, value)) = body.split_once(':')
            && field.eq_ignore_ascii_case("date")
            && let Some((_, end)) = span(value.trim())
            && !negated
        {
            atoms.push(Atom {
                negated: false,
                term: Term::Before(end),
            });
        }
        if join_next && atoms.len() == 1 {
            if let Some(last) = groups.last_mut() {
                last.extend(atoms);
            }
        } else {
            for atom in atoms {
                groups.push(vec![atom]);
            }
        }
        join_next = false;
    }
    Query { groups }
}

/// The role a folder word names, English or Chinese.
fn role_of(word: &str) -> Option<&'static str> {
    Some(match word.to_lowercase().as_str() {
        "inbox" | "收件箱" => "inbox",
        "sent" | "已发送" | "已发送邮件" => "sent",
        "drafts" | "draft" | "草稿箱" | "草稿" => "drafts",
        "trash" | "已删除" | "垃圾箱" | "废件箱" => "trash",
        "archive" | "归档" | "存档" => "archive",
        "junk" | "spam" | "垃圾邮件" => "junk",
        _ => return None,
    })
}

/// An FTS5 MATCH expression for text in a field, or None when nothing searchable is left
/// (punctuation only).
pub fn match_expr(field: Field, text: &str) -> Option<String> {
    let (tokens, prefix) = segment::for_query(text);
    if tokens.is_empty() {
        return None;
    }
    let phrase = tokens
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" + ");
    let phrase = if prefix {
        format!("{phrase} *")
    } else {
        phrase
    };
    Some(match field.column() {
        Some(column) => format!("{column} : ({phrase})"),
        None => format!("({phrase})"),
    })
}

/// A query as SQL over `messages m`.
#[derive(Debug, Default)]
pub struct Compiled {
    /// The plain words of the query as one FTS5 MATCH expression (FTS5 intersects them
    /// itself, and ranks by it).
    pub matched: Option<String>,
    /// Every other condition as a boolean SQL expression ("1" when there is none).
    pub condition: String,
    /// The condition's `?` parameters, in order.
    pub params: Vec<rusqlite::types::Value>,
    /// Nothing could match (an empty query, or one of punctuation only).
    pub nothing: bool,
}

fn atom_sql(atom: &Atom, params: &mut Vec<rusqlite::types::Value>) -> Option<String> {
    use rusqlite::types::Value;
    let sql = match &atom.term {
        Term::Text(field, text) => {
            let expr = match_expr(*field, text)?;
            params.push(Value::Text(expr));
            "m.id IN (SELECT rowid FROM search WHERE search MATCH ?)".to_owned()
        }
        Term::HasAttachment => "m.has_attachments = 1".to_owned(),
        Term::Seen(seen) => format!("m.seen = {}", i32::from(*seen)),
        Term::Flagged => "m.flagged = 1".to_owned(),
        Term::In(name) => {
            params.push(Value::Text(role_of(name).unwrap_or("none").to_owned()));
            params.push(Value::Text(name.clone()));
            "m.folder_id IN (SELECT id FROM folders WHERE role = ? OR name = ? COLLATE NOCASE)"
                .to_owned()
        }
        Term::Account(address) => {
            params.push(Value::Text(address.clone()));
            "m.account_id IN (SELECT id FROM accounts WHERE address = ? COLLATE NOCASE)".to_owned()
        }
        Term::After(t) => {
            params.push(Value::Integer(*t));
            "m.date >= ?".to_owned()
        }
        Term::Before(t) => {
            params.push(Value::Integer(*t));
            "m.date < ?".to_owned()
        }
    };
    Some(if atom.negated {
        format!("NOT ({sql})")
    } else {
        sql
    })
}

/// Compiles `query`.
pub fn compile(query: &Query) -> Compiled {
    let mut out = Compiled::default();
    let mut parts = Vec::new();
    let mut together: Vec<String> = Vec::new();
    let mut positive = false;
    for group in &query.groups {
        if let [atom] = group.as_slice()
            && !atom.negated
            && let Term::Text(field, text) = &atom.term
        {
            if let Some(expr) = match_expr(*field, text) {
                together.push(expr);
                positive = true;
            }
            continue;
        }
        let alternatives: Vec<String> = group
            .iter()
            .filter_map(|a| atom_sql(a, &mut out.params))
            .collect();
        if !alternatives.is_empty() {
            positive |= group.iter().any(|a| !a.negated);
            parts.push(format!("({})", alternatives.join(" OR ")));
        }
    }
    out.matched = (!together.is_empty()).then(|| together.join(" AND "));
    out.condition = if parts.is_empty() {
        "1".to_owned()
    } else {
        parts.join(" AND ")
    };
    // Only exclusions ("-draft") would list the whole mailbox: not a search anyone means.
    out.nothing = !positive;
    out
}

/// The year, for tests of relative dates.
#[cfg(test)]
fn year_of(t: i64) -> i32 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp(t, 0).map_or(0, |d| d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_780_000_000;

    fn text(field: Field, s: &str) -> Atom {
        Atom {
            negated: false,
            term: Term::Text(field, s.into()),
        }
    }

    #[test]
    fn words_fields_or_and_exclusion() {
        let q = parse(
            r#"report from:bob "quarterly plan" -draft a OR b subject:"季度 报告""#,
            NOW,
        );
        assert_eq!(
            q.groups,
            vec![
                vec![text(Field::Any, "report")],
                vec![text(Field::From, "bob")],
                vec![text(Field::Any, "quarterly plan")],
                vec![Atom {
                    negated: true,
                    term: Term::Text(Field::Any, "draft".into())
                }],
                vec![text(Field::Any, "a"), text(Field::Any, "b")],
                vec![text(Field::Subject, "季度 报告")],
            ]
        );
    }

    #[test]
    fn filters_and_dates() {
        let q = parse(
            "has:attachment is:unread is:flagged in:sent account:me@x.org",
            NOW,
        );
        let terms: Vec<Term> = q.groups.iter().map(|g| g[0].term.clone()).collect();
        assert_eq!(
            terms,
            vec![
                Term::HasAttachment,
                Term::Seen(false),
                Term::Flagged,
                Term::In("sent".into()),
                Term::Account("me@x.org".into())
            ]
        );
        let q = parse("date:2024-03", NOW);
        let (Term::After(start), Term::Before(end)) = (&q.groups[0][0].term, &q.groups[1][0].term)
        else {
            panic!("{q:?}")
        };
        assert!(end - start >= 29 * 86_400 && end - start <= 32 * 86_400);
        assert_eq!(year_of(*start + 86_400), 2024);
        let q = parse("newer_than:7d", NOW);
        assert_eq!(q.groups[0][0].term, Term::After(NOW - 7 * 86_400));
        // Not understood: searched as text, never an error.
        for odd in ["after:someday", "colour:blue", "is:purple", "from:"] {
            let q = parse(odd, NOW);
            assert_eq!(q.groups, vec![vec![text(Field::Any, odd)]], "{odd}");
        }
    }

    #[test]
    fn match_expressions_cut_like_the_index() {
        assert_eq!(
            match_expr(Field::Any, "季度报告").as_deref(),
            Some(r#"("季度" + "度报" + "报告")"#)
        );
        assert_eq!(
            match_expr(Field::Body, "报").as_deref(),
            Some(r#"{body quoted} : ("报" *)"#)
        );
        assert_eq!(
            match_expr(Field::From, "bob@example.org").as_deref(),
            Some(r#"sender : ("bob" + "example" + "org")"#)
        );
        assert_eq!(match_expr(Field::Any, "，。"), None);
        let c = compile(&parse("report -draft is:unread", NOW));
        assert_eq!(c.matched.as_deref(), Some(r#"("report")"#));
        assert_eq!(
            c.condition,
            "(NOT (m.id IN (SELECT rowid FROM search WHERE search MATCH ?))) AND (m.seen = 0)"
        );
        assert_eq!(c.params.len(), 1);
        assert!(!c.nothing);
        assert!(compile(&parse("", NOW)).nothing);
        assert!(compile(&parse("，。 -draft", NOW)).nothing);
    }
}
