//! HTML mail to the display model. Nothing is executed or fetched: scripts, styles, forms,
//! frames and event handlers are dropped; remote images and style sheets are counted and
//! blocked unless the user allowed remote content; links keep their real target.

use ego_tree::NodeRef;
use scraper::{Html, Node};

use super::model::{Block, ImageSource, Span};

/// The body blocks of an HTML document and how many remote loads were blocked (none once the
/// user allowed remote content: its images are fetched; style sheets are never used anyway).
pub fn to_blocks(html: &str, allow_remote: bool) -> (Vec<Block>, usize) {
    let document = Html::parse_document(html);
    let mut walker = Walker::new(allow_remote);
    walker.walk(document.tree.root());
    walker.flush();
    let blocked = if allow_remote { 0 } else { walker.remote };
    (walker.blocks, blocked)
}

/// Elements whose content is never shown.
const DROPPED: &[&str] = &[
    "script", "style", "head", "title", "meta", "link", "form", "input", "button", "select",
    "textarea", "option", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "svg", "math", "template", "canvas", "audio", "video", "source", "base",
];

const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "header",
    "footer",
    "main",
    "aside",
    "nav",
    "center",
    "address",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "body",
    "html",
    "fieldset",
    "details",
    "summary",
    "tbody",
    "thead",
    "tfoot",
    "caption",
];

#[derive(Clone, Default)]
struct Style {
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
    code: bool,
    link: Option<String>,
}

/// How many elements deep the walk follows the document's structure. Hostile mail nests
/// thousands of elements to exhaust the stack; real newsletters stay well under this. Deeper
/// content is kept as plain text of the element at this depth.
pub const MAX_DEPTH: usize = 48;

struct Walker {
    blocks: Vec<Block>,
    para: Vec<Span>,
    style: Style,
    remote: usize,
    allow_remote: bool,
    /// Elements open above the one being walked.
    depth: usize,
}

fn is_remote(url: &str) -> bool {
    let u = url.trim().to_ascii_lowercase();
    u.starts_with("http://") || u.starts_with("https://") || u.starts_with("//")
}

/// Counts remote `url(...)` and `@import` references in CSS text.
fn remote_in_css(css: &str) -> usize {
    let lower = css.to_ascii_lowercase();
    let urls = lower
        .match_indices("url(")
        .filter(|(i, _)| {
            let rest = lower[i + 4..].trim_start_matches(['\'', '"', ' ']);
            is_remote(rest)
        })
        .count();
    // `@import url(...)` was counted with the urls above; only the string form is left.
    let imports = lower
        .match_indices("@import")
        .filter(|(i, _)| {
            let rest = lower[i + 7..].trim_start().trim_start_matches(['\'', '"']);
            is_remote(rest)
        })
        .count();
    urls + imports
}

/// Keeps only link targets that are safe to show and open.
fn safe_link(href: &str) -> Option<String> {
    let h = href.trim();
    let lower = h.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:"))
        .then(|| h.to_owned())
}

impl Walker {
    fn new(allow_remote: bool) -> Walker {
        Walker {
            blocks: Vec::new(),
            para: Vec::new(),
            style: Style::default(),
            remote: 0,
            allow_remote,
            depth: 0,
        }
    }

    fn flush(&mut self) {
        // Trim whitespace at the paragraph's edges; drop it if nothing is left.
        while self
            .para
            .last()
            .is_some_and(|s| s.text.trim().is_empty() && s.text != "\n")
        {
            self.para.pop();
        }
        if let Some(last) = self.para.last_mut() {
            last.text = last.text.trim_end_matches(' ').to_owned();
        }
        while self.para.first().is_some_and(|s| s.text.trim().is_empty()) {
            self.para.remove(0);
        }
        if let Some(first) = self.para.first_mut() {
            first.text = first.text.trim_start().to_owned();
        }
        if !self.para.is_empty() {
            self.blocks
                .push(Block::Paragraph(std::mem::take(&mut self.para)));
        }
    }

