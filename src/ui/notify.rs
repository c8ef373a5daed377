//! Desktop notifications for new mail, through the platform's own service (the freedesktop
//! notification daemon, Notification Center, the Windows action centre).

use crate::i18n::I18n;
use crate::store::messages::Envelope;

/// What a notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The first line.
    pub title: String,
    /// The rest.
    pub body: String,
}

/// The notice for mail that just arrived; None when all of it is already read (read on another
/// device before we saw it).
pub fn for_new_mail(i18n: &I18n, arrived: &[Envelope]) -> Option<Notice> {
    let unread: Vec<&Envelope> = arrived.iter().filter(|m| !m.flags.seen).collect();
    match unread.as_slice() {
        [] => None,
        [one] => Some(Notice {
            title: if one.from_name.is_empty() {
                one.from_addr.clone()
            } else {
                one.from_name.clone()
            },
            body: one.subject.clone(),
        }),
        many => Some(Notice {
            title: i18n.count("ui-new-mail", "count", many.len() as i64),
            body: many
                .iter()
                .take(3)
                .map(|m| m.subject.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        }),
    }
}

/// Shows a notice. Blocking on some platforms: call it off the UI thread.
pub fn show(notice: &Notice) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("Tidings")
        .summary(&notice.title)
        .body(&notice.body)
        .show()
        .map(|_| ())
        .map_err(|e| format!("desktop notification: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(subject: &str, seen: bool) -> Envelope {
        let mut m = Envelope {
            from_name: "张伟".into(),
            subject: subject.into(),
            ..Envelope::default()
        };
        m.flags.seen = seen;
        m
    }

    #[test]
    fn one_message_names_its_sender_and_several_are_counted() {
        let i18n = I18n::new("en-US");
        assert_eq!(for_new_mail(&i18n, &[mail("a", true)]), None);
        let one = for_new_mail(&i18n, &[mail("项目进度", false), mail("b", true)]);
        assert_eq!(
            one,
            Some(Notice {
                title: "张伟".into(),
                body: "项目进度".into()
            })
        );
        let many = for_new_mail(&I18n::new("zh-CN"), &[mail("a", false), mail("b", false)]);
        assert_eq!(many.map(|n| n.title), Some("2 封新邮件".to_owned()));
    }
}
