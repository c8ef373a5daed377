//! The `tidings` program.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tidings::cli::Cli::parse();
    match tidings::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tidings: {}", tidings::cli::terminal::clean(&message));
            ExitCode::FAILURE
        }
    }
}
