//! Where Tidings keeps its files on each platform.

use std::path::PathBuf;

use directories::ProjectDirs;

/// The per-user data directory (the SQLite mirror lives here).
///
/// `TIDINGS_DATA_DIR` overrides it, so tests and portable installs choose their own.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TIDINGS_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    ProjectDirs::from("org", "Tidings", "Tidings").map(|dirs| dirs.data_dir().to_path_buf())
}

/// The mirror's database file inside `data_dir`.
pub fn database_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("mirror.sqlite3")
}
