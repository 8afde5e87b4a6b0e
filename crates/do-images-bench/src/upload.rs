//! `do-images-bench upload`: a large sparse disk image uploaded to the
//! sandbox's Spaces store through the file import (multipart, parts in
//! flight) and as one plain PUT of the same file to the same store, each
//! in its own measured process. Prints throughput and peak memory; the
//! import's peak memory is held against the 64 MiB it is designed to stay
//! under.

use std::fs::File;
use std::io::Write;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use do_images_sandbox::{ImportTiming, Sandbox, SandboxConfig};

use crate::cli::UploadArgs;
use crate::launcher;

const MIB: u64 = 1024 * 1024;

/// The import's memory budget, whatever the file's size.
const MEMORY_BUDGET: u64 = 64 * MIB;

/// Runs both uploads and prints a table.
pub fn run(args: &UploadArgs) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    let fast = ImportTiming::new(Duration::from_millis(100), Duration::from_millis(500));
    let sandbox = runtime.block_on(Sandbox::start(
        SandboxConfig::default().with_import_timing(fast),
    ))?;
    let spaces = sandbox
        .spaces()
        .context("the sandbox has no Spaces store")?;
    let dir = match &args.dir {
        Some(dir) => tempfile::tempdir_in(dir)?,
        None => tempfile::tempdir()?,
    };
    let path = dir.path().join("bench.qcow2");
    let mut file = File::create(&path)?;
    file.write_all(b"QFI\xfb\0\0\0\x03")?;
    file.set_len(args.size_mib * MIB)?;
    drop(file);
    let bench = std::env::current_exe()?;
    println!(
        "Upload of a {} MiB sparse qcow2-shaped file to the sandbox's Spaces store on 127.0.0.1",
        args.size_mib
    );
    println!(
        "{:<34} {:>9} {:>9} {:>13} {:>8}",
        "how", "upload s", "MiB/s", "peak RSS MiB", "wall s"
    );
    let mut import_peak = 0;
    for (mode, label) in [
        ("import", "import_file (multipart, 4 in flight)"),
        ("put", "single plain PUT (streamed)"),
    ] {
        let mut client = Command::new(&bench);
        client
            .args(["upload-client", "--mode", mode, "--file"])
            .arg(&path)
            .args(["--api-url", sandbox.base_url(), "--token", sandbox.token()])
            .args([
                "--endpoint",
                spaces.endpoint_url(),
                "--bucket",
                spaces.bucket(),
            ])
            .args(["--region", spaces.region()])
            // The sandbox's keys are fixed, public test values.
            .args([
                "--key-id",
                spaces.access_key_id(),
                "--secret",
                spaces.secret_access_key(),
            ]);
        let out = tempfile::NamedTempFile::new()?;
        let cost = launcher::measure(&bench, &client, out.reopen()?)?;
        let printed = std::fs::read_to_string(out.path())?;
        let seconds: f64 = printed
            .trim()
            .strip_prefix("upload_seconds=")
            .with_context(|| format!("no upload time in {printed:?}"))?
            .parse()?;
        if mode == "import" {
            import_peak = cost.peak_rss;
        }
        println!(
            "{label:<34} {seconds:>9.2} {:>9.0} {:>13.1} {:>8.2}",
            (args.size_mib as f64) / seconds,
            cost.peak_rss as f64 / MIB as f64,
            cost.wall.as_secs_f64()
        );
    }
    println!(
        "import_file peak memory {:.1} MiB: {} the {} MiB budget",
        import_peak as f64 / MIB as f64,
        if import_peak < MEMORY_BUDGET {
            "under"
        } else {
            "OVER"
        },
        MEMORY_BUDGET / MIB
    );
    runtime.block_on(sandbox.shutdown());
    Ok(())
}
