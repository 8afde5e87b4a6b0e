//! `cargo xtask bench`: builds the benchmark and `doimg` in release mode,
//! makes sure pydo is installed (not for `--cli-cpu`, which runs no pydo),
//! and runs `do-images-bench run` with the arguments given (`--quick`,
//! `--cli-cpu`, `--doimg-baseline PATH`, `--rounds N`, `--fetch-ahead N`,
//! `--out PATH`; `--help` lists them).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::bench_venv;

/// Builds, installs and runs the benchmark from the workspace at `root`.
pub fn run(root: &Path, args: &[OsString]) -> Result<()> {
    let started = Instant::now();
    build(root)?;
    let release = target_dir(root).join("release");
    let mut bench = Command::new(release.join("do-images-bench"));
    bench.current_dir(root).arg("run");
    if !args.iter().any(|arg| arg == "--cli-cpu") {
        let python = bench_venv::ensure(root, bench_venv::Install::Allowed)?;
        bench
            .arg("--python")
            .arg(&python)
            .arg("--pydo-script")
            .arg(root.join("crates/do-images-bench/pydo_list.py"));
    }
    let status = bench
        .arg("--doimg")
        .arg(release.join("doimg"))
        .args(args)
        .status()
        .context("cannot start do-images-bench")?;
    if !status.success() {
        bail!("the benchmark failed ({status})");
    }
    let elapsed = started.elapsed().as_secs();
    println!(
        "cargo xtask bench took {} min {} s, building included",
        elapsed / 60,
        elapsed % 60
    );
    Ok(())
}

/// `cargo build --release` of the benchmark and `doimg`.
fn build(root: &Path) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--package",
            "do-images-bench",
            "--package",
            "do-images-cli",
        ])
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!("building the benchmark failed ({status})");
    }
    Ok(())
}

/// Where cargo puts builds: `CARGO_TARGET_DIR`, or `target` in the
/// workspace.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}
