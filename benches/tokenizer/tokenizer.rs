//! Where CJK text is cut for the index, measured both ways in one run (issue: "register a
//! custom FTS5 tokenizer through FFI, or segment in Rust before insert and query — measure
//! both"). The shipped way: `search::segment` cuts CJK runs into bigrams in Rust and the stock
//! `unicode61` tokenizer reads the result. The other way: a custom FTS5 tokenizer registered
//! through rusqlite's FFI that cuts CJK runs itself inside SQLite and hands everything else to
//! `unicode61`. Both index the same generated mail text (English and Chinese mixed) into a
//! contentless FTS5 table shaped like the store's, then answer the same queries; the bench
//! fails if any query's hits differ between the two, so the timing compares equal work.
//!
//! `cargo bench -p tidings-tokenizer-bench`; `TIDINGS_BENCH_DOCS` sets the document count (50k).

#[path = "../common/figures.rs"]
mod figures;

use std::ffi::{CStr, c_char, c_int, c_void};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ffi};
use tidings::search::query::{Field, match_expr};
use tidings::search::segment::{for_index, is_cjk};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The custom tokenizer's name in SQLite.
const NAME: &CStr = c"tidings_cjk";

/// The query mix: (what it is, the query text, a lone-character prefix query).
const QUERIES: &[(&str, &str, bool)] = &[
    ("English word", "budget", false),
    ("2-character Chinese word", "报告", false),
    ("4-character Chinese phrase", "季度报告", false),
    ("1-character Chinese prefix", "项", true),
    // Found only through the lone last character of 请查收: the token a query of one
    // character needs when nothing follows it.
    ("1-character Chinese, end of a run", "收", true),
    ("full-width Latin and Chinese", "ＱＱ邮箱", false),
];

const ROUNDS: usize = 200;

// ---- the FFI tokenizer ------------------------------------------------------------------

/// unicode61 as FTS5 hands it out: its factory and the user data to call it with.
struct Unicode61 {
    user: *mut c_void,
    api: ffi::fts5_tokenizer,
}

/// One tokenizer instance: a unicode61 instance for everything that is not CJK.
struct Cjk {
    inner: *mut ffi::Fts5Tokenizer,
    api: ffi::fts5_tokenizer,
}

type TokenFn =
    unsafe extern "C" fn(*mut c_void, c_int, *const c_char, c_int, c_int, c_int) -> c_int;

/// What the inner tokenizer's callback needs to pass tokens on with offsets into the whole text.
struct Shifted {
    ctx: *mut c_void,
    token: TokenFn,
    base: c_int,
}

unsafe extern "C" fn shifted_token(
    ctx: *mut c_void,
    flags: c_int,
    token: *const c_char,
    len: c_int,
    start: c_int,
    end: c_int,
) -> c_int {
    // SAFETY: ctx is the `Shifted` that `tokenize` passed to unicode61 for this call.
    let s = unsafe { &*(ctx as *const Shifted) };
    unsafe { (s.token)(s.ctx, flags, token, len, start + s.base, end + s.base) }
}

unsafe extern "C" fn create(
    user: *mut c_void,
    _args: *mut *const c_char,
    _n: c_int,
    out: *mut *mut ffi::Fts5Tokenizer,
) -> c_int {
    // SAFETY: user is the `Unicode61` registered with this tokenizer; it outlives the
    // connection (the bench leaks it).
    let u = unsafe { &*(user as *const Unicode61) };
    let Some(make) = u.api.xCreate else {
        return ffi::SQLITE_ERROR;
    };
    let mut args = [c"remove_diacritics".as_ptr(), c"2".as_ptr()];
    let mut inner = std::ptr::null_mut();
    let rc = unsafe { make(u.user, args.as_mut_ptr(), 2, &mut inner) };
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    let cjk = Box::new(Cjk { inner, api: u.api });
    unsafe { *out = Box::into_raw(cjk) as *mut ffi::Fts5Tokenizer };
    ffi::SQLITE_OK
}

