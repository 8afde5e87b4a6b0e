//! `cargo xtask bench --cli-cpu`: only what `doimg images list -o json`
//! costs in CPU over 10,000 images, beside the transfer floor (curl
//! fetching the same pages) and, with `--doimg-baseline`, another build of
//! doimg, all in one run. On a shared, noisy machine CPU time is the figure
//! to compare: wall time includes waiting for the other engineers' builds.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::clients::{Client, Programs};
use crate::plan::Plan;
use crate::{report, scenario};

/// Runs the `--cli-cpu` plan, prints the table and writes it to `out`
/// (default target/bench/RESULTS-cli-cpu.md).
pub fn run(plan: &Plan, programs: &Programs, out: Option<PathBuf>) -> Result<()> {
    let mut clients = vec![Client::Doimg];
    if programs.doimg_baseline.is_some() {
        clients.push(Client::DoimgBaseline);
    }
    clients.push(Client::Curl);
    let runtime = tokio::runtime::Runtime::new()?;
    let mut rows = Vec::new();
    for scenario in plan.scenarios() {
        eprintln!("{scenario}: {} round(s)", plan.rounds);
        let samples = scenario::measure(&runtime, scenario, &clients, programs, plan.rounds, 1)?;
        rows.extend(report::rows(scenario, &samples, &clients));
    }
    let baseline = programs
        .doimg_baseline
        .as_ref()
        .map(|path| format!(" The baseline build is `{}`.", path.display()))
        .unwrap_or_default();
    let text = format!(
        "# doimg's CPU per listing\n\n\
         `{}` on {}: medians of {} rounds after one warm-up round; client CPU is the child's \
         user and system time.{baseline}\n\n{}",
        plan.command(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        plan.rounds,
        report::markdown(&rows)
    );
    println!("\n{text}");
    let out = out.unwrap_or_else(|| PathBuf::from("target/bench/RESULTS-cli-cpu.md"));
    if let Some(dir) = out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, text).with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}
