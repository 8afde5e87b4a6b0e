//! Whether JSON text is already exactly what `serde_json` would write for
//! the value it holds (compact, with `serde_json`'s escapes and number
//! forms), so that JSON output can copy the API's bytes instead of parsing
//! and writing them again, and still print what parsing and writing would.
//!
//! The check is one pass over the bytes. Text that fails it (whitespace
//! between tokens, an escape `serde_json` would not write such as `\/` or
//! `\u00e9`, a number it would write differently such as `1e2` or `2.50`, a
//! repeated key, or a character the output escapes besides serde_json's, see
//! [`is_hidden`]) is parsed and written again instead.

use super::escape::is_hidden;

/// True when writing `json` (valid JSON) back with `serde_json::to_writer`
/// after parsing it into a `serde_json::Value` would give the same bytes.
pub fn is_canonical(json: &str) -> bool {
    let bytes = json.as_bytes();
    // For each open container, the keys seen so far (objects) or `None`
    // (arrays).
    let mut open: Vec<Option<Vec<&[u8]>>> = Vec::new();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                let Some(end) = string_end(bytes, at + 1) else {
                    return false;
                };
                let is_key = bytes.get(end + 1) == Some(&b':');
                if is_key && let Some(Some(keys)) = open.last_mut() {
                    let key = &bytes[at + 1..end];
                    if keys.contains(&key) {
                        return false;
                    }
                    keys.push(key);
                }
                at = end + 1;
            }
            b'-' | b'0'..=b'9' => {
                let end = bytes[at..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(bytes.len(), |length| at + length);
                if !number_is_canonical(&json[at..end]) {
                    return false;
                }
                at = end;
            }
            b'{' => {
                open.push(Some(Vec::new()));
                at += 1;
            }
            b'[' => {
                open.push(None);
                at += 1;
            }
            b'}' | b']' => {
                open.pop();
                at += 1;
            }
            b',' | b':' => at += 1,
            b't' | b'f' | b'n' => {
                at += bytes[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_lowercase())
                    .count();
            }
            _ => return false,
        }
    }
    true
}

/// The index of the quote that closes the string whose text starts at
/// `from`, when every escape and character in it is as `serde_json`
/// writes it.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        // Plain ASCII text, the bulk of any string, in one tight scan.
        at += bytes
            .get(at..)?
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b >= 0x7f)?;
        match bytes[at] {
            b'"' => return Some(at),
            b'\\' => {
                match *bytes.get(at + 1)? {
                    b'"' | b'\\' | b'n' | b'r' | b't' | b'b' | b'f' => at += 2,
                    b'u' => {
                        // Only the controls without a short form, as
                        // `\u00XX` in lower-case hex.
                        let code = bytes.get(at + 2..at + 6)?;
                        let hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
                        let value =
                            u32::from_str_radix(std::str::from_utf8(code).ok()?, 16).ok()?;
                        let short = matches!(value, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d);
                        if !code.iter().all(hex) || value >= 0x20 || short {
                            return None;
                        }
                        at += 6;
                    }
                    _ => return None,
                }
            }
            // DEL, which the output escapes.
            0x7f => return None,
            // A character the output escapes (C1 and bidirectional
            // controls...) is written differently.
            _ => {
                let c = std::str::from_utf8(&bytes[at..(at + 4).min(bytes.len())])
                    .or_else(|e| std::str::from_utf8(&bytes[at..at + e.valid_up_to()]))
                    .ok()?
                    .chars()
                    .next()?;
                if is_hidden(c) {
                    return None;
                }
                at += c.len_utf8();
            }
        }
    }
}

/// Whether `serde_json` writes the number `text` back as `text`: an
/// integer that fits 64 bits (but not `-0`), or a float in the shortest
/// form that reads back the same (what `ryu`, which `serde_json` uses,
/// writes).
fn number_is_canonical(text: &str) -> bool {
    if !text.contains(['.', 'e', 'E']) {
        return text != "-0" && (text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok());
    }
    match serde_json::from_str::<serde_json::Number>(text) {
        Ok(number) => number.to_string() == text,
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the output would print by parsing and writing again.
    fn rewritten(json: &str) -> String {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        serde_json::to_string(&value).unwrap()
    }

    #[test]
    fn canonical_exactly_when_parsing_and_writing_changes_nothing() {
        let cases = [
            r#"{"id":7,"name":"a","slug":null,"regions":[],"tags":["x"],"ok":true}"#,
            r#"{"size_gigabytes":2.34,"n":-5,"big":18446744073709551615}"#,
            r#"{"text":"tab\tquote\"back\\slash\u001f"}"#,
            r#"{"nested":{"a":[1,{"b":null}],"c":false}}"#,
            r#"{"wide":"é 日本 🚀"}"#,
            r#"{"id": 7}"#,
            "{\"id\":7}\n",
            r#"{"slash":"a\/b"}"#,
            r#"{"e":"\u00e9"}"#,
            r#"{"upper":"\u001F"}"#,
            r#"{"tab":"\u0009"}"#,
            r#"{"size":2.50}"#,
            r#"{"size":1e2}"#,
            r#"{"size":1.0}"#,
            r#"{"zero":-0}"#,
            r#"{"huge":184467440737095516160}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"k":1},"b":{"k":1}}"#,
        ];
        for case in cases {
            let same = rewritten(case) == case;
            assert_eq!(is_canonical(case), same, "{case}");
        }
    }

    #[test]
    fn characters_the_output_escapes_are_never_copied() {
        for hostile in [
            "\u{7f}", "\u{9b}", "\u{85}", "\u{202e}", "\u{2066}", "\u{200e}", "\u{2028}", "\u{61c}",
        ] {
            let json = serde_json::to_string(&serde_json::json!({ "name": hostile })).unwrap();
            assert!(!is_canonical(&json), "{json:?}");
        }
        let fine =
            serde_json::to_string(&serde_json::json!({ "name": "\u{2070}\u{a0}é日🚀" })).unwrap();
        assert!(is_canonical(&fine), "{fine:?}");
    }
}
