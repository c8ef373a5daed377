//! The `tidings` program.

use std::process::ExitCode;

use tidings::{paths, store};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tidings: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Opens (and migrates) the local mirror and reports what it holds.
fn run() -> Result<(), String> {
    tidings::protocols::tls::install_default_provider();
    let dir = paths::data_dir().ok_or("no home directory to keep mail in")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let db = paths::database_file(&dir);
    let store = store::Store::open(&db).map_err(|e| e.to_string())?;
    let reader = store.reader().map_err(|e| e.to_string())?;
    let accounts = store::accounts::list(&reader).map_err(|e| e.to_string())?;
    println!(
        "Tidings {} — mail store {} (schema {}), {} account(s)",
        env!("CARGO_PKG_VERSION"),
        db.display(),
        store::SCHEMA_VERSION,
        accounts.len()
    );
    for account in accounts {
        let on = |enabled: bool, name: &'static str| if enabled { name } else { "" };
        println!(
            "  {} <{}> {} {} {}",
            account.display_name,
            account.address,
            on(account.imap.enabled, "IMAP"),
            on(account.pop3.enabled, "POP3"),
            on(account.smtp.enabled, "SMTP"),
        );
    }
    Ok(())
}
