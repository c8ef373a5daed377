//! The fixture corpus in tests/fixtures/eml: each message's text rendering is compared with
//! its reviewed golden file, plus targeted checks and a fuzz property.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::body::{self, Options};
use super::model::Block;
use super::text::{self, Zone};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/eml")
}

fn render(raw: &[u8]) -> String {
    text::render(&body::display(raw, Options::default()), "en-US", Zone::Utc)
}

fn fixture(name: &str) -> String {
    let raw = std::fs::read(corpus().join(format!("{name}.eml"))).unwrap_or_default();
    render(&raw)
}

#[test]
fn every_fixture_matches_its_golden_rendering() -> std::io::Result<()> {
    let update = std::env::var_os("TIDINGS_UPDATE_GOLDEN").is_some();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(corpus())?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        count += 1;
        let got = render(&std::fs::read(&path)?);
        let golden = path.with_extension("txt");
        if update {
            std::fs::write(&golden, &got)?;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(
            got,
            want,
            "{} differs from {}",
            path.display(),
            golden.display()
        );
    }
    assert!(count >= 40, "only {count} fixtures");
    Ok(())
}

#[test]
fn chinese_and_other_charsets_decode() {
    let gbk = fixture("01-gbk-163");
    assert!(
        gbk.contains("Subject: 项目进度会通知") && gbk.contains("From: 张伟 <zhangwei@163.com>")
    );
    assert!(gbk.contains("本周五下午三点在三楼会议室召开项目进度会"));
    assert!(fixture("02-gb2312-label-gbk-bytes").contains("朱镕基"));
    assert!(fixture("03-gb18030-four-byte").contains("𠀀"));
    assert!(fixture("04-big5").contains("會議通知"));
    assert!(fixture("05-iso-2022-jp").contains("会議のお知らせ"));
    assert!(fixture("06-shift-jis").contains("お見積書を添付いたします"));
    assert!(fixture("07-koi8-r").contains("Привет из Москвы"));
    assert!(fixture("08-windows-1251").contains("Отчёт за квартал"));
    assert!(fixture("09-windows-1252").contains("€100 — “paid”"));
    assert!(fixture("11-no-charset-gbk").contains("没有标注字符集的中文正文"));
    assert!(fixture("13-raw-gbk-subject").contains("Subject: 没有编码标记的中文标题内容"));
    assert!(fixture("41-wrong-latin1-label").contains("但内容其实是 GBK 编码的中文"));
    assert!(fixture("42-html-only-chinese-gbk").contains("欢迎使用"));
}

#[test]
fn hostile_html_keeps_only_safe_text() {
    let text = fixture("20-hostile-html");
    for bad in [
        "alert",
        "steal",
        "cookie",
        "evil.example",
        "password",
        "javascript",
        "Log in",
    ] {
        assert!(!text.contains(bad), "{bad} leaked into:\n{text}");
    }
    assert!(text.contains("Safe text stays."));
}

#[test]
fn newsletter_remote_loads_are_counted() {
    let raw = std::fs::read(corpus().join("19-newsletter-tracking.eml")).unwrap_or_default();
    let model = body::display(&raw, Options::default());
    // Two style sheets, a CSS background, the banner and two tracking pixels.
    assert_eq!(model.remote_blocked, 6);
    assert!(model.from_html);
}

#[test]
fn attachments_are_named_and_sized() {
    assert!(
        fixture("16-rfc2231-chinese-name")
            .contains("Attachment: 年度报告.pdf (application/pdf, 2.9 KB)")
    );
    assert!(fixture("17-rfc2047-chinese-name").contains("Attachment: 销售数据.xls"));
    assert!(fixture("18-rfc2231-gbk-continuation").contains("Attachment: 合同扫描件.jpg"));
    let nested = fixture("14-nested-multiparts");
    assert!(nested.contains("Attachment: report.pdf"));
    assert!(
        !nested.contains("image/png"),
        "a referenced inline image is no attachment"
    );
    assert!(fixture("33-related-unreferenced").contains("Attachment: chart.png (image/png"));
}

