//! The `tidings` program. On Windows it is a GUI-subsystem program, so starting it from the
//! Start menu or a mailto: link opens no console window; `tidings.com` (src/bin/console.rs)
//! is the same program for typing commands in a terminal.

#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    tidings::cli::main()
}
