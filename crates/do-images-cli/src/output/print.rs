//! Printing images and actions in the format the user chose: text from the
//! typed values, JSON from the objects exactly as the API sent them.

use std::io::Write;

use futures::{FutureExt, Stream, StreamExt};
use serde_json::Value;

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
    /// stdout is a terminal: JSON list items are flushed one by one.
    pub terminal: bool,
}

/// One API object to print: the typed value for text, the object as the
/// API sent it for JSON (see [`OutputOptions::is_json`]).
#[derive(Clone, Debug)]
pub enum Object<R> {
    /// For text output.
    Typed(R),
    /// For JSON output.
    Json(Value),
}

impl<R: Row> Object<R> {
    /// The object's `id`, when it has a positive one.
    pub fn id(&self) -> Option<u64> {
        match self {
            Object::Typed(item) => item.id(),
            Object::Json(value) => value.get("id").and_then(Value::as_u64).filter(|id| *id > 0),
        }
    }
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

    /// Whether the output is JSON: then fetch the objects as the API sent
    /// them (`send_json`, `stream_json`), else the typed values.
    pub fn is_json(&self) -> bool {
        matches!(self.format, OutputFormat::Json)
    }

    /// Prints one object: JSON as the API sent it, text as a one-row
    /// table.
    pub fn one<R: Row>(&self, out: &mut impl Write, item: &Object<R>) -> Result<(), CliError> {
        match item {
            Object::Json(value) => super::json::write_object(out, value)?,
            Object::Typed(item) => {
                let (columns, mut table) = self.table::<R>()?;
                table.push(columns.cells(item));
                table.write(out)?;
            }
        }
        Ok(())
    }

    /// Prints a JSON list as it arrives, each item as the API sent it. The
    /// items that are ready are written together; the output is flushed
    /// whenever the next item is not ready yet (at the end of a page that
    /// has to be awaited), so each page shows as soon as it has arrived. An
    /// error ends the output unfinished, after every item before it: the
    /// array is left open, so that a short list can never pass for a whole
    /// one.
    pub async fn list_json<S>(&self, out: &mut impl Write, items: S) -> Result<u64, CliError>
    where
        S: Stream<Item = Result<Value, do_images::Error>>,
    {
        let mut items = std::pin::pin!(items);
        let mut array = JsonArray::start(&mut *out, self.terminal)?;
        loop {
            let next = match items.next().now_or_never() {
                Some(next) => next,
                None => {
                    array.flush()?;
                    items.next().await
                }
            };
            match next {
                Some(item) => array.push(&item?)?,
                None => return Ok(array.finish()?),
            }
        }
    }

    /// Prints a list of typed values as a table, once complete (columns
    /// need every row to align). An error prints nothing.
    pub async fn list_text<R, S>(&self, out: &mut impl Write, items: S) -> Result<u64, CliError>
    where
        R: Row,
        S: Stream<Item = Result<R, do_images::Error>>,
    {
        let mut items = std::pin::pin!(items);
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
