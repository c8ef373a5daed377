//! Conversations: each message's thread, from Message-ID, In-Reply-To and References (strict
//! threading by default: two unrelated mails titled "Hello" never join). With "group by
//! subject" on, messages whose normalised subjects match also join when close in time: each
//! links by a key of its subject and its week, and a reply also by the week before, so a reply
//! finds what it answers up to two weeks back while a weekly "Status" mail stays apart. Kept as messages arrive
//! (`place`, called by the engine's one way in) and rebuilt from the stored headers (`rebuild`);
//! both give each message the smallest message id of everything linked to it, so they agree.
//! A message that links two threads merges them. Copies of one message in several folders (a
//! POP3 download of a mirrored message, the Sent copy) share its Message-ID, so they are one
//! conversation.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension, params};

use super::{SqlContext, StoreError};

/// The most ids one message links by: its own, In-Reply-To and the first and last References
/// (a hostile header may name thousands; the nearest ancestors and the root are what thread).
const MOST_LINKS: usize = 32;
/// A longer "Message-ID" is not one (RFC 5322 lines stop at 998).
const LONGEST_ID: usize = 998;
/// The stretch of time subject keys are taken over.
const SUBJECT_WEEK: i64 = 7 * 86_400;
/// Reply and forward prefixes, as clients in many languages write them (compared in lower
/// case, before a half- or full-width colon).
const PREFIXES: [&str; 16] = [
    "re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "tr", "rv", "odp", "回复", "答复", "转发",
    "回覆", "轉寄",
];
/// The store option that turns subject grouping on.
const BY_SUBJECT: &str = "threads_by_subject";

/// A subject without its reply and forward prefixes and `[list]` tags, in lower case with
/// single spaces, and whether any prefix was there (a reply or forward).
pub fn normalise_subject(subject: &str) -> (String, bool) {
    let mut rest = subject.trim();
    let mut answered = false;
    // Bounded: a hostile subject of a thousand "Re:" costs sixteen rounds.
    for _ in 0..16 {
        if let Some(tagged) = rest.strip_prefix('[')
            && let Some(end) = tagged.find(']').filter(|e| *e <= 64)
        {
            rest = tagged[end + 1..].trim_start();
            continue;
        }
        let lower = rest.to_lowercase();
        let found = PREFIXES.iter().find_map(|p| {
            let after = lower.strip_prefix(p)?;
            // "Re[2]:" and "Re(2):" as some clients number them.
            let after = after.trim_start_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '[' | ']' | '(' | ')' | ' ')
            });
            let colon = after
                .strip_prefix(':')
                .or_else(|| after.strip_prefix('：'))?;
            Some(lower.len() - colon.len())
        });
        match found {
            // The lower-case form has the same length for these prefixes (ASCII and CJK).
            Some(cut) if rest.is_char_boundary(cut) => {
                rest = rest[cut..].trim_start();
                answered = true;
            }
            _ => break,
        }
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    (words.join(" ").to_lowercase(), answered)
}

/// The subject keys a message links by when subject grouping is on (none for an empty
/// subject). They hold spaces, which no Message-ID from `links` can, so they never meet one.
pub fn subject_keys(subject: &str, date: i64) -> Vec<String> {
    let (norm, answered) = normalise_subject(subject);
    if norm.is_empty() {
        return Vec::new();
    }
    let week = date.div_euclid(SUBJECT_WEEK);
    let mut keys = vec![format!("subject {week} {norm}")];
    if answered {
        keys.push(format!("subject {} {norm}", week - 1));
    }
    keys
}

/// Whether subject grouping is on.
pub fn by_subject(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT value FROM store_options WHERE name = ?1")
        .ctx("preparing an option read")?
        .query_row([BY_SUBJECT], |r| r.get::<_, i64>(0))
        .optional()
        .ctx("reading the subject grouping option")?
        .is_some_and(|v| v != 0))
}

