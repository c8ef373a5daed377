//! Senders the user allowed to show remote content ("always from this sender"), per account.
//! Addresses are kept lower-cased: mail from Bob@X and bob@x is one sender.

use rusqlite::{Connection, params};

use super::{SqlContext, StoreError};

/// Allows remote content in mail from `sender` on `account_id`; twice is a no-op.
pub fn allow(conn: &Connection, account_id: i64, sender: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO remote_allowed (account_id, sender) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![account_id, sender.trim().to_lowercase()],
    )
    .ctx("allowing a sender's remote content")?;
    Ok(())
}

/// Whether mail from `sender` on `account_id` may show remote content.
pub fn allowed(conn: &Connection, account_id: i64, sender: &str) -> Result<bool, StoreError> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM remote_allowed WHERE account_id = ?1 AND sender = ?2)",
        params![account_id, sender.trim().to_lowercase()],
        |r| r.get(0),
    )
    .ctx("reading allowed senders")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::accounts;

    #[test]
    fn a_sender_is_allowed_once_per_account_whatever_its_case() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let store = Store::open(&dir.path().join("m.sqlite3"))?;
        store.writer().write_blocking(|tx| {
            let a = accounts::insert(tx, &crate::store::tests::account())?;
            let mut other = crate::store::tests::account();
            other.address = "b@example.org".into();
            let b = accounts::insert(tx, &other)?;
            assert!(!allowed(tx, a, "news@shop.example")?);
            allow(tx, a, "News@Shop.example")?;
            allow(tx, a, "news@shop.example")?;
            assert!(allowed(tx, a, "NEWS@shop.example")?);
            assert!(!allowed(tx, b, "news@shop.example")?, "per account");
            accounts::delete(tx, a)?;
            let left: i64 = tx
                .query_row("SELECT COUNT(*) FROM remote_allowed", [], |r| r.get(0))
                .ctx("counting allowed senders")?;
            assert_eq!(left, 0, "removed with the account");
            Ok(())
        })
    }
}