unsafe extern "C" fn delete(tokenizer: *mut ffi::Fts5Tokenizer) {
    // SAFETY: made by `create` from a Box<Cjk>.
    let cjk = unsafe { Box::from_raw(tokenizer as *mut Cjk) };
    if let Some(free) = cjk.api.xDelete {
        unsafe { free(cjk.inner) };
    }
}

/// Runs unicode61 over `text[start..end]`, offsets shifted to the whole text.
unsafe fn latin(cjk: &Cjk, shifted: &mut Shifted, flags: c_int, text: &str, start: usize) -> c_int {
    if text.trim().is_empty() {
        return ffi::SQLITE_OK;
    }
    let Some(run) = cjk.api.xTokenize else {
        return ffi::SQLITE_ERROR;
    };
    shifted.base = start as c_int;
    // Full-width letters as ASCII, as `segment` does (unicode61 does not narrow them).
    let narrowed: String;
    let text = if text
        .chars()
        .any(|c| matches!(c as u32, 0xFF01..=0xFF5E | 0x3000))
    {
        narrowed = text
            .chars()
            .map(|c| match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                0x3000 => ' ',
                _ => c,
            })
            .collect();
        narrowed.as_str()
    } else {
        text
    };
    unsafe {
        run(
            cjk.inner,
            shifted as *mut Shifted as *mut c_void,
            flags,
            text.as_ptr() as *const c_char,
            text.len() as c_int,
            Some(shifted_token),
        )
    }
}

/// A CJK run as overlapping bigrams; indexing also emits the last character alone (so a
/// one-character prefix query finds it), a query only the bigrams, as `segment` does.
unsafe fn cjk_run(shifted: &Shifted, flags: c_int, text: &str, start: usize) -> c_int {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let query = flags & ffi::FTS5_TOKENIZE_QUERY != 0;
    let emit = |from: usize, to: usize| -> c_int {
        let token = &text[from..to];
        unsafe {
            (shifted.token)(
                shifted.ctx,
                0,
                token.as_ptr() as *const c_char,
                token.len() as c_int,
                (start + from) as c_int,
                (start + to) as c_int,
            )
        }
    };
    for pair in chars.windows(2) {
        let end = pair[1].0 + pair[1].1.len_utf8();
        let rc = emit(pair[0].0, end);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
    }
    if let Some(&(at, c)) = chars.last()
        && (!query || chars.len() == 1)
    {
        return emit(at, at + c.len_utf8());
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn tokenize(
    tokenizer: *mut ffi::Fts5Tokenizer,
    ctx: *mut c_void,
    flags: c_int,
    text: *const c_char,
    len: c_int,
    token: Option<TokenFn>,
) -> c_int {
    let Some(token) = token else {
        return ffi::SQLITE_ERROR;
    };
    // SAFETY: FTS5 passes the instance `create` made and `len` bytes of text.
    let cjk = unsafe { &*(tokenizer as *const Cjk) };
    let bytes = unsafe { std::slice::from_raw_parts(text as *const u8, len.max(0) as usize) };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return ffi::SQLITE_ERROR;
    };
    let mut shifted = Shifted {
        ctx,
        token,
        base: 0,
    };
    let mut start = 0;
    let mut in_cjk = false;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let here = at < text.len() && is_cjk(c);
        if here == in_cjk {
            continue;
        }
        let piece = &text[start..at];
        let rc = if in_cjk {
            unsafe { cjk_run(&shifted, flags, piece, start) }
        } else {
            unsafe { latin(cjk, &mut shifted, flags, piece, start) }
        };
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        start = at;
        in_cjk = here;
    }
    if !in_cjk && start < text.len() {
        return unsafe { latin(cjk, &mut shifted, flags, &text[start..], start) };
    }
    ffi::SQLITE_OK
}

