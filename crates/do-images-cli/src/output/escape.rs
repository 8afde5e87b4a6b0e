//! Text from the API (or the user) made safe for a terminal.
//!
//! Anyone who can rename an image in a shared team chooses what other
//! people's terminals receive. Control characters in it could recolour the
//! terminal, set its title, write the clipboard (OSC 52) or move the
//! cursor; bidirectional controls could reorder what is shown; zero-width
//! and format characters could make two different names look the same.
//! Every line doimg prints in text (tables, progress, warnings, errors)
//! goes through [`for_terminal`], which shows such characters as visible
//! escapes; JSON output uses [`is_hidden`] to write the controls as
//! `\uXXXX`.

use std::borrow::Cow;
use std::fmt::Write;

use unicode_general_category::{GeneralCategory, get_general_category};
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

/// Whether text output shows `c` as an escape although it changes nothing
/// on the terminal: it takes no room or looks like no character at all,
/// so that two names that look the same would differ invisibly. These
/// are the format characters (Unicode category Cf: zero-width spaces and
/// joiners, word joiner, soft hyphen, byte order mark, the tag characters
/// U+E0000..U+E007F) and the other default-ignorable ones: the combining
/// grapheme joiner, variation selectors, the Hangul fillers and the
/// Mongolian and Khmer invisible letters. An emoji sequence joined by
/// U+200D is therefore shown with its joiners spelled out.
fn is_invisible(c: char) -> bool {
    get_general_category(c) == GeneralCategory::Format
        || matches!(
            c,
            '\u{034f}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{ffa0}'
                | '\u{e0100}'..='\u{e01ef}'
        )
}

/// Whether text output escapes `c`: [`is_hidden`] or invisible.
fn is_escaped_in_text(c: char) -> bool {
    is_hidden(c) || is_invisible(c)
}

/// `text` with every [`is_hidden`] or invisible character (zero-width,
/// format, tag characters...) shown as an escape: `\t`, `\n`, `\r`, `\e`
/// (ESC), `\0`, else `\u{hex}` (such as `\u{9b}`, `\u{202e}` or
/// `\u{200b}`). Text without such characters is returned as it is. A
/// backslash is left alone: the escapes are for reading, not for turning
/// back into the original text (`-o json` gives the exact strings).
/// Secrets are removed first (see [`super::redaction`]).
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    match super::redaction::redact(text) {
        Cow::Borrowed(text) => escaped(text),
        Cow::Owned(redacted) => Cow::Owned(escaped(&redacted).into_owned()),
    }
}

fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_escaped_in_text) {
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
            c if is_escaped_in_text(c) => {
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
    fn invisible_and_format_characters_become_visible() {
        assert_eq!(
            for_terminal("web\u{200b}1 a\u{200c}b\u{200d}c\u{2060}d\u{feff}"),
            "web\\u{200b}1 a\\u{200c}b\\u{200d}c\\u{2060}d\\u{feff}"
        );
        assert_eq!(
            for_terminal("prod\u{e0070}\u{e0072}\u{e007f}"),
            "prod\\u{e0070}\\u{e0072}\\u{e007f}"
        );
        assert_eq!(
            for_terminal("soft\u{ad}hyphen\u{34f}\u{3164}\u{fe0f}\u{180e}"),
            "soft\\u{ad}hyphen\\u{34f}\\u{3164}\\u{fe0f}\\u{180e}"
        );
        // Two names that look the same never print the same.
        assert_ne!(for_terminal("web"), for_terminal("w\u{200b}eb"));
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