/// Turns subject grouping on or off and threads every message again under the new rule.
/// Returns how many messages there are.
pub fn set_by_subject(conn: &Connection, on: bool) -> Result<usize, StoreError> {
    conn.execute(
        "INSERT INTO store_options (name, value) VALUES (?1, ?2) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![BY_SUBJECT, i64::from(on)],
    )
    .ctx("saving the subject grouping option")?;
    rebuild(conn)
}

/// Everything a message links by: its Message-IDs, and its subject keys when grouping by
/// subject.
fn all_links(
    (message_id, in_reply_to, refs): (&str, &str, &str),
    subject: &str,
    date: i64,
    by_subject: bool,
) -> Vec<String> {
    let mut out = links(message_id, in_reply_to, refs);
    if by_subject {
        out.extend(subject_keys(subject, date));
    }
    out
}

/// The Message-IDs a message links by, bare and each once: its own, In-Reply-To, and its
/// References (the root and the nearest ancestors when there are many).
pub fn links(message_id: &str, in_reply_to: &str, refs: &str) -> Vec<String> {
    let refs: Vec<&str> = refs.split_whitespace().collect();
    let keep = MOST_LINKS - 2;
    let refs: Vec<&str> = if refs.len() > keep {
        refs[..1]
            .iter()
            .chain(&refs[refs.len() - (keep - 1)..])
            .copied()
            .collect()
    } else {
        refs
    };
    let mut out: Vec<String> = Vec::new();
    let candidates = [message_id]
        .into_iter()
        .chain(in_reply_to.split_whitespace().take(1))
        .chain(refs);
    for id in candidates {
        let id = id.trim().trim_start_matches('<').trim_end_matches('>');
        if id.is_empty() || id.len() > LONGEST_ID || out.iter().any(|o| o == id) {
            continue;
        }
        out.push(id.to_owned());
    }
    out
}

/// Puts message `id` in its thread: the threads its links name (and its own, if it had one)
/// become one, under the smallest id; with none, it starts its own. Called in the transaction
/// that inserted the message or changed its references. Returns the thread.
pub fn place(conn: &Connection, id: i64) -> Result<i64, StoreError> {
    type Linked = (String, String, String, i64, String, i64);
    let row: Option<Linked> = conn
        .prepare_cached(
            "SELECT rfc_message_id, in_reply_to, refs, thread_id, subject, date \
             FROM messages WHERE id = ?1",
        )
        .ctx("preparing a message's links")?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()
        .ctx("reading a message's links")?;
    let Some((message_id, in_reply_to, refs, current, subject, date)) = row else {
        return Err(StoreError::Corrupt(format!(
            "message {id} to thread is gone"
        )));
    };
    let links = all_links(
        (&message_id, &in_reply_to, &refs),
        &subject,
        date,
        by_subject(conn)?,
    );
    let mut found = BTreeSet::new();
    if current != 0 {
        found.insert(current);
    }
    {
        let mut lookup = conn
            .prepare_cached("SELECT thread_id FROM thread_refs WHERE message_id = ?1")
            .ctx("preparing a thread lookup")?;
        for link in &links {
            if let Some(thread) = lookup
                .query_row([link], |r| r.get::<_, i64>(0))
                .optional()
                .ctx("looking up a thread")?
            {
                found.insert(thread);
            }
        }
    }
    let thread = found.first().copied().unwrap_or(id).min(id);
    for other in found.iter().filter(|t| **t != thread) {
        conn.prepare_cached("UPDATE messages SET thread_id = ?1 WHERE thread_id = ?2")
            .ctx("preparing a thread merge")?
            .execute(params![thread, other])
            .ctx("merging threads")?;
        conn.prepare_cached("UPDATE thread_refs SET thread_id = ?1 WHERE thread_id = ?2")
            .ctx("preparing a thread merge")?
            .execute(params![thread, other])
            .ctx("merging threads' links")?;
    }
    conn.prepare_cached("UPDATE messages SET thread_id = ?2 WHERE id = ?1")
        .ctx("preparing a thread update")?
        .execute(params![id, thread])
        .ctx("threading a message")?;
    let mut link = conn
        .prepare_cached(
            "INSERT OR REPLACE INTO thread_refs (message_id, thread_id) VALUES (?1, ?2)",
        )
        .ctx("preparing a thread link")?;
    for l in &links {
        link.execute(params![l, thread]).ctx("linking a thread")?;
    }
    Ok(thread)
}

