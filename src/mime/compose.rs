//! Building outgoing messages with lettre's builder (never hand-written MIME), and the drafts
//! for replies and forwards.

use std::time::SystemTime;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, Mailboxes, MultiPart, SinglePart};

use super::body;
use super::text::{self, Zone};
use crate::i18n::I18n;
use crate::store::accounts::Account;
use crate::store::drafts::{Draft, DraftAttachment, DraftKind};

/// A finished message, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The exact bytes to send (no Bcc header).
    pub raw: Vec<u8>,
    /// SMTP MAIL FROM.
    pub envelope_from: String,
    /// SMTP RCPT TO: To, Cc and Bcc.
    pub recipients: Vec<String>,
    /// Message-ID without angle brackets.
    pub message_id: String,
}

/// Why a draft cannot become a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// A field the user typed contains a line break (header injection).
    #[error("the {0} field contains a line break")]
    LineBreak(&'static str),
    /// An address does not parse.
    #[error("{0:?} is not a valid address")]
    BadAddress(String),
    /// Nobody to send to.
    #[error("the message has no recipients")]
    NoRecipients,
    /// lettre refused to build the message.
    #[error("the message could not be built: {0}")]
    Build(String),
}

fn no_line_breaks(field: &'static str, value: &str) -> Result<(), ComposeError> {
    if value.contains(['\r', '\n']) {
        Err(ComposeError::LineBreak(field))
    } else {
        Ok(())
    }
}

/// Parses "Name <a@b>, c@d" into mailboxes; an empty field is an empty list.
pub fn parse_addresses(field: &'static str, text: &str) -> Result<Vec<Mailbox>, ComposeError> {
    no_line_breaks(field, text)?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let list: Mailboxes = text
        .parse()
        .map_err(|_| ComposeError::BadAddress(text.to_owned()))?;
    Ok(list.into_iter().collect())
}

/// A new, globally unique Message-ID on the sender's domain.
pub fn new_message_id(address: &str) -> String {
    let domain = address
        .rsplit_once('@')
        .map_or("tidings.invalid", |(_, d)| d);
    let mut random = [0u8; 16];
    // A failure of the OS random source leaves zeros; the time part still differs.
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random);
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("{now:x}.{hex}@{domain}")
}

enum Core {
    Single(SinglePart),
    Multi(MultiPart),
}

fn content_type(mime: &str) -> ContentType {
    ContentType::parse(mime).unwrap_or(
        ContentType::parse("application/octet-stream").unwrap_or(ContentType::TEXT_PLAIN),
    )
}

/// Builds the message for `draft` from `account`'s identity, dated `date`.
pub fn build(
    account: &Account,
    draft: &Draft,
    attachments: &[DraftAttachment],
    date: SystemTime,
) -> Result<Outgoing, ComposeError> {
    build_inner(account, draft, attachments, date, true)
}

/// Builds a draft's server copy: like `build`, but recipients may still be missing.
pub fn build_draft(
    account: &Account,
    draft: &Draft,
    attachments: &[DraftAttachment],
    date: SystemTime,
) -> Result<Outgoing, ComposeError> {
    build_inner(account, draft, attachments, date, false)
}