#[test]
fn inline_text_parts_show_in_the_body_under_their_names_and_stay_saveable() {
    let raw = std::fs::read(corpus().join("46-inline-text-parts.eml")).unwrap_or_default();
    let shown = super::body::display(&raw, super::body::Options::default());
    let text = render(&raw);
    let (readme, patch) = (
        text.find("README.txt").unwrap_or(usize::MAX),
        text.find("fix-widget.patch").unwrap_or(usize::MAX),
    );
    assert!(readme < patch, "in order, each under its name:\n{text}");
    assert!(text.contains("The patch below fixes the widget."), "{text}");
    assert!(text.contains("+int size = 1; /* 修正 */"), "{text}");
    // The columns of a patch survive.
    assert!(text.contains("     return size;"), "{text}");
    let names: Vec<&str> = shown.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["README.txt", "fix-widget.patch", "core.bin"]);
    let patch_part = shown.attachments[1].part;
    let bytes = super::body::attachment_bytes(&raw, patch_part).unwrap_or_default();
    assert!(String::from_utf8_lossy(&bytes).starts_with("--- a/widget.c"));
}

#[test]
fn a_header_without_a_blank_line_keeps_the_first_body_line() {
    let raw = std::fs::read(corpus().join("47-no-blank-line-after-header.eml")).unwrap_or_default();
    let shown = super::body::display(&raw, super::body::Options::default());
    assert_eq!(shown.subject, "here's something interesting");
    let text = render(&raw);
    assert!(
        text.contains("counter to RFC 2822, there's no separating newline here"),
        "{text}"
    );
    assert!(text.contains("with a colon on this line."), "{text}");
    // A malformed field (no colon would be a body line, this has one) does not end the header.
    let odd = b"From: a@b.c\r\nX Odd Field: yes\r\nSubject: kept\r\n\r\nbody\r\n";
    assert_eq!(
        super::body::display(odd, super::body::Options::default()).subject,
        "kept"
    );
    // Attachments after such a header are cut from the right bytes.
    let mixed = b"From: a@b.c\nSubject: s\nMIME-Version: 1.0\n\
        Content-Type: multipart/mixed; boundary=b\nno blank line before this\n\
        --b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: application/octet-stream\n\
        Content-Disposition: attachment; filename=x.bin\nContent-Transfer-Encoding: base64\n\n\
        AAECAw==\n--b--\n";
    let shown = super::body::display(mixed, super::body::Options::default());
    let part = shown.attachments.first().map(|a| a.part).unwrap_or(0);
    assert_eq!(
        super::body::attachment_bytes(mixed, part),
        Some(vec![0, 1, 2, 3])
    );
}

#[test]
fn forwarded_messages_are_embedded() {
    let text = fixture("37-forward-of-forward");
    assert_eq!(
        text.matches("---------- Embedded message ----------")
            .count(),
        2
    );
    assert!(text.contains("Deepest text."));
}

#[test]
fn a_five_megabyte_single_line_body_is_shown() {
    let mut raw =
        b"From: a@example.org\r\nSubject: huge\r\nContent-Type: text/plain\r\n\r\n".to_vec();
    raw.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
    let model = body::display(&raw, Options::default());
    let Some(Block::Paragraph(spans)) = model.body.first() else {
        panic!("no paragraph")
    };
    assert_eq!(
        spans.iter().map(|s| s.text.len()).sum::<usize>(),
        5 * 1024 * 1024
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let model = body::display(&bytes, Options::default());
        let _ = text::render(&model, "zh-CN", Zone::Utc);
    }

    #[test]
    fn mangled_fixtures_never_panic(index in 0usize..47, cut in 0usize..4000, junk in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut names: Vec<_> = std::fs::read_dir(corpus()).into_iter().flatten().flatten()
            .map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "eml")).collect();
        names.sort();
        if let Some(path) = names.get(index % names.len().max(1)) {
            let mut raw = std::fs::read(path).unwrap_or_default();
            let at = cut.min(raw.len());
            raw.splice(at..at, junk);
            let model = body::display(&raw, Options::default());
            let _ = text::render(&model, "en-US", Zone::Utc);
        }
    }
}

#[test]
fn a_stray_line_inside_the_header_keeps_the_fields_after_it() {
    let raw = std::fs::read(corpus().join("48-stray-line-in-header.eml")).unwrap_or_default();
    let whole = super::envelope::body_fields(&raw).list;
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |n| n + 4);
    let listed = super::envelope::list_fields(&raw[..head_end]);
    for fields in [&whole, &listed] {
        assert_eq!(fields.subject, "会议纪要");
        assert_eq!(fields.rfc_message_id, "stray-line-48@163.com");
        assert!(
            fields.to.contains("equipe-gama@example.com"),
            "{}",
            fields.to
        );
    }
}
