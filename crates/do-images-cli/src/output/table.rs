//! Aligned text columns.

use std::io::{self, Write};

use super::escape;

/// A table collected row by row and printed with aligned columns.
pub struct Table {
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with this header, or none (`--no-header`).
    pub fn new(header: Option<Vec<String>>) -> Self {
        Self {
            header,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Writes the table: columns separated by three spaces, the last one not
    /// padded. Cells are shown through [`escape::for_terminal`] (line breaks
    /// and controls as visible escapes) and aligned on the terminal columns
    /// of what is printed, wide characters counting two.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let shown: Vec<Vec<(String, usize)>> = self
            .header
            .iter()
            .chain(&self.rows)
            .map(|row| {
                row.iter()
                    .map(|cell| {
                        let text = escape::for_terminal(cell).into_owned();
                        let columns = escape::columns(&text);
                        (text, columns)
                    })
                    .collect()
            })
            .collect();
        let count = shown.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..count)
            .map(|i| {
                shown
                    .iter()
                    .filter_map(|row| row.get(i))
                    .map(|(_, columns)| *columns)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in &shown {
            let mut line = String::new();
            for (i, (text, columns)) in row.iter().enumerate() {
                line.push_str(text);
                if i + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[i] - columns + 3));
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let mut table = Table::new(Some(vec!["ID".into(), "Name".into(), "Status".into()]));
        table.push(vec!["7".into(), "a long name".into(), "NEW".into()]);
        table.push(vec!["1234".into(), "b\nc".into(), "available".into()]);
        table.push(vec!["5".into(), "日本".into(), "\x1b[1m".into()]);
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID     Name          Status\n\
             7      a long name   NEW\n\
             1234   b\\nc          available\n\
             5      日本          \\e[1m\n"
        );
    }
}
