//! Certificates a user chose to trust for one account's server (self-signed or private CAs).

use rusqlite::{Connection, params};

use super::{SqlContext, StoreError};

/// Trusts `der` for `host` on `account_id`; trusting the same certificate twice is a no-op.
pub fn trust(conn: &Connection, account_id: i64, host: &str, der: &[u8]) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO trusted_certificates (account_id, host, der) VALUES (?1, ?2, ?3) \
         ON CONFLICT DO NOTHING",
        params![account_id, host, der],
    )
    .ctx("trusting a certificate")?;
    Ok(())
}

/// The DER certificates trusted for `host` on `account_id`, oldest first.
pub fn for_host(
    conn: &Connection,
    account_id: i64,
    host: &str,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT der FROM trusted_certificates WHERE account_id = ?1 AND host = ?2 \
             ORDER BY added_at, rowid",
        )
        .ctx("preparing trusted certificate lookup")?;
    stmt.query_map(params![account_id, host], |row| row.get(0))
        .ctx("reading trusted certificates")?
        .collect::<Result<Vec<_>, _>>()
        .ctx("reading trusted certificates")
}
