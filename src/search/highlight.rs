//! Where a search's words are in a text, for the reader to mark them: any letter case, Chinese
//! by its characters in a row. Only the words the query looks for (not excluded ones, not
//! filters like `is:unread`).

use std::ops::Range;

use super::query::{self, Term};

/// The lower-cased words and CJK runs of `query` to mark.
pub fn needles(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for group in query::parse(query, 0).groups {
        for atom in group {
            if atom.negated {
                continue;
            }
            let Term::Text(_, text) = atom.term else {
                continue;
            };
            // The same cuts as the index, joined back: "e-mail" marks "e" and "mail".
            let mut word = String::new();
            for c in text.chars().chain(std::iter::once(' ')) {
                let keep = c.is_alphanumeric() || c == '_';
                if keep {
                    word.extend(c.to_lowercase());
                } else if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
        }
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.len()));
    out.dedup();
    out
}

/// The byte ranges of `text` that hold one of `needles`, in order, merged where they touch.
pub fn ranges(text: &str, needles: &[String]) -> Vec<Range<usize>> {
    if needles.is_empty() {
        return Vec::new();
    }
    // A lower-cased copy, each of its bytes mapped back to the original character's place.
    let mut lower = String::with_capacity(text.len());
    let mut origin: Vec<(usize, usize)> = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        for l in c.to_lowercase() {
            for _ in 0..l.len_utf8() {
                origin.push((at, end));
            }
            lower.push(l);
        }
    }
    let mut found: Vec<Range<usize>> = Vec::new();
    for needle in needles.iter().filter(|n| !n.is_empty()) {
        for (at, m) in lower.match_indices(needle.as_str()) {
            let (Some(first), Some(last)) = (origin.get(at), origin.get(at + m.len() - 1)) else {
                continue;
            };
            found.push(first.0..last.1);
        }
    }
    found.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in found {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_chinese_are_found_in_any_case() {
        let n = needles("Report 季度报告 -draft is:unread from:bob");
        assert_eq!(
            n,
            vec!["季度报告".to_owned(), "report".into(), "bob".into()]
        );
        let text = "The REPORT: 第三季度报告会, reported by Bob.";
        let marked: Vec<&str> = ranges(text, &n).into_iter().map(|r| &text[r]).collect();
        assert_eq!(marked, vec!["REPORT", "季度报告", "report", "Bob"]);
        assert!(ranges("nothing here", &n).is_empty());
        // Letters whose lower case is longer still map back to whole characters.
        let odd = "İstanbul report";
        let marked: Vec<&str> = ranges(odd, &n).into_iter().map(|r| &odd[r]).collect();
        assert_eq!(marked, vec!["report"]);
    }
}
