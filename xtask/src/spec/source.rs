//! `spec/upstream/SOURCE`: where the vendored files come from.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The file's name inside the upstream directory.
pub const FILE_NAME: &str = "SOURCE";

/// Upstream's repository.
pub const REPOSITORY: &str = "https://github.com/digitalocean/openapi";

/// Where a vendored copy came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The upstream commit, or `unknown`.
    pub commit: String,
    /// The commit's date, or `unknown`.
    pub date: String,
    /// The root document, relative to the upstream directory.
    pub entry: PathBuf,
}

impl Source {
    /// The text of the SOURCE file.
    pub fn render(&self) -> String {
        format!(
            "# DigitalOcean's API description, the files the Images operations reach, copied\n\
             # verbatim by `cargo xtask spec update`. Never edit them: corrections go into\n\
             # spec/overlay.yaml.\n\
             repository: {REPOSITORY}\n\
             commit: {}\n\
             date: {}\n\
             entry: {}\n",
            self.commit,
            self.date,
            self.entry.display()
        )
    }

    /// Reads the SOURCE file of the upstream directory `dir`.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .map(|v| v.trim().to_string())
                .with_context(|| format!("{} has no `{name}:` line", path.display()))
        };
        Ok(Self {
            commit: field("commit")?,
            date: field("date")?,
            entry: PathBuf::from(field("entry")?),
        })
    }
}
