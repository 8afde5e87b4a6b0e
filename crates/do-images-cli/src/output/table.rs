//! Aligned text columns.

use std::io::{self, Write};

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
    /// padded, cells with line breaks flattened.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let all: Vec<&Vec<String>> = self.header.iter().chain(&self.rows).collect();
        let count = all.iter().map(|r| r.len()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..count)
            .map(|i| {
                all.iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| width(c))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in all {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                let cell = flatten(cell);
                if i + 1 < row.len() {
                    line.push_str(&cell);
                    line.push_str(&" ".repeat(widths[i] - width(&cell) + 3));
                } else {
                    line.push_str(&cell);
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

fn flatten(cell: &str) -> String {
    cell.replace(['\n', '\r', '\t'], " ")
}

fn width(cell: &str) -> usize {
    flatten(cell).chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let mut table = Table::new(Some(vec!["ID".into(), "Name".into(), "Status".into()]));
        table.push(vec!["7".into(), "a long name".into(), "NEW".into()]);
        table.push(vec!["1234".into(), "b\nc".into(), "available".into()]);
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID     Name          Status\n7      a long name   NEW\n1234   b c           available\n"
        );
    }
}
