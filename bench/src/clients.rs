//! The four clients timed side by side, how each is started, and how many
//! images each says it listed.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use serde::de::IgnoredAny;

/// One of the clients timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// The library, one page after another (`fetch_ahead(0)`).
    Sequential,
    /// The library with this many pages fetched ahead.
    FetchAhead(usize),
    /// `doimg images list -o json`.
    Doimg,
    /// pydo, page after page at 200 a page.
    Pydo,
}

/// The programs the clients run.
#[derive(Clone, Debug)]
pub struct Programs {
    /// This binary, whose `list` subcommand is the library's client.
    pub bench: PathBuf,
    /// The release build of `doimg`.
    pub doimg: PathBuf,
    /// The virtualenv's Python, with pydo installed.
    pub python: PathBuf,
    /// The script that lists through pydo.
    pub pydo_script: PathBuf,
}

impl Client {
    /// Every client, in table order, the library's fetching `fetch_ahead`
    /// pages ahead.
    pub fn all(fetch_ahead: usize) -> [Self; 4] {
        [
            Self::Sequential,
            Self::FetchAhead(fetch_ahead),
            Self::Doimg,
            Self::Pydo,
        ]
    }

    /// The name in the table.
    pub fn label(self) -> String {
        match self {
            Self::Sequential => "do-images, sequential".into(),
            Self::FetchAhead(pages) => format!("do-images, fetch-ahead {pages}"),
            Self::Doimg => "doimg images list -o json".into(),
            Self::Pydo => "pydo".into(),
        }
    }

    /// The command that lists every image at `url` with `token`.
    pub fn command(self, programs: &Programs, url: &str, token: &str) -> Command {
        let library = |pages: usize| {
            let mut command = Command::new(&programs.bench);
            command.args(["list", "--url", url, "--token", token, "--fetch-ahead"]);
            command.arg(pages.to_string());
            command
        };
        match self {
            Self::Sequential => library(0),
            Self::FetchAhead(pages) => library(pages),
            Self::Doimg => {
                let mut command = Command::new(&programs.doimg);
                command.args([
                    "--api-url",
                    url,
                    "-t",
                    token,
                    "images",
                    "list",
                    "-o",
                    "json",
                ]);
                command
            }
            Self::Pydo => {
                let mut command = Command::new(&programs.python);
                command.arg(&programs.pydo_script).args([url, token]);
                command
            }
        }
    }

    /// How many images the client listed, from its standard output, saved
    /// at `stdout`: `doimg` prints a JSON array, the others a count.
    pub fn count(self, stdout: &Path) -> Result<u64> {
        let file =
            File::open(stdout).with_context(|| format!("cannot read {}", stdout.display()))?;
        if self == Self::Doimg {
            let items: Vec<IgnoredAny> = serde_json::from_reader(BufReader::new(file))
                .context("doimg did not print a JSON array")?;
            return Ok(items.len() as u64);
        }
        let text = std::io::read_to_string(file)?;
        text.trim()
            .parse()
            .with_context(|| format!("{} printed {text:?}, not a count", self.label()))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn saved(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        file
    }

    #[test]
    fn counts_are_read_from_what_each_client_prints() {
        let array = saved("[\n  {\"id\":1},\n  {\"id\":2,\"tags\":[\"a\"]}\n]\n");
        assert_eq!(Client::Doimg.count(array.path()).unwrap(), 2);
        assert_eq!(Client::Pydo.count(saved("10000\n").path()).unwrap(), 10_000);
        assert_eq!(Client::Sequential.count(saved("7").path()).unwrap(), 7);
        assert!(Client::Pydo.count(saved("Traceback").path()).is_err());
        assert!(Client::Doimg.count(saved("[{\"id\":1},").path()).is_err());
    }
}
