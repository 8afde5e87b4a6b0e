//! One scenario: a sandbox with that many images and that latency, and
//! every client timed against it, round after round, in turns.

use std::fs::File;

use anyhow::{Context, Result, bail};
use do_images_sandbox::{Faults, RateLimits, RunningSandbox, Sandbox, SandboxConfig};
use tokio::runtime::Runtime;

use crate::clients::{Client, Programs};
use crate::plan::Scenario;
use crate::report::Sample;
use crate::{launcher, measure};

/// Times every client `rounds` times against a fresh sandbox set up as
/// `scenario` says, after `warm_up` untimed runs of each (which load the
/// programs and Python's bytecode cache). Each round starts with the next
/// client, so that no client always runs first.
pub fn measure(
    runtime: &Runtime,
    scenario: Scenario,
    clients: &[Client],
    programs: &Programs,
    rounds: u32,
    warm_up: u32,
) -> Result<Vec<Sample>> {
    let config = SandboxConfig::default()
        .with_images(scenario.images)
        .with_rate_limits(RateLimits::unlimited())
        .with_faults(Faults::none().with_latency(scenario.latency));
    let sandbox = runtime.block_on(Sandbox::start(config))?;
    let mut samples = Vec::new();
    for round in 0..warm_up + rounds {
        let timed = round >= warm_up;
        for turn in 0..clients.len() {
            let client = clients[(round as usize + turn) % clients.len()];
            let sample = time_one(&sandbox, scenario, client, programs)
                .with_context(|| format!("{} against {scenario}", client.label()))?;
            eprintln!(
                "  {scenario} | {:<28} | {:>7.3} s | CPU {:>6.3} s, sandbox {:>6.3} s | {:>6.1} MiB | {} requests{}",
                client.label(),
                sample.wall.as_secs_f64(),
                sample.cpu.as_secs_f64(),
                sample.server_cpu.as_secs_f64(),
                sample.peak_rss as f64 / f64::from(1u32 << 20),
                sample.requests,
                if timed { "" } else { " (warm-up)" },
            );
            if timed {
                samples.push(sample);
            }
        }
    }
    runtime.block_on(sandbox.shutdown());
    Ok(samples)
}

/// One run of `client`, checked to have listed every image.
fn time_one(
    sandbox: &RunningSandbox,
    scenario: Scenario,
    client: Client,
    programs: &Programs,
) -> Result<Sample> {
    let stdout = tempfile::NamedTempFile::new()?;
    let command = client.command(
        programs,
        sandbox.base_url(),
        sandbox.token(),
        scenario.images,
    );
    let requests_before = sandbox.stats().requests;
    let cpu_before = measure::own_cpu();
    let cost = launcher::measure(
        &programs.bench,
        &command,
        File::try_clone(stdout.as_file())?,
    )?;
    let server_cpu = measure::own_cpu().saturating_sub(cpu_before);
    let requests = sandbox.stats().requests - requests_before;
    let listed = client.count(stdout.path())?;
    if listed != scenario.images as u64 {
        bail!(
            "listed {listed} images out of {}: a listing that ends short is a failure",
            scenario.images
        );
    }
    Ok(Sample {
        client,
        wall: cost.wall,
        peak_rss: cost.peak_rss,
        cpu: cost.cpu,
        server_cpu,
        requests,
    })
}
