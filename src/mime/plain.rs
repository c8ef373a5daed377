//! text/plain to the display model: format=flowed joined, quote levels nested, URLs linked.

use super::model::{Block, Span};

/// Undoes format=flowed (RFC 3676): soft-broken lines end with a space and join the next line
/// of the same quote depth; space-stuffing is removed; with DelSp=yes the trailing space goes.
pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut carry: Option<(usize, String)> = None;
    for raw in text.lines() {
        // The signature separator is never flowed.
        let line = if raw == "-- " { "--" } else { raw };
        let depth = line.chars().take_while(|c| *c == '>').count();
        let mut content = &line[depth..];
        if let Some(stripped) = content.strip_prefix(' ') {
            content = stripped;
        }
        let soft = content.ends_with(' ') && raw != "-- ";
        let piece = if soft && delsp {
            &content[..content.len() - 1]
        } else {
            content
        };
        let joined = match carry.take() {
            Some((d, mut acc)) if d == depth => {
                acc.push_str(piece);
                acc
            }
            Some((d, acc)) => {
                out.push(format!("{}{}", ">".repeat(d), prefix_space(d, &acc)));
                piece.to_owned()
            }
            None => piece.to_owned(),
        };
        if soft {
            carry = Some((depth, joined));
        } else {
            out.push(format!(
                "{}{}",
                ">".repeat(depth),
                prefix_space(depth, &joined)
            ));
        }
    }
    if let Some((d, acc)) = carry {
        out.push(format!("{}{}", ">".repeat(d), prefix_space(d, &acc)));
    }
    out.join("\n")
}

fn prefix_space(depth: usize, text: &str) -> String {
    if depth > 0 && !text.is_empty() {
        format!(" {text}")
    } else {
        text.to_owned()
    }
}

/// Splits a line into text and links (http, https, mailto, www.).
pub fn linkify(line: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut rest = line;
    loop {
        let found = ["https://", "http://", "mailto:", "www."]
            .iter()
            .filter_map(|p| {
                let lower = rest.to_ascii_lowercase();
                lower.find(p).map(|i| (i, *p))
            })
            .filter(|(i, _)| *i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric())
            .min_by_key(|(i, _)| *i);
        let Some((start, prefix)) = found else {
            if !rest.is_empty() {
                spans.push(Span::plain(rest));
            }
            return spans;
        };
        let tail = &rest[start..];
        let mut end = tail
            .find(|c: char| c.is_whitespace() || "<>\"'`".contains(c) || !c.is_ascii())
            .unwrap_or(tail.len());
        // Punctuation that ends a sentence is not part of the address.
        while end > 0 && ".,;:!?)]}".contains(tail.as_bytes()[end - 1] as char) {
            end -= 1;
        }
        if end <= prefix.len() {
            spans.push(Span::plain(&rest[..start + prefix.len()]));
            rest = &rest[start + prefix.len()..];
            continue;
        }
        if start > 0 {
            spans.push(Span::plain(&rest[..start]));
        }
        let url = &tail[..end];
        let target = if prefix == "www." {
            format!("http://{url}")
        } else {
            url.to_owned()
        };
        spans.push(Span {
            text: url.to_owned(),
            link: Some(target),
            ..Span::default()
        });
        rest = &tail[end..];
    }
}

/// Quote levels shown as nested quotes; deeper `>` prefixes count as this level, so hostile
/// text with thousands of `>` cannot nest (or recurse) without bound.
pub const MAX_QUOTE_DEPTH: usize = 16;

fn quote_depth(line: &str) -> (usize, &str) {
    let (depth, rest) = quote_prefix(line);
    (depth.min(MAX_QUOTE_DEPTH), rest)
}

fn quote_prefix(line: &str) -> (usize, &str) {
    let mut depth = 0;
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        if let Some(r) = trimmed.strip_prefix('>') {
            depth += 1;
            rest = r;
        } else {
            break;
        }
    }
    let rest = if depth > 0 {
        rest.strip_prefix(' ').unwrap_or(rest)
    } else {
        rest
    };
    (depth, rest)
}

/// The blocks of a plain-text body.
pub fn to_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<(usize, &str)> = text.lines().map(quote_depth).collect();
    blocks_at(&lines, 0)
}

fn blocks_at(lines: &[(usize, &str)], depth: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<Span> = Vec::new();
    let mut i = 0;
    let flush = |para: &mut Vec<Span>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(std::mem::take(para)));
        }
    };
    while i < lines.len() {
        let (d, line) = lines[i];
        if d > depth {
            flush(&mut para, &mut blocks);
            let end = lines[i..]
                .iter()
                .position(|(d2, _)| *d2 <= depth)
                .map_or(lines.len(), |p| i + p);
            blocks.push(Block::Quote(blocks_at(&lines[i..end], depth + 1)));
            i = end;
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut para, &mut blocks);
        } else {
            if !para.is_empty() {
                para.push(Span::plain("\n"));
            }
            para.extend(linkify(line.trim_end()));
        }
        i += 1;
    }
    flush(&mut para, &mut blocks);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flowed_lines_join_and_quotes_stay_apart() {
        let text = "This is a long \r\nline.\r\n> quoted soft \r\n> text\r\n-- \r\nsig";
        assert_eq!(
            unflow(text, false),
            "This is a long line.\n> quoted soft text\n--\nsig"
        );
        assert_eq!(unflow("a b \r\nc", true), "a bc");
    }

    #[test]
    fn links_are_found_and_trailing_punctuation_left_out() {
        let spans = linkify("See https://example.org/a?b=1. Or www.163.com, mailto:x@y.z!");
        let links: Vec<_> = spans.iter().filter_map(|s| s.link.clone()).collect();
        assert_eq!(
            links,
            [
                "https://example.org/a?b=1",
                "http://www.163.com",
                "mailto:x@y.z"
            ]
        );
    }

    #[test]
    fn quote_levels_nest() {
        let blocks = to_blocks("Hi\n> one\n>> two\n> one again\nbye");
        assert_eq!(blocks.len(), 3);
        let Block::Quote(inner) = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert!(matches!(inner[1], Block::Quote(_)));
    }

    fn quote_nesting(blocks: &[Block]) -> usize {
        // Iterative, so the test itself survives whatever the parser builds.
        let mut deepest = 0;
        let mut stack: Vec<(&[Block], usize)> = vec![(blocks, 0)];
        while let Some((level, d)) = stack.pop() {
            deepest = deepest.max(d);
            for b in level {
                if let Block::Quote(inner) = b {
                    stack.push((inner, d + 1));
                }
            }
        }
        deepest
    }

    #[test]
    fn thousands_of_quote_marks_stay_shallow_and_keep_the_text() {
        let line = format!("{}deep words", ">".repeat(5000));
        let blocks = to_blocks(&format!("top\n{line}\n> back up\n"));
        assert_eq!(quote_nesting(&blocks), MAX_QUOTE_DEPTH);
        let dump = format!("{blocks:?}");
        assert!(dump.contains("deep words") && dump.contains("back up"));
        // format=flowed counts the same marks without nesting anything.
        assert!(unflow(&line, false).ends_with("deep words"));
    }
}
