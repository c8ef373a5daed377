//! Saving attachments: a file name that cannot escape the chosen folder, never overwriting.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Names Windows reserves for devices, with or without an extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Longest file name we write, in bytes (most file systems allow 255).
const MAX_NAME_BYTES: usize = 200;

/// A file name safe on every platform: no path separators, no `..`, no control characters, no
/// characters Windows forbids, no reserved device names, not empty, not too long.
pub fn safe_file_name(name: &str) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    // Leading dots hide files or walk up; trailing dots and spaces vanish on Windows.
    clean = clean
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' '])
        .to_owned();
    while clean.contains("..") {
        clean = clean.replace("..", ".");
    }
    let stem = clean
        .split('.')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if RESERVED.contains(&stem.as_str()) {
        clean = format!("_{clean}");
    }
    if clean.is_empty() {
        clean = "attachment".to_owned();
    }
    if clean.len() > MAX_NAME_BYTES {
        let (base, ext) = match clean.rfind('.') {
            Some(i) if clean.len() - i <= 16 => (&clean[..i], &clean[i..]),
            _ => (clean.as_str(), ""),
        };
        let mut cut = MAX_NAME_BYTES.saturating_sub(ext.len());
        while !base.is_char_boundary(cut.min(base.len())) {
            cut -= 1;
        }
        clean = format!("{}{ext}", &base[..cut.min(base.len())]);
    }
    clean
}

/// Writes `data` into `folder` under a safe form of `name`; if that exists, as "name (2).ext"
/// and so on. Returns the path written. Creation is exclusive, so nothing is overwritten even
/// if another program creates the same name at the same moment.
pub fn save(folder: &Path, name: &str, data: &[u8]) -> io::Result<PathBuf> {
    let safe = safe_file_name(name);
    let (base, ext) = match safe.rfind('.') {
        Some(i) if i > 0 => (&safe[..i], &safe[i..]),
        _ => (safe.as_str(), ""),
    };
    for n in 1..10_000 {
        let candidate = if n == 1 {
            safe.clone()
        } else {
            format!("{base} ({n}){ext}")
        };
        let path = folder.join(&candidate);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.write_all(data)?;
                file.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("too many files called {safe} in {}", folder.display()),
    ))
}

/// Opens a saved attachment with the operating system's default application.
pub fn open_with_default_app(path: &Path) -> io::Result<()> {
    #[cfg(target_os = "windows")]
    let mut command = {
        // `start` is a shell built-in; the empty title keeps quoted paths working.
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]).arg(path);
        c
    };
    #[cfg(target_os = "macos")]
    let mut command = {
        let mut c = std::process::Command::new("open");
        c.arg(path);
        c
    };
    #[cfg(not(any(target_os = "windows", target_os = "macos")))]
    let mut command = {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(path);
        c
    };
    command.spawn().map(|_| ())
}

/// Human-readable size: 980 B, 12.3 KB, 4.0 MB.
pub fn human_size(bytes: usize) -> String {
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.1} GB", b / (1024.0 * 1024.0 * 1024.0))
    }
}

/// The MIME type for a file name's extension (the common ones; others are octet-stream).
pub fn mime_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "zip" => "application/zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape_or_hit_reserved_devices() {
        assert_eq!(safe_file_name("../../etc/passwd"), "_._etc_passwd");
        assert_eq!(safe_file_name("..\\..\\boot.ini"), "_._boot.ini");
        assert_eq!(safe_file_name("CON"), "_CON");
        assert_eq!(safe_file_name("aux.txt"), "_aux.txt");
        assert_eq!(safe_file_name("a\u{0}b\nc.pdf"), "a_b_c.pdf");
        assert_eq!(safe_file_name("..."), "attachment");
        assert_eq!(safe_file_name("报告 2024.pdf"), "报告 2024.pdf");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        let long = format!("{}.pdf", "长".repeat(200));
        let cut = safe_file_name(&long);
        assert!(cut.len() <= MAX_NAME_BYTES && cut.ends_with(".pdf"));
    }

    #[test]
    fn saving_never_overwrites_and_stays_inside() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let a = save(dir.path(), "报告.pdf", b"one")?;
        let b = save(dir.path(), "报告.pdf", b"two")?;
        let c = save(dir.path(), "../报告.pdf", b"three")?;
        assert_eq!(a, dir.path().join("报告.pdf"));
        assert_eq!(b, dir.path().join("报告 (2).pdf"));
        assert!(c.starts_with(dir.path()));
        assert_eq!(std::fs::read(&a)?, b"one");
        assert_eq!(std::fs::read(&b)?, b"two");
        Ok(())
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(980), "980 B");
        assert_eq!(human_size(12_600), "12.3 KB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.0 MB");
    }
}
