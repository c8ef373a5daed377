//! The display model as plain text: what `tidings show` prints and what the tests compare.

use chrono::{DateTime, Local, Utc};

use super::attachments::human_size;
use super::model::{Block, DisplayMessage, ImageSource, Mailbox, Span};

/// The time zone dates are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// The computer's.
    Local,
    /// UTC (tests).
    Utc,
}

/// A date in the user's language and time zone: "Tue, 1 Jul 2025 10:00" or "2025年7月1日 10:00".
pub fn format_date(timestamp: i64, locale: &str, zone: Zone) -> String {
    let Some(utc) = DateTime::<Utc>::from_timestamp(timestamp, 0) else {
        return String::new();
    };
    let pattern = if locale.starts_with("zh") {
        "%Y年%-m月%-d日 %H:%M"
    } else {
        "%a, %-d %b %Y %H:%M"
    };
    match zone {
        Zone::Utc => utc.format(pattern).to_string(),
        Zone::Local => utc.with_timezone(&Local).format(pattern).to_string(),
    }
}

/// A date as a message list shows it, compared with `now`: today's as a time, this year's as
/// day and month, older ones with the year.
pub fn list_date(timestamp: i64, now: i64, locale: &str, zone: Zone) -> String {
    let (Some(when), Some(now)) = (
        DateTime::<Utc>::from_timestamp(timestamp, 0),
        DateTime::<Utc>::from_timestamp(now, 0),
    ) else {
        return String::new();
    };
    let zh = locale.starts_with("zh");
    let (when, now) = match zone {
        Zone::Utc => (when.naive_utc(), now.naive_utc()),
        Zone::Local => (
            when.with_timezone(&Local).naive_local(),
            now.with_timezone(&Local).naive_local(),
        ),
    };
    let pattern = if when.date() == now.date() {
        "%H:%M"
    } else if when.format("%Y").to_string() == now.format("%Y").to_string() {
        if zh { "%-m月%-d日" } else { "%-d %b" }
    } else if zh {
        "%Y年%-m月%-d日"
    } else {
        "%-d %b %Y"
    };
    when.format(pattern).to_string()
}

fn list(mailboxes: &[Mailbox]) -> String {
    mailboxes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn spans(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        out.push_str(&s.text);
        if let Some(link) = &s.link
            && link.trim_start_matches("mailto:") != s.text
            && *link != s.text
            && *link != format!("http://{}", s.text)
        {
            out.push_str(&format!(" <{link}>"));
        }
    }
    out
}

fn blocks(out: &mut Vec<String>, blocks: &[Block], locale: &str, zone: Zone) {
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        match block {
            Block::Paragraph(s) => out.extend(spans(s).lines().map(str::to_owned)),
            Block::Heading(level, s) => {
                out.push(format!("{} {}", "#".repeat(usize::from(*level)), spans(s)))
            }
            Block::Quote(inner) => {
                let mut lines = Vec::new();
                self::blocks(&mut lines, inner, locale, zone);
                out.extend(lines.into_iter().map(|l| {
                    if l.is_empty() {
                        ">".to_owned()
                    } else {
                        format!("> {l}")
                    }
                }));
            }
            Block::List { ordered, items } => {
                for (n, item) in items.iter().enumerate() {
                    let mut lines = Vec::new();
                    self::blocks(&mut lines, item, locale, zone);
                    let mark = if *ordered {
                        format!("{}. ", n + 1)
                    } else {
                        "- ".to_owned()
                    };
                    for (j, l) in lines.into_iter().enumerate() {
                        if j == 0 {
                            out.push(format!("{mark}{l}"));
                        } else {
                            out.push(format!("{}{l}", " ".repeat(mark.len())));
                        }
                    }
                }
            }
            Block::Preformatted(text) => out.extend(text.lines().map(str::to_owned)),
            Block::Rule => out.push("----".to_owned()),
            Block::Image { alt, source } => out.push(match source {
                ImageSource::Inline(cid) => format!("[image: {} (cid:{cid})]", alt),
                ImageSource::Remote(url) => format!("[remote image blocked: {url}]"),
                ImageSource::Embedded => format!("[image: {alt}]"),
            }),
            Block::Table(rows) => {
                for row in rows {
                    out.push(row.iter().map(|c| spans(c)).collect::<Vec<_>>().join(" | "));
                }
            }
            Block::Embedded(message) => {
                out.push("---------- Embedded message ----------".to_owned());
                out.extend(render(message, locale, zone).lines().map(str::to_owned));
                out.push("---------- End of embedded message ----------".to_owned());
            }
        }
    }
}

/// Only the body blocks as text (for quoting in replies and forwards).
pub fn render_body(body: &[Block], locale: &str, zone: Zone) -> String {
    let mut out = Vec::new();
    blocks(&mut out, body, locale, zone);
    out.join("\n")
}

/// The whole message as text: headers, body, then one line per attachment.
pub fn render(message: &DisplayMessage, locale: &str, zone: Zone) -> String {
    let mut out = Vec::new();
    out.push(format!("Subject: {}", message.subject));
    out.push(format!("From: {}", list(&message.from)));
    out.push(format!("To: {}", list(&message.to)));
    if !message.cc.is_empty() {
        out.push(format!("Cc: {}", list(&message.cc)));
    }
    if !message.reply_to.is_empty() {
        out.push(format!("Reply-To: {}", list(&message.reply_to)));
    }
    if let Some(date) = message.date {
        out.push(format!("Date: {}", format_date(date, locale, zone)));
    }
    if message.remote_blocked > 0 {
        out.push(format!(
            "Remote content blocked: {}",
            message.remote_blocked
        ));
    }
    out.push(String::new());
    blocks(&mut out, &message.body, locale, zone);
    if !message.attachments.is_empty() && !message.body.is_empty() {
        out.push(String::new());
    }
    for a in &message.attachments {
        out.push(format!(
            "Attachment: {} ({}, {})",
            a.name,
            a.mime_type,
            human_size(a.size)
        ));
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_dates_shorten_with_age() {
        let now = 1_751_335_200; // Tue, 1 Jul 2025 02:00 UTC
        assert_eq!(list_date(now - 3600, now, "en-US", Zone::Utc), "01:00");
        assert_eq!(
            list_date(now - 86_400 * 3, now, "en-US", Zone::Utc),
            "28 Jun"
        );
        assert_eq!(
            list_date(now - 86_400 * 3, now, "zh-CN", Zone::Utc),
            "6月28日"
        );
        assert_eq!(
            list_date(now - 86_400 * 400, now, "en-US", Zone::Utc),
            "27 May 2024"
        );
        assert_eq!(
            list_date(now - 86_400 * 400, now, "zh-CN", Zone::Utc),
            "2024年5月27日"
        );
    }

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(
            format_date(1_751_335_200, "en-US", Zone::Utc),
            "Tue, 1 Jul 2025 02:00"
        );
        assert_eq!(
            format_date(1_751_335_200, "zh-CN", Zone::Utc),
            "2025年7月1日 02:00"
        );
    }
}
