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

/// Longest title or body line shown, in characters: a notice is a glance, and a hostile
/// 100 KB subject must not fill the screen.
const MAX_LINE_CHARS: usize = 200;

/// Text from mail made safe for the notification service: control and invisible format
/// characters dropped, lines shortened, and (where the service reads the body as markup, the
/// freedesktop daemons) `&`, `<` and `>` escaped, so a subject cannot add links or images.
fn sanitize(text: &str, markup: bool) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            let clean: String = line
                .chars()
                .filter(|c| !c.is_control() && !crate::mime::attachments::is_format_char(*c))
                .take(MAX_LINE_CHARS)
                .collect();
            if markup {
                clean
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            } else {
                clean
            }
        })
        .collect();
    lines.join("\n")
}

/// Whether this platform's notification service reads the body as markup.
const BODY_IS_MARKUP: bool = cfg!(all(unix, not(target_os = "macos")));

/// Shows a notice. Blocking on some platforms: call it off the UI thread.
pub fn show(notice: &Notice) -> Result<(), String> {
    notify_rust::Notification::new()
        .appname("Tidings")
        // The summary is plain text by the freedesktop specification; only the body is markup.
        .summary(&sanitize(&notice.title, false))
        .body(&sanitize(&notice.body, BODY_IS_MARKUP))
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

    #[test]
    fn markup_and_controls_in_mail_are_neutralised() {
        let subject =
            "<a href=\"https://evil.test\">Your bank</a> <img src=x> & \u{202E}gpj.exe\x1b[2J";
        let shown = sanitize(subject, true);
        assert_eq!(
            shown,
            "&lt;a href=\"https://evil.test\"&gt;Your bank&lt;/a&gt; &lt;img src=x&gt; &amp; gpj.exe[2J"
        );
        assert_eq!(
            sanitize(&"长".repeat(5000), false).chars().count(),
            MAX_LINE_CHARS
        );
        assert_eq!(sanitize("a\nb", false), "a\nb");
    }
}
