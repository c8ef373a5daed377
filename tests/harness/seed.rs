//! A fast, deterministic seeder: writes messages straight into a user's maildir.
//!
//! Message `n` is always the same bytes, so tests can assert on content and benchmarks compare
//! like with like. Writing maildir files directly seeds 100k messages in about a minute; going
//! through LMTP would take far longer.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use super::daemon::ids_of;
use super::dovecot::chown_tree;
use super::{DOMAIN, Result, Servers};

/// What a seeded message is like, for tests to check against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    /// The Message-ID without brackets.
    pub message_id: String,
    /// The decoded subject.
    pub subject: String,
    /// Unix seconds of its Date header.
    pub date: i64,
    /// Whether it carries an attachment.
    pub has_attachment: bool,
    /// Size of the file written.
    pub size: usize,
    /// The Message-ID it answers (without brackets), or "".
    pub in_reply_to: String,
}

/// Newest seeded message's date; message n is n × 37 minutes older.
const BASE_DATE: i64 = 1_790_000_000;

impl Servers {
    /// Writes messages `first..first + count` into `user`'s `folder` ("INBOX", "Sent", ...).
    pub fn seed(&self, user: &str, folder: &str, first: u64, count: u64) -> Result<Vec<Seeded>> {
        let maildir = self.maildir(user, folder);
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(maildir.join(sub))?;
        }
        let cur = maildir.join("cur");
        let mut out = Vec::with_capacity(count as usize);
        for n in first..first + count {
            let (bytes, seeded) = message(n);
            let flags = if n % 3 == 0 { "S" } else { "" };
            let name = format!(
                "{}.M{n}P1.seed,S={}:2,{flags}",
                BASE_DATE - n as i64 * 2220,
                bytes.len()
            );
            fs::write(cur.join(name), &bytes)?;
            out.push(seeded);
        }
        let (uid, gid) = ids_of("mail")?;
        chown_tree(&self.root().join("mail"), uid, gid)?;
        Ok(out)
    }
}

impl Servers {
    /// Puts `raw` into `user`'s `folder` as one more message, byte for byte.
    pub fn deliver_raw(&self, user: &str, folder: &str, name: &str, raw: &[u8]) -> Result<()> {
        let maildir = self.maildir(user, folder);
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(maildir.join(sub))?;
        }
        fs::write(
            maildir
                .join("cur")
                .join(format!("{name}.raw,S={}:2,", raw.len())),
            raw,
        )?;
        let (uid, gid) = ids_of("mail")?;
        chown_tree(&self.root().join("mail"), uid, gid)
    }
}

/// A small deterministic generator (xorshift) so message n never changes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "meeting", "report", "budget", "travel", "tomorrow", "project", "update", "review", "lunch",
    "invoice", "draft", "schedule", "release", "garden", "photos", "weekend", "family", "notes",
];
const ZH_SUBJECTS: &[&str] = &[
    "会议纪要",
    "项目进度更新",
    "周末聚餐",
    "发票已开具",
    "旅行计划",
];
const PEOPLE: &[(&str, &str)] = &[
    ("Alice Example", "alice"),
    ("Bob Builder", "bob"),
    ("Carol Chen", "carol"),
    ("张伟", "zhang.wei"),
    ("Dana Doe", "dana"),
];

