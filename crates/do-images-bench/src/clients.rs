//! The clients timed side by side, how each is started, and how many images
//! each says it listed.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// Images per page, as every client asks.
const PER_PAGE: usize = 200;

/// What the count needs of a page.
#[derive(Deserialize)]
struct PageItems {
    images: Vec<IgnoredAny>,
}

/// One of the clients timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// The library, one page after another (`fetch_ahead(0)`).
    Sequential,
    /// The library with this many pages fetched ahead.
    FetchAhead(usize),
    /// `doimg images list -o json`.
    Doimg,
    /// `doimg images list -o json` of another build (`--doimg-baseline`),
    /// to compare two builds in one run.
    DoimgBaseline,
    /// pydo, page after page at 200 a page.
    Pydo,
    /// The transfer floor: one curl fetching the same pages (200 a page,
    /// one connection, page after page), the bodies written out raw. No
    /// client that reads every page can use much less CPU than this.
    Curl,
}

/// The programs the clients run.
#[derive(Clone, Debug)]
pub struct Programs {
    /// This binary, whose `list` subcommand is the library's client.
    pub bench: PathBuf,
    /// The release build of `doimg`.
    pub doimg: PathBuf,
    /// Another build of `doimg` to time beside it, if any.
    pub doimg_baseline: Option<PathBuf>,
    /// The virtualenv's Python, with pydo installed (not needed by the
    /// `--cli-cpu` run).
    pub python: Option<PathBuf>,
    /// The script that lists through pydo.
    pub pydo_script: Option<PathBuf>,
}

impl Client {
    /// Every client, in table order, the library's fetching `fetch_ahead`
    /// pages ahead.
    pub fn all(fetch_ahead: usize) -> [Self; 5] {
        [
            Self::Sequential,
            Self::FetchAhead(fetch_ahead),
            Self::Doimg,
            Self::Pydo,
            Self::Curl,
        ]
    }

    /// The name in the table.
    pub fn label(self) -> String {
        match self {
            Self::Sequential => "do-images, sequential".into(),
            Self::FetchAhead(pages) => format!("do-images, fetch-ahead {pages}"),
            Self::Doimg => "doimg images list -o json".into(),
            Self::DoimgBaseline => "doimg images list -o json (baseline build)".into(),
            Self::Pydo => "pydo".into(),
            Self::Curl => "curl, raw pages (transfer floor)".into(),
        }
    }

    /// The command that lists every image at `url` with `token`; `images`
    /// says how many there are (curl is given every page's URL).
    pub fn command(self, programs: &Programs, url: &str, token: &str, images: usize) -> Command {
        let doimg = |program: &Path| {
            let mut command = Command::new(program);
            if self == Self::Doimg {
                // The sandbox has no rate limits here, and the library
                // client runs without its limiter too. (A baseline build
                // may predate the flag, and the limiter.)
                command.arg("--no-request-limits");
            }
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
            if self == Self::Doimg {
                // Without --public doimg lists only the account's own
                // images, as doctl does; the benchmark lists them all. (A
                // baseline build may predate that default, and the flag.)
                command.arg("--public");
            }
            command
        };
        let library = |pages: usize| {
            let mut command = Command::new(&programs.bench);
            command.args(["list", "--url", url, "--token", token, "--fetch-ahead"]);
            command.arg(pages.to_string());
            command
        };
        match self {
            Self::Sequential => library(0),
            Self::FetchAhead(pages) => library(pages),
            Self::Doimg => doimg(&programs.doimg),
            Self::DoimgBaseline => doimg(
                programs
                    .doimg_baseline
                    .as_deref()
                    .unwrap_or(&programs.doimg),
            ),
            Self::Pydo => {
                let python = programs.python.as_deref().unwrap_or(Path::new("python3"));
                let mut command = Command::new(python);
                command.args(&programs.pydo_script).args([url, token]);
                command
            }
            Self::Curl => {
                let mut command = Command::new("curl");
                command
                    .args(["--silent", "--show-error", "--fail", "--header"])
                    .arg(format!("Authorization: Bearer {token}"));
                for page in 1..=images.div_ceil(PER_PAGE).max(1) {
                    command.arg(format!("{url}/v2/images?page={page}&per_page={PER_PAGE}"));
                }
                command
            }
        }
    }

    /// How many images the client listed, from its standard output, saved
    /// at `stdout`: `doimg` prints a JSON array, curl the pages one after
    /// another, the others a count.
    pub fn count(self, stdout: &Path) -> Result<u64> {
        let file =
            File::open(stdout).with_context(|| format!("cannot read {}", stdout.display()))?;
        if matches!(self, Self::Doimg | Self::DoimgBaseline) {
            let items: Vec<IgnoredAny> = serde_json::from_reader(BufReader::new(file))
                .context("doimg did not print a JSON array")?;
            return Ok(items.len() as u64);
        }
        if self == Self::Curl {
            let mut count = 0;
            for page in serde_json::Deserializer::from_reader(BufReader::new(file)).into_iter() {
                let page: PageItems = page.context("curl did not print pages of images")?;
                count += page.images.len() as u64;
            }
            return Ok(count);
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
        let pages = saved("{\"images\":[{},{}],\"meta\":{}}{\"images\":[{}]}");
        assert_eq!(Client::Curl.count(pages.path()).unwrap(), 3);
        assert!(Client::Curl.count(saved("{\"images\":[").path()).is_err());
    }

    #[test]
    fn curl_is_given_every_page() {
        let programs = Programs {
            bench: "bench".into(),
            doimg: "doimg".into(),
            doimg_baseline: None,
            python: None,
            pydo_script: None,
        };
        let command = Client::Curl.command(&programs, "http://127.0.0.1:1", "t", 401);
        let urls: Vec<_> = command
            .get_args()
            .filter_map(|arg| arg.to_str())
            .filter(|arg| arg.starts_with("http"))
            .collect();
        assert_eq!(urls.len(), 3);
        assert_eq!(urls[2], "http://127.0.0.1:1/v2/images?page=3&per_page=200");
    }
}
