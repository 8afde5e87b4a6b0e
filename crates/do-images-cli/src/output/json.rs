//! JSON output: objects as the API sent them, lists as an array written
//! item by item.

use std::io::{self, Write};

use serde::Serialize;

/// A JSON array written as its items arrive: `[` at the start, one item
/// per line, `]` at [`JsonArray::finish`]. Each item is flushed, so a
/// consumer sees it at once and nothing is buffered.
pub struct JsonArray<W: Write> {
    out: W,
    count: u64,
}

impl<W: Write> JsonArray<W> {
    /// Starts the array.
    pub fn start(mut out: W) -> io::Result<Self> {
        out.write_all(b"[")?;
        out.flush()?;
        Ok(Self { out, count: 0 })
    }

    /// Writes one item.
    pub fn push(&mut self, item: &impl Serialize) -> io::Result<()> {
        let separator: &[u8] = if self.count == 0 { b"\n  " } else { b",\n  " };
        self.out.write_all(separator)?;
        serde_json::to_writer(&mut self.out, item)?;
        self.out.flush()?;
        self.count += 1;
        Ok(())
    }

    /// Closes the array; returns how many items it holds.
    pub fn finish(mut self) -> io::Result<u64> {
        let end: &[u8] = if self.count == 0 { b"]\n" } else { b"\n]\n" };
        self.out.write_all(end)?;
        self.out.flush()?;
        Ok(self.count)
    }
}

/// Writes one object, pretty-printed.
pub fn write_object(out: &mut impl Write, item: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, item)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn the_array_is_valid_json_whatever_the_count() {
        for count in [0, 1, 3] {
            let mut out = Vec::new();
            let mut array = JsonArray::start(&mut out).unwrap();
            for i in 0..count {
                array.push(&json!({"id": i})).unwrap();
            }
            assert_eq!(array.finish().unwrap(), count);
            let parsed: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(parsed.as_array().unwrap().len(), count as usize);
        }
    }
}
