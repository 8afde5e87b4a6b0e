//! Warnings and errors on stderr, shown through [`escape::for_terminal`]:
//! they quote the API's messages and the user's input.

use std::io::IsTerminal;

use super::escape;

/// Prints `Warning: <message>`.
pub fn warning(message: &str) {
    eprintln!("Warning: {}", escape::for_terminal(message));
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