fn build_inner(
    account: &Account,
    draft: &Draft,
    attachments: &[DraftAttachment],
    date: SystemTime,
    need_recipients: bool,
) -> Result<Outgoing, ComposeError> {
    for (field, value) in [
        ("subject", draft.subject.as_str()),
        ("in-reply-to", draft.in_reply_to.as_str()),
        ("references", draft.refs.as_str()),
        ("name", account.display_name.as_str()),
    ] {
        no_line_breaks(field, value)?;
    }
    for a in attachments {
        no_line_breaks("attachment name", &a.file_name)?;
        no_line_breaks("content id", &a.content_id)?;
    }
    let from = Mailbox::new(
        (!account.display_name.is_empty()).then(|| account.display_name.clone()),
        account
            .address
            .parse()
            .map_err(|_| ComposeError::BadAddress(account.address.clone()))?,
    );
    let to = parse_addresses("to", &draft.to_addrs)?;
    let cc = parse_addresses("cc", &draft.cc_addrs)?;
    let bcc = parse_addresses("bcc", &draft.bcc_addrs)?;
    let nobody = to.is_empty() && cc.is_empty() && bcc.is_empty();
    if need_recipients && nobody {
        return Err(ComposeError::NoRecipients);
    }
    let message_id = if draft.rfc_message_id.is_empty() {
        new_message_id(&account.address)
    } else {
        draft.rfc_message_id.clone()
    };
    let sender_address = from.email.clone();
    let mut builder = lettre::Message::builder()
        .from(from)
        .subject(draft.subject.clone())
        .date(date)
        .message_id(Some(format!("<{message_id}>")))
        .user_agent(format!("Tidings {}", env!("CARGO_PKG_VERSION")));
    for m in &to {
        builder = builder.to(m.clone());
    }
    for m in &cc {
        builder = builder.cc(m.clone());
    }
    for m in &bcc {
        builder = builder.bcc(m.clone());
    }
    if nobody {
        // A draft not yet addressed: lettre wants an envelope, which a draft never uses.
        let envelope =
            lettre::address::Envelope::new(Some(sender_address.clone()), vec![sender_address])
                .map_err(|e| ComposeError::Build(e.to_string()))?;
        builder = builder.envelope(envelope);
    }
    if !draft.in_reply_to.is_empty() {
        builder = builder.in_reply_to(format!("<{}>", draft.in_reply_to.trim_matches(['<', '>'])));
    }
    if !draft.refs.is_empty() {
        let refs = draft
            .refs
            .split_whitespace()
            .map(|r| format!("<{}>", r.trim_matches(['<', '>'])))
            .collect::<Vec<_>>()
            .join(" ");
        builder = builder.references(refs);
    }

    let (inline, files): (Vec<&DraftAttachment>, Vec<&DraftAttachment>) = attachments
        .iter()
        .partition(|a| !a.content_id.is_empty() && !draft.body_html.is_empty());
    let plain = SinglePart::plain(draft.body_text.clone());
    // The text: plain alone, or plain and HTML as alternatives (HTML with its inline images).
    let core = if draft.body_html.is_empty() {
        Core::Single(plain)
    } else {
        let html = SinglePart::html(draft.body_html.clone());
        if inline.is_empty() {
            Core::Multi(MultiPart::alternative().singlepart(plain).singlepart(html))
        } else {
            let mut related = MultiPart::related().singlepart(html);
            for a in &inline {
                related = related.singlepart(
                    Attachment::new_inline(a.content_id.clone())
                        .body(a.data.clone(), content_type(&a.mime_type)),
                );
            }
            Core::Multi(
                MultiPart::alternative()
                    .singlepart(plain)
                    .multipart(related),
            )
        }
    };
    let message = if files.is_empty() {
        match core {
            Core::Single(part) => builder.singlepart(part),
            Core::Multi(part) => builder.multipart(part),
        }
    } else {
        let mut mixed = match core {
            Core::Single(part) => MultiPart::mixed().singlepart(part),
            Core::Multi(part) => MultiPart::mixed().multipart(part),
        };
        for a in files {
            mixed = mixed.singlepart(
                Attachment::new(a.file_name.clone())
                    .body(a.data.clone(), content_type(&a.mime_type)),
            );
        }
        builder.multipart(mixed)
    }
    .map_err(|e| ComposeError::Build(e.to_string()))?;
    let recipients = to
        .iter()
        .chain(&cc)
        .chain(&bcc)
        .map(|m| m.email.to_string())
        .collect();
    Ok(Outgoing {
        raw: message.formatted(),
        envelope_from: account.address.clone(),
        recipients,
        message_id,
    })
}

/// Prefixes that mean "reply" in the clients people use, English and Chinese.
const REPLY_PREFIXES: &[&str] = &["re:", "aw:", "sv:", "回复:", "回复：", "答复:", "答复："];
/// Prefixes that mean "forward".
const FORWARD_PREFIXES: &[&str] = &["fwd:", "fw:", "转发:", "转发："];

fn strip_prefixes<'a>(mut subject: &'a str, prefixes: &[&str]) -> &'a str {
    loop {
        let trimmed = subject.trim_start();
        let lower = trimmed.to_lowercase();
        match prefixes.iter().find(|p| lower.starts_with(*p)) {
            // Lower-casing keeps the byte length for these prefixes (ASCII and CJK).
            Some(p) => subject = &trimmed[p.len()..],
            None => return trimmed,
        }
    }
}