/// Threads every stored message again from its headers, in one pass (union of everything
/// linked, the smallest id naming each thread). Links of messages deleted since are
/// forgotten. Returns how many messages there are.
pub fn rebuild(conn: &Connection) -> Result<usize, StoreError> {
    rebuild_with(conn, by_subject(conn)?)
}

/// `rebuild`, grouping by subject or not as told.
pub(crate) fn rebuild_with(conn: &Connection, grouping: bool) -> Result<usize, StoreError> {
    type Row = (i64, String, String, String, String, i64);
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT id, rfc_message_id, in_reply_to, refs, subject, date FROM messages \
             ORDER BY id",
        )
        .ctx("preparing the rebuild")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .ctx("reading every message's links")?
        .collect::<Result<_, _>>()
        .ctx("reading every message's links")?;
    // Union-find over messages; each Message-ID points at the first message that named it.
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut links_of: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for (i, (_, message_id, in_reply_to, refs, subject, date)) in rows.iter().enumerate() {
        let links = all_links((message_id, in_reply_to, refs), subject, *date, grouping);
        for l in &links {
            match first.get(l) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    // Rows are in id order: the smaller index is the smaller id.
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    parent[hi] = lo;
                }
                None => {
                    first.insert(l.clone(), i);
                }
            }
        }
        links_of.push(links);
    }
    conn.execute("DELETE FROM thread_refs", [])
        .ctx("clearing the thread links")?;
    let mut set = conn
        .prepare("UPDATE messages SET thread_id = ?2 WHERE id = ?1")
        .ctx("preparing the rebuild's updates")?;
    let mut link = conn
        .prepare("INSERT OR REPLACE INTO thread_refs (message_id, thread_id) VALUES (?1, ?2)")
        .ctx("preparing the rebuild's links")?;
    for i in 0..rows.len() {
        let thread = rows[root(&mut parent, i)].0;
        set.execute(params![rows[i].0, thread])
            .ctx("threading a message")?;
        for l in &links_of[i] {
            link.execute(params![l, thread]).ctx("linking a thread")?;
        }
    }
    Ok(rows.len())
}

