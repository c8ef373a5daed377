//! Display-model speed: building the reader's model of a 100 KB HTML newsletter, against a bare
//! mail-parser parse of the same bytes in the same run. The target is well under one 16 ms
//! frame per message. A second row times a 7 MB multipart/related message of many inline
//! images (quadratic before: 16 s of CPU), again against a bare parse of the same bytes. A
//! third times a forward of a 25 MB message with ten attachments: what the forward did before
//! (the display model, the ids, then one parse per attachment) against what it does now (one
//! parse), each against the display model alone.

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

/// A message of `count` base64 attachments of ~`bytes` each, with a short text part.
fn with_attachments(count: usize, bytes: usize) -> Vec<u8> {
    let mut raw = String::from(
        "From: Zhang Wei <zhangwei@163.com>\r\nTo: a@example.org\r\nSubject: =?UTF-8?B?5oql5ZGK?=\r\n\
         Message-ID: <fwd@163.com>\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n\
         --m\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n各位好，报告见附件。\r\n",
    );
    let line = "QUJD".repeat(19);
    for i in 0..count {
        raw.push_str(&format!(
            "--m\r\nContent-Type: application/pdf; name=\"report-{i}.pdf\"\r\n\
             Content-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n"
        ));
        for _ in 0..bytes / 77 {
            raw.push_str(&line);
            raw.push_str("\r\n");
        }
    }
    raw.push_str("--m--\r\n");
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

    let big = with_attachments(10, 2_500_000);
    let iterations = 3;
    let model = per_message_ms(iterations, || {
        black_box(display(black_box(&big), Options::default()));
    });
    let before = per_message_ms(iterations, || {
        // The forward's work before: the model, the ids, then each attachment parsed for.
        let shown = display(black_box(&big), Options::default());
        black_box(tidings::mime::envelope::list_fields(&big));
        for a in &shown.attachments {
            black_box(tidings::mime::body::attachment_bytes(&big, a.part));
        }
    });
    use tidings::store::accounts::{
        Account, AuthKind, PasswordMode, Pop3Options, Security, ServerSettings,
    };
    let server = ServerSettings {
        enabled: true,
        host: "mail.example.org".into(),
        port: 993,
        security: Security::Tls,
        auth: AuthKind::Password,
        username: "me@example.org".into(),
    };
    let account = Account {
        id: 1,
        display_name: "Me".into(),
        address: "me@example.org".into(),
        provider_id: String::new(),
        imap: server.clone(),
        pop3: server.clone(),
        smtp: server,
        pop3_options: Pop3Options::default(),
        sync_window_days: 0,
        provider_saves_sent: false,
        password_mode: PasswordMode::Keyring,
    };
    let i18n = tidings::i18n::I18n::new("en-US");
    let now = per_message_ms(iterations, || {
        black_box(tidings::mime::compose::forward(
            &account,
            black_box(&big),
            false,
            &i18n,
            tidings::mime::text::Zone::Utc,
        ));
    });
    println!();
    println!(
        "message: {:.1} MB, 10 attachments, forwarded inline",
        big.len() as f64 / 1e6
    );
    println!("| measure | per message | vs. display model |");
    println!("|---|---|---|");
    println!("| display model only | {model:.1} ms | 1.00 |");
    println!(
        "| forward as before (model, ids, a parse per attachment) | {before:.1} ms | {:.2} |",
        before / model
    );
    println!(
        "| forward now (one parse) | {now:.1} ms | {:.2} |",
        now / model
    );
}
