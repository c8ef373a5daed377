//! `tidings.com` on Windows: the same program as `tidings.exe`, built for the console
//! subsystem. The GUI-subsystem `tidings.exe` has no console to print to, and cmd and
//! PowerShell run `tidings.com` before `tidings.exe` when a user types `tidings sync`, so the
//! installer puts both side by side. Built only with the `windows-console` feature.

fn main() -> std::process::ExitCode {
    tidings::cli::main()
}
