//! The search field's state while it holds something: the query, its hits, and the search on
//! the servers.

use std::collections::HashSet;
use std::sync::Arc;

/// The message list's stand-in folder id while it shows search results.
pub const RESULTS: i64 = -1;
/// The field's widget id.
pub const FIELD: &str = "search-field";

/// The search's state while the field holds something.
#[derive(Debug, Clone, Default)]
pub struct SearchBox {
    /// What is typed.
    pub text: String,
    /// Its words as the reader marks them (worked out once per change, not per paragraph).
    pub needles: Vec<String>,
    /// Only the folder open when the search started.
    pub scoped: bool,
    /// Bumped by every change, so a late answer to an old query is dropped.
    pub generation: u64,
    /// The hits of the newest finished search, newest first (None while the first runs).
    pub hits: Option<Arc<Vec<i64>>>,
    /// The search on the servers for this query.
    pub server: Server,
    /// Hits only the servers found (marked in the list).
    pub on_server: Arc<HashSet<i64>>,
}

/// Where the search on the servers is for the current query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Server {
    /// Not asked.
    #[default]
    Idle,
    /// Asked; the engine answers this request.
    Running(u64),
    /// Answered: how many hits only the servers had, and what failed (translated).
    Done { more: usize, failures: Vec<String> },
}

/// One page of search results: the hits' count and the rows of page `page` (hits gone from
/// the mirror meanwhile are left out).
pub fn results_page(
    path: &std::path::Path,
    hits: &[i64],
    page: u32,
) -> Result<super::data::Page, crate::store::StoreError> {
    let per = super::list::PAGE as usize;
    let start = (page as usize * per).min(hits.len());
    let end = (start + per).min(hits.len());
    let rows = super::data::envelopes(path, &hits[start..end])?;
    Ok(super::data::Page {
        total: hits.len() as u32,
        rows,
        summaries: Vec::new(),
    })
}

/// The local hits and the servers' together, newest first, and the ids only the servers found.
pub fn merge(
    path: &std::path::Path,
    local: &[i64],
    found: &[i64],
) -> Result<(Vec<i64>, HashSet<i64>), crate::store::StoreError> {
    let known: HashSet<i64> = local.iter().copied().collect();
    let only: HashSet<i64> = found
        .iter()
        .filter(|id| !known.contains(id))
        .copied()
        .collect();
    let all: Vec<i64> = local.iter().chain(&only).copied().collect();
    let conn = crate::store::open_reader(path)?;
    let merged = crate::search::newest_first(&conn, &all, &Default::default())?;
    Ok((merged, only))
}
