//! JSON output: objects as the API sent them, lists as an array written
//! item by item.
//!
//! Each item is serialized into a buffer of its own and reaches stdout in
//! one write together with the items before it that are still pending:
//! [`JsonArray::flush`] is called when the list has to wait for more items
//! (the end of a page that is not there yet), so a consumer sees every
//! page as it arrives, while a page already in memory costs one write
//! instead of one or two per item. On a terminal every item is flushed at
//! once.
//!
//! Strings keep their exact value, but besides the C0 controls serde_json
//! escapes, DEL, the C1 controls and the bidirectional controls are written
//! as `\uXXXX` too (see [`super::escape::is_hidden`]), so that JSON shown
//! on a terminal cannot drive it either.
//!
//! The objects come from the library's raw path as their JSON text, exactly
//! as the API sent it. Every list item must be an object nested no deeper
//! than serde_json parses (128 levels); one that is not is refused, ASCII
//! or not. A list item whose text is printable ASCII (no control, no DEL,
//! no byte of a multi-byte character, so nothing that could reach a
//! terminal raw, and no line break) is copied as it is; any other is
//! parsed and written through the escaping formatter. Both are linear in
//! the size of the item, and the copy builds nothing.
//!
//! Every item's text passes through [`super::redaction`] before it is
//! written: a secret the API echoes is not printed.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
use serde_json::value::RawValue;

use super::{escape, redaction};

/// Pending bytes beyond which [`JsonArray::push`] flushes without waiting
/// for the list to pause.
const FLUSH_AT: usize = 64 * 1024;

/// The deepest nesting of arrays and objects an item may have: serde_json
/// refuses to parse 128 levels.
const MAX_DEPTH: usize = 127;

/// A JSON array written as its items arrive: `[` at the start, one item
/// per line, `]` at [`JsonArray::finish`]. Items are kept in a buffer until
/// [`JsonArray::flush`] (or dropped: what was pushed is always written, so
/// a list cut short by an error shows every item before the error).
pub struct JsonArray<W: Write> {
    out: W,
    pending: Vec<u8>,
    count: u64,
    flush_each: bool,
}

impl<W: Write> JsonArray<W> {
    /// Starts the array. With `flush_each` (stdout is a terminal), every
    /// item is written as soon as it is pushed.
    pub fn start(mut out: W, flush_each: bool) -> io::Result<Self> {
        out.write_all(b"[")?;
        out.flush()?;
        Ok(Self {
            out,
            pending: Vec::with_capacity(8 * 1024),
            count: 0,
            flush_each,
        })
    }

    /// Adds one item; it is written at the next flush.
    pub fn push(&mut self, item: &impl Serialize) -> io::Result<()> {
        let mark = self.pending.len();
        self.start_item();
        let start = self.pending.len();
        if let Err(error) = write_json(&mut self.pending, item, CompactFormatter) {
            self.pending.truncate(mark);
            return Err(error.into());
        }
        self.redact_from(start);
        self.end_item()
    }

    /// Adds one item given as its JSON text, which must be an object nested
    /// at most [`MAX_DEPTH`] deep: copied when it is printable ASCII, else
    /// parsed and written like [`push`](Self::push).
    pub fn push_raw(&mut self, item: &RawValue) -> io::Result<()> {
        let text = item.get();
        check_item(text).map_err(|problem| io::Error::new(io::ErrorKind::InvalidData, problem))?;
        if !text.bytes().all(|byte| (b' '..=b'~').contains(&byte)) {
            let parsed: serde_json::Value = serde_json::from_str(text)
                .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
            return self.push(&parsed);
        }
        self.start_item();
        let start = self.pending.len();
        self.pending.extend_from_slice(text.as_bytes());
        self.redact_from(start);
        self.end_item()
    }

    /// Removes secrets from the item written from `start` on.
    fn redact_from(&mut self, start: usize) {
        let Ok(text) = std::str::from_utf8(&self.pending[start..]) else {
            return;
        };
        if let Cow::Owned(redacted) = redaction::redact(text) {
            self.pending.truncate(start);
            self.pending.extend_from_slice(redacted.as_bytes());
        }
    }

    /// The separator before an item: each item on a line of its own.
    fn start_item(&mut self) {
        let separator: &[u8] = if self.count == 0 { b"\n  " } else { b",\n  " };
        self.pending.extend_from_slice(separator);
    }

