//! The index against an oracle: a few thousand generated messages (English, Chinese in UTF-8
//! and GBK, HTML-only), and for many queries the hits must be exactly the messages whose
//! decoded text holds the words (Latin: a whole word, any case; Chinese: the characters in a
//! row, any length from one).

use std::collections::BTreeSet;

use super::{Order, Scope, index, run};
use crate::store::folders::{self, Folder, Role};
use crate::store::messages::{self, Envelope};
use crate::store::{Store, StoreError, accounts, bodies};

const LATIN: &[&str] = &[
    "report", "budget", "meeting", "Garden", "release", "naïve", "café", "invoice", "travel",
];
const HAN: &[&str] = &[
    "季度", "报告", "会议", "预算", "项目", "进度", "旅行", "计划", "发票", "周末", "通知", "报",
];

/// A small deterministic generator, so every run sees the same mail.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Message `n`: its raw bytes and the text a reader sees (subject and body).
fn message(n: usize, rng: &mut Rng) -> (Vec<u8>, String, String) {
    let mut words = Vec::new();
    for _ in 0..(3 + rng.below(12)) {
        // Chinese words often run together with no space between them.
        if rng.below(2) == 0 {
            words.push(LATIN[rng.below(LATIN.len())].to_owned());
        } else {
            let mut run = String::new();
            for _ in 0..(1 + rng.below(3)) {
                run.push_str(HAN[rng.below(HAN.len())]);
            }
            words.push(run);
        }
    }
    let subject = format!("{} {n}", words[0]);
    let body = words[1..].join(if rng.below(3) == 0 { "，" } else { " " });
    let raw = match n % 3 {
        0 => format!(
            "Subject: {subject}\r\nMessage-ID: <m{n}@t>\r\nContent-Type: text/plain; \
             charset=utf-8\r\n\r\n{body}\r\n"
        )
        .into_bytes(),
        1 => {
            let (gbk, _, _) = encoding_rs::GBK.encode(&body);
            // What GBK cannot hold (ï, é) it writes as &#NNN;: that is the text the reader sees.
            let (shown, _, _) = encoding_rs::GBK.decode(&gbk);
            let shown = shown.into_owned();
            let mut raw = format!(
                "Subject: {subject}\r\nMessage-ID: <m{n}@t>\r\nContent-Type: text/plain; \
                 charset=gbk\r\n\r\n"
            )
            .into_bytes();
            raw.extend_from_slice(&gbk);
            raw.extend_from_slice(b"\r\n");
            return (raw, subject, shown);
        }
        _ => format!(
            "Subject: {subject}\r\nMessage-ID: <m{n}@t>\r\nContent-Type: text/html; \
             charset=utf-8\r\n\r\n<html><body><p>{body}</p></body></html>\r\n"
        )
        .into_bytes(),
    };
    (raw, subject, body)
}

/// Whole words, folded, as the oracle sees Latin text.
fn latin_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric() || super::segment::is_cjk(c))
        .filter(|w| !w.is_empty())
        .map(fold)
        .collect()
}

fn fold(word: &str) -> String {
    word.to_lowercase()
        .replace(['ï', 'î'], "i")
        .replace(['é', 'è'], "e")
}

/// A store with `mail` (raw bytes and subject) mirrored in one INBOX, bodies included, UIDs
/// and dates in order; the ids in the same order. The directory must outlive the store.
fn store_with(
    mail: Vec<(Vec<u8>, String)>,
) -> Result<(tempfile::TempDir, Store, Vec<i64>), StoreError> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let store = Store::open(&dir.path().join("mirror.sqlite3"))?;
    let ids: Vec<i64> = store.writer().write_blocking(move |tx| {
        let account = accounts::insert(tx, &crate::store::tests::account())?;
        let folder = folders::insert(
            tx,
            &Folder::new_imap(account, "INBOX", "INBOX", Role::Inbox),
        )?;
        let mut ids = Vec::new();
        for (n, (raw, subject)) in mail.into_iter().enumerate() {
            let id = messages::insert(
                tx,
                &Envelope {
                    account_id: account,
                    folder_id: folder,
                    uid: n as u32 + 1,
                    date: 1_700_000_000 + n as i64,
                    subject,
                    ..Envelope::default()
                },
            )?;
            bodies::put(tx, id, &raw)?;
            ids.push(id);
        }
        Ok(ids)
    })?;
    Ok((dir, store, ids))
}

