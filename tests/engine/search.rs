//! Search through what users run: `tidings sync --once` then `tidings search` on the built
//! binary against the harness Dovecot (the index is complete when the sync returns), and a
//! message arriving while the engine runs becoming searchable within seconds.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use tidings::engine::Event;
use tidings::search::{Order, Scope};

use crate::fixture::{Fixture, wait_for};
use crate::harness::Result;

/// The Message-IDs `tidings search --json` prints for `query`.
fn search(fx: &Fixture, query: &[&str]) -> Result<BTreeSet<String>> {
    let out = fx.cli()?.arg("search").arg("--json").args(query).output()?;
    if !out.status.success() {
        return Err(format!(
            "tidings search {query:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let mut ids = BTreeSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{e}: {line:?} from tidings search {query:?}"))?;
        ids.insert(v["message_id"].as_str().unwrap_or_default().to_owned());
    }
    Ok(ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_then_a_search_from_the_command_line_finds_exactly_the_matches() -> Result<()> {
    let fx = Fixture::new()?;
    let seeded = fx.servers.seed("alice", "INBOX", 0, 60)?;
    let synced = fx
        .cli()?
        .args(["sync", "--once", "--account", "alice@tidings.test"])
        .output()?;
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let ids = |keep: &dyn Fn(&crate::harness::seed::Seeded) -> bool| -> BTreeSet<String> {
        seeded
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.message_id.clone())
            .collect()
    };
    // A Chinese subject (UTF-8 and GBK encoded-words), with and without the field.
    let zh = ids(&|s| s.subject.contains("项目进度"));
    assert!(!zh.is_empty());
    assert_eq!(search(&fx, &["subject:项目进度"])?, zh);
    // A phrase from a body, one of them GBK-encoded (message 7).
    assert_eq!(
        search(&fx, &["\"seeded message 7\""])?,
        BTreeSet::from(["seed-7@tidings.test".to_owned()])
    );
    // Filters, and a word with an exclusion.
    assert_eq!(
        search(&fx, &["has:attachment"])?,
        ids(&|s| s.has_attachment)
    );
    let hello = search(&fx, &["hello", "-has:attachment"])?;
    assert_eq!(hello, ids(&|s| !s.has_attachment));
    // A rebuilt index answers the same.
    let rebuilt = fx.cli()?.args(["index", "--rebuild"]).output()?;
    assert!(rebuilt.status.success());
    // The command waited for its writer to record the database as sound: the next start
    // skips the whole-file check.
    assert!(tidings::store::backup::unchanged_since_verified(
        fx.store.path()
    ));
    assert_eq!(search(&fx, &["subject:项目进度"])?, zh);
    // Nothing found is no error, and prints nothing.
    assert!(search(&fx, &["zebracorn"])?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_mail_is_searchable_within_seconds_while_the_engine_runs() -> Result<()> {
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 0, 5)?;
    let (handle, mut events) = fx.start_engine();
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    let raw = "From: Bob <bob@tidings.test>\r\nTo: alice@tidings.test\r\n\
               Subject: =?UTF-8?B?5a2j5bqm5oql5ZGK?=\r\nMessage-ID: <zebra@tidings.test>\r\n\
               Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nContent-Type: text/plain; \
               charset=utf-8\r\n\r\nThe zebracorn numbers are in.\r\n";
    fx.servers
        .deliver_raw("alice", "INBOX", "zebra", raw.as_bytes())?;
    // Mirrored by a sync (not by IDLE, whose connection may not be idling yet)...
    handle
        .send(tidings::engine::Command::SyncNow { account: None })
        .await?;
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, Event::SyncDone { full: true, .. })
    })
    .await?;
    // ...then searchable within moments of its commit, without anything else happening.
    let reader = fx.reader()?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let find = |q: &str| tidings::search::run(&reader, q, 0, Scope::default(), Order::Newest, None);
    loop {
        // The body's word and the Chinese subject (季度报告) both.
        if find("zebracorn")?.len() == 1 && find("报告")?.len() == 1 && find("季度报告")?.len() == 1
        {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "not searchable in time: zebracorn {:?}, 报告 {:?}",
                find("zebracorn")?,
                find("报告")?
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    handle.send(tidings::engine::Command::Shutdown).await?;
    Ok(())
}

/// The messages in the search queue, read from the database file as another process sees it.
fn queued(fx: &Fixture) -> Result<i64> {
    Ok(fx
        .reader()?
        .query_row("SELECT count(*) FROM search_queue", [], |r| r.get(0))?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_killed_midway_resumes_where_it_stopped_and_misses_nothing() -> Result<()> {
    const COUNT: i64 = 6000;
    let fx = Fixture::new()?;
    fx.servers.seed("alice", "INBOX", 0, COUNT as u64)?;
    let synced = fx
        .cli()?
        .args(["sync", "--once", "--account", "alice@tidings.test"])
        .stdout(std::process::Stdio::null())
        .output()?;
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    assert_eq!(queued(&fx)?, 0, "sync --once left the index incomplete");

    // The upgrade path: every message queued again, then kill -9 once some batches are in.
    let mut child = fx
        .cli()?
        .args(["index", "--rebuild"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = queued(&fx)?;
        if left > 0 && left <= COUNT - 1000 {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!("the rebuild never got going: {left} queued").into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill()?;
    child.wait()?;
    let left = queued(&fx)?;
    assert!(
        left > 0 && left < COUNT,
        "killed too late or too early: {left} left"
    );

    // The next run indexes only what was left, and then every message is found.
    let resumed = fx.cli()?.arg("index").output()?;
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let said = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        said.contains(&format!("indexed {left} messages")),
        "the resumed run did not pick up where the killed one stopped ({left} left): {said}"
    );
    assert_eq!(queued(&fx)?, 0);
    assert_eq!(search(&fx, &["from:example.org"])?.len() as i64, COUNT);
    // Every tenth subject is GBK-encoded; none was lost between the two runs.
    assert_eq!(search(&fx, &["subject:gbk"])?.len() as i64, COUNT / 10);
    Ok(())
}