    /// Counts the item just written and flushes when it is time.
    fn end_item(&mut self) -> io::Result<()> {
        self.count += 1;
        if self.flush_each || self.pending.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the pending items in one call and flushes the output.
    pub fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let written = self.out.write_all(&self.pending);
            self.pending.clear();
            written?;
        }
        self.out.flush()
    }

    /// Closes the array; returns how many items it holds.
    pub fn finish(mut self) -> io::Result<u64> {
        let end: &[u8] = if self.count == 0 { b"]\n" } else { b"\n]\n" };
        self.pending.extend_from_slice(end);
        self.flush()?;
        Ok(self.count)
    }
}

impl<W: Write> Drop for JsonArray<W> {
    /// Writes what was pushed and not yet written (an unfinished array
    /// stays unfinished).
    fn drop(&mut self) {
        if !self.pending.is_empty() {
            let _ = self.flush();
        }
    }
}

/// Writes one object, pretty-printed, in one write, without secrets.
pub fn write_object(out: &mut impl Write, item: &impl Serialize) -> io::Result<()> {
    let mut text = Vec::with_capacity(1024);
    write_json(&mut text, item, PrettyFormatter::new())?;
    let text = String::from_utf8_lossy(&text);
    out.write_all(redaction::redact(&text).as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Why the JSON text `item` (valid JSON) cannot be a list item: it is not
/// an object, or it nests deeper than [`MAX_DEPTH`]. One pass, nothing
/// built.
fn check_item(item: &str) -> Result<(), String> {
    if !item.trim_start().starts_with('{') {
        let kind = match item.trim_start().bytes().next() {
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            _ => "a number",
        };
        return Err(format!("a list item is {kind}, not a JSON object"));
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for byte in item.bytes() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!(
                        "a list item nests deeper than {MAX_DEPTH} levels, more than JSON output reads"
                    ));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Serializes `item` into `out` with `formatter`, hidden characters
/// escaped.
fn write_json<F: Formatter>(
    out: &mut Vec<u8>,
    item: &impl Serialize,
    formatter: F,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, TerminalSafe(formatter));
    item.serialize(&mut serializer)
}

/// A formatter that writes the characters [`escape::is_hidden`] names as
/// `\uXXXX` escapes inside strings, and lays out like the one it wraps.
struct TerminalSafe<F>(F);

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Fast path: every hidden character outside C0 is DEL or starts with
        // one of these UTF-8 lead bytes (U+0080.., U+061C, U+200E..U+2069).
        if !fragment
            .bytes()
            .any(|b| matches!(b, 0x7f | 0xc2 | 0xd8 | 0xe2))
        {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if escape::is_hidden(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every hidden character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn the_array_is_valid_json_whatever_the_count() {
        for flush_each in [false, true] {
            for count in [0, 1, 3] {
                let mut out = Vec::new();
                let mut array = JsonArray::start(&mut out, flush_each).unwrap();
                for i in 0..count {
                    array
                        .push(&json!({"id": i, "slug": null, "regions": []}))
                        .unwrap();
                }
                assert_eq!(array.finish().unwrap(), count);
                let parsed: Value = serde_json::from_slice(&out).unwrap();
                assert_eq!(parsed.as_array().unwrap().len(), count as usize);
                assert_eq!(
                    parsed.get(0).map(|i| &i["slug"]),
                    (count > 0).then_some(&Value::Null)
                );
            }
        }
    }

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    fn written_raw(items: &[&str]) -> String {
        let mut out = Vec::new();
        let mut array = JsonArray::start(&mut out, false).unwrap();
        for item in items {
            array.push_raw(&raw(item)).unwrap();
        }
        array.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_printable_ascii_item_is_copied_byte_for_byte() {
        let item = r#"{"name":"caf\u00e9 \u202e","id":7,"id":8, "public" :true}"#;
        assert_eq!(
            written_raw(&[item, "{}"]),
            format!("[\n  {item},\n  {{}}\n]\n")
        );
    }

    #[test]
    fn an_item_with_a_line_break_or_a_non_ascii_character_is_rewritten() {
        let out = written_raw(&[
            "{\n\"name\": \"web\"}",
            "{\"name\":\"x\u{202e}\u{7f}\u{9b}é\"}",
        ]);
        assert_eq!(
            out,
            "[\n  {\"name\":\"web\"},\n  {\"name\":\"x\\u202e\\u007f\\u009bé\"}\n]\n"
        );
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed[1]["name"], "x\u{202e}\u{7f}\u{9b}é");
    }

    #[test]
    fn an_item_that_is_not_an_object_or_too_deep_is_refused_ascii_or_not() {
        let deep = |depth: usize, inner: &str| {
            format!(
                "{{\"a\":{}{inner}{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        for item in [
            "7".to_string(),
            "\"text\"".to_string(),
            "[{\"id\":1}]".to_string(),
            "null".to_string(),
            "\"caf\u{e9}\"".to_string(),
            "[\"caf\u{e9}\"]".to_string(),
            deep(200_000, "1"),
            deep(200_000, "\"caf\u{e9}\""),
            deep(MAX_DEPTH, "1"),
        ] {
            let mut out = Vec::new();
            let mut array = JsonArray::start(&mut out, false).unwrap();
            let error = array.push_raw(&raw(&item)).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
            let shown = error.to_string();
            assert!(
                shown.contains("not a JSON object") || shown.contains("nests deeper"),
                "{shown}"
            );
            array.finish().unwrap();
            assert_eq!(out, b"[]\n", "nothing of a refused item is written");
        }
        // As deep as serde_json reads, and brackets inside strings, pass.
        let fine = deep(MAX_DEPTH - 1, "\"[[[{{\\\"\"");
        serde_json::from_str::<Value>(&fine).unwrap();
        assert!(written_raw(&[&fine]).contains(&fine));
    }

    /// Records each `write` call and each flush.
    #[derive(Default)]
    struct Calls {
        writes: Vec<Vec<u8>>,
        flushes: usize,
    }

    impl Write for Calls {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writes.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            self.flushes += 1;
            Ok(())
        }
    }

    #[test]
    fn pending_items_go_out_in_one_write_per_flush() {
        let mut calls = Calls::default();
        let mut array = JsonArray::start(&mut calls, false).unwrap();
        for i in 0..200 {
            array.push(&json!({"id": i})).unwrap();
        }
        array.flush().unwrap();
        array.push(&json!({"id": 200})).unwrap();
        array.finish().unwrap();
        // `[`, the 200 items of the first flush, the last item with `]`.
        assert_eq!(calls.writes.len(), 3);
        assert_eq!(calls.flushes, 3);
        let text: Vec<u8> = calls.writes.concat();
        let parsed: Value = serde_json::from_slice(&text).unwrap();
        assert_eq!(parsed.as_array().unwrap().len(), 201);
    }

    #[test]
    fn on_a_terminal_each_item_is_one_write_and_a_flush() {
        let mut calls = Calls::default();
        let mut array = JsonArray::start(&mut calls, true).unwrap();
        for i in 0..3 {
            array.push(&json!({"id": i})).unwrap();
        }
        assert_eq!(array.count, 3);
        drop(array);
        assert_eq!(calls.writes.len(), 4, "`[` and one write per item");
        assert_eq!(calls.writes[2], b",\n  {\"id\":1}");
        assert_eq!(calls.flushes, 4);
    }

    #[test]
    fn hidden_characters_are_escaped_and_the_strings_stay_exact() {
        let name = "a\u{7f}b\u{9b}c\u{202e}d\u{2066}e\x1bf日";
        let mut out = Vec::new();
        write_object(&mut out, &json!({ "name": name })).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(r#""a\u007fb\u009bc\u202ed\u2066e\u001bf日""#),
            "{text}"
        );
        assert!(!text.chars().any(|c| c != '\n' && escape::is_hidden(c)));
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["name"], name);
        // Compact too, and the layout is the wrapped formatter's.
        let mut out = Vec::new();
        let mut array = JsonArray::start(&mut out, false).unwrap();
        array.push(&json!({ "name": name, "n": [1, 2] })).unwrap();
        array.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(r#"{"name":"a\u007fb"#), "{text}");
        assert!(text.contains(r#""n":[1,2]"#), "{text}");
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap()[0]["name"],
            name
        );
    }

    #[test]
    fn an_item_with_a_hundred_thousand_keys_is_written_whole_in_order() {
        // Linear work per item: a hostile object with many keys costs its
        // size, not its size squared.
        let keys = 100_000;
        let mut item = serde_json::Map::new();
        for n in 0..keys {
            item.insert(format!("k{n}"), json!(n));
        }
        let mut out = Vec::new();
        let mut array = JsonArray::start(&mut out, false).unwrap();
        array.push(&Value::Object(item)).unwrap();
        array.finish().unwrap();
        let parsed: Value = serde_json::from_slice(&out).unwrap();
        let written = parsed[0].as_object().unwrap();
        assert_eq!(written.len(), keys);
        let order: Vec<_> = written.keys().take(3).collect();
        assert_eq!(order, ["k0", "k1", "k2"]);
        assert_eq!(written["k99999"], 99_999);
    }

    #[test]
    fn items_pushed_before_an_error_are_written_when_the_array_is_dropped() {
        let mut out = Vec::new();
        let mut array = JsonArray::start(&mut out, false).unwrap();
        array.push(&json!({"id": 1})).unwrap();
        drop(array);
        assert_eq!(out, b"[\n  {\"id\":1}");
    }
}