    fn push_text(&mut self, text: &str) {
        // HTML whitespace collapses to one space.
        let mut collapsed = String::with_capacity(text.len());
        let mut space = self
            .para
            .last()
            .is_none_or(|s| s.text.ends_with(' ') || s.text.ends_with('\n'));
        for c in text.chars() {
            if c.is_whitespace() {
                if !space {
                    collapsed.push(' ');
                    space = true;
                }
            } else {
                collapsed.push(c);
                space = false;
            }
        }
        if collapsed.is_empty() {
            return;
        }
        let style = &self.style;
        if let Some(last) = self.para.last_mut()
            && last.bold == style.bold
            && last.italic == style.italic
            && last.underline == style.underline
            && last.strike == style.strike
            && last.code == style.code
            && last.link == style.link
        {
            last.text.push_str(&collapsed);
            return;
        }
        self.para.push(Span {
            text: collapsed,
            bold: style.bold,
            italic: style.italic,
            underline: style.underline,
            strike: style.strike,
            code: style.code,
            link: style.link.clone(),
        });
    }

    fn line_break(&mut self) {
        self.para.push(Span::plain("\n"));
    }

    fn walk_children(&mut self, node: NodeRef<'_, Node>) {
        for child in node.children() {
            self.walk(child);
        }
    }

    /// Walks `node`'s children into separate blocks (for quotes and list items).
    fn sub_blocks(&mut self, node: NodeRef<'_, Node>) -> Vec<Block> {
        let mut inner = Walker::new(self.allow_remote);
        inner.style = self.style.clone();
        inner.depth = self.depth;
        inner.walk_children(node);
        inner.flush();
        self.remote += inner.remote;
        inner.blocks
    }

    /// Walks `node`'s children into spans only (headings, table cells).
    fn sub_spans(&mut self, node: NodeRef<'_, Node>) -> Vec<Span> {
        let blocks = self.sub_blocks(node);
        let mut spans = Vec::new();
        for block in blocks {
            if let Block::Paragraph(s) = block {
                if !spans.is_empty() {
                    spans.push(Span::plain(" "));
                }
                spans.extend(s);
            }
        }
        spans
    }

    fn walk(&mut self, node: NodeRef<'_, Node>) {
        if node.value().is_element() {
            if self.depth >= MAX_DEPTH {
                self.flat_text(node);
                return;
            }
            self.depth += 1;
            self.walk_node(node);
            self.depth -= 1;
        } else {
            self.walk_node(node);
        }
    }

    /// The text under `node` as one run, without following its structure (no recursion, so
    /// any depth is safe); dropped elements stay dropped, remote references are still counted.
    fn flat_text(&mut self, node: NodeRef<'_, Node>) {
        use ego_tree::iter::Edge;
        // Depth inside a dropped element (script, style, ...): its text is never shown.
        let mut dropped = 0usize;
        for edge in node.traverse() {
            match edge {
                Edge::Open(n) => match n.value() {
                    Node::Element(e) => {
                        if e.attr("style").is_some_and(|s| remote_in_css(s) > 0)
                            || e.attr("background").is_some_and(is_remote)
                            || (e.name() == "img"
                                && e.attr("src").is_some_and(is_remote)
                                && !self.allow_remote)
                        {
                            self.remote += 1;
                        }
                        if dropped > 0 || DROPPED.contains(&e.name()) {
                            dropped += 1;
                        } else if e.name() == "br" {
                            self.line_break();
                        }
                    }
                    Node::Text(t) if dropped == 0 => self.push_text(t),
                    _ => {}
                },
                Edge::Close(n) => {
                    if dropped > 0 && n.value().is_element() {
                        dropped -= 1;
                    }
                }
            }
        }
    }

