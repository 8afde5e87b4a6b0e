//! What pydo costs before it lists anything: `import pydo`, timed the way
//! the clients are.

use std::fs::File;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::launcher;
use crate::report::median;

/// Medians over some runs of `python -c "import pydo"`.
#[derive(Clone, Copy, Debug)]
pub struct ImportCost {
    /// Wall time.
    pub wall: Duration,
    /// Peak resident memory, bytes.
    pub peak_rss: u64,
    /// How many runs.
    pub runs: u32,
}

/// Imports pydo `runs` times with the virtualenv's `python`, each run
/// started by `bench measure`.
pub fn pydo_import(bench: &Path, python: &Path, runs: u32) -> Result<ImportCost> {
    let mut import = Command::new(python);
    import.args(["-c", "import pydo"]);
    let mut walls = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..runs {
        let cost = launcher::measure(bench, &import, File::create("/dev/null")?)?;
        walls.push(cost.wall);
        peaks.push(cost.peak_rss);
    }
    Ok(ImportCost {
        wall: median(&walls).context("no runs")?,
        peak_rss: median(&peaks).context("no runs")?,
        runs,
    })
}
