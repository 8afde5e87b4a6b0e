//! `do-images-bench run`: every scenario, the waiter, the targets, and the
//! results written out.

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::RunArgs;
use crate::clients::{Client, Programs};
use crate::machine::Machine;
use crate::plan::Plan;
use crate::results::Results;
use crate::{baseline, cli_cpu, launcher, report, scenario, targets, waiter};

/// Runs the benchmark `args` describe, prints the tables and writes them.
pub fn run(args: &RunArgs) -> Result<()> {
    let started = Instant::now();
    let plan = Plan::from_args(args);
    let programs = Programs {
        bench: std::env::current_exe().context("cannot find this program")?,
        doimg: args.doimg.clone(),
        doimg_baseline: args.doimg_baseline.clone(),
        python: args.python.clone(),
        pydo_script: args.pydo_script.clone(),
    };
    if plan.cli_cpu {
        return cli_cpu::run(&plan, &programs, args.out.clone());
    }
    let python = args
        .python
        .clone()
        .context("--python is needed unless --cli-cpu")?;
    let machine = Machine::detect(&python);
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(if plan.quick {
            "target/bench/RESULTS-quick.md"
        } else {
            "crates/do-images-bench/RESULTS.md"
        })
    });
    let runtime = tokio::runtime::Runtime::new()?;
    eprintln!(
        "waiter: an import that takes {} s, waited for alongside the listing runs",
        plan.import_time.as_secs()
    );
    let waiting = runtime.spawn(waiter::measure(plan.import_time));

    let mut clients = Client::all(plan.fetch_ahead).to_vec();
    if programs.doimg_baseline.is_some() {
        clients.insert(3, Client::DoimgBaseline);
    }
    let mut rows = Vec::new();
    for (index, scenario) in plan.scenarios().into_iter().enumerate() {
        eprintln!("{scenario}: {} round(s)", plan.rounds);
        let warm_up = u32::from(index == 0);
        let samples = scenario::measure(
            &runtime,
            scenario,
            &clients,
            &programs,
            plan.rounds,
            warm_up,
        )?;
        rows.extend(report::rows(scenario, &samples, &clients));
    }
    eprintln!("timing `import pydo` alone");
    let pydo_import = baseline::pydo_import(&programs.bench, &python, plan.rounds)?;
    let floor = launcher::measure(
        &programs.bench,
        &Command::new("true"),
        File::create("/dev/null")?,
    )?;
    eprintln!("waiting for the waiter to return");
    let waiter = runtime
        .block_on(waiting)
        .context("the waiter's task failed")?
        .context("the waiter")?;
    let results = Results {
        memory_floor: floor.peak_rss,
        pydo_import,
        verdicts: targets::check(&plan, &rows, &waiter),
        machine,
        date: chrono::Utc::now(),
        run_time: started.elapsed(),
        plan,
        rows,
        waiter,
    };
    println!(
        "\n{}\n{}\n{}\n{}",
        report::markdown(&results.rows),
        results.pydo_import_markdown(),
        results.waiter_markdown(),
        targets::markdown(&results.verdicts)
    );
    if let Some(dir) = out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, results.markdown())
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}
