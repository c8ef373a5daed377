//! Certificates a user chose to trust for one account's servers: pinned end-entity
//! certificates, bound to a host and port, and CAs imported for a host.

use rusqlite::{Connection, params};

use super::{SqlContext, StoreError};
use crate::protocols::tls::{TrustEntry, TrustKind};

fn insert(
    conn: &Connection,
    account_id: i64,
    host: &str,
    port: u16,
    kind: &str,
    der: &[u8],
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO trusted_certificates (account_id, host, port, kind, der) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![account_id, host.to_ascii_lowercase(), port, kind, der],
    )
    .ctx("trusting a certificate")?;
    Ok(())
}

/// Pins `der`, the end-entity certificate `host:port` presented, for `account_id`: that server
/// is accepted when it presents exactly this certificate. Pinning twice is a no-op.
pub fn pin(
    conn: &Connection,
    account_id: i64,
    host: &str,
    port: u16,
    der: &[u8],
) -> Result<(), StoreError> {
    insert(conn, account_id, host, port, "pin", der)
}

/// Trusts the CA `der` for `host` (any port) on `account_id`: certificates it issued for that
/// host are accepted. A certificate that is no CA works as a pin of the host instead.
pub fn trust_ca(
    conn: &Connection,
    account_id: i64,
    host: &str,
    der: &[u8],
) -> Result<(), StoreError> {
    insert(conn, account_id, host, 0, "ca", der)
}

/// Everything `account_id` trusts, each entry bound to its server, oldest first.
pub fn for_account(conn: &Connection, account_id: i64) -> Result<Vec<TrustEntry>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT host, port, kind, der FROM trusted_certificates WHERE account_id = ?1 \
             ORDER BY added_at, rowid",
        )
        .ctx("preparing trusted certificate lookup")?;
    stmt.query_map(params![account_id], |row| {
        let kind: String = row.get(2)?;
        Ok(TrustEntry {
            host: row.get(0)?,
            port: row.get(1)?,
            kind: if kind == "ca" {
                TrustKind::Ca
            } else {
                TrustKind::Pin
            },
            der: row.get(3)?,
        })
    })
    .ctx("reading trusted certificates")?
    .collect::<Result<Vec<_>, _>>()
    .ctx("reading trusted certificates")
}
