//! Copying the upstream files the Images part reads, verbatim.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::source::{self, Source};

/// Upstream's license, copied beside the files.
pub const LICENSE: &str = "LICENSE";

/// Writes into the empty directory `dest` a verbatim copy of each of
/// `files` (relative to `src_root`), upstream's LICENSE (from `src_root`, or
/// else from `previous`, the copy being replaced) and the SOURCE file.
pub fn write(
    src_root: &Path,
    files: &[PathBuf],
    source: &Source,
    previous: &Path,
    dest: &Path,
) -> Result<()> {
    for file in files {
        let to = dest.join(file);
        std::fs::create_dir_all(to.parent().expect("a file has a folder"))?;
        std::fs::copy(src_root.join(file), &to)
            .with_context(|| format!("cannot copy {}", src_root.join(file).display()))?;
    }
    let license = [src_root.join(LICENSE), previous.join(LICENSE)]
        .into_iter()
        .find(|p| p.is_file())
        .context("upstream's LICENSE is neither in the source nor in spec/upstream/")?;
    std::fs::copy(&license, dest.join(LICENSE))
        .with_context(|| format!("cannot copy {}", license.display()))?;
    std::fs::write(dest.join(source::FILE_NAME), source.render())?;
    Ok(())
}
