//! Numbered, append-only schema migrations tracked in `PRAGMA user_version`.

use rusqlite::Connection;

use super::{SqlContext, StoreError};

/// Every migration in order; the index + 1 is the schema version it produces.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_initial", include_str!("migrations/0001_initial.sql")),
    (
        "0002_placeholder_index",
        include_str!("migrations/0002_placeholder_index.sql"),
    ),
    (
        "0003_remote_content",
        include_str!("migrations/0003_remote_content.sql"),
    ),
    (
        "0004_bound_certificates",
        include_str!("migrations/0004_bound_certificates.sql"),
    ),
    (
        "0005_headers_only",
        include_str!("migrations/0005_headers_only.sql"),
    ),
    (
        "0006_outbox_ids",
        include_str!("migrations/0006_outbox_ids.sql"),
    ),
    (
        "0007_chosen_roles",
        include_str!("migrations/0007_chosen_roles.sql"),
    ),
    (
        "0008_outbox_answers",
        include_str!("migrations/0008_outbox_answers.sql"),
    ),
    ("0009_search", include_str!("migrations/0009_search.sql")),
    (
        "0010_newest_index",
        include_str!("migrations/0010_newest_index.sql"),
    ),
    (
        "0011_local_actions",
        include_str!("migrations/0011_local_actions.sql"),
    ),
    ("0012_threads", include_str!("migrations/0012_threads.sql")),
    (
        "0013_conversation_count",
        include_str!("migrations/0013_conversation_count.sql"),
    ),
    (
        "0014_store_options",
        include_str!("migrations/0014_store_options.sql"),
    ),
    (
        "0015_list_order",
        include_str!("migrations/0015_list_order.sql"),
    ),
];