/// "Re: " once, whatever reply prefixes were there (Re: Re:, 回复:, AW:).
pub fn reply_subject(subject: &str) -> String {
    format!("Re: {}", strip_prefixes(subject, REPLY_PREFIXES))
}

/// "Fwd: " once.
pub fn forward_subject(subject: &str) -> String {
    format!("Fwd: {}", strip_prefixes(subject, FORWARD_PREFIXES))
}

fn same_address(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Mailboxes as an address field, quoting names that would split it.
pub(crate) fn join(list: &[super::model::Mailbox]) -> String {
    list.iter()
        .map(|m| {
            if m.name.is_empty() {
                m.address.clone()
            } else if m.name.contains([',', '"', '<', '>', ';']) {
                format!("\"{}\" <{}>", m.name.replace('"', ""), m.address)
            } else {
                format!("{} <{}>", m.name, m.address)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn original_ids(fields: &super::envelope::ListFields) -> (String, String) {
    let mut refs: Vec<String> = fields.refs.split_whitespace().map(str::to_owned).collect();
    if !fields.rfc_message_id.is_empty() && !refs.contains(&fields.rfc_message_id) {
        refs.push(fields.rfc_message_id.clone());
    }
    (fields.rfc_message_id.clone(), refs.join(" "))
}

/// A reply (to the sender, or to everyone but the user) quoting the original.
pub fn reply(account: &Account, raw: &[u8], all: bool, i18n: &I18n, zone: Zone) -> Draft {
    let body::Answered {
        display: original,
        fields,
        ..
    } = body::answered(raw, false);
    let mine = |a: &str| same_address(a, &account.address);
    let to: Vec<_> = if original.reply_to.is_empty() {
        original.from.clone()
    } else {
        original.reply_to.clone()
    };
    let cc: Vec<_> = if all {
        original
            .to
            .iter()
            .chain(&original.cc)
            .filter(|m| {
                !mine(&m.address) && !to.iter().any(|t| same_address(&t.address, &m.address))
            })
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let to: Vec<_> = to
        .into_iter()
        .filter(|m| !mine(&m.address) || !all)
        .collect();
    let name = original
        .from
        .first()
        .map(|m| {
            if m.name.is_empty() {
                m.address.clone()
            } else {
                m.name.clone()
            }
        })
        .unwrap_or_default();
    let date = original
        .date
        .map(|d| text::format_date(d, i18n.locale(), zone))
        .unwrap_or_default();
    let quoted: String = text::render_body(&original.body, i18n.locale(), zone)
        .lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_owned()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let intro = i18n.t("compose-reply-intro", &[("date", &date), ("name", &name)]);
    let (in_reply_to, refs) = original_ids(&fields);
    Draft {
        id: 0,
        account_id: account.id,
        kind: if all {
            DraftKind::ReplyAll
        } else {
            DraftKind::Reply
        },
        source_message_id: 0,
        to_addrs: join(&to),
        cc_addrs: join(&cc),
        bcc_addrs: String::new(),
        subject: reply_subject(&original.subject),
        body_text: format!("\n\n{intro}\n{quoted}\n"),
        body_html: String::new(),
        in_reply_to,
        refs,
        rfc_message_id: new_message_id(&account.address),
        server_folder_id: 0,
        server_uid: 0,
    }
}

/// A forward: the original quoted inline, or attached whole as message/rfc822.
pub fn forward(
    account: &Account,
    raw: &[u8],
    as_attachment: bool,
    i18n: &I18n,
    zone: Zone,
) -> (Draft, Vec<DraftAttachment>) {
    // One parse for the quote, the ids and every attachment's bytes.
    let body::Answered {
        display: original,
        fields,
        attachments: bytes,
    } = body::answered(raw, !as_attachment);
    let (_, refs) = original_ids(&fields);
    let mut draft = Draft {
        id: 0,
        account_id: account.id,
        kind: if as_attachment {
            DraftKind::ForwardAttachment
        } else {
            DraftKind::ForwardInline
        },
        source_message_id: 0,
        to_addrs: String::new(),
        cc_addrs: String::new(),
        bcc_addrs: String::new(),
        subject: forward_subject(&original.subject),
        body_text: String::new(),
        body_html: String::new(),
        in_reply_to: String::new(),
        refs,
        rfc_message_id: new_message_id(&account.address),
        server_folder_id: 0,
        server_uid: 0,
    };
    if as_attachment {
        let name = format!(
            "{}.eml",
            super::attachments::safe_file_name(if original.subject.is_empty() {
                "message"
            } else {
                &original.subject
            })
        );
        return (
            draft,
            vec![DraftAttachment {
                file_name: name,
                mime_type: "message/rfc822".into(),
                content_id: String::new(),
                data: raw.to_vec(),
            }],
        );
    }
    let date = original
        .date
        .map(|d| text::format_date(d, i18n.locale(), zone))
        .unwrap_or_default();
    let header = format!(
        "{}\n{}: {}\n{}: {}\n{}: {}\n{}: {}",
        i18n.t("compose-forward-header", &[]),
        i18n.t("compose-forward-from", &[]),
        join(&original.from),
        i18n.t("compose-forward-date", &[]),
        date,
        i18n.t("compose-forward-subject", &[]),
        original.subject,
        i18n.t("compose-forward-to", &[]),
        join(&original.to),
    );
    draft.body_text = format!(
        "\n\n{header}\n\n{}\n",
        text::render_body(&original.body, i18n.locale(), zone)
    );
    // The original's attachments travel with an inline forward.
    let attachments = attachments_of(&original, bytes);
    (draft, attachments)
}

/// The attachments `shown` lists, with their bytes (from `body::answered`), as draft
/// attachments; a part whose bytes could not be cut is left out.
pub(crate) fn attachments_of(
    shown: &super::model::DisplayMessage,
    bytes: Vec<Option<Vec<u8>>>,
) -> Vec<DraftAttachment> {
    shown
        .attachments
        .iter()
        .zip(bytes)
        .filter_map(|(a, data)| {
            Some(DraftAttachment {
                file_name: a.name.clone(),
                mime_type: a.mime_type.clone(),
                content_id: String::new(),
                data: data?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::accounts::{AuthKind, PasswordMode, Pop3Options, Security, ServerSettings};

    fn account() -> Account {
        let s = ServerSettings {
            enabled: true,
            host: "smtp.163.com".into(),
            port: 465,
            security: Security::Tls,
            auth: AuthKind::Password,
            username: "zhang@163.com".into(),
        };
        Account {
            id: 1,
            display_name: "张伟".into(),
            address: "zhang@163.com".into(),
            provider_id: String::new(),
            imap: s.clone(),
            pop3: s.clone(),
            smtp: s,
            pop3_options: Pop3Options::default(),
            sync_window_days: 0,
            provider_saves_sent: false,
            password_mode: PasswordMode::Keyring,
        }
    }

    fn draft() -> Draft {
        Draft {
            to_addrs: "李四 <lisi@126.com>, bob@example.org".into(),
            cc_addrs: "carol@example.org".into(),
            bcc_addrs: "secret@example.org".into(),
            subject: "季度报告 Q3".into(),
            body_text: "你好，\n附件是报告。\n".into(),
            ..Draft::new(1)
        }
    }

    #[test]
    fn a_chinese_message_with_an_attachment_round_trips() -> Result<(), ComposeError> {
        let attachment = DraftAttachment {
            file_name: "年度报告.pdf".into(),
            mime_type: "application/pdf".into(),
            content_id: String::new(),
            data: b"%PDF-1.4 data".to_vec(),
        };
        let out = build(&account(), &draft(), &[attachment], SystemTime::now())?;
        let text = String::from_utf8_lossy(&out.raw);
        assert!(!text.contains("secret@example.org"), "Bcc leaked:\n{text}");
        assert_eq!(
            out.recipients,
            [
                "lisi@126.com",
                "bob@example.org",
                "carol@example.org",
                "secret@example.org"
            ]
        );
        assert!(text.contains(&format!("Message-ID: <{}>", out.message_id)));
        let shown = body::display(&out.raw, body::Options::default());
        assert_eq!(shown.subject, "季度报告 Q3");
        assert_eq!(shown.from[0].name, "张伟");
        assert_eq!(shown.to[0].name, "李四");
        assert_eq!(shown.attachments[0].name, "年度报告.pdf");
        assert_eq!(shown.attachments[0].mime_type, "application/pdf");
        let rendered = text::render(&shown, "en", Zone::Utc);
        assert!(rendered.contains("附件是报告。"), "{rendered}");
        Ok(())
    }

    #[test]
    fn line_breaks_in_typed_fields_are_refused() {
        let mut d = draft();
        d.subject = "Hi\r\nBcc: victim@example.org".into();
        assert_eq!(
            build(&account(), &d, &[], SystemTime::now()),
            Err(ComposeError::LineBreak("subject"))
        );
        let mut d = draft();
        d.to_addrs = "a@example.org\r\nX-Evil: 1".into();
        assert_eq!(
            build(&account(), &d, &[], SystemTime::now()),
            Err(ComposeError::LineBreak("to"))
        );
        let mut d = draft();
        d.to_addrs = String::new();
        d.cc_addrs = String::new();
        d.bcc_addrs = String::new();
        assert_eq!(
            build(&account(), &d, &[], SystemTime::now()),
            Err(ComposeError::NoRecipients)
        );
    }

    #[test]
    fn html_drafts_carry_both_alternatives() -> Result<(), ComposeError> {
        let mut d = draft();
        d.body_html = "<p>你好，<b>附件</b>是报告。</p>".into();
        let out = build(&account(), &d, &[], SystemTime::now())?;
        let text = String::from_utf8_lossy(&out.raw);
        assert!(text.contains("multipart/alternative"));
        let shown = body::display(&out.raw, body::Options::default());
        assert!(shown.from_html);
        Ok(())
    }

    #[test]
    fn subjects_are_prefixed_once() {
        assert_eq!(reply_subject("Re: RE: 回复: 计划"), "Re: 计划");
        assert_eq!(reply_subject("答复：周会"), "Re: 周会");
        assert_eq!(reply_subject("Fwd: news"), "Re: Fwd: news");
        assert_eq!(forward_subject("转发：FW: 通知"), "Fwd: 通知");
        assert_eq!(forward_subject("hello"), "Fwd: hello");
    }

    fn original() -> Vec<u8> {
        b"From: =?UTF-8?B?546L6Iqz?= <wang@example.cn>\r\n\
          To: zhang@163.com, team@example.org\r\n\
          Cc: Zhang@163.com, boss@example.org\r\n\
          Subject: =?UTF-8?B?5Zue5aSNOiDorqHliJI=?=\r\n\
          Date: Tue, 01 Jul 2025 10:00:00 +0800\r\n\
          Message-ID: <orig@example.cn>\r\n\
          References: <root@example.cn>\r\n\
          Content-Type: text/plain; charset=utf-8\r\n\r\n\
          First line.\r\n> older quote\r\n"
            .to_vec()
    }

    #[test]
    fn reply_all_leaves_out_the_user_and_threads() {
        let zh = I18n::new("zh-CN");
        let d = reply(&account(), &original(), true, &zh, Zone::Utc);
        assert_eq!(d.subject, "Re: 计划");
        assert_eq!(d.to_addrs, "王芳 <wang@example.cn>");
        assert_eq!(d.cc_addrs, "team@example.org, boss@example.org");
        assert_eq!(d.in_reply_to, "orig@example.cn");
        assert_eq!(d.refs, "root@example.cn orig@example.cn");
        assert!(
            d.body_text.contains("在 2025年7月1日 02:00，王芳 写道："),
            "{}",
            d.body_text
        );
        assert!(
            d.body_text.contains("> First line.\n>\n> > older quote"),
            "{}",
            d.body_text
        );
        let only = reply(&account(), &original(), false, &I18n::new("en"), Zone::Utc);
        assert_eq!(only.cc_addrs, "");
        assert!(
            only.body_text
                .contains("On Tue, 1 Jul 2025 02:00, 王芳 wrote:")
        );
    }

    #[test]
    fn forwards_inline_and_as_attachment() {
        let en = I18n::new("en");
        let (d, files) = forward(&account(), &original(), false, &en, Zone::Utc);
        assert_eq!(d.subject, "Fwd: 回复: 计划");
        assert!(
            d.body_text
                .contains("---------- Forwarded message ----------")
        );
        assert!(d.body_text.contains("From: 王芳 <wang@example.cn>"));
        assert!(files.is_empty());
        let (_, files) = forward(&account(), &original(), true, &en, Zone::Utc);
        assert_eq!(files[0].mime_type, "message/rfc822");
        assert_eq!(files[0].data, original());
    }
}
