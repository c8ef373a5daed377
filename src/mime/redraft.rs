//! A built message back into a draft: for "edit" on an outbox item the server refused, so the
//! user fixes it in the composer instead of starting over.

use super::body;
use super::compose;
use crate::store::drafts::{Draft, DraftAttachment};

/// The draft that `raw` (as the outbox holds it, sent to `recipients`) was built from.
pub fn draft_from_raw(
    account_id: i64,
    raw: &[u8],
    recipients: &[String],
) -> (Draft, Vec<DraftAttachment>) {
    // One parse for the model, the ids and the attachments' bytes (not one per attachment).
    let body::Answered {
        display: shown,
        fields,
        attachments: bytes,
    } = body::answered(raw, true);
    // Bcc is not in the headers: it is whoever the envelope has that To and Cc do not.
    let visible: Vec<String> = shown
        .to
        .iter()
        .chain(&shown.cc)
        .map(|m| m.address.to_ascii_lowercase())
        .collect();
    let bcc: Vec<&str> = recipients
        .iter()
        .filter(|r| !visible.contains(&r.to_ascii_lowercase()))
        .map(String::as_str)
        .collect();
    let prepared = super::parse::prepare(raw);
    let parsed = prepared.parse();
    let text = parsed
        .as_ref()
        .and_then(|m| {
            m.body_text(0)
                .map(|t| super::parse::restore(&t).into_owned())
        })
        .unwrap_or_default();
    let attachments = compose::attachments_of(&shown, bytes);
    // A new Message-ID (left empty here): the refused one may have reached some recipients.
    let draft = Draft {
        to_addrs: compose::join(&shown.to),
        cc_addrs: compose::join(&shown.cc),
        bcc_addrs: bcc.join(", "),
        subject: shown.subject.clone(),
        body_text: text,
        in_reply_to: fields.in_reply_to,
        refs: fields.refs,
        ..Draft::new(account_id)
    };
    (draft, attachments)
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::mime::compose;
    use crate::store::drafts::DraftKind;

    #[test]
    fn a_built_message_comes_back_as_the_draft_it_was() -> Result<(), compose::ComposeError> {
        let account = crate::store::tests::account();
        let draft = Draft {
            id: 0,
            account_id: 7,
            kind: DraftKind::New,
            source_message_id: 0,
            to_addrs: "李四 <lisi@126.com>".into(),
            cc_addrs: "wang@example.org".into(),
            bcc_addrs: "boss@example.org".into(),
            subject: "季度报告".into(),
            body_text: "见附件。\n".into(),
            body_html: String::new(),
            in_reply_to: String::new(),
            refs: String::new(),
            rfc_message_id: compose::new_message_id("zhangsan@163.com"),
            server_folder_id: 0,
            server_uid: 0,
        };
        let files = vec![DraftAttachment {
            file_name: "报告.pdf".into(),
            mime_type: "application/pdf".into(),
            content_id: String::new(),
            data: b"%PDF-1.4 data".to_vec(),
        }];
        let out = compose::build(&account, &draft, &files, SystemTime::now())?;
        let (back, attached) = draft_from_raw(7, &out.raw, &out.recipients);
        assert_eq!(back.subject, "季度报告");
        assert!(back.to_addrs.contains("lisi@126.com"), "{}", back.to_addrs);
        assert!(back.to_addrs.contains("李四"));
        assert_eq!(back.cc_addrs.trim(), "wang@example.org");
        assert_eq!(back.bcc_addrs, "boss@example.org");
        assert_eq!(back.body_text.trim_end(), "见附件。");
        assert_eq!(attached, files);
        Ok(())
    }
}