#[test]
fn every_query_finds_exactly_what_a_scan_of_the_text_finds() -> Result<(), StoreError> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mail: Vec<(Vec<u8>, String, String)> = (0..3000).map(|n| message(n, &mut rng)).collect();
    let texts: Vec<String> = mail.iter().map(|(_, s, b)| format!("{s}\n{b}")).collect();
    let (_dir, store, ids) = store_with(
        mail.into_iter()
            .map(|(raw, subject, _)| (raw, subject))
            .collect(),
    )?;
    // Index everything, as the engine's indexer does.
    index::catch_up(&store, 500, &|| false, |_| {})?;
    let reader = store.reader()?;
    assert_eq!(index::backlog(&reader)?, 0);

    let mut queries: Vec<String> = LATIN.iter().map(|w| (*w).to_owned()).collect();
    queries.extend(["REPORT", "Cafe", "naive"].map(str::to_owned));
    // Chinese: every word, single characters, and runs across word boundaries.
    queries.extend(HAN.iter().map(|w| (*w).to_owned()));
    queries.extend(["季", "度", "告", "议"].map(str::to_owned));
    queries.extend(["度报", "报告会", "季度报告", "告项目进", "计划发票"].map(str::to_owned));
    for q in &queries {
        let want: BTreeSet<i64> = texts
            .iter()
            .zip(&ids)
            .filter(|(text, _)| {
                if q.chars().all(super::segment::is_cjk) {
                    text.contains(q.as_str())
                } else {
                    latin_words(text).contains(&fold(q))
                }
            })
            .map(|(_, id)| *id)
            .collect();
        let got: BTreeSet<i64> = run(&reader, q, 0, Scope::default(), Order::Newest, None)?
            .into_iter()
            .collect();
        assert!(!want.is_empty(), "{q:?} should occur in the generated mail");
        assert_eq!(
            got.len(),
            want.len(),
            "{q:?}: {} found, {} expected; missing {:?}, extra {:?}",
            got.len(),
            want.len(),
            want.difference(&got).take(3).collect::<Vec<_>>(),
            got.difference(&want).take(3).collect::<Vec<_>>()
        );
        assert_eq!(got, want, "{q:?}");
    }
    // Newest first, and a limit takes the newest.
    let newest = run(&reader, "报告", 0, Scope::default(), Order::Newest, Some(5))?;
    let dates: Vec<i64> = newest
        .iter()
        .filter_map(|id| messages::get(&reader, *id).ok().flatten().map(|m| m.date))
        .collect();
    assert_eq!(newest.len(), 5);
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    // Best match answers too, with the same hits.
    let best: BTreeSet<i64> = run(
        &reader,
        "季度 report",
        0,
        Scope::default(),
        Order::Best,
        None,
    )?
    .into_iter()
    .collect();
    let newest: BTreeSet<i64> = run(
        &reader,
        "季度 report",
        0,
        Scope::default(),
        Order::Newest,
        None,
    )?
    .into_iter()
    .collect();
    assert_eq!(best, newest);
    // A deleted message leaves the index with it.
    let gone = ids[0];
    store
        .writer()
        .write_blocking(move |tx| messages::delete(tx, gone))?;
    let q = texts[0]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(!run(&reader, &q, 0, Scope::default(), Order::Newest, None)?.contains(&gone));
    Ok(())
}

#[test]
fn a_paused_catch_up_stops_after_one_transaction_and_leaves_the_rest_queued()
-> Result<(), StoreError> {
    let mut rng = Rng(7);
    let (_dir, store, _) = store_with(
        (0..1000)
            .map(|n| (message(n, &mut rng).0, String::new()))
            .collect(),
    )?;
    // A sync started: the indexer stores what it built and yields.
    let done = index::catch_up(&store, 100, &|| true, |_| {})?;
    assert_eq!(done, 100, "one transaction, then the pause");
    assert_eq!(index::backlog(&store.reader()?)?, 900);
    // The sync ended: the rest is indexed.
    assert_eq!(index::catch_up(&store, 100, &|| false, |_| {})?, 900);
    assert_eq!(index::backlog(&store.reader()?)?, 0);
    Ok(())
}

#[test]
fn a_body_read_on_arrival_indexes_as_the_indexer_would() -> Result<(), StoreError> {
    let mut rng = Rng(11);
    let mail: Vec<Vec<u8>> = (0..300).map(|n| message(n, &mut rng).0).collect();
    let (_dir, store, ids) = store_with(
        mail.iter()
            .map(|raw| (raw.clone(), String::new()))
            .collect(),
    )?;
    let reader = store.reader()?;
    for (id, raw) in ids.iter().zip(&mail) {
        let pending = index::Pending {
            message: *id,
            stamp: 0,
        };
        let Some(built) = index::build(&reader, pending, true)? else {
            panic!("message {id} is there");
        };
        let (_, text) = index::read_arrival(raw);
        let Some(text) = text else {
            panic!("message {id} reads");
        };
        assert_eq!(
            (text.body, text.quoted, text.filenames),
            (built.body, built.quoted, built.filenames),
            "message {id}"
        );
    }
    Ok(())
}