/// Registers `tidings_cjk` on `conn`: the fts5_api pointer from `SELECT fts5(?1)` (SQLite's
/// documented way), unicode61 found through it, our tokenizer created over it.
fn register(conn: &Connection) -> Result<()> {
    let mut api: *mut ffi::fts5_api = std::ptr::null_mut();
    // SAFETY: the statement is prepared, bound, stepped and finalised on this connection's
    // handle; the pointer it fills lives as long as the connection.
    unsafe {
        let db = conn.handle();
        let mut stmt = std::ptr::null_mut();
        let sql = c"SELECT fts5(?1)";
        if ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, std::ptr::null_mut())
            != ffi::SQLITE_OK
        {
            return Err("preparing SELECT fts5(?1)".into());
        }
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            &mut api as *mut *mut ffi::fts5_api as *mut c_void,
            c"fts5_api_ptr".as_ptr(),
            None,
        );
        ffi::sqlite3_step(stmt);
        ffi::sqlite3_finalize(stmt);
        if api.is_null() {
            return Err("this SQLite hands out no fts5_api".into());
        }
        let find = (*api).xFindTokenizer.ok_or("no xFindTokenizer")?;
        let unicode61 = Box::leak(Box::new(Unicode61 {
            user: std::ptr::null_mut(),
            api: ffi::fts5_tokenizer {
                xCreate: None,
                xDelete: None,
                xTokenize: None,
            },
        }));
        if find(
            api,
            c"unicode61".as_ptr(),
            &mut unicode61.user,
            &mut unicode61.api,
        ) != ffi::SQLITE_OK
        {
            return Err("unicode61 not found".into());
        }
        let mut ours = ffi::fts5_tokenizer {
            xCreate: Some(create),
            xDelete: Some(delete),
            xTokenize: Some(tokenize),
        };
        let make = (*api).xCreateTokenizer.ok_or("no xCreateTokenizer")?;
        if make(
            api,
            NAME.as_ptr(),
            unicode61 as *mut Unicode61 as *mut c_void,
            &mut ours,
            None,
        ) != ffi::SQLITE_OK
        {
            return Err("registering the tokenizer failed".into());
        }
    }
    Ok(())
}

// ---- the documents ---------------------------------------------------------------------

const ZH: &[&str] = &[
    "第三季度报告会定于下周二上午召开",
    "请各部门在周五前提交项目进度更新",
    "关于年度预算调整的通知",
    "你好，附件是本月的销售数据和分析报告",
    "会议纪要已经整理完毕，请查收",
    "项目组将于明天进行系统升级，届时服务暂停两小时",
    "感谢您的耐心等待，我们已经处理了您的申请",
    "ＱＱ邮箱和网易邮箱的用户请注意更新客户端",
];

