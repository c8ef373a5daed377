//! Cyrus IMAP 3.6 in Debian's default namespace (`INBOX.` prefix, `.` separator), with
//! special-use attributes in lower case and CONDSTORE.

use std::time::Duration;

use tidings::store::folders::Role;

use crate::checks;
use crate::fixture::{Fixture, Site, error_kinds};
use crate::harness::Result;

#[tokio::test]
async fn cyrus_interop_mirror_roles_and_namespace() -> Result<()> {
    let fx = Fixture::imap(Site::cyrus()?, "anna", |_| {})?;
    // A first login makes Sent, Drafts, Trash and Junk (special-use, lower case).
    drop(fx.session().await?);
    let inbox = checks::seed(&fx, "INBOX", 0, 120).await?;
    // A localised Sent listed before the real one must not take its role.
    let sent_zh = checks::seed(&fx, "INBOX.&XfJT0ZAB-", 200, 12).await?;
    let events = fx.sync_once().await?;
    assert!(error_kinds(&events).is_empty(), "sync errors: {events:?}");
    checks::assert_mirror_exact(&fx, "INBOX", "INBOX", &inbox, 0).await?;
    checks::assert_mirror_exact(&fx, "已发送", "INBOX.&XfJT0ZAB-", &sent_zh, 200).await?;
    checks::assert_role(&fx, "Sent", Role::Sent)?;
    checks::assert_role(&fx, "Drafts", Role::Drafts)?;
    checks::assert_role(&fx, "Trash", Role::Trash)?;
    checks::assert_role(&fx, "Junk", Role::Junk)?;
    assert_eq!(fx.folder("已发送")?.role, Role::Other);
    checks::assert_namespace_applied(&fx, "INBOX.", ".")?;
    // A second pass changes nothing.
    fx.sync_once().await?;
    checks::assert_role(&fx, "Sent", Role::Sent)?;
    checks::assert_mirror_exact(&fx, "INBOX", "INBOX", &inbox, 0).await?;
    Ok(())
}

#[tokio::test]
async fn cyrus_interop_expunge_and_flags_noticed() -> Result<()> {
    let fx = Fixture::imap(Site::cyrus()?, "ben", |_| {})?;
    checks::seed(&fx, "INBOX", 0, 30).await?;
    fx.sync_once().await?;
    checks::assert_server_changes_noticed(&fx, "INBOX", "INBOX").await
}

#[tokio::test]
async fn cyrus_interop_idle_delivers() -> Result<()> {
    let fx = Fixture::imap(Site::cyrus()?, "cleo", |_| {})?;
    checks::seed(&fx, "INBOX", 0, 5).await?;
    checks::assert_idle_delivers(&fx, Duration::from_secs(30)).await
}

#[tokio::test]
async fn cyrus_interop_refusals_are_in_the_servers_words() -> Result<()> {
    use tidings::accounts::doctor::{self, Hint, Step};
    use tidings::i18n::I18n;
    use tidings::protocols::tls::Trust;
    use tidings::store::accounts::Security;

    let server = crate::fixture::cyrus()?;
    let plain_port = server.imap;
    let fx = Fixture::imap(Site::cyrus()?, "dan", |_| {})?;
    let account =
        tidings::store::accounts::get(&fx.store.reader()?, fx.account)?.ok_or("account missing")?;
    let trust = Trust::roots(fx.site.ca.clone());
    let en = I18n::new("en");
    let failed = |report: &doctor::Report| {
        report.protocols[0]
            .steps
            .iter()
            .find(|s| !s.ok)
            .map(|s| (s.step, s.hint.clone(), s.detail.clone()))
    };

    let wrong = doctor::examine(&account, |_| Some("not the password".into()), &trust).await;
    let rendered = wrong.render(&en);
    let (step, hint, detail) = failed(&wrong).ok_or("no failure")?;
    assert_eq!(
        (step, hint),
        (Step::Login, Some(Hint::WrongPassword)),
        "{rendered}"
    );
    assert!(!detail.is_empty(), "{rendered}");
    assert!(
        !rendered.contains("code:") && !rendered.contains("info:") && !rendered.contains("Some("),
        "Rust debug text in the report:\n{rendered}"
    );

    // Cyrus announces LOGINDISABLED before TLS on its plain port: no password goes there.
    let mut plain = account.clone();
    plain.imap.port = plain_port;
    plain.imap.security = Security::Plain;
    let refused = doctor::examine(&plain, |_| Some(fx.password.clone()), &trust).await;
    let (step, hint, _) = failed(&refused).ok_or("no failure")?;
    assert_eq!(
        (step, hint),
        (Step::Login, Some(Hint::PlaintextRefused)),
        "{}",
        refused.render(&en)
    );
    Ok(())
}
