//! `do-images-bench measure`: starts a client from a small process, so that
//! its peak memory is its own (see [`crate::measure`]), and reports what it
//! cost.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::cli::MeasureArgs;
use crate::measure::{self, Measurement};

/// The `measure` subcommand: runs the command with this process's standard
/// output and error, and writes its [`Measurement`] to the report file.
pub fn run(args: &MeasureArgs) -> Result<()> {
    let (program, rest) = args.command.split_first().context("no command to run")?;
    let cost = measure::run(Command::new(program).args(rest))?;
    std::fs::write(&args.report, cost.to_line())
        .with_context(|| format!("cannot write {}", args.report.display()))
}

/// Runs `client` through `bench measure` with its standard output written
/// to `stdout`. Fails, with the client's standard error, when it fails.
pub fn measure(bench: &Path, client: &Command, stdout: File) -> Result<Measurement> {
    let report = tempfile::NamedTempFile::new()?;
    let mut launcher = Command::new(bench);
    launcher
        .arg("measure")
        .arg("--report")
        .arg(report.path())
        .arg("--")
        .arg(client.get_program())
        .args(client.get_args())
        .stdout(stdout)
        .stderr(Stdio::piped());
    let mut child = launcher
        .spawn()
        .with_context(|| format!("cannot start {launcher:?}"))?;
    let mut errors = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        // Read until the end so that a chatty client never blocks on a
        // full pipe.
        stderr.read_to_string(&mut errors)?;
    }
    if !child.wait()?.success() {
        bail!("{client:?} failed:\n{errors}");
    }
    Measurement::parse(&std::fs::read_to_string(report.path())?)
}