/// Each message's thread, by message id (for tests and the command line).
pub fn of_all(conn: &Connection) -> Result<HashMap<i64, i64>, StoreError> {
    conn.prepare("SELECT id, thread_id FROM messages")
        .ctx("preparing the threads")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("reading the threads")?
        .collect::<Result<_, _>>()
        .ctx("reading the threads")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet, HashMap};

    use rusqlite::Connection;

    use super::*;
    use crate::store::accounts;
    use crate::store::folders::{self, Folder, Role};
    use crate::store::messages::{self, Envelope};

    /// One test message: a name, its Message-ID, In-Reply-To and References.
    type Mail = (&'static str, &'static str, &'static str, &'static str);

    fn store() -> Result<(Connection, i64, i64), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        crate::store::migrations::migrate(&mut conn)?;
        let account = accounts::insert(&conn, &crate::store::tests::account())?;
        let folder = folders::insert(
            &conn,
            &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
        )?;
        Ok((conn, account, folder))
    }

    /// Inserts `mails` in order the way the engine does (insert, then place), returning the
    /// conversations as sets of names.
    fn threaded(mails: &[Mail]) -> Result<BTreeSet<BTreeSet<&'static str>>, StoreError> {
        let (conn, account, folder) = store()?;
        let mut names = HashMap::new();
        for (name, id, irt, refs) in mails {
            let m = Envelope {
                account_id: account,
                folder_id: folder,
                rfc_message_id: (*id).into(),
                in_reply_to: (*irt).into(),
                refs: (*refs).into(),
                subject: "Hello".into(),
                ..Envelope::default()
            };
            let row = messages::insert(&conn, &m)?;
            place(&conn, row)?;
            names.insert(row, *name);
        }
        let incremental = groups(&of_all(&conn)?, &names);
        // The rebuild from the stored headers agrees.
        rebuild(&conn)?;
        assert_eq!(groups(&of_all(&conn)?, &names), incremental);
        Ok(incremental)
    }

    fn groups(
        threads: &HashMap<i64, i64>,
        names: &HashMap<i64, &'static str>,
    ) -> BTreeSet<BTreeSet<&'static str>> {
        let mut by: BTreeMap<i64, BTreeSet<&'static str>> = BTreeMap::new();
        for (row, thread) in threads {
            by.entry(*thread).or_default().insert(names[row]);
        }
        by.into_values().collect()
    }

    /// JWZ's grouping without subjects, written another way: messages are joined when one's
    /// Message-ID, In-Reply-To or References names what another's does (a graph walk).
    fn oracle(mails: &[Mail]) -> BTreeSet<BTreeSet<&'static str>> {
        let ids = |m: &Mail| -> BTreeSet<String> {
            [m.1, m.2]
                .into_iter()
                .chain(m.3.split_whitespace())
                .map(|s| s.trim_matches(['<', '>']).to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let mut seen = vec![false; mails.len()];
        let mut out = BTreeSet::new();
        for start in 0..mails.len() {
            if seen[start] {
                continue;
            }
            let mut group = BTreeSet::new();
            let mut todo = vec![start];
            seen[start] = true;
            while let Some(i) = todo.pop() {
                group.insert(mails[i].0);
                let mine = ids(&mails[i]);
                for (j, other) in mails.iter().enumerate() {
                    if !seen[j] && !ids(other).is_disjoint(&mine) {
                        seen[j] = true;
                        todo.push(j);
                    }
                }
            }
            out.insert(group);
        }
        out
    }

    fn set(groups: &[&[&'static str]]) -> BTreeSet<BTreeSet<&'static str>> {
        groups.iter().map(|g| g.iter().copied().collect()).collect()
    }

    /// Real-world shapes: a reply before its parent, a missing middle, replies to a message we
    /// never had, an Outlook reply with In-Reply-To only, a digest naming nothing, two
    /// unrelated mails titled "Hello", and a late message that links two threads.
    const MAILS: &[Mail] = &[
        ("reply-first", "r2@x", "r1@x", "root@x r1@x"),
        ("root", "root@x", "", ""),
        ("r1", "r1@x", "root@x", "root@x"),
        ("missing-middle", "r4@x", "r3@x", "root@x r3@x"),
        ("orphan-a", "oa@y", "gone@y", ""),
        ("orphan-b", "ob@y", "<gone@y>", "<gone@y>"),
        ("outlook-parent", "op@z", "", ""),
        ("outlook-reply", "or@z", "op@z", ""),
        ("digest", "digest@list", "", ""),
        ("hello-1", "h1@a", "", ""),
        ("hello-2", "h2@b", "", ""),
        ("left", "left@m", "", ""),
        ("right", "right@m", "elsewhere@m", ""),
        ("bridge", "bridge@m", "right@m", "left@m right@m"),
        ("no-id", "", "", ""),
    ];

    #[test]
    fn threads_follow_the_references_whatever_order_mail_arrives_in() -> Result<(), StoreError> {
        let expected = set(&[
            &["reply-first", "root", "r1", "missing-middle"],
            &["orphan-a", "orphan-b"],
            &["outlook-parent", "outlook-reply"],
            &["digest"],
            &["hello-1"],
            &["hello-2"],
            &["left", "right", "bridge"],
            &["no-id"],
        ]);
        assert_eq!(oracle(MAILS), expected);
        assert_eq!(threaded(MAILS)?, expected);
        // Every arrival order gives the same conversations (a fixed shuffle of several).
        let mut order: Vec<Mail> = MAILS.to_vec();
        for round in 0..20u64 {
            let mut seed = round
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            for i in (1..order.len()).rev() {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                order.swap(i, (seed >> 33) as usize % (i + 1));
            }
            assert_eq!(threaded(&order)?, expected, "order {order:?}");
        }
        Ok(())
    }

    #[test]
    fn a_hostile_references_header_is_bounded() {
        let refs: String = (0..10_000).map(|i| format!("<m{i}@x> ")).collect();
        let linked = links("self@x", "m9999@x", &refs);
        assert!(linked.len() <= MOST_LINKS, "{}", linked.len());
        assert_eq!(linked[0], "self@x");
        assert!(linked.contains(&"m0@x".to_owned()), "the root is kept");
        assert!(
            linked.contains(&"m9998@x".to_owned()),
            "the nearest ancestors are kept"
        );
        let long = "x".repeat(2_000);
        assert_eq!(links(&long, "", ""), Vec::<String>::new());
    }

    #[test]
    fn subjects_lose_every_languages_prefixes_and_list_tags() {
        for (subject, norm, answered) in [
            ("Re: Hello", "hello", true),
            ("回复：第三季度报告", "第三季度报告", true),
            ("答复: 转发：第三季度报告", "第三季度报告", true),
            ("AW: WG: Angebot", "angebot", true),
            ("SV:  Möte  i morgon", "möte i morgon", true),
            ("[dev-list] Re[2]: Build   broken", "build broken", true),
            ("Fwd: [ann] Release 1.0", "release 1.0", true),
            ("Hello", "hello", false),
            ("Reply needed", "reply needed", false),
            ("", "", false),
        ] {
            assert_eq!(
                normalise_subject(subject),
                (norm.to_owned(), answered),
                "{subject:?}"
            );
        }
        let hostile = "Re: ".repeat(10_000) + "x";
        assert!(normalise_subject(&hostile).0.starts_with("re:"));
    }

    #[test]
    fn grouping_by_subject_joins_replies_close_in_time_and_only_when_on() -> Result<(), StoreError>
    {
        let (conn, account, folder) = store()?;
        let day = 86_400;
        let start = 2_000 * SUBJECT_WEEK + 5 * day;
        let mut ids = HashMap::new();
        // No References at all: Outlook replies, forwards by hand, mail from phones.
        for (name, subject, date) in [
            ("report", "第三季度报告", start),
            ("reply", "回复：第三季度报告", start + 3 * day),
            ("late-reply", "答复: 第三季度报告", start + 9 * day),
            ("hello-1", "Hello", start),
            ("hello-2", "Hello", start + 20 * day),
            ("status-1", "Status", start - 7 * day),
            ("status-2", "Status", start),
        ] {
            let row = messages::insert(
                &conn,
                &Envelope {
                    account_id: account,
                    folder_id: folder,
                    rfc_message_id: format!("{name}@x"),
                    subject: subject.into(),
                    date,
                    ..Envelope::default()
                },
            )?;
            place(&conn, row)?;
            ids.insert(row, name);
        }
        let names: HashMap<i64, &'static str> = ids.into_iter().collect();
        assert_eq!(
            groups(&of_all(&conn)?, &names).len(),
            7,
            "off: nothing joins by subject"
        );
        set_by_subject(&conn, true)?;
        let rebuilt = groups(&of_all(&conn)?, &names);
        let expected: BTreeSet<BTreeSet<&str>> = [
            vec!["report", "reply", "late-reply"],
            vec!["hello-1"],
            vec!["hello-2"],
            vec!["status-1"],
            vec!["status-2"],
        ]
        .into_iter()
        .map(|g| g.into_iter().collect())
        .collect();
        assert_eq!(rebuilt, expected);
        // Arriving one by one (in reverse) under the option gives the same.
        let mut again: Vec<i64> = names.keys().copied().collect();
        again.sort_unstable_by(|a, b| b.cmp(a));
        conn.execute("UPDATE messages SET thread_id = 0", [])
            .ctx("clearing")?;
        conn.execute("DELETE FROM thread_refs", [])
            .ctx("clearing")?;
        for row in again {
            place(&conn, row)?;
        }
        assert_eq!(groups(&of_all(&conn)?, &names), expected);
        set_by_subject(&conn, false)?;
        assert_eq!(groups(&of_all(&conn)?, &names).len(), 7);
        Ok(())
    }
}
