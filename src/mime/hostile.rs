//! Hostile structure: every walk over a message's parts, HTML and quotes must survive any
//! nesting on the 2 MiB stacks the sync's blocking threads have, and keep the text.

use proptest::prelude::*;

use super::body::{self, Options};
use super::envelope;
use super::text::{self, Zone};

/// Everything sync and the reader do with a message, on a thread with a sync worker's stack.
/// Returns the rendered text and the snippet, or the panic's message.
fn survive(raw: Vec<u8>) -> Result<(String, String), String> {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let fields = envelope::body_fields(&raw);
            let model = body::display(&raw, Options::default());
            let allowed = body::display(&raw, Options { allow_remote: true });
            for a in &model.attachments {
                let _ = body::attachment_bytes(&raw, a.part);
            }
            drop(allowed);
            (text::render(&model, "en-US", Zone::Utc), fields.snippet)
        })
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
}

fn html_message(html: &str) -> Vec<u8> {
    format!("Subject: deep\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n")
        .into_bytes()
}

/// One nesting shape, `levels` deep, with a marker word in the middle.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Divs,
    Blockquotes,
    Lists,
    Tables,
    Inline,
    Quotes,
    Multiparts,
    Messages,
    Digests,
}

fn build(shape: Shape, levels: usize) -> Vec<u8> {
    let wrap = |open: &str, close: &str| {
        html_message(&format!(
            "{}core words{}",
            open.repeat(levels),
            close.repeat(levels)
        ))
    };
    match shape {
        Shape::Divs => wrap("<div>", "</div>"),
        Shape::Blockquotes => wrap("<blockquote>", "</blockquote>"),
        Shape::Lists => wrap("<ul><li>", "</li></ul>"),
        Shape::Tables => wrap("<table><tr><td>x</td><td>", "</td></tr></table>"),
        // Unclosed inline elements: the parser keeps every one open.
        Shape::Inline => html_message(&format!("{}core words", "<b><i><a href=x>".repeat(levels))),
        Shape::Quotes => format!(
            "Subject: deep\r\n\r\n{}core words\r\n> back\r\n",
            ">".repeat(levels)
        )
        .into_bytes(),
        Shape::Multiparts => {
            let mut raw = String::from("Subject: deep\r\n");
            for i in 0..levels {
                raw.push_str(&format!(
                    "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
                ));
            }
            raw.push_str("Content-Type: text/plain\r\n\r\ncore words\r\n");
            for i in (0..levels).rev() {
                raw.push_str(&format!("--b{i}--\r\n"));
            }
            raw.into_bytes()
        }
        Shape::Messages => {
            let mut raw = Vec::new();
            for _ in 0..levels {
                raw.extend_from_slice(b"Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\n");
            }
            raw.extend_from_slice(b"Subject: core\r\n\r\ncore words\r\n");
            raw
        }
        Shape::Digests => {
            // Entries of a digest are messages without saying so.
            let mut raw = String::from("Subject: deep\r\n");
            for i in 0..levels {
                raw.push_str(&format!(
                    "Content-Type: multipart/digest; boundary=\"d{i}\"\r\n\r\n--d{i}\r\n"
                ));
            }
            raw.push_str("Subject: core\r\n\r\ncore words\r\n");
            raw.into_bytes()
        }
    }
}

#[test]
fn thousands_of_levels_of_every_shape_display() {
    for (shape, levels) in [
        (Shape::Divs, 6_000),
        (Shape::Blockquotes, 6_000),
        (Shape::Lists, 4_000),
        (Shape::Tables, 3_000),
        (Shape::Inline, 3_000),
        (Shape::Quotes, 5_000),
        (Shape::Multiparts, 5_000),
        (Shape::Messages, 20_000),
        (Shape::Digests, 5_000),
    ] {
        let shown = survive(build(shape, levels));
        let Ok((text, _)) = &shown else {
            panic!("{shape:?} × {levels}: {shown:?}")
        };
        // Messages nested past what is followed are listed as attachments instead.
        if !matches!(shape, Shape::Messages | Shape::Digests) {
            assert!(text.contains("core words"), "{shape:?} lost its text");
        }
    }
}

#[test]
fn related_parts_are_linear_in_the_message() {
    // Hundreds of inline images referenced by one HTML document: each reference check used to
    // format the whole body again.
    let mut raw = String::from(
        "Subject: many images\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\n\
         Content-Type: text/html\r\n\r\n",
    );
    for i in 0..400 {
        raw.push_str(&format!(
            "<p>row {i} <img src=\"cid:img{i}@x\" alt=\"{i}\"></p>\r\n"
        ));
    }
    for i in 0..400 {
        raw.push_str(&format!(
            "--r\r\nContent-Type: image/png\r\nContent-ID: <img{i}@x>\r\n\r\nAAAA\r\n"
        ));
    }
    raw.push_str(
        "--r\r\nContent-Type: application/pdf; name=extra.pdf\r\n\r\nJVBERi0=\r\n--r--\r\n",
    );
    let model = body::display(raw.as_bytes(), Options::default());
    // Referenced images are drawn, not listed; the unreferenced PDF is.
    assert_eq!(model.attachments.len(), 1, "{:?}", model.attachments);
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Divs),
        Just(Shape::Blockquotes),
        Just(Shape::Lists),
        Just(Shape::Tables),
        Just(Shape::Inline),
        Just(Shape::Quotes),
        Just(Shape::Multiparts),
        Just(Shape::Messages),
        Just(Shape::Digests),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Deep nesting of one shape inside another, at random depths.
    #[test]
    fn random_deep_nesting_never_crashes(
        outer in shape(),
        inner in shape(),
        outer_levels in 1usize..1500,
        inner_levels in 1usize..1500,
    ) {
        let inside = build(inner, inner_levels);
        let mut raw = build(outer, outer_levels);
        // The inner shape's bytes where the outer's marker words stand.
        if let Some(at) = raw.windows(10).position(|w| w == b"core words") {
            raw.splice(at..at + 10, inside.iter().copied());
        }
        prop_assert!(survive(raw).is_ok());
    }
}
