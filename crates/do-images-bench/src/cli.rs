//! The command line: `run` (the harness), `list` (the library's client),
//! `measure`, `rate-limited`, `prune` and the upload benchmark.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// do-images, doimg and pydo listing the sandbox's images side by side.
#[derive(Debug, Parser)]
#[command(about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The two roles of this binary.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the benchmark and writes the results (`cargo xtask bench` calls
    /// this).
    Run(RunArgs),
    /// Lists every image through the library and prints how many there were
    /// (one of the clients `run` times).
    List(ListArgs),
    /// Runs a command and writes its wall time and peak memory to a file
    /// (how `run` starts each client).
    Measure(MeasureArgs),
    /// Times a listing longer than the API's burst limit against a sandbox
    /// with the API's real rate limits, through the library's default
    /// request limiter, and counts the `429`s it met.
    RateLimited(RateLimitedArgs),
    /// Times a prune of a large series (plan and execute) against a sandbox
    /// with the API's real rate limits, through the library's default
    /// request limiter, and counts the requests and `429`s it met.
    Prune(PruneArgs),
    /// Uploads a large sparse disk image to the sandbox's Spaces store, once
    /// through the file import and once as a single plain PUT, and prints
    /// the throughput and peak memory of each.
    Upload(UploadArgs),
    /// One upload that `upload` measures (a child process of it).
    UploadClient(UploadClientArgs),
}

/// The listing `rate-limited` times.
#[derive(Debug, Args)]
pub struct RateLimitedArgs {
    /// Pages to list (one image each).
    #[arg(long, default_value_t = 600)]
    pub pages: usize,
    /// Pages to fetch ahead.
    #[arg(long, value_name = "PAGES", default_value_t = do_images::DEFAULT_FETCH_AHEAD)]
    pub fetch_ahead: usize,
    /// Latency the sandbox adds to every request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
}

/// The prune `prune` times.
#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Images of the pruned series (all of them are deleted); fewer make
    /// a quick run.
    #[arg(long, value_name = "N", default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub images: u64,
    /// Other images the sandbox is seeded with (none of them is pruned).
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub other_images: usize,
}

/// Settings of the upload benchmark.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Size of the generated sparse qcow2-shaped file, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 2048)]
    pub size_mib: u64,
    /// Folder for the file (default: the system's temporary folder).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// How an upload client uploads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum UploadMode {
    /// `import_file`: multipart upload, import, wait, delete.
    Import,
    /// One presigned PUT of the whole file, streamed from disk.
    Put,
}

/// Where one upload client sends the file.
#[derive(Debug, Args)]
pub struct UploadClientArgs {
    /// How to upload.
    #[arg(long, value_enum)]
    pub mode: UploadMode,
    /// The file.
    #[arg(long)]
    pub file: PathBuf,
    /// The API's base URL.
    #[arg(long)]
    pub api_url: String,
    /// The API token.
    #[arg(long)]
    pub token: String,
    /// The store's endpoint.
    #[arg(long)]
    pub endpoint: String,
    /// The bucket.
    #[arg(long)]
    pub bucket: String,
    /// The signing region.
    #[arg(long)]
    pub region: String,
    /// Access key id (from SPACES_ACCESS_KEY_ID).
    #[arg(long, env = "SPACES_ACCESS_KEY_ID", hide_env_values = true)]
    pub key_id: String,
    /// Secret (from SPACES_SECRET_ACCESS_KEY).
    #[arg(long, env = "SPACES_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub secret: String,
}

/// Settings of a benchmark run.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Timed runs of each client per scenario (default 3; 1 with --quick).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: Option<u32>,
    /// A fast smoke run: 1,000 and 5,000 images, one round, an 8 s import.
    #[arg(long, conflicts_with = "cli_cpu")]
    pub quick: bool,
    /// Only what `doimg images list -o json` costs: 10,000 images without
    /// latency, doimg (and `--doimg-baseline`) beside the curl transfer
    /// floor, 5 rounds; no pydo, no waiter, no targets.
    #[arg(long)]
    pub cli_cpu: bool,
    /// Another build of `doimg` to time beside this one, such as main's,
    /// to compare two builds in one run on a noisy machine.
    #[arg(long, value_name = "PATH")]
    pub doimg_baseline: Option<PathBuf>,
    /// Pages the library fetches ahead in its "fetch-ahead" runs.
    #[arg(long, value_name = "PAGES", default_value_t = do_images::DEFAULT_FETCH_AHEAD)]
    pub fetch_ahead: usize,
    /// Where to write the results (default crates/do-images-bench/RESULTS.md, or
    /// target/bench/RESULTS-quick.md with --quick).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// The Python interpreter of the virtualenv pydo is installed in.
    #[arg(long, value_name = "PATH", required_unless_present = "cli_cpu")]
    pub python: Option<PathBuf>,
    /// The script that lists every image through pydo.
    #[arg(long, value_name = "PATH", required_unless_present = "cli_cpu")]
    pub pydo_script: Option<PathBuf>,
    /// The release build of `doimg`.
    #[arg(long, value_name = "PATH")]
    pub doimg: PathBuf,
}

/// Where to list from and how.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The API's base URL.
    #[arg(long)]
    pub url: String,
    /// The bearer token.
    #[arg(long)]
    pub token: String,
    /// Pages to fetch ahead (0: one page after another).
    #[arg(long, value_name = "PAGES")]
    pub fetch_ahead: usize,
}

/// What to measure and where to report.
#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// The file to write the measurement to.
    #[arg(long, value_name = "PATH")]
    pub report: PathBuf,
    /// The program and its arguments.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<OsString>,
}
