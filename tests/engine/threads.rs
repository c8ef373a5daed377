//! Conversations through what users run: mail seeded into Dovecot's Inbox and Sent (replies
//! in Sent answering mail in the Inbox), `tidings sync --once` fetching newest first (so
//! replies land before their parents), then `tidings list --json` and `tidings threads
//! --rebuild` on the built binary. The conversations must be what an oracle computes from the
//! seeded headers, before and after the rebuild.

use std::collections::{BTreeMap, BTreeSet};

use crate::fixture::Fixture;
use crate::harness::Result;

type Groups = BTreeSet<BTreeSet<String>>;

/// The conversations `tidings list --json` shows, as sets of Message-IDs.
fn listed(fx: &Fixture) -> Result<Groups> {
    let out = fx.cli()?.args(["list", "--json"]).output()?;
    if !out.status.success() {
        return Err(format!(
            "tidings list failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let mut by: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{e}: {line:?}"))?;
        let thread = v["thread"].as_i64().ok_or(format!("no thread in {line}"))?;
        assert!(thread > 0, "an unthreaded row: {line}");
        let id = v["message_id"].as_str().unwrap_or_default().to_owned();
        by.entry(thread).or_default().insert(id);
    }
    Ok(by.into_values().collect())
}

/// The oracle: messages joined by In-Reply-To, walked to their roots.
fn oracle(seeded: &[crate::harness::seed::Seeded]) -> Groups {
    let parent: BTreeMap<&str, &str> = seeded
        .iter()
        .filter(|s| !s.in_reply_to.is_empty())
        .map(|s| (s.message_id.as_str(), s.in_reply_to.as_str()))
        .collect();
    let mut by: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for s in seeded {
        let mut root = s.message_id.as_str();
        while let Some(p) = parent.get(root) {
            root = p;
        }
        by.entry(root).or_default().insert(s.message_id.clone());
    }
    by.into_values().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_join_across_folders_whatever_order_mail_arrives_in() -> Result<()> {
    let fx = Fixture::new()?;
    let mut seeded = fx.servers.seed("alice", "INBOX", 0, 40)?;
    // Replies the user sent: 44 answers 39 in the Inbox, 49 answers 44.
    seeded.extend(fx.servers.seed("alice", "Sent", 40, 10)?);
    let expected = oracle(&seeded);
    assert!(
        expected.iter().any(|g| g.len() >= 5),
        "the seed makes a long conversation: {expected:?}"
    );
    let synced = fx
        .cli()?
        .args(["sync", "--once", "--account", "alice@tidings.test"])
        .output()?;
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    assert_eq!(listed(&fx)?, expected);

    let rebuilt = fx.cli()?.args(["threads", "--rebuild"]).output()?;
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&rebuilt.stdout).trim(),
        format!("50 messages in {} conversations", expected.len())
    );
    assert_eq!(listed(&fx)?, expected);

    // Grouping by subject only ever joins conversations; switched off, the strict ones return.
    for (on, exact) in [("on", false), ("off", true)] {
        let out = fx.cli()?.args(["threads", "--by-subject", on]).output()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let now = listed(&fx)?;
        if exact {
            assert_eq!(now, expected);
        } else {
            for group in &expected {
                assert!(
                    now.iter().any(|g| g.is_superset(group)),
                    "{group:?} was split by subject grouping"
                );
            }
        }
    }

    // One line per conversation, each counting its messages.
    let out = fx.cli()?.args(["list", "--threads", "--json"]).output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut sizes: Vec<u64> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{e}: {line:?}"))?;
        sizes.push(
            v["messages"]
                .as_u64()
                .ok_or(format!("no count in {line}"))?,
        );
    }
    let mut expected_sizes: Vec<u64> = expected.iter().map(|g| g.len() as u64).collect();
    sizes.sort_unstable();
    expected_sizes.sort_unstable();
    assert_eq!(sizes, expected_sizes);
    Ok(())
}

/// POP3 downloads oldest first, so a reply only arrives before its parent when the parent
/// reaches the server later: the replies are downloaded by one `sync --once`, their parents
/// by the next, and the conversations the late parents link must merge into the oracle's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pop3_replies_downloaded_before_their_parents_join_them_later() -> Result<()> {
    let servers = crate::harness::Servers::start()?;
    let port = servers.ports.pop3s;
    let fx = Fixture::pop3(servers, port, |_| {})?;
    let sync = |fx: &Fixture| -> Result<()> {
        let out = fx
            .cli()?
            .args(["sync", "--once", "--account", "alice@tidings.test"])
            .output()?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
        }
        Ok(())
    };
    // 24 answers 19, 29 answers 24, …: the first download has 24 without 19.
    let mut seeded = fx.servers.seed("alice", "INBOX", 20, 20)?;
    sync(&fx)?;
    let early = oracle(&seeded);
    assert_eq!(
        listed(&fx)?,
        early,
        "the replies alone, before their parents"
    );
    seeded.extend(fx.servers.seed("alice", "INBOX", 0, 20)?);
    sync(&fx)?;
    let expected = oracle(&seeded);
    assert!(
        expected.len() < early.len() + 20,
        "the late parents joined conversations: {expected:?}"
    );
    assert_eq!(listed(&fx)?, expected);
    let rebuilt = fx.cli()?.args(["threads", "--rebuild"]).output()?;
    assert!(
        rebuilt.status.success(),
        "{}",
        String::from_utf8_lossy(&rebuilt.stderr)
    );
    assert_eq!(
        listed(&fx)?,
        expected,
        "the rebuild agrees with the downloads"
    );
    Ok(())
}
