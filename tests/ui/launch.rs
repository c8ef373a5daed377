//! A launch's request reaching the window: a mailto: link (from this process's command line,
//! or handed over by a second launch) opens the composer filled in, in English and Chinese; a
//! link with addresses that cannot be read keeps them typed, with a note; a link that comes
//! before any account waits for setup.

use crate::common::*;

use tidings::launch::Launch;
use tidings::ui::composer::AddrField;

const LINK: &str = "mailto:%E5%BC%A0%E4%BC%9F%20%3Czhangwei@163.com%3E,bob@example.org\
                    ?cc=carol@example.org&subject=%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A%20Q3\
                    &body=%E5%90%84%E4%BD%8D%E5%A5%BD%EF%BC%8C%0D%0A%E6%8A%A5%E5%91%8A%E8%A7%81%E9%99%84%E4%BB%B6%E3%80%82\
                    &in-reply-to=%3Cq3@example.org%3E&from=evil@example.net";

/// The window with `launch` pending, as `ui::run` starts it, then the accounts read.
fn launched(db: &Path, locale: &str, launch: Launch) -> Result<App> {
    let (mut app, _) = App::new(db.to_owned(), I18n::new(locale), false);
    app.now = NOW;
    app.pending_launch = Some(launch);
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(db)?)));
    load_visible(&mut app, db)?;
    Ok(app)
}

#[test]
fn a_mailto_link_at_start_opens_the_composer_filled_in() -> Result<()> {
    let (_dir, db) = seeded()?;
    for (locale, name) in [
        ("en-US", "launch-mailto-light"),
        ("zh-CN", "launch-mailto-zh"),
    ] {
        let app = launched(&db, locale, Launch::Mailto(LINK.into()))?;
        assert_eq!(app.screen, Screen::Compose);
        assert!(app.pending_launch.is_none());
        let c = app.composer.as_ref().ok_or("no composer")?;
        let shown = |f| c.field(f).iter().map(|m| m.to_string()).collect::<Vec<_>>();
        assert_eq!(shown(AddrField::To).len(), 2, "{:?}", shown(AddrField::To));
        assert!(shown(AddrField::To)[0].contains("zhangwei@163.com"));
        assert_eq!(shown(AddrField::Cc), ["carol@example.org"]);
        assert!(c.show_cc_bcc);
        assert_eq!(c.subject, "季度报告 Q3");
        assert_eq!(c.body.text(), "各位好，\n报告见附件。");
        assert_eq!(c.draft.in_reply_to, "<q3@example.org>");
        assert!(c.error.is_none());
        // The link cannot choose who it is from: the account's own address.
        assert!(!format!("{:?}", c.draft).contains("evil@example.net"));
        snapshot(&app, name)?;
    }
    Ok(())
}

#[test]
fn addresses_that_cannot_be_read_stay_typed_with_a_note() -> Result<()> {
    let (_dir, db) = seeded()?;
    let link = "mailto:not%20an%20address?bcc=%3Cbroken&subject=Hello";
    let app = launched(&db, "zh-CN", Launch::Mailto(link.into()))?;
    let c = app.composer.as_ref().ok_or("no composer")?;
    assert!(c.to.is_empty() && c.bcc.is_empty());
    assert_eq!(c.typed(AddrField::To), "not an address");
    assert_eq!(c.typed(AddrField::Bcc), "<broken");
    assert_eq!(c.subject, "Hello");
    assert_eq!(
        c.error.as_deref(),
        Some("打开此邮件的链接中有地址无法识别，请检查收件人、抄送和密送。")
    );
    snapshot(&app, "launch-mailto-bad-zh")?;
    Ok(())
}

#[test]
fn a_link_handed_over_later_opens_the_composer_and_one_before_any_account_waits() -> Result<()> {
    let (_dir, db) = seeded()?;
    // Handed over by a second launch while the mail list shows.
    let mut app = launched(&db, "en-US", Launch::Window)?;
    assert_eq!(app.screen, Screen::Mail);
    let _ = app.update(Message::Launch(Launch::Mailto(
        "mailto:bob@example.org".into(),
    )));
    assert_eq!(app.screen, Screen::Compose);
    let c = app.composer.as_ref().ok_or("no composer")?;
    assert_eq!(c.to.len(), 1);

    // No account yet: setup first, the link kept until setup has made one.
    let (mut app, _) = App::new(db.clone(), I18n::new("en-US"), false);
    app.pending_launch = Some(Launch::Mailto("mailto:bob@example.org".into()));
    let _ = app.update(Message::TreeLoaded(Ok(data::Tree::default())));
    assert_eq!(app.screen, Screen::Setup);
    assert!(app.pending_launch.is_some() && app.composer.is_none());
    // Setup saved (what it leaves behind), then the accounts read again.
    app.setup = None;
    app.screen = Screen::Mail;
    let _ = app.update(Message::TreeLoaded(Ok(data::tree(&db)?)));
    assert_eq!(app.screen, Screen::Compose);
    assert!(app.pending_launch.is_none());
    Ok(())
}
