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
