//! Printing images and actions in the format the user chose: text from the
//! typed values, JSON from the objects exactly as the API sent them.

use std::future::Future;
use std::io::Write;

use futures::{FutureExt, Stream, StreamExt};

use crate::args::OutputFormat;
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

/// An object exactly as the API sent it, as its JSON text: what JSON
/// output prints.
pub type Raw = Box<serde_json::value::RawValue>;

/// What a command fetches, chosen once by the output format: the model
/// (`Image`, `Action`) for text, the object as the API sent it ([`Raw`])
/// for JSON. Each command has one fetch path, generic over it; the
/// library's terminal calls (`send_as`, `stream_as`) read the answer as
/// whichever it is.
pub trait Shown<R: Row>: serde::de::DeserializeOwned + Send + 'static {
    /// Prints one object.
    fn print(&self, output: &OutputOptions, out: &mut impl Write) -> Result<(), CliError>;

    /// Prints a listing as it arrives.
    fn print_list<S>(
        output: &OutputOptions,
        out: &mut impl Write,
        items: S,
    ) -> impl Future<Output = Result<(), CliError>>
    where
        S: Stream<Item = Result<Self, do_images::Error>>;
}

/// Text: a table of the typed values.
impl<R: Row + serde::de::DeserializeOwned + Send + 'static> Shown<R> for R {
    fn print(&self, output: &OutputOptions, out: &mut impl Write) -> Result<(), CliError> {
        let (columns, mut table) = output.table::<R>()?;
        table.push(columns.cells(self));
        table.write(out)?;
        Ok(())
    }

    /// The table is printed once complete (columns need every row to
    /// align); an error prints nothing.
    async fn print_list<S>(
        output: &OutputOptions,
        out: &mut impl Write,
        items: S,
    ) -> Result<(), CliError>
    where
        S: Stream<Item = Result<Self, do_images::Error>>,
    {
        let mut items = std::pin::pin!(items);
        let (columns, mut table) = output.table::<R>()?;
        while let Some(item) = items.next().await {
            table.push(columns.cells(&item?));
        }
        table.write(out)?;
        Ok(())
    }
}

/// JSON: the objects as the API sent them.
impl<R: Row> Shown<R> for Raw {
    /// Pretty-printed, in one write: parsed, so that the escaping writer
    /// writes every string.
    fn print(&self, _: &OutputOptions, out: &mut impl Write) -> Result<(), CliError> {
        let object: serde_json::Value = serde_json::from_str(self.get())
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))?;
        super::json::write_object(out, &object)?;
        Ok(())
    }

    /// Printed as it arrives. The items that are ready are written
    /// together; the output is flushed whenever the next item is not ready
    /// yet (at the end of a page that has to be awaited), so each page shows
    /// as soon as it has arrived. An error ends the output unfinished, after
    /// every item before it: the array is left open, so that a short list
    /// can never pass for a whole one.
    async fn print_list<S>(
        output: &OutputOptions,
        out: &mut impl Write,
        items: S,
    ) -> Result<(), CliError>
    where
        S: Stream<Item = Result<Self, do_images::Error>>,
    {
        let mut items = std::pin::pin!(items);
        let mut array = JsonArray::start(&mut *out, output.terminal)?;
        loop {
            let next = match items.next().now_or_never() {
                Some(next) => next,
                None => {
                    array.flush()?;
                    items.next().await
                }
            };
            match next {
                Some(item) => array.push_raw(&item?)?,
                None => {
                    array.finish()?;
                    return Ok(());
                }
            }
        }
    }
}

impl OutputOptions {
    /// The columns `--format` chooses for rows of `R`, and an empty table
    /// with their header (none with `--no-header`).
    pub fn table<R: Row>(&self) -> Result<(Columns, Table), CliError> {
        let columns = Columns::choose::<R>(self.columns.as_deref()).map_err(CliError::Usage)?;
        let header = (!self.no_header).then(|| columns.headers::<R>());
        Ok((columns, Table::new(header)))
    }

    /// Checks `--format` before anything is sent.
    pub fn check<R: Row>(&self) -> Result<(), CliError> {
        self.table::<R>().map(|_| ())
    }

    /// With `-o json`, forgets `--format` and `--no-header`, which shape
    /// text output, as doctl ignores them there; returns the note that says
    /// so, when one was given.
    pub fn ignore_text_flags_with_json(&mut self) -> Option<String> {
        if self.format != OutputFormat::Json {
            return None;
        }
        let flags = match (self.columns.take(), std::mem::take(&mut self.no_header)) {
            (Some(_), true) => "--format and --no-header shape text output; they are",
            (Some(_), false) => "--format shapes text output; it is",
            (None, true) => "--no-header shapes text output; it is",
            (None, false) => return None,
        };
        Some(format!(
            "{flags} ignored with -o json, which prints every field \
             of the API's objects (as doctl does)"
        ))
    }
}