    fn walk_node(&mut self, node: NodeRef<'_, Node>) {
        let element = match node.value() {
            Node::Text(text) => {
                self.push_text(text);
                return;
            }
            Node::Element(element) => element,
            _ => {
                self.walk_children(node);
                return;
            }
        };
        let name = element.name();
        if let Some(style) = element.attr("style") {
            self.remote += remote_in_css(style);
        }
        if element.attr("background").is_some_and(is_remote) {
            self.remote += 1;
        }
        if DROPPED.contains(&name) {
            match name {
                "link" if element.attr("href").is_some_and(is_remote) => self.remote += 1,
                "style" => {
                    let css: String = node
                        .children()
                        .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                        .collect();
                    self.remote += remote_in_css(&css);
                }
                "head" => {
                    // Style sheets in <head> are still remote loads to count.
                    for d in node.descendants() {
                        if let Some(e) = d.value().as_element() {
                            if e.name() == "link" && e.attr("href").is_some_and(is_remote) {
                                self.remote += 1;
                            }
                            if e.name() == "style" {
                                let css: String = d
                                    .children()
                                    .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                                    .collect();
                                self.remote += remote_in_css(&css);
                            }
                        }
                    }
                }
                _ => {}
            }
            return;
        }
        let saved = self.style.clone();
        match name {
            "br" => self.line_break(),
            "b" | "strong" => {
                self.style.bold = true;
                self.walk_children(node);
            }
            "i" | "em" | "cite" | "var" => {
                self.style.italic = true;
                self.walk_children(node);
            }
            "u" | "ins" => {
                self.style.underline = true;
                self.walk_children(node);
            }
            "s" | "strike" | "del" => {
                self.style.strike = true;
                self.walk_children(node);
            }
            "code" | "tt" | "kbd" | "samp" => {
                self.style.code = true;
                self.walk_children(node);
            }
            "a" => {
                self.style.link = element.attr("href").and_then(safe_link);
                self.walk_children(node);
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush();
                let level = name[1..].parse().unwrap_or(1);
                let spans = self.sub_spans(node);
                if !spans.is_empty() {
                    self.blocks.push(Block::Heading(level, spans));
                }
            }
            "blockquote" => {
                self.flush();
                let inner = self.sub_blocks(node);
                if !inner.is_empty() {
                    self.blocks.push(Block::Quote(inner));
                }
            }
            "ul" | "ol" | "menu" => {
                self.flush();
                let mut items = Vec::new();
                for child in node.children() {
                    if child.value().as_element().is_some_and(|e| e.name() == "li") {
                        items.push(self.sub_blocks(child));
                    } else {
                        let stray = self.sub_blocks(child);
                        if !stray.is_empty() {
                            items.push(stray);
                        }
                    }
                }
                if !items.is_empty() {
                    self.blocks.push(Block::List {
                        ordered: name == "ol",
                        items,
                    });
                }
            }
            "li" => {
                // A list item outside a list: a paragraph of its own.
                self.flush();
                self.walk_children(node);
                self.flush();
            }
            "pre" | "xmp" | "listing" | "plaintext" => {
                self.flush();
                let text: String = node
                    .descendants()
                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                    .collect();
                let text = text
                    .strip_prefix('\n')
                    .unwrap_or(&text)
                    .trim_end()
                    .to_owned();
                if !text.is_empty() {
                    self.blocks.push(Block::Preformatted(text));
                }
            }
            "hr" => {
                self.flush();
                self.blocks.push(Block::Rule);
            }
            "img" => {
                let src = element.attr("src").unwrap_or_default().trim();
                let tiny = |a: &str| {
                    element.attr(a).is_some_and(|v| {
                        v.trim().trim_end_matches("px") == "0"
                            || v.trim().trim_end_matches("px") == "1"
                    })
                };
                if tiny("width") || tiny("height") {
                    // A tracking pixel: counted when remote, never drawn.
                    if is_remote(src) && !self.allow_remote {
                        self.remote += 1;
                    }
                    self.style = saved;
                    return;
                }
                let alt = element.attr("alt").unwrap_or_default().trim().to_owned();
                let source = if let Some(cid) = src.strip_prefix("cid:") {
                    ImageSource::Inline(cid.trim_matches(['<', '>']).to_owned())
                } else if is_remote(src) {
                    if !self.allow_remote {
                        self.remote += 1;
                    }
                    ImageSource::Remote(src.to_owned())
                } else {
                    ImageSource::Embedded
                };
                self.flush();
                self.blocks.push(Block::Image { alt, source });
            }
            "table" => {
                self.flush();
                let mut rows = Vec::new();
                // Rows are the table's own (directly or in a row group); rows of nested tables
                // belong to the cell that holds them. Looking only this far down keeps the walk
                // linear however tables nest.
                let named = |n: &NodeRef<'_, Node>, names: &[&str]| {
                    n.value()
                        .as_element()
                        .is_some_and(|e| names.contains(&e.name()))
                };
                let own_rows: Vec<NodeRef<'_, Node>> = node
                    .children()
                    .flat_map(|c| {
                        if named(&c, &["tbody", "thead", "tfoot"]) {
                            c.children().collect::<Vec<_>>()
                        } else {
                            vec![c]
                        }
                    })
                    .filter(|c| named(c, &["tr"]))
                    .collect();
                for row in own_rows {
                    let cells: Vec<Vec<Block>> = row
                        .children()
                        .filter(|c| {
                            c.value()
                                .as_element()
                                .is_some_and(|e| e.name() == "td" || e.name() == "th")
                        })
                        .map(|c| self.sub_blocks(c))
                        .filter(|c| !c.is_empty())
                        .collect();
                    if !cells.is_empty() {
                        rows.push(cells);
                    }
                }
                // Layout tables (newsletters) have one cell per row: show their content as is.
                if rows.iter().all(|r| r.len() == 1) {
                    for row in rows {
                        for cell in row {
                            self.blocks.extend(cell);
                        }
                    }
                } else if !rows.is_empty() {
                    let rows = rows
                        .into_iter()
                        .map(|r| r.into_iter().map(|c| cell_spans(&c)).collect())
                        .collect();
                    self.blocks.push(Block::Table(rows));
                }
            }
            n if BLOCKS.contains(&n) => {
                self.flush();
                self.walk_children(node);
                self.flush();
            }
            _ => self.walk_children(node),
        }
        self.style = saved;
    }
}

