//! Courier-IMAP 5 and Courier POP3: no SPECIAL-USE, CONDSTORE or UIDNEXT in SELECT, the
//! `INBOX.` namespace, LOGINDISABLED before TLS, and UTF8 for POP3.

use std::time::Duration;

use tidings::accounts::doctor::{self, Hint, Step};
use tidings::engine::{ErrorKind, Protocol};
use tidings::i18n::I18n;
use tidings::protocols::tls::Trust;
use tidings::store::accounts::Security;
use tidings::store::folders::Role;

use crate::checks;
use crate::fixture::{Fixture, Site, courier, error_kinds};
use crate::harness::Result;

/// A message as Chinese webmail sends it: raw UTF-8 in the headers (RFC 6532), no encoded words.
fn raw_utf8_message(n: u32) -> Vec<u8> {
    format!(
        "From: 张三 <zhang@example.cn>\r\nTo: 李四 <li@interop.test>\r\n\
         Subject: 会议纪要 第{n}期\r\nDate: Tue, 1 Dec 2026 10:00:00 +0800\r\n\
         Message-ID: <raw-utf8-{n}@example.cn>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         大家好，附上第{n}期的会议纪要。\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn courier_interop_mirror_roles_and_namespace() -> Result<()> {
    let fx = Fixture::imap(Site::courier()?, "anna", |_| {})?;
    let inbox = checks::seed(&fx, "INBOX", 0, 120).await?;
    // No SPECIAL-USE: both names say Sent; one keeps the role, whatever the LIST order.
    let sent_zh = checks::seed(&fx, "INBOX.&XfJT0ZAB-", 200, 6).await?;
    let sent = checks::seed(&fx, "INBOX.Sent", 300, 8).await?;
    checks::seed(&fx, "INBOX.Drafts", 400, 2).await?;
    checks::seed(&fx, "INBOX.Projects.2026", 500, 3).await?;
    let events = fx.sync_once().await?;
    assert!(error_kinds(&events).is_empty(), "sync errors: {events:?}");
    checks::assert_mirror_exact(&fx, "INBOX", "INBOX", &inbox, 0).await?;
    checks::assert_mirror_exact(&fx, "已发送", "INBOX.&XfJT0ZAB-", &sent_zh, 200).await?;
    checks::assert_mirror_exact(&fx, "Sent", "INBOX.Sent", &sent, 300).await?;
    checks::assert_role(&fx, "Sent", Role::Sent)?;
    checks::assert_role(&fx, "Drafts", Role::Drafts)?;
    assert_eq!(fx.folder("Projects.2026")?.delimiter, ".");
    checks::assert_namespace_applied(&fx, "INBOX.", ".")?;

    // No UIDNEXT in SELECT: new mail is still found by the next pass, and nothing twice.
    let more = checks::seed(&fx, "INBOX", 120, 5).await?;
    let events = fx.sync_once().await?;
    assert!(error_kinds(&events).is_empty(), "sync errors: {events:?}");
    let all: Vec<Vec<u8>> = inbox.into_iter().chain(more).collect();
    checks::assert_mirror_exact(&fx, "INBOX", "INBOX", &all, 0).await?;
    checks::assert_role(&fx, "Sent", Role::Sent)?;
    Ok(())
}

#[tokio::test]
async fn courier_interop_expunge_and_flags_noticed() -> Result<()> {
    let fx = Fixture::imap(Site::courier()?, "ben", |_| {})?;
    checks::seed(&fx, "INBOX", 0, 30).await?;
    fx.sync_once().await?;
    checks::assert_server_changes_noticed(&fx, "INBOX", "INBOX").await
}

#[tokio::test]
async fn courier_interop_idle_delivers() -> Result<()> {
    let fx = Fixture::imap(Site::courier()?, "cleo", |_| {})?;
    checks::seed(&fx, "INBOX", 0, 5).await?;
    checks::assert_idle_delivers(&fx, Duration::from_secs(40)).await
}

#[tokio::test]
async fn courier_interop_raw_utf8_headers_arrive_whole_over_pop3_and_imap() -> Result<()> {
    let server = courier()?;
    let raws: Vec<Vec<u8>> = (1..=3).map(raw_utf8_message).collect();
    for (i, raw) in raws.iter().enumerate() {
        server.deliver_raw("dan", "INBOX", &format!("17960000{i}.M1P1.interop"), raw)?;
    }
    let pop = Fixture::pop3(Site::courier()?, "dan", |a| {
        a.pop3_options.leave_on_server = true;
    })?;
    let events = pop.sync_once().await?;
    assert!(error_kinds(&events).is_empty(), "POP3 errors: {events:?}");
    let got = pop.mirrored("Inbox")?;
    assert_eq!(got.len(), 3, "three messages downloaded");
    for (m, body) in &got {
        assert!(m.rfc_message_id.starts_with("raw-utf8-"), "{m:?}");
        assert!(m.subject.starts_with("会议纪要"), "subject {:?}", m.subject);
        assert!(
            raws.iter().any(|r| Some(r.as_slice()) == body.as_deref()),
            "body of {} is not what was delivered:\n{}",
            m.rfc_message_id,
            String::from_utf8_lossy(body.as_deref().unwrap_or_default())
        );
    }
    let imap = Fixture::imap(Site::courier()?, "dan", |_| {})?;
    let events = imap.sync_once().await?;
    assert!(error_kinds(&events).is_empty(), "IMAP errors: {events:?}");
    let got = imap.mirrored("INBOX")?;
    assert_eq!(got.len(), 3);
    for (m, body) in &got {
        assert!(m.subject.starts_with("会议纪要"), "subject {:?}", m.subject);
        assert!(raws.iter().any(|r| Some(r.as_slice()) == body.as_deref()));
    }
    Ok(())
}

#[tokio::test]
async fn courier_interop_logindisabled_sends_no_password() -> Result<()> {
    let server = courier()?;
    let (imap_port, pop3_port) = (server.imap, server.pop3);
    // The user explicitly chose an unencrypted connection; the server still forbids passwords.
    let fx = Fixture::imap(Site::courier()?, "eve", |a| {
        a.imap.port = imap_port;
        a.imap.security = Security::Plain;
        a.pop3.port = pop3_port;
        a.pop3.security = Security::Plain;
    })?;
    let events = fx.sync_once().await?;
    assert_eq!(
        error_kinds(&events),
        vec![ErrorKind::PlaintextRefused],
        "{events:?}"
    );
    let account =
        tidings::store::accounts::get(&fx.store.reader()?, fx.account)?.ok_or("account missing")?;
    let mut both = account.clone();
    both.pop3.enabled = true;
    let report = doctor::examine(
        &both,
        |_| Some(fx.password.clone()),
        &Trust::roots(fx.site.ca.clone()),
    )
    .await;
    let en = I18n::new("en");
    for protocol in [Protocol::Imap, Protocol::Pop3] {
        let section = report
            .protocols
            .iter()
            .find(|p| p.protocol == protocol)
            .ok_or("no section")?;
        let failed = section.steps.iter().find(|s| !s.ok).ok_or("no failure")?;
        assert_eq!(failed.step, Step::Login, "{}", report.render(&en));
        assert_eq!(
            failed.hint,
            Some(Hint::PlaintextRefused),
            "{}",
            report.render(&en)
        );
    }
    let rendered = report.render(&en);
    assert!(rendered.contains("none was sent"), "{rendered}");

    // The command line takes an unencrypted server only when told so, and warns.
    let spec = format!("127.0.0.1:{imap_port}:plain");
    let add = |allow: bool| -> Result<std::process::Output> {
        let mut c = fx.cli()?;
        c.args([
            "account",
            "add",
            "--email",
            "eve@plain.test",
            "--username",
            "eve",
        ])
        .args([
            "--imap",
            &spec,
            "--no-pop3",
            "--no-smtp",
            "--ask-each-start",
        ]);
        if allow {
            c.arg("--allow-plaintext");
        }
        Ok(c.output()?)
    };
    let refused = add(false)?;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--allow-plaintext"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let allowed = add(true)?;
    assert!(
        allowed.status.success(),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    assert!(String::from_utf8_lossy(&allowed.stderr).contains("warning"));
    let sync = fx
        .cli()?
        .args(["sync", "--once", "--account", "eve@plain.test"])
        .output()?;
    assert!(!sync.status.success());
    let said = String::from_utf8_lossy(&sync.stderr);
    assert!(
        said.contains("accepts no password on an unencrypted connection"),
        "{said}"
    );
    // Courier logs every LOGIN it is sent; eve's password never reached it.
    let log = std::fs::read_to_string(server.root().join("log").join("courier.log"))?;
    assert!(
        !log.contains("user=eve"),
        "a login reached the server:\n{log}"
    );
    Ok(())
}

#[tokio::test]
async fn courier_interop_wrong_password_shows_the_servers_words() -> Result<()> {
    let fx = Fixture::imap(Site::courier()?, "finn", |_| {})?;
    let account =
        tidings::store::accounts::get(&fx.store.reader()?, fx.account)?.ok_or("account missing")?;
    let report = doctor::examine(
        &account,
        |_| Some("not the password".into()),
        &Trust::roots(fx.site.ca.clone()),
    )
    .await;
    let en = I18n::new("en");
    let rendered = report.render(&en);
    let failed = report.protocols[0]
        .steps
        .iter()
        .find(|s| !s.ok)
        .ok_or("no failure")?;
    assert_eq!(failed.step, Step::Login, "{rendered}");
    assert_eq!(failed.hint, Some(Hint::WrongPassword), "{rendered}");
    assert!(failed.detail.contains("Login failed."), "{rendered}");
    assert!(
        !rendered.contains("code:") && !rendered.contains("info:") && !rendered.contains("Some("),
        "Rust debug text in the report:\n{rendered}"
    );
    Ok(())
}

#[tokio::test]
async fn courier_interop_cli_names_folders_as_shown() -> Result<()> {
    let fx = Fixture::imap(Site::courier()?, "gwen", |_| {})?;
    // Enough that the listing outgrows a pipe's buffer (64 KiB), so its reader can go first.
    checks::seed(&fx, "INBOX", 0, 800).await?;
    checks::seed(&fx, "INBOX.Sent", 100, 3).await?;
    checks::seed(&fx, "INBOX.Outgoing", 200, 2).await?;
    let sync = fx
        .cli()?
        .args(["sync", "--once", "--account", "gwen@interop.test"])
        .output()?;
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stderr)
    );

    // The shown name works, in any letter case, and the server's spelling too.
    for name in ["Sent", "sent", "INBOX.Sent"] {
        let out = fx.cli()?.args(["list", "--folder", name]).output()?;
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).lines().count(),
            3,
            "{name}"
        );
    }
    let inbox = fx.cli()?.args(["list", "--folder", "inbox"]).output()?;
    assert_eq!(String::from_utf8_lossy(&inbox.stdout).lines().count(), 800);

    // A folder that does not exist is an error that says so.
    let none = fx
        .cli()?
        .args(["list", "--folder", "NoSuchFolder"])
        .output()?;
    assert!(!none.status.success());
    let why = String::from_utf8_lossy(&none.stderr);
    assert!(
        why.contains("no folder \"NoSuchFolder\"") && why.contains("Sent"),
        "{why}"
    );

    // A reader that goes away ends the listing quietly.
    let mut list = fx
        .cli()?
        .args(["list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    {
        use std::io::Read as _;
        let mut first = [0u8; 16];
        list.stdout
            .take()
            .ok_or("no stdout")?
            .read_exact(&mut first)?;
        // Dropped here: the pipe closes with most of the listing unread.
    }
    let ended = list.wait_with_output()?;
    let err = String::from_utf8_lossy(&ended.stderr);
    assert!(
        !err.contains("Broken pipe") && err.trim().is_empty(),
        "{err}"
    );

    // The user's choice of Sent beats the server's names from the next sync on.
    let choose = fx
        .cli()?
        .args([
            "folder",
            "role",
            "--account",
            "gwen@interop.test",
            "--folder",
            "Outgoing",
            "sent",
        ])
        .output()?;
    assert!(
        choose.status.success(),
        "{}",
        String::from_utf8_lossy(&choose.stderr)
    );
    fx.sync_once().await?;
    checks::assert_role(&fx, "Outgoing", Role::Sent)?;
    assert_eq!(fx.folder("Sent")?.role, Role::Other);
    let auto = fx
        .cli()?
        .args([
            "folder",
            "role",
            "--account",
            "gwen@interop.test",
            "--folder",
            "Outgoing",
            "auto",
        ])
        .output()?;
    assert!(auto.status.success());
    fx.sync_once().await?;
    checks::assert_role(&fx, "Sent", Role::Sent)?;
    Ok(())
}

#[tokio::test]
async fn courier_interop_pop3_progress_is_a_few_lines() -> Result<()> {
    let server = courier()?;
    for n in 0..300u64 {
        let (raw, _) = crate::harness::seed::message(n);
        server.deliver_raw("hugo", "INBOX", &format!("1796{n:06}.M1P1.interop"), &raw)?;
    }
    let fx = Fixture::pop3(Site::courier()?, "hugo", |_| {})?;
    let sync = fx
        .cli()?
        .args(["sync", "--once", "--account", "hugo@interop.test"])
        .output()?;
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stderr)
    );
    let out = String::from_utf8_lossy(&sync.stdout);
    // Not a line per message: one every few seconds and the last (this is no terminal).
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("Inbox: ")).collect();
    assert!(!lines.is_empty() && lines.len() <= 4, "{out}");
    assert!(
        lines.last().is_some_and(|l| l.ends_with("300/300")),
        "{out}"
    );
    assert_eq!(fx.mirrored("Inbox")?.len(), 300);
    Ok(())
}
