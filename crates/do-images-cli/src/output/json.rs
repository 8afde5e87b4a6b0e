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
//! An item is copied as the API sent it when its bytes are already what
//! writing it again would give ([`is_canonical`]), which saves parsing it;
//! otherwise it is parsed and written again, so the output is the same
//! either way.

use std::io::{self, Write};

use serde_json::value::RawValue;

use super::canonical::is_canonical;

/// Pending bytes beyond which [`JsonArray::push`] flushes without waiting
/// for the list to pause.
const FLUSH_AT: usize = 64 * 1024;

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
    pub fn push(&mut self, item: &RawValue) -> io::Result<()> {
        let separator: &[u8] = if self.count == 0 { b"\n  " } else { b",\n  " };
        let mark = self.pending.len();
        self.pending.extend_from_slice(separator);
        if is_canonical(item.get()) {
            self.pending.extend_from_slice(item.get().as_bytes());
        } else if let Err(error) = rewrite(&mut self.pending, item) {
            self.pending.truncate(mark);
            return Err(error.into());
        }
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

/// Parses an item and writes it again, compact.
fn rewrite(out: &mut Vec<u8>, item: &RawValue) -> serde_json::Result<()> {
    let value: serde_json::Value = serde_json::from_str(item.get())?;
    serde_json::to_writer(out, &value)
}

/// Writes one object, pretty-printed, in one write.
pub fn write_object(out: &mut impl Write, item: &RawValue) -> io::Result<()> {
    let value: serde_json::Value = serde_json::from_str(item.get())?;
    let mut text = serde_json::to_vec_pretty(&value)?;
    text.push(b'\n');
    out.write_all(&text)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn raw(value: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&value).unwrap()
    }

    #[test]
    fn the_array_is_valid_json_whatever_the_count() {
        for flush_each in [false, true] {
            for count in [0, 1, 3] {
                let mut out = Vec::new();
                let mut array = JsonArray::start(&mut out, flush_each).unwrap();
                for i in 0..count {
                    array
                        .push(&raw(json!({"id": i, "slug": null, "regions": []})))
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
            array.push(&raw(json!({"id": i}))).unwrap();
        }
        array.flush().unwrap();
        array.push(&raw(json!({"id": 200}))).unwrap();
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
            array.push(&raw(json!({"id": i}))).unwrap();
        }
        assert_eq!(array.count, 3);
        drop(array);
        assert_eq!(calls.writes.len(), 4, "`[` and one write per item");
        assert_eq!(calls.writes[2], b",\n  {\"id\":1}");
        assert_eq!(calls.flushes, 4);
    }

    #[test]
    fn items_are_written_as_parsing_and_writing_them_would() {
        let texts = [
            r#"{"id":1,"name":"copied as sent","size":2.34,"slug":null,"regions":[]}"#,
            r#"{"id": 2, "spaced": true}"#,
            r#"{"id":3,"escaped":"a\/b \u00e9","size":2.50}"#,
            "{\"id\":4,\"name\":\"bidi \u{202e} and C1 \u{9b}\"}",
        ];
        let mut out = Vec::new();
        let mut array = JsonArray::start(&mut out, false).unwrap();
        for text in texts {
            let item: Box<RawValue> = serde_json::from_str(text).unwrap();
            array.push(&item).unwrap();
        }
        array.finish().unwrap();
        let expected: Vec<String> = texts
            .iter()
            .map(|text| {
                let value: Value = serde_json::from_str(text).unwrap();
                serde_json::to_string(&value).unwrap()
            })
            .collect();
        let expected = format!("[\n  {}\n]\n", expected.join(",\n  "));
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn items_pushed_before_an_error_are_written_when_the_array_is_dropped() {
        let mut out = Vec::new();
        let mut array = JsonArray::start(&mut out, false).unwrap();
        array.push(&raw(json!({"id": 1}))).unwrap();
        drop(array);
        assert_eq!(out, b"[\n  {\"id\":1}");
    }
}