/// A table cell's blocks flattened to one line of spans.
fn cell_spans(blocks: &[Block]) -> Vec<Span> {
    let mut spans = Vec::new();
    for block in blocks {
        if !spans.is_empty() {
            spans.push(Span::plain(" "));
        }
        match block {
            Block::Paragraph(s) | Block::Heading(_, s) => spans.extend(s.iter().cloned()),
            Block::Image { alt, .. } if !alt.is_empty() => {
                spans.push(Span::plain(format!("[{alt}]")))
            }
            Block::Preformatted(t) => spans.push(Span::plain(t.clone())),
            Block::List { items, .. } => {
                for item in items {
                    spans.extend(cell_spans(item));
                }
            }
            Block::Quote(inner) => spans.extend(cell_spans(inner)),
            // A table inside a cell: its cells' text in reading order.
            Block::Table(rows) => {
                for cell in rows.iter().flatten() {
                    if !spans.is_empty() {
                        spans.push(Span::plain(" "));
                    }
                    spans.extend(cell.iter().cloned());
                }
            }
            _ => {}
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(blocks: &[Block]) -> String {
        blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(s) | Block::Heading(_, s) => {
                    s.iter().map(|s| s.text.as_str()).collect::<String>()
                }
                other => format!("{other:?}"),
            })
            .collect::<Vec<_>>()
            .join("|")
    }

    #[test]
    fn scripts_handlers_and_javascript_links_are_gone() {
        let (blocks, _) = to_blocks(
            r#"<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:evil()">click</a>
               <iframe src="https://x.test/"></iframe><a href="https://ok.test/">ok</a></p>"#,
            false,
        );
        let dump = format!("{blocks:?}");
        assert!(!dump.contains("alert") && !dump.contains("javascript") && !dump.contains("steal"));
        let Some(Block::Paragraph(spans)) = blocks.first() else {
            panic!("{blocks:?}")
        };
        assert_eq!(
            spans.iter().map(|s| s.text.as_str()).collect::<String>(),
            "Hi click ok"
        );
        assert_eq!(
            spans.last().and_then(|s| s.link.clone()),
            Some("https://ok.test/".into())
        );
    }

    #[test]
    fn remote_images_and_css_are_counted_and_blocked() {
        let (blocks, remote) = to_blocks(
            r#"<html><head><link rel="stylesheet" href="https://cdn.test/a.css">
               <style>@import url("https://cdn.test/b.css"); .x{background:url(https://t.test/p.gif)}</style></head>
               <body><img src="https://track.test/open.gif" width="1" height="1">
               <img src="cid:logo@x" alt="Logo"><p style="background-image:url('http://bg.test/i.png')">x</p></body></html>"#,
            false,
        );
        assert_eq!(remote, 5);
        assert!(blocks.contains(&Block::Image {
            alt: "Logo".into(),
            source: ImageSource::Inline("logo@x".into())
        }));
    }

    #[test]
    fn structure_survives() {
        let (blocks, _) = to_blocks(
            "<h2>Title</h2><ul><li>one</li><li>two</li></ul><blockquote><p>quoted</p></blockquote>\
             <pre>  a\n   b</pre><hr><table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>",
            false,
        );
        assert_eq!(text_of(&blocks[..1]), "Title");
        assert!(matches!(&blocks[1], Block::List { ordered: false, items } if items.len() == 2));
        assert!(matches!(&blocks[2], Block::Quote(_)));
        assert_eq!(blocks[3], Block::Preformatted("  a\n   b".into()));
        assert_eq!(blocks[4], Block::Rule);
        assert!(matches!(&blocks[5], Block::Table(rows) if rows.len() == 2));
    }
}