/// The schema version a fully migrated database has.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies every migration the database has not seen, each in its own transaction.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// Applies the migrations up to schema version `target` (a backup gets the schema of the
/// database it copies).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .ctx("reading the schema version")?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Corrupt(format!(
            "the database was written by a newer Tidings (schema {current}, this one knows {SCHEMA_VERSION})"
        )));
    }
    let upto = usize::try_from(target.clamp(0, SCHEMA_VERSION)).unwrap_or(0);
    for (index, (name, sql)) in MIGRATIONS
        .iter()
        .enumerate()
        .take(upto)
        .skip(current as usize)
    {
        let version = index as i64 + 1;
        let tx = conn
            .transaction()
            .ctx(&format!("starting migration {name}"))?;
        tx.execute_batch(sql)
            .ctx(&format!("applying migration {name}"))?;
        // The rows already stored get their threads in the same transaction (strictly: the
        // subject option's table comes later).
        if *name == "0012_threads" {
            super::threads::rebuild_with(&tx, false)?;
        }
        tx.pragma_update(None, "user_version", version)
            .ctx(&format!("recording migration {name}"))?;
        tx.commit().ctx(&format!("committing migration {name}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap_or(-1)
    }

    fn table_count(conn: &Connection) -> i64 {
        conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |row| row.get(0),
        )
        .unwrap_or(-1)
    }

    #[test]
    fn empty_database_migrates_to_the_latest_version() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        migrate(&mut conn)?;
        assert_eq!(version(&conn), SCHEMA_VERSION);
        assert!(table_count(&conn) >= 10);
        Ok(())
    }

    #[test]
    fn migrating_twice_changes_nothing() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        migrate(&mut conn)?;
        let schema = |c: &Connection| -> Result<Vec<String>, StoreError> {
            let mut stmt = c
                .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
                .ctx("prepare")?;
            let rows = stmt
                .query_map([], |row| row.get::<_, String>(0))
                .ctx("query")?;
            rows.collect::<Result<_, _>>().ctx("collect")
        };
        let before = schema(&conn)?;
        migrate(&mut conn)?;
        assert_eq!(schema(&conn)?, before);
        assert_eq!(version(&conn), SCHEMA_VERSION);
        Ok(())
    }

    #[test]
    fn every_table_is_strict() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        migrate(&mut conn)?;
        let mut stmt = conn
            // The search index's virtual table and its shadow tables are FTS5's own.
            .prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'")
            .ctx("prepare")?;
        let rows: Vec<(String, i64)> = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .ctx("query")?
            .collect::<Result<_, _>>()
            .ctx("collect")?;
        assert!(!rows.is_empty());
        for (name, strict) in rows {
            assert_eq!(strict, 1, "table {name} is not STRICT");
        }
        Ok(())
    }

    #[test]
    fn trusted_certificates_become_pins_of_their_own_host() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        for (_, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).ctx("older schema")?;
        }
        conn.pragma_update(None, "user_version", 3).ctx("version")?;
        conn.execute_batch(
            "INSERT INTO accounts (id, address) VALUES (1, 'a@example.org');
             INSERT INTO trusted_certificates (account_id, host, der) VALUES (1, 'imap.example.org', x'0102');",
        )
        .ctx("rows")?;
        migrate(&mut conn)?;
        let row: (String, i64, String, Vec<u8>) = conn
            .query_row(
                "SELECT host, port, kind, der FROM trusted_certificates",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .ctx("read")?;
        assert_eq!(
            row,
            ("imap.example.org".into(), 0, "pin".into(), vec![1, 2])
        );
        Ok(())
    }

    #[test]
    fn queued_server_actions_of_pop3_downloads_are_dropped() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        migrate_to(&mut conn, 10)?;
        conn.execute_batch(
            "INSERT INTO accounts (id, address) VALUES (1, 'a@example.org');
             INSERT INTO folders (id, account_id, source, name, wire_name)
                 VALUES (1, 1, 'imap', 'INBOX', 'INBOX'), (2, 1, 'local', 'Inbox', '');
             INSERT INTO pending_actions (id, account_id, kind, folder_id, flags_add)
                 VALUES (1, 1, 'set_flags', 2, '\\Seen'), (2, 1, 'move', 2, ''),
                        (3, 1, 'set_flags', 1, '\\Seen'), (4, 1, 'pop3_delete', 0, '');",
        )
        .ctx("rows")?;
        migrate(&mut conn)?;
        let left: Vec<i64> = conn
            .prepare("SELECT id FROM pending_actions ORDER BY id")
            .ctx("prepare")?
            .query_map([], |r| r.get(0))
            .ctx("query")?
            .collect::<Result<_, _>>()
            .ctx("read")?;
        assert_eq!(left, vec![3, 4], "the IMAP action and the POP3 delete stay");
        conn.execute(
            "INSERT INTO pending_actions (account_id, kind) VALUES (1, 'upload')",
            [],
        )
        .ctx("the new kind is allowed")?;
        Ok(())
    }

    #[test]
    fn a_version_1_database_is_upgraded_in_place() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        conn.execute_batch(MIGRATIONS[0].1).ctx("schema v1")?;
        conn.pragma_update(None, "user_version", 1).ctx("version")?;
        conn.execute(
            "INSERT INTO accounts (address) VALUES ('kept@example.org')",
            [],
        )
        .ctx("row")?;
        migrate(&mut conn)?;
        assert_eq!(version(&conn), SCHEMA_VERSION);
        let kept: String = conn
            .query_row("SELECT address FROM accounts", [], |r| r.get(0))
            .ctx("read")?;
        assert_eq!(kept, "kept@example.org");
        let plan: String = conn
            .query_row(
                &format!(
                    "EXPLAIN QUERY PLAN {}",
                    crate::store::messages::PLACEHOLDER_LOOKUP
                ),
                rusqlite::params![1, "x"],
                |r| r.get(3),
            )
            .ctx("plan")?;
        assert!(plan.contains("messages_placeholders"), "{plan}");
        let plan: String = conn
            .query_row(
                &format!(
                    "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE {}",
                    crate::store::messages::UID_FILTER
                ),
                rusqlite::params![1, 5],
                |r| r.get(3),
            )
            .ctx("plan")?;
        assert!(plan.contains("messages_uid"), "{plan}");
        Ok(())
    }

    #[test]
    fn a_newer_schema_is_refused() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory().ctx("open")?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .ctx("set version")?;
        assert!(matches!(migrate(&mut conn), Err(StoreError::Corrupt(_))));
        Ok(())
    }
}
