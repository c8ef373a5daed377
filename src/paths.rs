//! Where Tidings keeps its files on each platform.

use std::path::{Path, PathBuf};

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

/// Where the log of the store in `data_dir` goes: with the default data directory, the
/// per-user state directory (Linux) or cache directory (Windows, macOS); with one chosen
/// (`--data-dir`, `TIDINGS_DATA_DIR`: tests, portable installs), `logs` inside it, so
/// everything stays together.
pub fn log_dir_for(data_dir: &Path) -> PathBuf {
    let default = ProjectDirs::from("org", "Tidings", "Tidings");
    match default {
        Some(d) if d.data_dir() == data_dir => {
            d.state_dir().unwrap_or_else(|| d.cache_dir()).join("logs")
        }
        _ => data_dir.join("logs"),
    }
}

/// The folder under the per-user cache directory where attachments are put to be opened.
/// There is no shared fallback (such as a fixed name in /tmp, where another user could plant
/// a link): without a home directory, nothing is opened.
pub fn opened_attachments_dir() -> Option<PathBuf> {
    ProjectDirs::from("org", "Tidings", "Tidings").map(|d| d.cache_dir().join("opened"))
}

/// Creates `dir` (and its missing parents) readable by this user only, and tightens it if it
/// already exists: mail, drafts and opened attachments are nobody else's business.
///
/// On Unix that is mode 0700. The per-user locations Windows and macOS give (AppData,
/// ~/Library) are already private to the user, so nothing is changed there.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let meta = std::fs::metadata(dir)?;
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Makes the database file at `path` (created empty if missing) and its WAL and shared-memory
/// files readable by this user only (0600 on Unix). SQLite gives the WAL files the database
/// file's mode, so a private database stays private.
pub fn private_database(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = PathBuf::from(name);
            match std::fs::metadata(&file) {
                Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> std::io::Result<u32> {
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
    }

    #[test]
    fn new_and_existing_files_become_private() -> std::io::Result<()> {
        let root = tempfile::tempdir()?;
        let dir = root.path().join("a/b");
        private_dir(&dir)?;
        assert_eq!(mode(&dir)?, 0o700);
        assert_eq!(mode(&root.path().join("a"))?, 0o700);
        // An existing world-readable store is tightened at the next start.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
        let db = database_file(&dir);
        std::fs::write(&db, b"")?;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644))?;
        let wal = dir.join("mirror.sqlite3-wal");
        std::fs::write(&wal, b"")?;
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644))?;
        private_dir(&dir)?;
        private_database(&db)?;
        assert_eq!(
            (mode(&dir)?, mode(&db)?, mode(&wal)?),
            (0o700, 0o600, 0o600)
        );
        Ok(())
    }
}
