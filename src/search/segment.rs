//! Cutting text into what the index stores: Latin and other spaced scripts are left to FTS5's
//! `unicode61` tokenizer (case and diacritics folded), while runs of Han, Kana and Hangul —
//! written without spaces — become overlapping bigrams, the last character of a run also on
//! its own. So every character starts some token: a two-character word is one token, a longer
//! one a phrase of bigrams, and a single character a prefix query. Index and queries go through
//! the same code, so they always agree.

/// Han, Kana, Hangul and their compatibility forms: the scripts written without spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana extensions
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x1100..=0x11FF    // Hangul jamo
        | 0x3130..=0x318F    // Hangul compatibility jamo
        | 0xF900..=0xFAFF    // Han compatibility
        | 0xFF66..=0xFF9D    // half-width Katakana
        | 0x20000..=0x3134F  // Han extensions B–G
    )
}

/// Full-width ASCII forms (Ａ, １, ＠) as their ASCII letters, so ｒｅｐｏｒｔ finds report;
/// the ideographic space as a space.
pub(crate) fn narrow(c: char) -> char {
    match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// The text as the index stores it: CJK runs as bigrams, the rest unchanged, separated by
/// spaces.
pub fn for_index(text: &str) -> String {
    // Most mail is ASCII: nothing to cut or narrow.
    if text.is_ascii() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    // Text that stays as it is goes over in slices, not a character at a time; a CJK run is
    // written as it is read, each character after the first closing the bigram it ends.
    let mut kept_from = 0;
    let mut last_cjk: Option<char> = None;
    for (at, c) in text.char_indices() {
        let n = narrow(c);
        if n == c && !is_cjk(c) && last_cjk.is_none() {
            continue;
        }
        out.push_str(&text[kept_from..at]);
        kept_from = at + c.len_utf8();
        if is_cjk(n) {
            match last_cjk {
                None => out.push(' '),
                Some(previous) => {
                    out.push(previous);
                    out.push(n);
                    out.push(' ');
                }
            }
            last_cjk = Some(n);
            continue;
        }
        if let Some(previous) = last_cjk.take() {
            out.push(previous);
            out.push(' ');
        }
        if n == c {
            // Unchanged: it starts the next slice.
            kept_from = at;
        } else {
            out.push(n);
        }
    }
    out.push_str(&text[kept_from..]);
    if let Some(previous) = last_cjk {
        out.push(previous);
        out.push(' ');
    }
    out
}

/// The tokens a typed word or phrase is looked up as, in order (they must follow each other):
/// Latin words as they are (the tokenizer folds them), a CJK run as its bigrams, and a lone CJK
/// character at the end as a prefix (`prefix` true), so 报 finds 报告. Punctuation separates, as
/// in the index.
pub fn for_query(text: &str) -> (Vec<String>, bool) {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    let mut prefix = false;
    for c in text.chars().map(narrow).chain(std::iter::once(' ')) {
        let cjk = is_cjk(c);
        let letter = !cjk && (c.is_alphanumeric() || c == '_');
        if !letter && !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
            prefix = false;
        }
        if !cjk && !run.is_empty() {
            if run.len() == 1 {
                tokens.push(run[0].to_string());
            } else {
                tokens.extend(run.windows(2).map(|p| p.iter().collect::<String>()));
            }
            // Only a lone character with nothing after it needs the prefix: elsewhere the
            // index holds it as a token of its own.
            prefix = run.len() == 1;
            run.clear();
        }
        if cjk {
            run.push(c);
        } else if letter {
            word.push(c);
        }
    }
    (tokens, prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain statement of the rule, a character at a time, that `for_index` must match.
    fn reference(text: &str) -> String {
        let mut out = String::new();
        let mut run: Vec<char> = Vec::new();
        let flush = |run: &mut Vec<char>, out: &mut String| {
            if run.is_empty() {
                return;
            }
            out.push(' ');
            for pair in run.windows(2) {
                out.push(pair[0]);
                out.push(pair[1]);
                out.push(' ');
            }
            if let Some(last) = run.last() {
                out.push(*last);
                out.push(' ');
            }
            run.clear();
        };
        for c in text.chars().map(narrow) {
            if is_cjk(c) {
                run.push(c);
                continue;
            }
            flush(&mut run, &mut out);
            out.push(c);
        }
        flush(&mut run, &mut out);
        out
    }

    proptest::proptest! {
        #[test]
        fn cutting_in_slices_matches_the_rule(text in "[a-z 季度报告会ｒｅ１\u{3000}かな,é]{0,40}") {
            proptest::prop_assert_eq!(for_index(&text), reference(&text));
        }
    }

    #[test]
    fn cjk_runs_become_bigrams_and_a_last_single() {
        assert_eq!(for_index("季度报告会"), " 季度 度报 报告 告会 会 ");
        assert_eq!(for_index("Q3 季度报告"), "Q3  季度 度报 报告 告 ");
        assert_eq!(for_index("报"), " 报 ");
        assert_eq!(for_index("会议：明天"), " 会议 议 : 明天 天 ");
        assert_eq!(for_index("ｒｅｐｏｒｔ"), "report");
        assert_eq!(for_index("かな漢字"), " かな な漢 漢字 字 ");
    }

    #[test]
    fn queries_cut_the_same_way() {
        let q = |s: &str| for_query(s);
        assert_eq!(q("报告"), (vec!["报告".to_owned()], false));
        assert_eq!(
            q("季度报告"),
            (vec!["季度".into(), "度报".into(), "报告".into()], false)
        );
        assert_eq!(q("报"), (vec!["报".to_owned()], true));
        assert_eq!(q("Q3报"), (vec!["Q3".into(), "报".into()], true));
        assert_eq!(q("报Q3"), (vec!["报".into(), "Q3".into()], false));
        assert_eq!(q("报a"), (vec!["报".into(), "a".into()], false));
        assert_eq!(q("Q3季度，"), (vec!["Q3".into(), "季度".into()], false));
        assert_eq!(q("e-mail"), (vec!["e".into(), "mail".into()], false));
        assert_eq!(q("ｒｅｐｏｒｔ"), (vec!["report".to_owned()], false));
        assert_eq!(q("，。"), (vec![], false));
    }
}
