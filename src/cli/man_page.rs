//! The manual pages the Linux packages install (packaging/linux/man/: `tidings.1` and one page
//! per subcommand, which it refers to) are rendered from the command line's own definition, so
//! they cannot drift from `tidings --help`: this test fails when a committed page differs or is
//! missing, and `TIDINGS_WRITE_MAN=1 cargo test --lib man_page` writes them anew.

use std::collections::BTreeMap;
use std::path::Path;

use clap::CommandFactory;

type Pages = BTreeMap<String, Vec<u8>>;

fn read_pages(dir: &Path) -> std::io::Result<Pages> {
    let mut pages = Pages::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        pages.insert(
            entry.file_name().to_string_lossy().into_owned(),
            std::fs::read(entry.path())?,
        );
    }
    Ok(pages)
}

#[test]
fn the_committed_man_pages_match_the_command_line() -> Result<(), Box<dyn std::error::Error>> {
    let rendered = tempfile::tempdir()?;
    clap_mangen::generate_to(super::Cli::command(), rendered.path())?;
    let pages = read_pages(rendered.path())?;
    assert!(pages.contains_key("tidings.1") && pages.contains_key("tidings-sync.1"));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/linux/man");
    if std::env::var_os("TIDINGS_WRITE_MAN").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed)?;
        for (name, page) in &pages {
            std::fs::write(committed.join(name), page)?;
        }
    }
    let on_disk = read_pages(&committed).unwrap_or_default();
    assert!(
        on_disk == pages,
        "{} is out of date: run TIDINGS_WRITE_MAN=1 cargo test --lib man_page",
        committed.display()
    );
    Ok(())
}