const EN: &[&str] = &[
    "budget",
    "meeting",
    "quarterly",
    "report",
    "schedule",
    "invoice",
    "review",
    "draft",
    "update",
    "project",
    "release",
    "customer",
    "support",
    "naïve",
    "café",
    "résumé",
    "Q3",
    "deadline",
    "agenda",
    "numbers",
    "attached",
    "please",
    "thanks",
    "the",
    "and",
    "for",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Mail-sized text: English sentences with Chinese ones mixed in, about 1 KB.
fn documents(count: usize) -> Vec<String> {
    let mut rng = Rng(7);
    (0..count)
        .map(|n| {
            let mut text = String::new();
            for line in 0..12 {
                if (n + line) % 3 == 0 {
                    text.push_str(ZH[rng.below(ZH.len())]);
                    text.push('。');
                } else {
                    for _ in 0..10 {
                        text.push_str(EN[rng.below(EN.len())]);
                        text.push(' ');
                    }
                }
                text.push('\n');
            }
            text
        })
        .collect()
}

// ---- the runs --------------------------------------------------------------------------

/// One way of indexing: the table's tokenizer, how a document is stored, how a query is
/// written.
struct Way {
    name: &'static str,
    tokenize: &'static str,
    store: fn(&str) -> String,
    query: fn(&str, bool) -> Option<String>,
}

fn presegmented_query(text: &str, _prefix: bool) -> Option<String> {
    match_expr(Field::Any, text)
}

fn raw_query(text: &str, prefix: bool) -> Option<String> {
    let phrase = format!("\"{}\"", text.replace('"', "\"\""));
    Some(if prefix {
        format!("{phrase} *")
    } else {
        phrase
    })
}

const WAYS: [Way; 2] = [
    Way {
        name: "segment in Rust (shipped)",
        tokenize: "unicode61 remove_diacritics 2",
        store: for_index,
        query: presegmented_query,
    },
    Way {
        name: "FFI tokenizer",
        tokenize: "tidings_cjk",
        store: |text| text.to_owned(),
        query: raw_query,
    },
];

struct Measured {
    build: Duration,
    query: Duration,
    pages: i64,
    hits: Vec<Vec<i64>>,
}

fn run(way: &Way, docs: &[String]) -> Result<Measured> {
    let dir = tempfile_dir()?;
    let conn = Connection::open(dir.join("index.db"))?;
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    register(&conn)?;
    conn.execute_batch(&format!(
        "CREATE VIRTUAL TABLE search USING fts5(body, content = '', contentless_delete = 1, \
         tokenize = '{}')",
        way.tokenize
    ))?;
    let start = Instant::now();
    for (chunk_no, chunk) in docs.chunks(500).enumerate() {
        let tx = conn.unchecked_transaction()?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO search (rowid, body) VALUES (?1, ?2)")?;
            for (i, doc) in chunk.iter().enumerate() {
                insert.execute(rusqlite::params![
                    (chunk_no * 500 + i) as i64,
                    (way.store)(doc)
                ])?;
            }
        }
        tx.commit()?;
    }
    let build = start.elapsed();
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;

    let mut hits = Vec::new();
    let mut stmt = conn.prepare("SELECT rowid FROM search WHERE search MATCH ?1 ORDER BY rowid")?;
    let start = Instant::now();
    for round in 0..ROUNDS {
        for (_, text, prefix) in QUERIES {
            let expr = (way.query)(text, *prefix).ok_or("a query with nothing to search")?;
            let ids = stmt
                .query_map([&expr], |r| r.get::<_, i64>(0))?
                .collect::<std::result::Result<Vec<_>, _>>()?;
            if round == 0 {
                hits.push(ids);
            }
        }
    }
    let query = start.elapsed();
    drop(stmt);
    drop(conn);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Measured {
        build,
        query,
        pages,
        hits,
    })
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("tidings-tokenizer-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn main() -> Result<()> {
    let count: usize = std::env::var("TIDINGS_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let docs = documents(count);
    // Best of two alternated runs each, so neither way gets the warmer cache.
    let mut best: [Option<Measured>; 2] = [None, None];
    for _ in 0..2 {
        for (i, way) in WAYS.iter().enumerate() {
            let m = run(way, &docs)?;
            best[i] = Some(match best[i].take() {
                Some(old) => Measured {
                    build: old.build.min(m.build),
                    query: old.query.min(m.query),
                    ..m
                },
                None => m,
            });
        }
    }
    let [Some(ours), Some(ffi)] = best else {
        return Err("a run is missing".into());
    };
    for (i, (what, text, _)) in QUERIES.iter().enumerate() {
        if ours.hits[i] != ffi.hits[i] {
            return Err(format!(
                "{what} ({text}): the two ways disagree ({} vs {} hits)",
                ours.hits[i].len(),
                ffi.hits[i].len()
            )
            .into());
        }
        if ours.hits[i].is_empty() {
            return Err(format!("{what} ({text}) finds nothing: the mix tests nothing").into());
        }
    }
    let label = figures::count_label(count as u64);
    println!(
        "| measure | {} | {} | FFI / shipped | README's last |",
        WAYS[0].name, WAYS[1].name
    );
    println!("|---|---|---|---|---|");
    figures::row(
        &format!("index build, {label} documents"),
        &[
            format!("{:.2} s", ours.build.as_secs_f64()),
            format!("{:.2} s", ffi.build.as_secs_f64()),
        ],
        ffi.build.as_secs_f64() / ours.build.as_secs_f64(),
    );
    figures::row(
        &format!("index size, {label} documents"),
        &[
            format!("{} pages", ours.pages),
            format!("{} pages", ffi.pages),
        ],
        ffi.pages as f64 / ours.pages as f64,
    );
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / (ROUNDS * QUERIES.len()) as f64;
    figures::row(
        &format!("query, mean of the mix, {label} documents"),
        &[
            format!("{:.3} ms", per(ours.query)),
            format!("{:.3} ms", per(ffi.query)),
        ],
        per(ffi.query) / per(ours.query),
    );
    Ok(())
}