/// Builds message `n`: its bytes and what tests may check.
pub fn message(n: u64) -> (Vec<u8>, Seeded) {
    let mut rng = Rng::new(n + 1);
    let date = BASE_DATE - n as i64 * 2220;
    let (from_name, from_local) = PEOPLE[(n % PEOPLE.len() as u64) as usize];
    let kind = n % 10;
    let subject = match kind {
        3 => format!(
            "{} #{n}",
            ZH_SUBJECTS[(n / 10 % ZH_SUBJECTS.len() as u64) as usize]
        ),
        7 => format!(
            "GBK {} #{n}",
            ZH_SUBJECTS[(n / 10 % ZH_SUBJECTS.len() as u64) as usize]
        ),
        _ => format!(
            "{} {} #{n}",
            WORDS[rng.below(WORDS.len() as u64) as usize],
            WORDS[rng.below(WORDS.len() as u64) as usize]
        ),
    };
    let encoded_subject = match kind {
        3 => format!("=?UTF-8?B?{}?=", B64.encode(subject.as_bytes())),
        7 => {
            let (gbk, _, _) = encoding_rs::GBK.encode(&subject);
            format!("=?GBK?B?{}?=", B64.encode(&gbk))
        }
        _ => subject.clone(),
    };
    let encoded_from = if from_name.is_ascii() {
        format!("\"{from_name}\"")
    } else {
        format!("=?UTF-8?B?{}?=", B64.encode(from_name.as_bytes()))
    };
    let message_id = format!("seed-{n}@{DOMAIN}");
    let mut head = String::new();
    let _ = write!(
        head,
        "Return-Path: <{from_local}@example.org>\r\n\
         From: {encoded_from} <{from_local}@example.org>\r\n\
         To: <alice@{DOMAIN}>\r\n\
         Subject: {encoded_subject}\r\n\
         Date: {}\r\n\
         Message-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\n",
        rfc2822(date)
    );
    // Every fifth message answers the one five before it, so threads form.
    let mut in_reply_to = String::new();
    if n % 5 == 4 && n >= 5 {
        let parent = format!("seed-{}@{DOMAIN}", n - 5);
        in_reply_to = parent.clone();
        let _ = write!(
            head,
            "In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"
        );
    }

    let text = body_text(&mut rng, n);
    let has_attachment = n % 20 == 9;
    let body = if has_attachment {
        // Mostly small attachments; every 200th message carries one of up to 1 MB.
        let size = if n % 200 == 9 {
            1_048_576
        } else {
            2_000 + rng.below(30_000) as usize
        };
        let data: Vec<u8> = (0..size).map(|i| (i as u64 * 31 + n) as u8).collect();
        let boundary = format!("=_mixed_{n}");
        format!(
            "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
             --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
             --{boundary}\r\nContent-Type: application/octet-stream; name=\"data-{n}.bin\"\r\n\
             Content-Disposition: attachment; filename=\"data-{n}.bin\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--{boundary}--\r\n",
            wrap76(&B64.encode(&data))
        )
        .into_bytes()
    } else if kind == 7 {
        let plain = format!("{subject}\r\n{text}");
        let (gbk, _, _) = encoding_rs::GBK.encode(&plain);
        let mut b =
            b"Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                .to_vec();
        b.extend_from_slice(&gbk);
        b.extend_from_slice(b"\r\n");
        b
    } else if kind.is_multiple_of(2) {
        let boundary = format!("=_alt_{n}");
        format!(
            "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n\
             --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
             --{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
             <html><body><p>{}</p></body></html>\r\n--{boundary}--\r\n",
            text.replace("\r\n", "</p><p>")
        )
        .into_bytes()
    } else {
        format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n").into_bytes()
    };
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&body);
    let seeded = Seeded {
        message_id,
        subject,
        date,
        has_attachment,
        size: bytes.len(),
        in_reply_to,
    };
    (bytes, seeded)
}

/// 2–20 KB of lines, some quoted and some in Chinese.
fn body_text(rng: &mut Rng, n: u64) -> String {
    let target = 2_000 + rng.below(18_000) as usize;
    let mut text = format!("Hello,\r\n\r\nThis is seeded message {n}.\r\n");
    while text.len() < target {
        let words = 6 + rng.below(10);
        let mut line = String::new();
        if rng.below(8) == 0 {
            line.push_str("> ");
        }
        for _ in 0..words {
            if rng.below(12) == 0 {
                line.push_str("你好世界 ");
            } else {
                line.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
                line.push(' ');
            }
        }
        text.push_str(line.trim_end());
        text.push_str("\r\n");
    }
    text
}

fn wrap76(s: &str) -> String {
    s.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// RFC 2822 date in UTC from unix seconds (civil-from-days, no time crate needed).
fn rfc2822(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[days.rem_euclid(7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Whether `dir` holds `count` message files (for tests of the seeder itself).
pub fn count_files(dir: &Path) -> Result<usize> {
    Ok(fs::read_dir(dir.join("cur"))?.count() + fs::read_dir(dir.join("new"))?.count())
}
