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
        .filter(|c| !is_format_char(*c))
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

/// Creates `path` for writing, failing if it exists; only the user may read it (0600 on Unix).
fn private_new_file(path: &Path) -> io::Result<std::fs::File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
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
        match private_new_file(&path) {
            Ok(mut file) => {
                file.write_all(data)?;
                file.sync_all()?;
                mark_from_internet(&path)?;
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

/// Whether `c` is an invisible format character (Unicode category Cf): bidi overrides and
/// isolates, zero-width marks, tags. In a file name they only serve to disguise it
/// (`invoice\u{202E}fdp.exe` shows as "invoiceexe.pdf"). The zero-width (non-)joiners are
/// left alone: emoji and several scripts need them and they cannot reorder text.
pub fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
        | 0x180E | 0x200B | 0x200E..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
        | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// The operating systems whose lists of dangerous file types differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Linux and the BSDs (freedesktop).
    Unix,
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
}

impl Os {
    /// The system this build runs on.
    pub fn current() -> Os {
        if cfg!(target_os = "windows") {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Unix
        }
    }
}

/// Types Windows runs, or hands to a script host, when opened (after Outlook's and
/// Thunderbird's lists of blocked and warned attachment types).
const WINDOWS_RISKY: &[&str] = &[
    "ade",
    "adp",
    "app",
    "appref-ms",
    "application",
    "appx",
    "appxbundle",
    "bas",
    "bat",
    "cab",
    "chm",
    "cmd",
    "com",
    "cpl",
    "crt",
    "der",
    "diagcab",
    "exe",
    "gadget",
    "hlp",
    "hta",
    "inf",
    "ins",
    "iso",
    "img",
    "isp",
    "jar",
    "js",
    "jse",
    "library-ms",
    "lnk",
    "mde",
    "msc",
    "msh",
    "msh1",
    "msh2",
    "mshxml",
    "msi",
    "msix",
    "msixbundle",
    "msp",
    "mst",
    "one",
    "pcd",
    "pif",
    "plg",
    "ps1",
    "ps1xml",
    "ps2",
    "ps2xml",
    "psc1",
    "psc2",
    "psd1",
    "psm1",
    "pst",
    "reg",
    "scf",
    "scr",
    "sct",
    "search-ms",
    "settingcontent-ms",
    "shb",
    "shs",
    "theme",
    "url",
    "vb",
    "vbe",
    "vbs",
    "vhd",
    "vhdx",
    "vsmacros",
    "vsw",
    "website",
    "ws",
    "wsc",
    "wsf",
    "wsh",
    "xbap",
    "xll",
    "xnk",
];

/// Types a Linux desktop runs or installs when opened.
const UNIX_RISKY: &[&str] = &[
    "desktop",
    "sh",
    "bash",
    "zsh",
    "csh",
    "ksh",
    "run",
    "bin",
    "appimage",
    "flatpakref",
    "flatpakrepo",
    "snap",
    "deb",
    "rpm",
    "jar",
    "py",
    "pyc",
    "pl",
    "rb",
    "php",
    "js",
    "exe",
    "msi",
    "bat",
    "cmd",
    "com",
    "lnk",
    "scr",
    "ps1",
    "vbs",
    "hta",
];

/// Types macOS runs or installs when opened.
const MACOS_RISKY: &[&str] = &[
    "app",
    "command",
    "tool",
    "terminal",
    "pkg",
    "mpkg",
    "dmg",
    "scpt",
    "scptd",
    "applescript",
    "workflow",
    "action",
    "prefpane",
    "kext",
    "webloc",
    "inetloc",
    "fileloc",
    "sh",
    "bash",
    "zsh",
    "py",
    "pl",
    "rb",
    "jar",
    "exe",
    "msi",
    "bat",
    "cmd",
    "lnk",
    "ps1",
    "vbs",
    "hta",
];

/// The extension a name really ends with, lower case ("" for none), after the clean-up
/// saving does.
pub fn extension(name: &str) -> String {
    let safe = safe_file_name(name);
    match safe.rsplit_once('.') {
        Some((base, ext)) if !base.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// Whether opening a file of this name on `os` could run code: asked about first.
pub fn is_risky(name: &str, os: Os) -> bool {
    let ext = extension(name);
    let list = match os {
        Os::Windows => WINDOWS_RISKY,
        Os::Unix => UNIX_RISKY,
        Os::MacOs => MACOS_RISKY,
    };
    !ext.is_empty() && list.contains(&ext.as_str())
}

/// Marks a file saved from mail as coming from the Internet, where the system has such a
/// mark: Windows' Mark of the Web (a `Zone.Identifier` stream, so SmartScreen and Office's
/// Protected View apply) and macOS' quarantine flag (so Gatekeeper checks it before it runs).
/// Linux desktops have no such mark; there saved files are never executable (mode 0600).
pub fn mark_from_internet(path: &Path) -> io::Result<()> {
    #[cfg(target_os = "windows")]
    {
        let mut stream = path.as_os_str().to_owned();
        stream.push(":Zone.Identifier");
        std::fs::write(&stream, b"[ZoneTransfer]\r\nZoneId=3\r\n")?;
    }
    #[cfg(target_os = "macos")]
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        xattr::set(
            path,
            "com.apple.quarantine",
            format!("0081;{now:08x};Tidings;").as_bytes(),
        )?;
    }
    #[cfg(not(any(target_os = "windows", target_os = "macos")))]
    let _ = path;
    Ok(())
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
    fn disguising_characters_are_dropped_and_the_real_type_is_seen() {
        let name = "invoice\u{202E}fdp.exe";
        assert_eq!(safe_file_name(name), "invoicefdp.exe");
        assert_eq!(extension(name), "exe");
        assert!(is_risky(name, Os::Windows) && is_risky(name, Os::Unix));
        assert_eq!(safe_file_name("a\u{200B}b\u{2066}c\u{FEFF}.pdf"), "abc.pdf");
        // Joiners stay: emoji sequences and Persian need them.
        assert_eq!(safe_file_name("👩\u{200D}💻.png"), "👩\u{200D}💻.png");
    }

    #[test]
    fn each_system_warns_about_what_it_would_run() {
        for (name, windows, unix, mac) in [
            ("setup.EXE", true, true, true),
            ("update.lnk", true, true, true),
            ("run.hta", true, true, true),
            ("launcher.desktop", false, true, false),
            ("install.sh", false, true, true),
            ("Reader.app", true, false, true),
            ("open.command", false, false, true),
            ("report.pdf", false, false, false),
            ("报告.docx", false, false, false),
            ("exe", false, false, false),
        ] {
            assert_eq!(is_risky(name, Os::Windows), windows, "{name} on Windows");
            assert_eq!(is_risky(name, Os::Unix), unix, "{name} on Unix");
            assert_eq!(is_risky(name, Os::MacOs), mac, "{name} on macOS");
        }
    }

    #[cfg(unix)]
    #[test]
    fn saved_files_are_private_and_not_executable() -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let path = save(dir.path(), "run.sh", b"#!/bin/sh\n")?;
        assert_eq!(
            std::fs::metadata(&path)?.permissions().mode() & 0o777,
            0o600
        );
        Ok(())
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(980), "980 B");
        assert_eq!(human_size(12_600), "12.3 KB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.0 MB");
    }
}
