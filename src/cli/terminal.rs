//! Text from mail and servers, made safe to print. A subject, a name or a server's reply can
//! carry escape sequences that clear the screen, retitle the window or hide a link's target
//! (OSC 8); bidi controls reorder what is shown. Printed output replaces them, whether it goes
//! to a terminal or a pipe (which often ends in one).

use super::error::{CliError, Kind};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether `c` must not reach a terminal: C0 controls but tab and newline, DEL, C1 controls,
/// and invisible format characters (bidi overrides, zero-width marks).
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || crate::mime::attachments::is_format_char(c)
}

/// `text` with every unsafe character replaced by U+FFFD, so a reader sees that something
/// was there.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// A JSON document with the unsafe characters its encoder left raw written as `\uXXXX`
/// escapes: the data stays exact for programs, and nothing reaches a terminal raw.
pub fn clean_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_unsafe(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The exit status of a program whose reader went away (128 + SIGPIPE), as shells report
/// for `yes | head`.
pub const BROKEN_PIPE_STATUS: i32 = 141;

/// Writes `text` to standard output; when the reader is gone (`tidings list | head`), ends
/// the program quietly, as Unix tools do, instead of printing "Broken pipe".
pub fn out(text: &str) {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    // A line that updates in place is ended before anything else is printed.
    let ended = if !text.starts_with('\r') && PROGRESS_OPEN.swap(false, Ordering::Relaxed) {
        stdout.write_all(b"\n")
    } else {
        Ok(())
    };
    if let Err(e) = ended
        .and_then(|()| stdout.write_all(text.as_bytes()))
        .and_then(|()| stdout.flush())
    {
        exit_if_gone(&e);
    }
}

/// Ends an updating progress line, before an error goes to standard error.
pub fn end_progress() {
    if PROGRESS_OPEN.load(Ordering::Relaxed) {
        out("");
    }
}

/// Whether the last thing printed is a progress line still open (no newline yet).
static PROGRESS_OPEN: AtomicBool = AtomicBool::new(false);

/// Ends the program quietly when `e` says standard output's reader went away.
pub fn exit_if_gone(e: &std::io::Error) {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(BROKEN_PIPE_STATUS);
    }
}

/// Writes one line of a listing (unsafe characters replaced); a reader that went away ends the
/// program quietly.
pub fn print_line(out: &mut impl std::io::Write, line: &str) -> Result<(), CliError> {
    writeln!(out, "{}", clean(line)).map_err(|e| {
        exit_if_gone(&e);
        CliError::new(Kind::Io, format!("cannot print: {e}"))
    })
}

/// Flushes a listing, as `print_line` handles errors.
pub fn flush(out: &mut impl std::io::Write) -> Result<(), CliError> {
    out.flush().map_err(|e| {
        exit_if_gone(&e);
        CliError::new(Kind::Io, format!("cannot print: {e}"))
    })
}

/// Prints a line to standard output with unsafe characters replaced.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::terminal::out(&format!(
            "{}\n",
            $crate::cli::terminal::clean(&format!($($arg)*))
        ))
    };
}

/// Prints a line to standard error with unsafe characters replaced.
macro_rules! say_err {
    ($($arg:tt)*) => {{
        $crate::cli::terminal::end_progress();
        eprintln!("{}", $crate::cli::terminal::clean(&format!($($arg)*)))
    }};
}

/// Download progress as one line that updates in place on a terminal, and as a line every
/// few seconds (and the last one) when the output goes to a file or pipe.
pub struct Progress {
    on_terminal: bool,
    last: Option<std::time::Instant>,
}

/// How often progress is printed when the output is not a terminal.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

impl Progress {
    /// Progress for standard output.
    pub fn new() -> Progress {
        use std::io::IsTerminal as _;
        Progress {
            on_terminal: std::io::stdout().is_terminal(),
            last: None,
        }
    }

    /// Shows `line` (already safe to print) as the current progress.
    pub fn show(&mut self, line: &str, finished: bool) {
        if self.on_terminal {
            // Carriage return, then clear to the end of the line: the line is our own text.
            out(&format!("\r{line}\x1b[K"));
            PROGRESS_OPEN.store(!finished, Ordering::Relaxed);
            if finished {
                out("\n");
            }
            return;
        }
        let due = self.last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
        if finished || due {
            out(&format!("{line}\n"));
            self.last = Some(std::time::Instant::now());
        }
    }
}

impl Default for Progress {
    fn default() -> Progress {
        Progress::new()
    }
}

pub(crate) use {say, say_err};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_controls_are_replaced() {
        let hostile = "Hi\x1b[2J\x1b]0;pwned\x07 \x1b]8;;https://evil.test\x1b\\bank\x1b]8;;\x1b\\ \u{9b}31m invoice\u{202E}fdp.exe\tok\n";
        let shown = clean(hostile);
        assert!(!shown.chars().any(is_unsafe), "{shown:?}");
        assert!(shown.contains("invoice\u{FFFD}fdp.exe\tok\n"));
        assert!(shown.contains("bank"));
    }

    #[test]
    fn json_keeps_the_data_as_escapes() -> Result<(), serde_json::Error> {
        let value = serde_json::json!({ "subject": "a\u{9b}b\u{202E}c\x1bd" });
        let printed = clean_json(&value.to_string());
        assert!(!printed.chars().any(is_unsafe), "{printed:?}");
        let back: serde_json::Value = serde_json::from_str(&printed)?;
        assert_eq!(back, value);
        Ok(())
    }
}
