//! Printing images and actions in the format the user chose.

use std::io::Write;

use futures::{Stream, StreamExt};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::error::CliError;

use super::{Columns, JsonArray, Row, Table};

/// The output choices of the global flags.
#[derive(Clone, Debug)]
pub struct OutputOptions {
    /// Text or JSON.
    pub format: OutputFormat,
    /// `--format`.
    pub columns: Option<Vec<String>>,
    /// `--no-header`.
    pub no_header: bool,
}

impl OutputOptions {
    fn table<R: Row>(&self) -> Result<(Columns, Table), CliError> {
        let columns = Columns::choose::<R>(self.columns.as_deref()).map_err(CliError::Usage)?;
        let header =
            (!self.no_header).then(|| columns.names().iter().map(|n| n.to_uppercase()).collect());
        Ok((columns, Table::new(header)))
    }

    /// Checks `--format` before anything is sent.
    pub fn check<R: Row>(&self) -> Result<(), CliError> {
        self.table::<R>().map(|_| ())
    }

    /// Prints one object.
    pub fn one<R: Row + Serialize>(&self, out: &mut impl Write, item: &R) -> Result<(), CliError> {
        match self.format {
            OutputFormat::Json => super::json::write_object(out, item)?,
            OutputFormat::Text => {
                let (columns, mut table) = self.table::<R>()?;
                table.push(columns.cells(item));
                table.write(out)?;
            }
        }
        Ok(())
    }

    /// Prints a list as it arrives: JSON item by item, text once complete
    /// (columns need every row to align). An error ends the output
    /// unfinished: a JSON array is left open, so that a short list can never
    /// pass for a whole one.
    pub async fn list<R, S>(&self, out: &mut impl Write, items: S) -> Result<u64, CliError>
    where
        R: Row + Serialize,
        S: Stream<Item = Result<R, do_images::Error>>,
    {
        let mut items = std::pin::pin!(items);
        match self.format {
            OutputFormat::Json => {
                let mut array = JsonArray::start(&mut *out)?;
                while let Some(item) = items.next().await {
                    array.push(&item?)?;
                }
                Ok(array.finish()?)
            }
            OutputFormat::Text => {
                let (columns, mut table) = self.table::<R>()?;
                let mut count = 0;
                while let Some(item) = items.next().await {
                    table.push(columns.cells(&item?));
                    count += 1;
                }
                table.write(out)?;
                Ok(count)
            }
        }
    }
}
