//! Warnings, errors and the `-v` log on stderr, shown through
//! [`escape::for_terminal`]: they quote the API's messages and the user's
//! input.

use std::fmt;
use std::io::{self, IsTerminal, Write};

use super::escape;

/// Writes `text` and a line break on stderr; a stderr that cannot be
/// written (a closed pipe, as in `2>&1 | head`) drops it: progress and
/// notes are not worth stopping the work for. doimg's `eprintln!`.
pub fn write_line(text: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// Writes `text` on stderr, as [`write_line`] does, without a line break.
/// doimg's `eprint!`.
pub fn write_text(text: fmt::Arguments<'_>) {
    let mut stderr = io::stderr().lock();
    let _ = write!(stderr, "{text}").and_then(|()| stderr.flush());
}

/// Prints `Warning: <message>`.
pub fn warning(message: &str) {
    eprintln!("Warning: {}", escape::for_terminal(message));
}

/// Prints `Note: <message>`: a hint that is not a problem.
pub fn note(message: &str) {
    eprintln!("Note: {}", escape::for_terminal(message));
}

/// Prints `Error: <message>`, the prefix in red on a terminal unless
/// NO_COLOR is set.
pub fn error(message: &str) {
    eprintln!("{} {}", error_prefix(), escape::for_terminal(message));
}

fn error_prefix() -> &'static str {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if color {
        "\x1b[31mError:\x1b[0m"
    } else {
        "Error:"
    }
}

/// The writer of the `-v` log: each line reaches stderr through
/// [`escape::for_terminal`] (the log is therefore never coloured). The log
/// layer writes each event in one call, so lines are never split.
pub struct EscapedLog;

impl Write for EscapedLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut shown = String::with_capacity(text.len());
        for (index, line) in text.split('\n').enumerate() {
            if index > 0 {
                shown.push('\n');
            }
            shown.push_str(&escape::for_terminal(line));
        }
        // A closed stderr drops the log, as it drops every other line.
        let _ = io::stderr().lock().write_all(shown.as_bytes());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}
