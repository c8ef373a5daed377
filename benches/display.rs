//! Display-model speed: building the reader's model of a 100 KB HTML newsletter, against a bare
//! mail-parser parse of the same bytes in the same run. The target is well under one 16 ms
//! frame per message. A second row times a 7 MB multipart/related message of many inline
//! images (quadratic before: 16 s of CPU), again against a bare parse of the same bytes.

use std::hint::black_box;
use std::time::Instant;

use tidings::mime::body::{Options, display};

fn newsletter() -> Vec<u8> {
    let mut html = String::from(
        "<html><head><style>.x{color:red}</style><link rel=stylesheet href=https://cdn.example/a.css></head><body><table width=600>",
    );
    let mut n = 0;
    while html.len() < 100 * 1024 {
        html.push_str(&format!(
            "<tr><td><h2>Story {n}</h2><p>Lorem <b>ipsum</b> dolor sit amet, <a href=\"https://news.example/{n}\">read more</a>. \
             中文内容也在这里，测试渲染速度。</p><img src=\"https://img.example/{n}.jpg\" alt=\"photo {n}\"><ul><li>one</li><li>two</li></ul></td></tr>"
        ));
        n += 1;
    }
    html.push_str("</table><img src=https://t.example/p.gif width=1 height=1></body></html>");
    let mut raw = b"From: News <news@example.org>\r\nTo: a@example.org\r\nSubject: =?UTF-8?B?5paw6Ze7?=\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
    raw.extend_from_slice(html.as_bytes());
    raw
}

/// An HTML document with `images` inline images, each a related part of ~`image_bytes`.
fn related(images: usize, image_bytes: usize) -> Vec<u8> {
    let mut raw = String::from(
        "From: a@example.org\r\nSubject: photos\r\nContent-Type: multipart/related; boundary=r\r\n\r\n\
         --r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>",
    );
    for i in 0..images {
        raw.push_str(&format!(
            "<p>photo {i} <img src=\"cid:p{i}@x\" alt=\"{i}\"></p>"
        ));
    }
    raw.push_str("</body></html>\r\n");
    let line = "A".repeat(76);
    for i in 0..images {
        raw.push_str(&format!(
            "--r\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <p{i}@x>\r\n\r\n"
        ));
        for _ in 0..image_bytes / 77 {
            raw.push_str(&line);
            raw.push_str("\r\n");
        }
    }
    raw.push_str("--r--\r\n");
    raw.into_bytes()
}

fn per_message_ms(iterations: u32, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed().as_secs_f64() * 1000.0 / f64::from(iterations)
}

fn main() {
    let raw = newsletter();
    let iterations = 200;
    let parse = per_message_ms(iterations, || {
        black_box(mail_parser::MessageParser::default().parse(black_box(&raw)));
    });
    let model = per_message_ms(iterations, || {
        black_box(display(black_box(&raw), Options::default()));
    });
    println!("message: {} KB of HTML", raw.len() / 1024);
    println!("| measure | per message | vs. bare parse |");
    println!("|---|---|---|");
    println!("| mail-parser parse only | {parse:.2} ms | 1.00 |");
    println!(
        "| parse + display model | {model:.2} ms | {:.2} |",
        model / parse
    );
    println!("| one frame budget | 16.00 ms | – |");

    let photos = related(2000, 3500);
    let iterations = 5;
    let parse = per_message_ms(iterations, || {
        black_box(mail_parser::MessageParser::default().parse(black_box(&photos)));
    });
    let model = per_message_ms(iterations, || {
        black_box(display(black_box(&photos), Options::default()));
    });
    println!();
    println!(
        "message: {:.1} MB multipart/related, 2000 inline images",
        photos.len() as f64 / 1e6
    );
    println!("| measure | per message | vs. bare parse |");
    println!("|---|---|---|");
    println!("| mail-parser parse only | {parse:.2} ms | 1.00 |");
    println!(
        "| parse + display model | {model:.2} ms | {:.2} |",
        model / parse
    );
}
