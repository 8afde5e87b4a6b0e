//! Text from the API (or the user) made safe for a terminal.
//!
//! Anyone who can rename an image in a shared team chooses what other
//! people's terminals receive. Control characters in it could recolour the
//! terminal, set its title, write the clipboard (OSC 52) or move the
//! cursor; bidirectional controls could reorder what is shown. Every line
//! doimg prints in text (tables, progress, warnings, errors) goes through
//! [`for_terminal`], which shows such characters as visible escapes; JSON
//! output uses [`is_hidden`] to write them as `\uXXXX`.

use std::borrow::Cow;
use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

/// Whether `c` changes what a terminal does or how it orders text instead
/// of showing a glyph: C0 and C1 controls, DEL, the bidirectional
/// embeddings, overrides, isolates and marks, and the line and paragraph
/// separators.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_hidden`] character shown as an escape: `\t`,
/// `\n`, `\r`, `\e` (ESC), `\0`, else `\u{hex}` (such as `\u{9b}` or
/// `\u{202e}`). Text without such characters is returned as it is. A
/// backslash is left alone: the escapes are for reading, not for turning
/// back into the original text (`-o json` gives the exact strings).
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\t' => shown.push_str("\\t"),
            '\n' => shown.push_str("\\n"),
            '\r' => shown.push_str("\\r"),
            '\u{1b}' => shown.push_str("\\e"),
            '\0' => shown.push_str("\\0"),
            c if is_hidden(c) => {
                let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
            }
            c => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

/// How many terminal columns `shown` (text already passed through
/// [`for_terminal`]) takes: East Asian wide characters count two, combining
/// marks none.
pub fn columns(shown: &str) -> usize {
    shown.width()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(
            for_terminal("evil\x1b[31mRED\x1b]0;pwned\x07"),
            "evil\\e[31mRED\\e]0;pwned\\u{7}"
        );
        assert_eq!(for_terminal("a\tb\nc\rd\0"), "a\\tb\\nc\\rd\\0");
        assert_eq!(for_terminal("\u{9b}31m\u{7f}"), "\\u{9b}31m\\u{7f}");
        assert_eq!(
            for_terminal("abc\u{202e}fed\u{2066}x\u{2069}"),
            "abc\\u{202e}fed\\u{2066}x\\u{2069}"
        );
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in ["Ubuntu 24.04 (LTS) x64", "日本語の名前", "café", "C:\\path"] {
            assert!(matches!(for_terminal(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(columns("abc"), 3);
        assert_eq!(columns("日本"), 4);
        assert_eq!(columns("e\u{301}"), 1);
    }
}
