//! Desktop notifications for new mail, through the platform's own service (the freedesktop
//! notification daemon, Notification Center, the Windows action centre).

use super::failure::{Failure, Kind};
use crate::i18n::I18n;
use crate::store::messages::Envelope;

/// What a notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The first line.
    pub title: String,
    /// The rest.
    pub body: String,
    /// The folder and message a click opens (the newest unread one).
    pub opens: Option<(i64, i64)>,
    /// The click's words, where the daemon shows the action as a button.
    pub open_label: String,
}

/// The notice for mail that just arrived; None when all of it is already read (read on another
/// device before we saw it).
pub fn for_new_mail(i18n: &I18n, arrived: &[Envelope]) -> Option<Notice> {
    let unread: Vec<&Envelope> = arrived.iter().filter(|m| !m.flags.seen).collect();
    let opens = unread
        .iter()
        .max_by_key(|m| (m.date, m.id))
        .map(|m| (m.folder_id, m.id));
    match unread.as_slice() {
        [] => None,
        [one] => Some(Notice {
            title: if one.from_name.is_empty() {
                one.from_addr.clone()
            } else {
                one.from_name.clone()
            },
            body: one.subject.clone(),
            opens,
            open_label: i18n.t("ui-open", &[]),
        }),
        many => Some(Notice {
            title: i18n.count("ui-new-mail", "count", many.len() as i64),
            body: many
                .iter()
                .take(3)
                .map(|m| m.subject.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            opens,
            open_label: i18n.t("ui-open", &[]),
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

/// What the user did with a notice: clicked it (the folder and message it opens), or not.
pub type Clicked = Option<(i64, i64)>;

/// Shows a notice off the UI thread; the task answers once it was clicked or closed.
pub fn showing(notice: Notice) -> iced::Task<Result<Clicked, Failure>> {
    iced::Task::perform(
        async move { tokio::task::spawn_blocking(move || show(&notice)).await? },
        |r| r,
    )
}

/// Shows a notice. Blocking: on Linux it waits until the notice is clicked or closed (the
/// daemon closes it after a while); call it off the UI thread.
pub fn show(notice: &Notice) -> Result<Clicked, Failure> {
    let mut n = notify_rust::Notification::new();
    n.appname("Tidings")
        // The summary is plain text by the freedesktop specification; only the body is markup.
        .summary(&sanitize(&notice.title, false))
        .body(&sanitize(&notice.body, BODY_IS_MARKUP));
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        // The "default" action is a click on the notice itself. The wait below holds a blocking
        // thread until the notice closes: daemons that keep notices until dismissed are asked
        // to let this one go after a while.
        if notice.opens.is_some() {
            n.action("default", &notice.open_label);
        }
        n.timeout(notify_rust::Timeout::Milliseconds(15_000));
        let handle = n.show().map_err(|e| Failure::new(Kind::Notify, e))?;
        let mut clicked = false;
        handle.wait_for_action(|action| clicked = action == "default");
        Ok(notice.opens.filter(|_| clicked))
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        n.show()
            .map(|_| None)
            .map_err(|e| Failure::new(Kind::Notify, e))
    }
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
                body: "项目进度".into(),
                opens: Some((0, 0)),
                open_label: "Open".into(),
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
